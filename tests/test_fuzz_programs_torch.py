"""Random programs run in tinygrad_edu and in PyTorch (float64): every value and every
gradient must agree, or both must raise (issue 10's adversarial suite).

A program is a list of instructions drawn by ``programs()`` (tinygrad_edu.testing):
ops on a pool of tensors that reuse intermediates (diamonds), views of every kind,
in-place ops recorded and under ``no_grad``, item assignment, hooks, ``retain_grad``;
then a backward pass with ``retain_graph`` (run twice) or ``create_graph`` (and a
second derivative). ``HYPOTHESIS_PROFILE=dev`` runs many more programs.
"""

import numpy as np
import pytest
from hypothesis import given

import tinygrad_edu as tg
from tinygrad_edu.testing.strategies import autograd_programs

torch = pytest.importorskip("torch")


def _unary(lib, kind, t):
    if kind == 0:
        return t.tanh()
    if kind == 1:
        return t * t  # the same tensor twice: a diamond
    if kind == 2:
        return t.sigmoid() * 2.5
    if kind == 3:
        return t.relu() - 0.5
    return t.sin() + t  # a diamond through two ops


def _view(t, kind):
    """A view of ``t``, or None when ``t``'s shape does not allow this kind."""
    shape = tuple(t.shape)
    if kind == 0 and len(shape) == 2:
        return t.T
    if kind == 1:
        return t.reshape(-1)
    if kind == 2:
        return t.unsqueeze(0)
    if kind == 3 and len(shape) >= 1 and shape[0] > 1:
        return t[1:]
    if kind == 4 and len(shape) == 2:
        return t[:, 0]
    if kind == 5 and len(shape) >= 1:
        return t[0]
    if kind == 6 and len(shape) >= 1 and shape[0] == 1:
        return t.squeeze(0)
    return None


def _in_place(lib, t, other, kind, constant):
    if kind == 0:
        t.add_(other)
    elif kind == 1:
        t.mul_(constant)
    elif kind == 2:
        t.mul_(other)
    elif kind == 3:
        lib.nn.functional.relu(t, inplace=True)
    elif kind == 4:
        t.copy_(other)
    elif kind == 5:
        t.fill_(constant)
    else:
        t.sub_(other * constant)


def _setitem(lib, t, other, kind, constant):
    if len(t.shape) == 0:
        raise IndexError("a 0-d tensor has no items")  # both sides skip alike
    if kind == 0:
        t[0] = constant
    elif kind == 1:
        t[0] = other.reshape(-1)[0]
    elif kind == 2:
        t[t > 0] = constant
    else:
        t[lib.tensor([0, 0])] += other.reshape(-1)[0]


def run(lib, program, leaves_data):
    """Run ``program`` with ``lib`` (tinygrad_edu or torch); return what must agree."""
    leaves = [lib.tensor(d, dtype=lib.float64, requires_grad=True) for d in leaves_data]
    pool, retained, outcomes = list(leaves), [], []
    nograd = lib.no_grad
    for op, i, j, kind, constant, flag in program["steps"]:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        try:
            if op == "unary":
                pool.append(_unary(lib, kind, a))
            elif op == "binary":
                if tuple(a.shape) != tuple(b.shape):
                    b = b.reshape(-1)[0]  # a 0-d view: broadcasts to anything
                pool.append((a + b, a * b, a - b)[kind % 3])
            elif op == "view":
                v = _view(a, kind)
                if v is not None:
                    pool.append(v)
            elif op == "inplace":
                other = b if tuple(b.shape) == tuple(a.shape) else b.reshape(-1)[0]
                other = other.clone()  # an operand sharing a's memory: PyTorch's result
                # depends on its loop order (or it raises); ours is numpy's (as if copied)
                if flag:
                    with nograd():
                        _in_place(lib, a, other.detach(), kind, constant)
                else:
                    _in_place(lib, a, other, kind, constant)
            elif op == "setitem":
                _setitem(lib, a, b, kind, constant)
            elif op == "hook" and a._base is None:  # PyTorch drops a view's hooks when its
                # base changes in place, even under no_grad; ours keeps them (a known difference)
                if kind % 2:
                    a.register_hook(lambda g: g * 2)
                else:
                    a.retain_grad()
                    retained.append(a)
            outcomes.append("ok")
        except (RuntimeError, IndexError, TypeError) as error:
            outcomes.append(type(error).__name__)
    values = [p.detach().numpy().copy() for p in pool]
    grads = []
    try:
        loss = sum((p * (k + 1.5)).sum() for k, p in enumerate(pool) if p.requires_grad)
        if not isinstance(loss, lib.Tensor):
            return outcomes, values, None
        if program["create_graph"]:
            firsts = lib.autograd.grad(loss, leaves, create_graph=True, allow_unused=True)
            grads += [g for g in firsts if g is not None]
            second = sum((g * g).sum() for g in firsts if g is not None and g.requires_grad)
            if isinstance(second, lib.Tensor):
                second.backward()
        else:
            loss.backward(retain_graph=program["twice"])
            if program["twice"]:
                loss.backward()
        grads += [t.grad for t in leaves + retained]
    except RuntimeError as error:
        return outcomes, values, _error_name(error)
    return outcomes, values, [None if g is None else g.detach().numpy().copy() for g in grads]


def _error_name(error):
    return "version" if "modified by an in" in str(error) else type(error).__name__


def _relu_in_place(program):
    return any(op == "inplace" and kind == 3 for op, _, _, kind, _, _ in program["steps"])


def _same(ours, theirs):
    if ours is None or theirs is None:  # None and zeros are the same gradient (PyTorch
        # gives zeros where a second derivative goes through relu's kink, we give None)
        other = theirs if ours is None else ours
        return other is None or not np.any(other)
    return ours.shape == theirs.shape and np.allclose(ours, theirs, rtol=1e-9, atol=1e-9,
                                                      equal_nan=True)


@given(autograd_programs())
def test_random_programs_agree_with_pytorch(case):
    program, leaves_data = case
    ours = run(tg, program, leaves_data)
    theirs = run(torch, program, leaves_data)
    assert ours[0] == theirs[0], "an instruction raised on one side only"
    assert len(ours[1]) == len(theirs[1])
    for k, (a, b) in enumerate(zip(ours[1], theirs[1])):
        assert _same(a, b), f"value of pool tensor {k} differs:\n{a}\n{b}"
    if isinstance(ours[2], list) and isinstance(theirs[2], list):
        assert len(ours[2]) == len(theirs[2])
        for k, (a, b) in enumerate(zip(ours[2], theirs[2])):
            assert _same(a, b), f"gradient {k} differs:\n{a}\n{b}"
    elif theirs[2] == "version" and _relu_in_place(program):
        pass  # PyTorch's relu_ saves its output, so changing it later fails backward; ours
        # keeps relu's mask instead and its gradient stays right (a known difference)
    else:
        assert ours[2] == theirs[2], "backward raised on one side only"
