"""The benchmark suite at tiny sizes: its implementations must agree (correctness, no timing).

Nothing here asserts a speed: a shared CI machine cannot promise one. What is
asserted is that the hand-written numpy step, the tinygrad_edu step (raw ops and,
once it exists, tg.nn + tg.optim) and PyTorch's step, if installed, compute the
same loss and the same updated weights, and that the check notices when they don't.
"""

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: `benchmarks`

from benchmarks import cases, matmul_blas, models_numpy, models_tinygrad  # noqa: E402
from benchmarks.problems import (  # noqa: E402
    MakemoreSpec,
    MLPSpec,
    NeuronSpec,
    chain_start,
    makemore_batches,
    makemore_weights,
)
from benchmarks.report import format_table  # noqa: E402

TINY_SPECS = [
    MLPSpec((2, 3, 1), "sigmoid", "sigmoid", "half_sse", batch=4, dtype="float64"),
    MLPSpec((2, 5, 5, 1), "tanh", "identity", "mse", batch=8, dtype="float32"),
    MLPSpec((12, 7, 6, 4), "relu", "identity", "cross_entropy", batch=9, dtype="float32"),
]


@pytest.mark.parametrize("spec", TINY_SPECS, ids=lambda s: f"{s.label}-{s.loss}")
def test_first_step_losses_agree(spec):
    models, _ = cases.build_models(spec, with_nn=(spec.loss == "cross_entropy"))
    losses = cases.check_first_step(spec, models)
    assert {"numpy", "tg"} <= set(losses)
    if cases.models_torch is not None:
        assert "torch" in losses
    for name, loss in losses.items():
        assert math.isclose(loss, losses["numpy"], rel_tol=1e-4), name


def test_half_sse_loss_is_the_seed_formula():
    spec = TINY_SPECS[0]
    models, _ = cases.build_models(spec)
    (w1, b1), (w2, b2) = models["numpy"].params
    x, t = models["numpy"].batches[0]
    sigmoid = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    a = sigmoid(sigmoid(x @ w1.T + b1) @ w2.T + b2)
    expected = 0.5 * np.sum((a - t) ** 2)  # E = ½Σ(a−t)², seed 001
    assert models["tg"].step(0).item() == pytest.approx(expected, rel=1e-12)
    assert models["numpy"].step(0) == pytest.approx(expected, rel=1e-12)


def test_the_check_notices_a_wrong_gradient():
    spec = TINY_SPECS[2]
    models, _ = cases.build_models(spec)
    models["tg"].spec = MLPSpec(spec.sizes, spec.hidden, spec.output, spec.loss, spec.batch,
                                spec.dtype, lr=spec.lr * 2)  # same loss, different update
    with pytest.raises(AssertionError, match="parameter 0 after one step, tg vs numpy"):
        cases.check_first_step(spec, models)


def test_mlp_case_runs_one_round():
    rows = cases.run_mlp_case("3", TINY_SPECS[2], target=1.05, rounds=1, repeats=1,
                              with_nn=True)
    assert rows[0].case == "3" and rows[0].unit == "ms/step"
    assert rows[0].numpy > 0 and rows[0].tg > 0
    assert rows[1].case == "3t" and rows[1].target == "tg ≤ torch (issue 16)"
    assert rows[2].case == "3b"
    if models_tinygrad.nn_optim_missing() is None:
        assert rows[2].tg > 0
    else:
        assert rows[2].measured.startswith("skipped")


@pytest.mark.parametrize("tg_time, met", [(0.9, True), (1.0, True), (1.1, False)])
def test_versus_torch_row_compares_eager_with_pytorch(tg_time, met):
    row = cases._versus_torch_row("1", "XOR eager vs PyTorch", "ms/step",
                                  {"numpy": 0.5, "tg": tg_time, "torch": 1.0})
    assert (row.case, row.met, row.measured) == ("1t", met, f"{tg_time:.2f}× torch")
    without_torch = cases._versus_torch_row("1", "XOR", "ms/step", {"numpy": 0.5, "tg": 1.0})
    assert without_torch.met is None and without_torch.measured == "no torch"


def test_chains_agree_with_the_chain_rule():
    x0 = chain_start(5)
    total, grad = models_numpy.chain(x0, 6)  # two rounds of (x * 1.001, x + 0.001, tanh)
    x, slope = x0.astype(np.float64), np.ones(5)
    for _ in range(2):
        y = np.tanh(x * 1.001 + 0.001)
        slope = slope * 1.001 * (1 - y * y)
        x = y
    assert total == pytest.approx(x.sum(), rel=1e-5)
    np.testing.assert_allclose(grad, slope, rtol=1e-5)
    results = cases.check_chain(5, 30)
    assert results["tg"] == pytest.approx(results["numpy"], rel=1e-5)


def test_chain_cases_run():
    rows = cases.run_elementwise_chain(4, 30, target_us=3.0, rounds=1, repeats=1)
    rows += cases.run_scalar_chains(300, 600, rounds=1, long_rounds=1)
    assert [row.case for row in rows] == ["5", "5t", "6", "6b"]
    assert rows[3].extra["per_op_change"]["tg"] > 0
    assert all(row.tg > 0 for row in rows)


def test_memory_case_counts_the_model_and_its_steps():
    rows = cases.run_memory_case(TINY_SPECS[2], checkpoints=(2, 6, 7, 8))
    numpy_row = rows[0]
    weights_bytes = sum(s_in * s_out + s_out for s_in, s_out in zip((12, 7, 6), (7, 6, 4))) * 4
    assert numpy_row.numpy * 1024 >= weights_bytes  # the peak holds at least the parameters
    assert numpy_row.tg * 1024 >= weights_bytes
    assert [row.case for row in rows[1:]] == ["7b", "7c", "7d", "7e"]
    compiled_growth = rows[4]
    assert compiled_growth.met, compiled_growth.measured  # a replay allocates nothing


def test_table_lists_every_row():
    rows = [cases.Row("1", "xor", "ms/step", 1.0, 2.0, 4.0, "tg/numpy ≤ 2.5", "2.00×", True)]
    table = format_table(rows)
    assert "tg/numpy" in table.splitlines()[0]
    assert "2.00×" in table and "4.00×" in table and "met" in table


@pytest.mark.parametrize("spec", TINY_SPECS[:2], ids=lambda s: f"{s.label}-{s.loss}")
def test_floor_engine_takes_the_same_step_as_numpy(spec):
    from benchmarks import floor
    from benchmarks.problems import init_weights, make_batches

    weights, batches = init_weights(spec), make_batches(spec)
    reference = models_numpy.NumpyMLP(spec, weights, batches)
    minimal = floor.FloorMLP(spec, weights, batches)
    tolerance = cases._tolerance(spec.dtype)
    for k in range(3):
        assert np.isclose(float(minimal.step(k).data), reference.step(k), **tolerance)
    for got, expected in zip(minimal.weights(), reference.weights()):
        np.testing.assert_allclose(got, expected, **tolerance)


def test_floor_engine_chain_matches_the_chain_rule():
    from benchmarks import floor

    x0 = chain_start(16)
    total, grad = floor.floor_chain(x0, 300)
    expected_total, expected_grad = models_numpy.chain(x0, 300)
    assert math.isclose(total, expected_total, rel_tol=1e-5)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-5)


# ----- cases 9 and 10 (issue 16): a learner's script, at tiny sizes -------------------------
TINY_MAKEMORE = [MakemoreSpec(vocab=5, embed=2, context=2, hidden=6, batch=7, dtype=dtype)
                 for dtype in ("float64", "float32")]


@pytest.mark.parametrize("spec", TINY_MAKEMORE, ids=lambda s: s.dtype)
def test_makemore_steps_agree(spec):
    models = cases.build_script_models(spec)
    if cases.models_torch is not None:
        assert "torch" in models
    losses = cases.check_script_steps(spec, models, steps=3)  # BN's running stats included
    assert len(models["tg"].weights()) == 8
    assert losses["tg"][0] == pytest.approx(math.log(spec.vocab), rel=0.5)  # near-uniform start
    assert losses["tg"][2] != losses["tg"][0]  # the weights moved


def test_makemore_numpy_gradient_is_the_derivative():
    """The hand-written backward of case 9 against central finite differences of its loss."""
    spec = TINY_MAKEMORE[0]
    weights, batches = makemore_weights(spec), makemore_batches(spec)

    def loss_after_perturbing(name, index, delta):
        perturbed = {k: v.copy() for k, v in weights.items()}
        perturbed[name][index] += delta
        model = models_numpy.NumpyMakemore(spec, perturbed, batches)
        return model.step(0)

    stepped = models_numpy.NumpyMakemore(spec, weights, batches)
    stepped.step(0)
    for name in ("C", "W1", "gamma", "beta", "W2", "b2"):
        index = (1,) * weights[name].ndim
        numeric = (loss_after_perturbing(name, index, 1e-6)
                   - loss_after_perturbing(name, index, -1e-6)) / 2e-6
        analytic = (weights[name][index] - stepped.params[name][index]) / spec.lr
        assert analytic == pytest.approx(numeric, rel=1e-5, abs=1e-9), name


def test_neuron_steps_agree_over_an_epoch():
    spec = NeuronSpec()
    models = cases.build_script_models(spec)
    assert [len(x) for x, _ in models["numpy"].batches] == [32, 32, 32, 4]
    losses = cases.check_script_steps(spec, models, steps=4)
    assert losses["numpy"][0] == pytest.approx(0.125)  # w = 0, b = 0: a = ½ everywhere


def test_script_check_notices_a_wrong_update():
    spec = TINY_MAKEMORE[0]
    models = cases.build_script_models(spec)
    models["tg"].spec = MakemoreSpec(vocab=5, embed=2, context=2, hidden=6, batch=7,
                                     dtype="float64", lr=spec.lr * 2)
    with pytest.raises(AssertionError, match="parameter 0 after step 0, tg vs numpy"):
        cases.check_script_steps(spec, models)


def test_script_case_runs_one_round():
    rows = cases.run_script_case("9", TINY_MAKEMORE[1], rounds=1, repeats=1)
    rows += cases.run_script_case("10", NeuronSpec(), rounds=1, repeats=1)
    assert [row.case for row in rows] == ["9", "10"]
    assert all(row.numpy > 0 and row.tg > 0 and row.target == "tg ≤ torch" for row in rows)


# ----- issue 16: the steps compiled with tg.compile, at tiny sizes -----------------------------
@pytest.mark.parametrize("spec", TINY_SPECS, ids=lambda s: f"{s.label}-{s.loss}")
def test_compiled_mlp_steps_agree_with_numpy(spec):
    models, _ = cases.build_models(spec, compiled=True)
    cases.check_first_step(spec, models)
    for k in range(1, 6):  # step 1 is the second recording, then replays
        cases._check_step(spec, models, k)
    compiled = models["tg_compiled"].train_step
    assert all(entry.program is not None for entry in compiled._entries.values())


@pytest.mark.parametrize("spec", [TINY_MAKEMORE[0], NeuronSpec()], ids=["makemore", "neuron"])
def test_compiled_script_steps_agree_with_numpy(spec):
    models = cases.build_script_models(spec, compiled=True)
    cases.check_script_steps(spec, models, steps=6)  # BN's running stats included
    entries = models["tg_compiled"].train_step._entries.values()
    assert all(entry.failure is None for entry in entries)  # the neuron's last batch has 4
    assert any(entry.program is not None for entry in entries)  # rows: recorded once so far


def test_compiled_rows_are_in_the_table():
    rows = cases.run_mlp_case("1", TINY_SPECS[0], target=2.5, rounds=1, repeats=1,
                              compiled_target=1.5)
    rows += cases.run_script_case("9", TINY_MAKEMORE[1], rounds=1, repeats=1,
                                  compiled=("torch", 0.5))
    rows += cases.run_script_case("10", NeuronSpec(), rounds=1, repeats=1,
                                  compiled=("numpy", 1.5))
    assert [row.case for row in rows] == ["1", "1t", "1c", "9", "9c", "10", "10c"]
    compiled = [row for row in rows if row.case.endswith("c")]
    assert all(row.tg > 0 and row.target.startswith("compiled/") for row in compiled)
    assert "compiled (tg.compile)" in format_table(rows)


def test_matmul_blas_lists_the_eight_products_of_a_step_with_their_shapes():
    calls = matmul_blas.products(128, (784, 256, 256, 10), np)
    shapes = [call().shape for _, call in calls]
    assert shapes == [(128, 256), (256, 784),  # layer 1: forward, ∂ℓ/∂W (no ∂ℓ/∂x)
                      (128, 256), (256, 256), (128, 256),  # layer 2: forward, ∂ℓ/∂W, ∂ℓ/∂x
                      (128, 10), (10, 256), (128, 256)]  # layer 3
    rows = matmul_blas.compare("3", rounds=1, torch=None)
    assert [name for name, _, _ in rows] == [name for name, _ in calls]
    assert all(numpy_time > 0 and torch_time is None for _, numpy_time, torch_time in rows)


def test_matmul_blas_computes_the_same_products_in_torch():
    torch = pytest.importorskip("torch")
    numpy_calls = matmul_blas.products(8, (6, 5, 4), np)
    torch_calls = matmul_blas.products(8, (6, 5, 4), torch)
    for (name, numpy_call), (_, torch_call) in zip(numpy_calls, torch_calls):
        np.testing.assert_allclose(numpy_call(), torch_call().numpy(), rtol=1e-5, atol=1e-5,
                                   err_msg=name)
