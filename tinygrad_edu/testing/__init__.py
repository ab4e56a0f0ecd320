"""tinygrad_edu.testing: check gradients, yours and the library's.

- ``gradcheck`` / ``gradgradcheck``: full Jacobians, analytical vs central
  differences (float64; float32 inputs get a warning).
- ``numerical_grad``: the gradient by central differences, as arrays.
- ``check_random_direction``: one random direction, two evaluations: cheap
  for large inputs.
- ``assert_op_gradients``: one call that property-tests an op with hypothesis.
- ``strategies``: hypothesis strategies for tensors, shapes, dims, indices and
  random programs (also importable from here).
- ``reference``: the seed documents' hand-derived gradients, in numpy.

The strategies and ``assert_op_gradients`` need hypothesis (the ``test``
extra); the rest needs numpy only.
"""

from tinygrad_edu.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from tinygrad_edu.testing import reference
from tinygrad_edu.testing.numerical import check_random_direction, numerical_grad

NEEDS_HYPOTHESIS = ("Program", "assert_op_gradients", "broadcastable_tensors", "dims",
                    "indices", "programs", "shapes", "strategies", "tensors")
MISSING_HYPOTHESIS = (
    "tinygrad_edu.testing.{name} needs hypothesis, which is not installed. Install the "
    'testing kit\'s extra: pip install "tinygrad_edu[test]"  (from a clone: '
    'pip install -e ".[test]"). gradcheck and numerical_grad work without it.'
)

try:
    import hypothesis  # noqa: F401 - only to know whether the strategies can load
except ImportError:  # installed without the test extra: numerical checks only

    def __getattr__(name: str):
        """``from tinygrad_edu.testing import assert_op_gradients`` says what to install."""
        if name in NEEDS_HYPOTHESIS:
            raise ImportError(MISSING_HYPOTHESIS.format(name=name), name=name)
        raise AttributeError(f"module 'tinygrad_edu.testing' has no attribute {name!r}")
else:
    from tinygrad_edu.testing import strategies
    from tinygrad_edu.testing.op_check import assert_op_gradients
    from tinygrad_edu.testing.strategies import (
        Program,
        broadcastable_tensors,
        dims,
        indices,
        programs,
        shapes,
        tensors,
    )

__all__ = [
    "GradcheckError", "Program", "assert_op_gradients", "broadcastable_tensors",
    "check_random_direction", "dims", "gradcheck", "gradgradcheck", "indices",
    "numerical_grad", "programs", "reference", "shapes", "strategies", "tensors",
]
