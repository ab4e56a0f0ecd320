"""``repr`` of tensors, character for character against PyTorch's, and fast for big ones."""

import time

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def print_as_under_the_alias(monkeypatch):
    """Reprs say torch.float64, as under the alias (line wrapping depends on it)."""
    monkeypatch.setattr(tg.dtypes, "DISPLAY_PREFIX", "torch")

rng = np.random.default_rng(0)
ARRAYS = {
    "large summarised 2-d": rng.standard_normal((2000, 100)).astype(np.float32),
    "summarised 1-d": rng.standard_normal(5000).astype(np.float32),
    "summarised 3-d": rng.standard_normal((12, 10, 11)).astype(np.float32),
    "just above the threshold": np.arange(1001, dtype=np.float32) / 7,
    "exactly the threshold": np.arange(1000, dtype=np.float32) / 7,
    "wrapped lines": np.linspace(-5, 5, 40).astype(np.float32),
    "ints": np.array([[1, -20, 300], [4, 5, 6]]),
    "large ints summarised": np.arange(3000).reshape(30, 100),
    "int32": np.array([1, 2, 3], dtype=np.int32),
    "uint8": np.array([0, 255], dtype=np.uint8),
    "bools": np.array([[True, False], [False, True]]),
    "bools summarised": rng.random(2000) > 0.5,
    "float64": np.array([0.5, 1.25]),
    "float64 summarised": rng.standard_normal((40, 40)),
    "float16": np.array([0.5, 1.0, 3.0], dtype=np.float16),
    "whole floats": np.array([1.0, -2.0, 30.0], dtype=np.float32),
    "whole floats with a big ratio": np.array([1.0, 5000.0], dtype=np.float32),
    "whole floats above 1e8": np.array([1.0, 2e8], dtype=np.float32),
    "small values": np.array([1e-5, 2e-5], dtype=np.float32),
    "large values": np.array([1e9, 3.5], dtype=np.float32),
    "large ratio": np.array([0.001, 1.5, 2.0], dtype=np.float32),
    "nan and inf": np.array([np.nan, np.inf, -np.inf, 1.5], dtype=np.float32),
    "only nan and inf": np.array([np.nan, -np.inf], dtype=np.float32),
    "zeros": np.zeros((2, 3), dtype=np.float32),
    "negative zero and values": np.array([-0.0, 0.25, -0.5], dtype=np.float32),
    "scalar": np.array(3.25, dtype=np.float32),
    "int scalar": np.array(7),
    "nan scalar": np.array(np.nan, dtype=np.float32),
    "empty": np.zeros((0,), dtype=np.float32),
    "empty 2-d": np.zeros((0, 3), dtype=np.float32),
    "empty int": np.zeros((0,), dtype=np.int64),
    "empty float64": np.zeros((2, 0)),
    "4-d": rng.standard_normal((2, 2, 2, 2)).astype(np.float32),
    "scientific summarised": (rng.standard_normal((50, 50)) * 1e-6).astype(np.float32),
}


@pytest.mark.parametrize("name", list(ARRAYS))
def test_repr_is_pytorchs(name):
    array = ARRAYS[name]
    ours = repr(tg.from_numpy(array.copy()))
    assert ours == repr(torch.from_numpy(array.copy()))


@pytest.mark.parametrize("name", ["large summarised 2-d", "wrapped lines", "scalar", "zeros"])
def test_requires_grad_and_grad_fn_suffixes(name):
    def both(lib):
        leaf = lib.tensor(ARRAYS[name], requires_grad=True)
        return repr(leaf), repr(leaf * 2), repr(leaf.double().sum())

    ours = list(both(tg))
    assert ours == list(both(torch))


def test_a_long_suffix_moves_to_its_own_line():
    def text(lib):
        return repr(lib.linspace(0, 1, 14, dtype=lib.float64, requires_grad=True).exp())

    assert text(tg) == text(torch)
    assert text(torch).endswith("dtype=torch.float64,\n       grad_fn=<ExpBackward0>)")


def test_printing_a_big_tensor_formats_only_what_is_shown():
    big = tg.zeros(228_146, 100)
    start = time.perf_counter()
    text = repr(big)
    assert time.perf_counter() - start < 0.5  # was 21 s (measured: now a few ms)
    assert text == repr(torch.zeros(228_146, 100))
