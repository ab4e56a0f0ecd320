"""``Embedding``: a lookup table of learnable vectors, one row per token id.

``emb(ix)`` is ``emb.weight[ix]``: for an int tensor of any shape it returns
that shape plus ``embedding_dim``. It is the ``C[X]`` of the makemore
lectures, where ``C`` is a matrix of character vectors and ``X`` holds
character ids. The gradient of a row is the sum of the gradients of every
place that looked it up.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.argcheck import check_tensor
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.grad_mode import no_grad
from tinygrad_edu.autograd.recording import recorded_as_one
from tinygrad_edu.creation import empty
from tinygrad_edu.nn import init
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.parameter import Parameter
from tinygrad_edu.ops.movement import IndexAdd
from tinygrad_edu.tensor import Tensor, _wrap


class EmbeddingFunction(Function):
    """out[..., :] = weight[indices[...], :].

    d/dweight: each row of g is added into the row it was read from (repeated
    ids get the sum), times ``scale`` where given: 0 for ``padding_idx``'s
    positions and 1 / (how often the id occurs) with ``scale_grad_by_freq``.
    """

    @staticmethod
    def forward(ctx, weight, indices, scale):
        ctx.indices, ctx.scale, ctx.weight_shape = indices, scale, weight.array.shape
        return weight.array[indices]

    @staticmethod
    def backward(ctx, g):
        if ctx.scale is not None:
            g = g * _wrap(ctx.scale.astype(g.array.dtype, copy=False))
        return IndexAdd.apply(g, ctx.indices, ctx.weight_shape), None, None


def _check_indices(input: Tensor, num_embeddings: int) -> np.ndarray:  # noqa: A002
    if not isinstance(input, Tensor) or input.array.dtype not in (np.int64, np.int32):
        got = input.dtype if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {got} instead (while checking arguments for embedding)"
        )
    indices = input.array
    if indices.size and (indices.min() < 0 or indices.max() >= num_embeddings):
        bad = indices[(indices < 0) | (indices >= num_embeddings)].flat[0]
        raise IndexError(f"index out of range in self: embedding id {int(bad)} is not in "
                         f"[0, {num_embeddings - 1}]")
    return indices


def _renorm_rows(weight: Tensor, indices: np.ndarray, max_norm: float, norm_type: float) -> None:
    """Scale each looked-up row whose norm exceeds ``max_norm`` down to it, in place (no grad)."""
    rows = np.unique(indices)
    norms = np.linalg.norm(weight.array[rows], ord=norm_type, axis=-1)
    too_long = norms > max_norm
    if too_long.any():
        scale = max_norm / (norms[too_long] + 1e-7)
        weight.array[rows[too_long]] *= scale[:, None].astype(weight.array.dtype)
        weight._version.value += 1


@recorded_as_one  # tg.compile replays it as one step (recording.py)
def embedding(input: Tensor, weight: Tensor, padding_idx: int | None = None,  # noqa: A002
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """The rows of ``weight`` picked by the int tensor ``input``: ``weight[input]``.

    ``padding_idx``: that row gets no gradient. ``max_norm``: rows looked up
    are first rescaled in place to at most that ``norm_type``-norm.
    ``scale_grad_by_freq``: a row's gradient is divided by how often it occurs
    in ``input``. ``sparse=True`` still gives a dense gradient (same values).
    """
    check_tensor("input", input, "embedding")
    if weight.ndim != 2:
        raise RuntimeError(f"'weight' must be 2-D, got a tensor of shape {tuple(weight.shape)}")
    num_embeddings = weight.shape[0]
    if padding_idx is not None:
        if not -num_embeddings <= padding_idx < num_embeddings:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = padding_idx % num_embeddings
    indices = _check_indices(input, num_embeddings)
    if max_norm is not None:
        with no_grad():
            _renorm_rows(weight, indices, max_norm, norm_type)
    scale = None
    if padding_idx is not None or scale_grad_by_freq:
        scale = np.ones(indices.shape, dtype=np.float64)
        if scale_grad_by_freq:
            counts = np.bincount(indices.ravel(), minlength=num_embeddings)
            scale = scale / counts[indices]
        if padding_idx is not None:
            scale[indices == padding_idx] = 0.0
        scale = scale[..., None]
    return EmbeddingFunction.apply(weight, indices, scale)


class Embedding(Module):
    """A table of ``num_embeddings`` vectors of size ``embedding_dim``; ``emb(ix) = weight[ix]``.

    ``weight`` is initialised from N(0, 1) (PyTorch's default, drawn by
    ``nn.init.normal_``), with the ``padding_idx`` row, if any, set to zeros.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, norm_type: float = 2.0,
                 scale_grad_by_freq: bool = False, sparse: bool = False,
                 _weight: Tensor | None = None, _freeze: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.num_embeddings, self.embedding_dim = num_embeddings, embedding_dim
        if padding_idx is not None:
            if padding_idx > 0:
                if padding_idx >= num_embeddings:
                    raise AssertionError("Padding_idx must be within num_embeddings")
            elif padding_idx < 0:
                if padding_idx < -num_embeddings:
                    raise AssertionError("Padding_idx must be within num_embeddings")
                padding_idx = num_embeddings + padding_idx
        self.padding_idx = padding_idx
        self.max_norm, self.norm_type = max_norm, norm_type
        self.scale_grad_by_freq, self.sparse = scale_grad_by_freq, sparse
        if _weight is None:
            self.weight = Parameter(empty(num_embeddings, embedding_dim, dtype=dtype),
                                    requires_grad=not _freeze)
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError("Shape of weight does not match num_embeddings and "
                                     "embedding_dim")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Fresh weights from N(0, 1); the padding row zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            with no_grad():
                self.weight[self.padding_idx].fill_(0)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type,
                         self.scale_grad_by_freq, self.sparse)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        if self.sparse:
            text += ", sparse=True"
        return text

    @classmethod
    def from_pretrained(cls, embeddings: Tensor, freeze: bool = True,
                        padding_idx: int | None = None, max_norm: float | None = None,
                        norm_type: float = 2.0, scale_grad_by_freq: bool = False,
                        sparse: bool = False) -> Embedding:
        """An Embedding whose weight is ``embeddings`` (2-D); frozen unless ``freeze=False``."""
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
                   _weight=embeddings, _freeze=freeze)
