"""``Parameter``: a Tensor that a ``Module`` registers as one of its learnable weights."""

from __future__ import annotations

import numpy as np

from tinygrad_edu.tensor import _INT_GRAD_MESSAGE, Tensor, _init, _wrap


class Parameter(Tensor):
    """A leaf Tensor that, assigned to a ``Module`` attribute, joins ``parameters()``.

    It shares ``data``'s array (no copy), as PyTorch's Parameter shares storage.
    Ops on a Parameter are recorded like ops on any Tensor and give plain Tensors.
    """

    __slots__ = ()

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            array = np.empty((0,), dtype=np.float32)
        elif isinstance(data, Tensor):
            array = data.array
        else:
            raise TypeError(
                f"Parameter(data): data must be a Tensor, got {type(data).__name__}; "
                f"wrap it first, e.g. Parameter(tinygrad_edu.tensor(data))"
            )
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"Parameter(): argument 'requires_grad' must be bool, not "
                            f"{type(requires_grad).__name__}")
        if requires_grad and array.dtype.kind != "f":
            from tinygrad_edu.dtypes import from_numpy_dtype

            raise RuntimeError(_INT_GRAD_MESSAGE.format(from_numpy_dtype(array.dtype)))
        _init(self, array, requires_grad)
        if isinstance(data, Tensor):
            self._version = data._version  # one array, one count of its in-place changes

    def __deepcopy__(self, memo: dict) -> Parameter:
        """A new leaf with a copy of the data (and no grad), as PyTorch's Parameter.

        The default deepcopy would also copy the leaf's gradient node, which
        still points to this parameter: the copy's gradients would land here.
        """
        if id(self) in memo:
            return memo[id(self)]
        result = Parameter(_wrap(self.array.copy()), self.requires_grad)
        memo[id(self)] = result
        return result

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
