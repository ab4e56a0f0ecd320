"""``tinygrad_edu.datasets``: the seed documents' data sets, made or loaded locally, as tensors.

Nothing is downloaded. The generated ones take ``seed=`` (an int for a
fixed draw, None for the library's generator set by ``tg.manual_seed``).

- ``logic_gate("and" | "or" | "xor")`` — noisy truth tables (seed 001)
- ``ring()`` — a class-0 centre inside a class-1 ring of points (seed 001)
- ``regression("sin" | "abs")`` — 1-D targets 2.5 + sin x or |x| with noise (seed 001)
- ``triangle()`` — uniform points labelled by x1 + x2 > 1 (seed 002)
- ``iris(...)`` — Fisher's Iris, shipped with the package; ``iris(seed_000=True)``
  is seed 000's setosa-vs-versicolor subset
"""

from tinygrad_edu.datasets.iris import iris
from tinygrad_edu.datasets.logic_gates import logic_gate
from tinygrad_edu.datasets.regression import regression, regression_target
from tinygrad_edu.datasets.ring import ring
from tinygrad_edu.datasets.triangle import triangle

__all__ = ["iris", "logic_gate", "regression", "regression_target", "ring", "triangle"]
