"""Fisher's Iris data (150 flowers, 4 measurements in cm, 3 species), shipped in iris.csv.

Seed 000 ("Load the Iris dataset") trains a perceptron and a sigmoid neuron
on two of the species, setosa and versicolor, from two features, sepal
length and petal length: ``iris(seed_000=True)`` gives exactly that.

The file holds the 150 rows as distributed with scikit-learn (the corrected
Fisher values; the UCI ``iris.data`` differs in rows 35 and 38). Column
means: sepal length 5.843, sepal width 3.057, petal length 3.758, petal
width 1.199; 50 flowers of each species.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Sequence
from importlib import resources

import numpy as np

from tinygrad_edu.tensor import Tensor, _wrap

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
CLASSES = ("setosa", "versicolor", "virginica")
SEED_000_CLASSES = ("setosa", "versicolor")
SEED_000_FEATURES = ("sepal_length", "petal_length")


@functools.lru_cache(maxsize=1)
def _read_csv() -> tuple[np.ndarray, np.ndarray]:
    """The measurements (150, 4) float64 and species indices (150,), read once from the package."""
    text = resources.files("tinygrad_edu.datasets").joinpath("iris.csv").read_text("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    if tuple(rows[0]) != (*FEATURES, "species"):
        raise ValueError(f"iris.csv: unexpected header {rows[0]}")
    measurements = np.array([[float(v) for v in row[:4]] for row in rows[1:]])
    species = np.array([CLASSES.index(row[4]) for row in rows[1:]], dtype=np.int64)
    measurements.flags.writeable = species.flags.writeable = False
    return measurements, species


def _positions(names: Sequence[str] | None, known: tuple, what: str) -> list[int]:
    if names is None:
        return list(range(len(known)))
    if isinstance(names, str):
        names = [names]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(f"unknown iris {what} {unknown}; expected some of {', '.join(known)}")
    if len(set(names)) != len(names):
        raise ValueError(f"iris {what} listed twice: {list(names)}")
    return [known.index(name) for name in names]


def iris(classes: Sequence[str] | None = None, features: Sequence[str] | None = None,
         *, seed_000: bool = False) -> tuple[Tensor, Tensor]:
    """``(X, y)``: the Iris flowers of ``classes`` described by ``features``, in file order.

    X is float32 (n, len(features)); y is int64 (n,), each flower's position
    in ``classes`` (default: all three species, all four features, so y is
    0 setosa, 1 versicolor, 2 virginica — ready for ``CrossEntropyLoss``).

    ``seed_000=True`` gives seed 000's data instead: setosa vs versicolor,
    sepal length and petal length, with y float32 (100, 1), 0 for setosa and
    1 for versicolor — ready for a sigmoid neuron with MSE or BCE.
    """
    if seed_000:
        if classes is not None or features is not None:
            raise ValueError("iris(seed_000=True) chooses its own classes and features; "
                             "leave classes and features out")
        X, y = iris(SEED_000_CLASSES, SEED_000_FEATURES)
        return X, _wrap(y.array.astype(np.float32).reshape(-1, 1))
    class_positions = _positions(classes, CLASSES, "classes")
    feature_positions = _positions(features, FEATURES, "features")
    measurements, species = _read_csv()
    chosen = np.isin(species, class_positions)
    relabel = np.zeros(len(CLASSES), dtype=np.int64)
    relabel[class_positions] = np.arange(len(class_positions))
    X = measurements[chosen][:, feature_positions].astype(np.float32)
    return _wrap(X), _wrap(relabel[species[chosen]])
