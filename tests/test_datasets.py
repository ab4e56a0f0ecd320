"""The seed data sets: shapes, dtypes, seeding, labels that follow their rule, Iris's numbers."""

import hashlib

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import datasets


def test_logic_gates_are_noisy_corners_labelled_by_the_gate():
    for gate, truth in [("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("xor", [0, 1, 1, 0])]:
        X, y = datasets.logic_gate(gate, n_per_corner=200, seed=1)
        assert X.shape == (800, 2) and y.shape == (800, 1)
        assert X.dtype == tg.float32 and y.dtype == tg.float32
        nearest_corner = np.rint(np.clip(X.array, 0, 1)).astype(int)  # noise 0.15 < 0.5 mostly
        corner_index = 2 * nearest_corner[:, 0] + nearest_corner[:, 1]
        expected = np.array(truth, dtype=np.float32)[corner_index]
        assert np.mean(expected == y.array[:, 0]) > 0.99  # only points pushed past 0.5 differ
        assert np.bincount(corner_index.tolist(), minlength=4).min() > 180


def test_logic_gate_noise_has_the_seeds_standard_deviation():
    X, y = datasets.logic_gate("xor", n_per_corner=5000, shuffle=False, seed=2)
    corners = np.tile([[0, 0], [0, 1], [1, 0], [1, 1]], (5000, 1))
    noise = X.array - corners
    assert abs(noise.std() - 0.15) < 0.003 and abs(noise.mean()) < 0.003
    assert y.array[:4, 0].tolist() == [0, 1, 1, 0]  # unshuffled: the corners in order


def test_ring_centre_is_class_0_and_the_ring_class_1():
    X, y = datasets.ring(n_per_point=30, noise=0.0, shuffle=False)
    assert X.shape == (270, 2) and y.shape == (270, 1)
    at_centre = np.all(X.array == 0.5, axis=1)
    assert at_centre.sum() == 30
    assert np.all(y.array[at_centre] == 0) and np.all(y.array[~at_centre] == 1)
    assert set(map(tuple, X.array.tolist())) == {
        (0, 0), (0, 1), (1, 0), (1, 1), (0.5, 0.5), (1, 0.5), (0, 0.5), (0.5, 0), (0.5, 1)}


def test_regression_inputs_targets_and_noise():
    for name, f in [("sin", lambda x: 2.5 + np.sin(x)), ("abs", np.abs)]:
        x, y = datasets.regression(name, n=2000, seed=3)
        assert x.shape == y.shape == (2000, 1) and x.dtype == y.dtype == tg.float32
        np.testing.assert_allclose(x.array[:, 0], np.linspace(-5, 5, 2000), rtol=1e-6)
        residual = y.array - f(x.array)
        assert abs(residual.std() - 0.5) < 0.03 and abs(residual.mean()) < 0.03
        np.testing.assert_allclose(datasets.regression_target(name, x).array, f(x.array),
                                   rtol=1e-6)


def test_triangle_labels_follow_x1_plus_x2_greater_than_1():
    X, y = datasets.triangle(n=500, seed=4)
    assert X.shape == (500, 2) and y.shape == (500, 1) and X.dtype == tg.float32
    assert np.all((X.array >= 0) & (X.array < 1))
    np.testing.assert_array_equal(y.array[:, 0], X.array[:, 0] + X.array[:, 1] > 1)
    assert y.equal((X.sum(1, keepdim=True) > 1).float())
    assert 0.4 < y.array.mean() < 0.6  # half the square lies above the diagonal


@pytest.mark.parametrize("make", [
    lambda seed: datasets.logic_gate("or", seed=seed),
    lambda seed: datasets.ring(seed=seed),
    lambda seed: datasets.regression("sin", seed=seed),
    lambda seed: datasets.triangle(seed=seed),
])
def test_same_seed_same_data_other_seed_other_data(make):
    (X1, y1), (X2, y2), (X3, y3) = make(5), make(5), make(6)
    assert X1.equal(X2) and y1.equal(y2)
    assert not (X1.equal(X3) and y1.equal(y3))


def test_seed_none_follows_manual_seed():
    tg.manual_seed(11)
    first = datasets.triangle(seed=None)[0]
    tg.manual_seed(11)
    assert datasets.triangle(seed=None)[0].equal(first)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown gate 'nand'; expected one of and, or, xor"):
        datasets.logic_gate("nand")
    with pytest.raises(ValueError, match="unknown function 'cos'; expected one of sin, abs"):
        datasets.regression("cos")
    with pytest.raises(ValueError, match="n must be a positive int, got 0"):
        datasets.triangle(n=0)
    with pytest.raises(ValueError, match="noise must be a non-negative standard deviation"):
        datasets.ring(noise=-1)
    with pytest.raises(TypeError, match="seed must be an int or None, got str"):
        datasets.triangle(seed="0")


def test_iris_column_means_class_counts_and_ranges():
    X, y = datasets.iris()
    assert X.shape == (150, 4) and X.dtype == tg.float32 and y.dtype == tg.int64
    np.testing.assert_allclose(X.array.mean(axis=0), [5.8433, 3.0573, 3.7580, 1.1993], atol=5e-5)
    assert np.bincount(y.array).tolist() == [50, 50, 50]
    assert X.array.min(axis=0).tolist() == pytest.approx([4.3, 2.0, 1.0, 0.1])
    assert X.array.max(axis=0).tolist() == pytest.approx([7.9, 4.4, 6.9, 2.5])
    # per-species means, as published with the data (Fisher 1936)
    species_means = [X.array[y.array == k].mean(axis=0) for k in range(3)]
    np.testing.assert_allclose(species_means, [[5.006, 3.428, 1.462, 0.246],
                                               [5.936, 2.770, 4.260, 1.326],
                                               [6.588, 2.974, 5.552, 2.026]], atol=5e-4)


def test_iris_file_is_byte_for_byte_the_widely_distributed_copy():
    # Written out in scikit-learn's iris.csv layout, our rows hash to that file's SHA-256
    # (the corrected Fisher values): a check of every digit, not only of the means.
    X, y = datasets.iris()
    lines = ["150,4,setosa,versicolor,virginica"]
    lines += [",".join(f"{v:.1f}" for v in row) + f",{label}"
              for row, label in zip(X.array.tolist(), y.array.tolist())]
    text = "\r\n".join(lines) + "\r\n"
    assert hashlib.sha256(text.encode()).hexdigest() == (
        "f9e3809b56cc0f2f2f69554b7a0ea04e94d0e2c21343c86593eaf5581551dab6")


def test_iris_subsets_and_the_seed_000_option():
    X, y = datasets.iris(classes=["versicolor", "virginica"], features=["petal_width"])
    assert X.shape == (100, 1) and y.array.tolist() == [0] * 50 + [1] * 50
    assert X.array[0, 0] == pytest.approx(1.4)  # the first versicolor: 7.0, 3.2, 4.7, 1.4
    X, y = datasets.iris(seed_000=True)
    assert X.shape == (100, 2) and y.shape == (100, 1) and y.dtype == tg.float32
    assert X.array[0].tolist() == pytest.approx([5.1, 1.4])
    assert X.array[50].tolist() == pytest.approx([7.0, 4.7])
    assert y.array[:, 0].tolist() == [0.0] * 50 + [1.0] * 50
    # the two species are separated by petal length alone, as the seed's plots show
    assert X.array[:50, 1].max() < X.array[50:, 1].min()
    with pytest.raises(ValueError, match=r"unknown iris classes \['rose'\]"):
        datasets.iris(classes=["setosa", "rose"])
    with pytest.raises(ValueError, match="leave classes and features out"):
        datasets.iris(classes=["setosa"], seed_000=True)


def test_iris_returns_fresh_tensors():
    X, _ = datasets.iris()
    X.array[0, 0] = 100.0
    assert datasets.iris()[0].array[0, 0] == pytest.approx(5.1)
