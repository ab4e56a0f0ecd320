"""``einsum``: sums of products named by subscripts, ``einsum("ij,jk->ik", a, b)``.

The forward is numpy's einsum. The derivative with respect to one operand is
itself an einsum: the output gradient ``g`` (subscripts of the output)
multiplied by all the other operands, summed down to that operand's
subscripts. For ``ij,jk->ik``: d/da = einsum("ik,jk->ij", g, b) = g bᵀ and
d/db = einsum("ik,ij->jk", g, a) = aᵀ g — matmul's rule. Two details:

- a letter that occurs only in this operand (summed away, as i in "ij->j")
  is absent from the gradient's einsum; the gradient is the same along it, so
  it is broadcast back (expand);
- a letter repeated in one operand (a diagonal, as in "ii->i") gets a fresh
  letter for each repeat and an identity matrix tying the two, so the gradient
  lands on the diagonal only.

Since the backward is an einsum too, it is differentiable again.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.tensor import Tensor, _wrap


class Einsum(Function):
    """out = einsum(inputs -> output, *operands).   d/d(operand k): see the module docstring."""

    @staticmethod
    def forward(ctx, spec, *operands):
        inputs, output = spec
        ctx.spec = spec
        ctx.save_for_backward(*operands)
        return np.einsum(",".join(inputs) + "->" + output, *[o.array for o in operands])

    @staticmethod
    def backward(ctx, g):
        inputs, output = ctx.spec
        operands = ctx.saved_tensors
        grads = [None]
        for k, needed in enumerate(ctx.needs_input_grad[1:]):
            grads.append(_operand_gradient(g, inputs, output, operands, k) if needed else None)
        return tuple(grads)


def _operand_gradient(g: Tensor, inputs: tuple, output: str, operands: tuple, k: int) -> Tensor:
    target, sizes = inputs[k], operands[k].shape
    used = set("".join(inputs) + output)
    fresh = (c for c in string.ascii_letters if c not in used)
    subscripts = [output] + [s for j, s in enumerate(inputs) if j != k]
    tensors = [g] + [o for j, o in enumerate(operands) if j != k]
    renamed, seen = [], set()
    for letter, size in zip(target, sizes):
        if letter in seen:  # a diagonal: tie the repeat to its letter with an identity
            new = next(fresh)
            subscripts.append(letter + new)
            tensors.append(_wrap(np.eye(size, dtype=g.array.dtype)))
            letter = new
        seen.add(letter)
        renamed.append(letter)
    present = set("".join(subscripts))
    kept = "".join(c for c in renamed if c in present)
    grad = Einsum.apply((tuple(subscripts), kept), *tensors)
    if len(kept) == len(renamed):
        return grad
    # letters only in this operand: the gradient is constant along them, broadcast it
    shape = tuple(size if c in present else 1 for c, size in zip(renamed, sizes))
    return grad.reshape(shape).expand(tuple(sizes))


def _parse(equation: str, operands: list) -> tuple:
    """(input subscripts, output subscripts), with '...' spelled out as letters."""
    equation = equation.replace(" ", "")
    left, arrow, right = equation.partition("->")
    inputs = left.split(",")
    if len(inputs) != len(operands):
        raise RuntimeError(
            "einsum(): more operands were provided than specified in the equation"
            if len(operands) > len(inputs) else
            f"einsum(): fewer operands were provided than specified in the equation "
            f"({len(inputs)} subscripts, {len(operands)} operands)"
        )
    for subscript in inputs + [right]:
        bad = set(subscript.replace("...", "")) - set(string.ascii_letters)
        if bad:
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {equation.index(bad.pop())} in the "
                f"equation string, subscripts must be in [a-zA-Z]"
            )
    free = [c for c in string.ascii_letters[::-1] if c not in equation]
    widest = 0
    for subscript, operand in zip(inputs, operands):
        letters = len(subscript.replace("...", ""))
        if "..." not in subscript and letters != operand.ndim:
            raise RuntimeError(
                f"einsum(): the number of subscripts in the equation ({letters}) does not match "
                f"the number of dimensions ({operand.ndim}) for operand "
                f"{inputs.index(subscript)} and no ellipsis was given"
            )
        if "..." in subscript:
            widest = max(widest, operand.ndim - letters)
    ellipsis = "".join(free[:widest][::-1])
    spelled = [s.replace("...", ellipsis[widest - (o.ndim - len(s.replace("...", ""))):])
               for s, o in zip(inputs, operands)]
    if arrow:
        output = right.replace("...", ellipsis)
        unknown = set(output) - set("".join(spelled))
        if unknown:
            raise RuntimeError(f"einsum(): output subscript {unknown.pop()} does not appear in "
                               f"the equation for any input operand")
    else:  # implicit output: the ellipsis dims, then every letter used once, in order
        counts = {c: "".join(spelled).count(c) for c in set("".join(spelled))}
        output = ellipsis + "".join(sorted(c for c, n in counts.items()
                                           if n == 1 and c not in ellipsis))
    return tuple(spelled), output


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sum of products over the subscripts of ``equation`` (numpy's and PyTorch's notation,
    with ``...`` and the implicit output); ``operands`` may also be given as one list."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not all(isinstance(o, Tensor) for o in operands):
        raise TypeError("einsum(): expected the operands to be Tensors")
    inputs, output = _parse(equation, list(operands))
    for operand in operands[1:]:
        if operand.array.dtype != operands[0].array.dtype:  # PyTorch does not promote here
            raise RuntimeError(
                f"einsum(): expected all operands to have one dtype, got {operands[0].dtype} "
                f"and {operand.dtype}; convert them first (e.g. .float())"
            )
    for subscript, operand in zip(inputs, operands):
        for letter, size in zip(subscript, operand.shape):
            for other_subscript, other in zip(inputs, operands):
                for other_letter, other_size in zip(other_subscript, other.shape):
                    if letter == other_letter and size != other_size:
                        raise RuntimeError(
                            f"einsum(): subscript {letter} has size {size} in one operand "
                            f"which does not broadcast with size {other_size} in another"
                        )
    return Einsum.apply((inputs, output), *operands)


# einsum has no Tensor method in PyTorch.
