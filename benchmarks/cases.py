"""The seven cases of issue 2's benchmark, each a function returning table rows.

Every case first checks that the implementations agree (the loss of the first
step and the weights after it; the chain's value and gradient) and only then
times them, so the benchmark is also a correctness check.
"""

from __future__ import annotations

import gc
import itertools
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from benchmarks import models_numpy, models_tinygrad
from benchmarks.problems import (
    MakemoreSpec,
    MLPSpec,
    NeuronSpec,
    chain_start,
    init_weights,
    make_batches,
    makemore_batches,
    makemore_weights,
    neuron_batches,
)
from benchmarks.timing import interleaved_medians

try:
    from benchmarks import models_torch
except ImportError:  # PyTorch is optional: its columns stay empty
    models_torch = None


@dataclass
class Row:
    """One line of the results table. ``met`` is None when the row has no target."""

    case: str
    name: str
    unit: str
    numpy: float | None
    tg: float | None
    torch: float | None = None
    target: str = ""
    measured: str = ""
    met: bool | None = None
    ratios: bool = True  # False where a ratio means nothing (memory growth near zero)
    extra: dict = field(default_factory=dict)


# ----- correctness ----------------------------------------------------------------------
def _tolerance(dtype: str) -> dict:
    return {"rtol": 1e-9, "atol": 1e-12} if dtype == "float64" else {"rtol": 1e-4, "atol": 1e-5}


def _assert_close(what: str, got: object, expected: object, tolerance: dict) -> None:
    got, expected = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape or not np.allclose(got, expected, **tolerance):
        worst = np.max(np.abs(got - expected)) if got.shape == expected.shape else "shape"
        raise AssertionError(
            f"{what}: implementations disagree (largest difference {worst}, "
            f"tolerance {tolerance}); got {got.ravel()[:4]}, expected {expected.ravel()[:4]}"
        )


def check_first_step(spec: MLPSpec, models: dict) -> dict[str, float]:
    """Run step 0 on every model; assert the losses and updated weights match numpy's."""
    return _check_step(spec, models, 0)


def _check_step(spec: MLPSpec, models: dict, k: int) -> dict[str, float]:
    """Run step ``k`` on every model; assert the losses and updated weights match numpy's."""
    losses = {name: float(model.step(k).item()) for name, model in models.items()}
    reference, tolerance = models["numpy"].weights(), _tolerance(spec.dtype)
    after = "after one step" if k == 0 else f"after step {k}"
    for name, model in models.items():
        _assert_close(f"{spec.label} loss of step {k}, {name} vs numpy", losses[name],
                      losses["numpy"], tolerance)
        for i, (got, expected) in enumerate(zip(model.weights(), reference)):
            _assert_close(f"{spec.label} parameter {i} {after}, {name} vs numpy", got,
                          expected, tolerance)
    return losses


def check_chain(n_elements: int, n_ops: int) -> dict[str, float]:
    """Assert the chain's value and input gradient agree across implementations."""
    x0 = chain_start(n_elements)
    expected_total, expected_grad = models_numpy.chain(x0, n_ops)
    results = {"numpy": expected_total}
    others = {"tg": models_tinygrad.chain}
    if models_torch is not None:
        others["torch"] = models_torch.chain
    for name, chain in others.items():
        total, grad = chain(x0, n_ops)
        tolerance = {"rtol": 1e-4, "atol": 1e-6}
        _assert_close(f"{n_ops}-op chain value, {name} vs numpy", total, expected_total, tolerance)
        _assert_close(f"{n_ops}-op chain gradient, {name} vs numpy", grad, expected_grad,
                      tolerance)
        results[name] = total
    return results


# ----- cases 1-4 (and issue 3's tg.nn variant): training steps ------------------------------
def build_models(spec: MLPSpec, with_nn: bool = False,
                 compiled: bool = False) -> tuple[dict, str | None]:
    """Every implementation of ``spec`` from the same weights and batches.

    Returns the models by name and, when ``with_nn`` was asked for but tg.nn /
    tg.optim are not there yet, the reason it was skipped. ``compiled`` adds the
    raw-ops step compiled with ``tg.compile`` ("tg_compiled", issue 16).
    """
    weights, batches = init_weights(spec), make_batches(spec)
    models = {
        "numpy": models_numpy.NumpyMLP(spec, weights, batches),
        "tg": models_tinygrad.TinygradMLP(spec, weights, batches),
    }
    if compiled:
        models["tg_compiled"] = models_tinygrad.CompiledMLP(spec, weights, batches)
    skipped = None
    if with_nn:
        skipped = models_tinygrad.nn_optim_missing()
        if skipped is None:
            models["tg_nn"] = models_tinygrad.TinygradNNMLP(spec, weights, batches)
    if models_torch is not None:
        models["torch"] = models_torch.TorchMLP(spec, weights, batches)
    return models, skipped


def _stepper(model: object) -> Callable[[], None]:
    """A no-argument runner doing the model's next step (step 0 was the correctness check)."""
    counter = itertools.count(1)
    return lambda: model.step(next(counter))


def run_mlp_case(case: str, spec: MLPSpec, target: float, rounds: int, repeats: int,
                 with_nn: bool = False, compiled_target: float | None = None) -> list[Row]:
    """Median ms per training step of every implementation; target: tg/numpy ≤ ``target``
    (and, with ``compiled_target``, a row for the step compiled with tg.compile)."""
    models, skipped = build_models(spec, with_nn, compiled=compiled_target is not None)
    losses = check_first_step(spec, models)
    if compiled_target is not None:  # steps 1 and 2: the compiled step's second recording
        for k in (1, 2):              # and its first replay agree with numpy too
            _check_step(spec, models, k)
    medians = interleaved_medians({name: _stepper(m) for name, m in models.items()},
                                  rounds, repeats)
    ms = {name: seconds * 1e3 for name, seconds in medians.items()}
    ratio = ms["tg"] / ms["numpy"]
    rows = [Row(case, f"{spec.label} {spec.dtype} batch {spec.batch}", "ms/step", ms["numpy"],
                ms["tg"], ms.get("torch"), target=f"tg/numpy ≤ {target}",
                measured=f"{ratio:.2f}×", met=ratio <= target,
                extra={"first_step_loss": losses, "rounds": rounds, "steps_per_round": repeats})]
    rows.append(_versus_torch_row(case, f"{spec.label} eager vs PyTorch", "ms/step", ms))
    if with_nn:
        nn_row = Row(case + "b", f"{spec.label} with tg.nn + tg.optim", "ms/step", ms["numpy"],
                     ms.get("tg_nn"), target="nn/raw tg ≤ 1.05")
        if skipped:
            nn_row.measured = f"skipped: {skipped}"
        else:
            nn_ratio = ms["tg_nn"] / ms["tg"]
            nn_row.measured, nn_row.met = f"{nn_ratio:.2f}×", nn_ratio <= 1.05
        rows.append(nn_row)
    if compiled_target is not None:
        rows.append(_compiled_row(case, f"{spec.label} compiled (tg.compile)", ms,
                                  "numpy", compiled_target))
    return rows


def _versus_torch_row(case: str, name: str, unit: str, times: dict) -> Row:
    """Issue 16's target for eager mode on every case: tinygrad_edu no slower than PyTorch."""
    torch_time = times.get("torch")
    row = Row(case + "t", name, unit, times["numpy"], times["tg"], torch_time,
              target="tg ≤ torch (issue 16)")
    if torch_time is None:
        row.measured = "no torch"
    else:
        row.measured, row.met = f"{times['tg'] / torch_time:.2f}× torch", times["tg"] <= torch_time
    return row


def _compiled_row(case: str, name: str, ms: dict, versus: str, target: float) -> Row:
    """Issue 16's row for a step compiled with tg.compile: its time against ``versus``."""
    reference = ms.get(versus)
    row = Row(case + "c", name, "ms/step", ms["numpy"], ms["tg_compiled"], ms.get("torch"),
              target=f"compiled/{versus} ≤ {target}")
    if reference is None:
        row.measured = f"no {versus}"
    else:
        ratio = ms["tg_compiled"] / reference
        row.measured, row.met = f"{ratio:.2f}× {versus}", ratio <= target
    return row


# ----- cases 5 and 6: chains of elementwise ops ---------------------------------------------
def _chain_runners(x0: np.ndarray, n_ops: int) -> dict[str, Callable[[], None]]:
    runners = {"numpy": lambda: models_numpy.chain(x0, n_ops),
               "tg": lambda: models_tinygrad.chain(x0, n_ops)}
    if models_torch is not None:
        runners["torch"] = lambda: models_torch.chain(x0, n_ops)
    return runners


def run_elementwise_chain(n_elements: int, n_ops: int, target_us: float, rounds: int,
                          repeats: int) -> list[Row]:
    """Case 5: µs per op of an ``n_ops`` chain on ``n_elements`` values, forward + backward."""
    check_chain(n_elements, n_ops)
    medians = interleaved_medians(_chain_runners(chain_start(n_elements), n_ops), rounds,
                                  repeats)
    us = {name: seconds / n_ops * 1e6 for name, seconds in medians.items()}
    return [Row("5", f"{n_ops}-op chain on {n_elements} elements (fwd+bwd)", "µs/op",
                us["numpy"], us["tg"], us.get("torch"), target=f"tg ≤ {target_us} µs/op",
                measured=f"{us['tg']:.2f} µs", met=us["tg"] <= target_us),
            _versus_torch_row("5", f"{n_ops}-op chain eager vs PyTorch", "µs/op", us)]


def run_scalar_chains(short_ops: int, long_ops: int, rounds: int, long_rounds: int) -> list[Row]:
    """Case 6: seconds for a ``short_ops`` scalar chain and for a ``long_ops`` one.

    Target for the short chain: tinygrad_edu faster than PyTorch. For the long one:
    tinygrad_edu's cost per op within ±30 % of the short chain's (no superlinear
    bookkeeping, no RecursionError); PyTorch's change is shown beside it.
    """
    check_chain(0, 3000)
    x0 = chain_start(0)
    short = interleaved_medians(_chain_runners(x0, short_ops), rounds, 1, warmup_rounds=0)
    gc.collect()
    long = interleaved_medians(_chain_runners(x0, long_ops), long_rounds, 1, warmup_rounds=0)
    torch_short, torch_long = short.get("torch"), long.get("torch")
    change = {name: (long[name] / long_ops) / (short[name] / short_ops) for name in long}
    rows = [Row("6", f"{short_ops:,}-op scalar chain (fwd+bwd)", "s", short["numpy"], short["tg"],
                torch_short, target="tg < torch",
                measured=("no torch" if torch_short is None
                          else f"{short['tg'] / torch_short:.2f}× torch"),
                met=None if torch_short is None else short["tg"] < torch_short),
            Row("6b", f"{long_ops:,}-op scalar chain (fwd+bwd)", "s", long["numpy"], long["tg"],
                torch_long, target="tg µs/op within ±30 % of 6",
                measured=f"{change['tg']:.2f}× ({long['tg'] / long_ops * 1e6:.1f} µs/op)"
                + ("" if torch_long is None else f"; torch {change['torch']:.2f}×"),
                met=0.7 <= change["tg"] <= 1.3, extra={"per_op_change": change})]
    return rows


# ----- cases 9 and 10: a learner's script (from_numpy batches, .item() every step) ----------
def build_script_models(spec: MakemoreSpec | NeuronSpec, compiled: bool = False) -> dict:
    """numpy, tinygrad_edu (also compiled with tg.compile, if asked) and (if installed)
    PyTorch versions of case 9's or case 10's step."""
    if isinstance(spec, MakemoreSpec):
        weights, batches = makemore_weights(spec), makemore_batches(spec)
        kinds = ("NumpyMakemore", "TinygradMakemore", "TorchMakemore", "CompiledMakemore")
        make = lambda module, kind: getattr(module, kind)(spec, weights, batches)  # noqa: E731
    else:
        batches = neuron_batches(spec)
        kinds = ("NumpyNeuron", "TinygradNeuron", "TorchNeuron", "CompiledNeuron")
        make = lambda module, kind: getattr(module, kind)(spec, batches)  # noqa: E731
    models = {"numpy": make(models_numpy, kinds[0]), "tg": make(models_tinygrad, kinds[1])}
    if compiled:
        models["tg_compiled"] = make(models_tinygrad, kinds[3])
    if models_torch is not None:
        models["torch"] = make(models_torch, kinds[2])
    return models


def check_script_steps(spec: MakemoreSpec | NeuronSpec, models: dict,
                       steps: int = 1) -> dict[str, list[float]]:
    """Run ``steps`` steps of every model; assert losses and parameters (and BN's running
    statistics) agree with numpy's after each step."""
    tolerance = _tolerance(spec.dtype)
    losses: dict[str, list[float]] = {name: [] for name in models}
    for k in range(steps):
        for name, model in models.items():
            losses[name].append(model.step(k))
        reference = models["numpy"].weights()
        for name, model in models.items():
            _assert_close(f"{spec.label} loss of step {k}, {name} vs numpy", losses[name][k],
                          losses["numpy"][k], tolerance)
            for i, (got, expected) in enumerate(zip(model.weights(), reference, strict=True)):
                _assert_close(f"{spec.label} parameter {i} after step {k}, {name} vs numpy",
                              got, expected, tolerance)
    return losses


def run_script_case(case: str, spec: MakemoreSpec | NeuronSpec, rounds: int,
                    repeats: int, compiled: tuple[str, float] | None = None) -> list[Row]:
    """Median ms per step; target: tinygrad_edu no slower than PyTorch (issue 16).
    ``compiled = (versus, target)`` adds the step compiled with tg.compile, whose time
    must be at most ``target`` times that of ``versus`` ("numpy" or "torch")."""
    models = build_script_models(spec, compiled is not None)
    losses = check_script_steps(spec, models, steps=1 if compiled is None else 3)
    medians = interleaved_medians({name: _stepper(m) for name, m in models.items()},
                                  rounds, repeats)
    ms = {name: seconds * 1e3 for name, seconds in medians.items()}
    torch_ms = ms.get("torch")
    row = Row(case, f"{spec.label}, {spec.dtype} batch {spec.batch}", "ms/step", ms["numpy"],
              ms["tg"], torch_ms, target="tg ≤ torch",
              measured="no torch" if torch_ms is None else f"{ms['tg'] / torch_ms:.2f}× torch",
              met=None if torch_ms is None else ms["tg"] <= torch_ms,
              extra={"first_step_loss": {name: v[0] for name, v in losses.items()},
                     "rounds": rounds, "steps_per_round": repeats})
    rows = [row]
    if compiled is not None:
        rows.append(_compiled_row(case, f"{spec.label} compiled (tg.compile)", ms, *compiled))
    return rows


# ----- case 7: memory ---------------------------------------------------------------------
def measure_memory(make_model: Callable[[], object], checkpoints: tuple[int, ...]) -> dict:
    """Bytes traced by tracemalloc (Python objects and numpy arrays) while training.

    Counted from before the model is built, so its parameters and data are included.
    Returns ``setup`` (bytes once built) and, after each checkpoint step n,
    ``current[n]``, ``peak[n]`` (the highest total up to then) and ``objects[n]``
    (objects tracked by the garbage collector: a leak of Python objects shows there).
    The objects are counted after the memory is read, and the list ``gc.get_objects()``
    makes (1.4 MB with torch imported) is left out of the peak: it is the measurement's,
    not the model's, and a model that keeps memory between steps (a compiled program's
    buffers) would be charged for it.
    """
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        model = make_model()
        use: dict = {"setup": tracemalloc.get_traced_memory()[0] - base, "current": {},
                     "peak": {}, "objects": {}}
        highest = 0
        for k in range(1, max(checkpoints) + 1):
            model.step(k)
            if k in checkpoints:
                current, peak = tracemalloc.get_traced_memory()
                highest = max(highest, peak)
                use["current"][k], use["peak"][k] = current - base, highest - base
                use["objects"][k] = len(gc.get_objects())
                tracemalloc.reset_peak()  # the list of objects is gone: not the model's peak
    finally:
        tracemalloc.stop()
    return use


def run_memory_case(spec: MLPSpec, checkpoints: tuple[int, int, int, int],
                    peak_target: float = 1.2, growth_limit: int = 16 * 1024) -> list[Row]:
    """Case 7: peak traced memory up to step ``steps``, tg vs numpy, and growth after warm-up.

    ``checkpoints`` = (warm-up, steps, settled, last): the peak is taken at ``steps``;
    growth is shown from ``warm-up`` to ``steps`` (issue 2's measure) and from
    ``settled`` to ``last``. The second is the leak test: by then CPython's tuple
    free lists have filled to their cap (2000 tuples of each size). They keep freed
    tuples that tracemalloc still counts, and tinygrad_edu's many small tuples fill
    them slowly, over a few hundred steps; that shows as growth before it levels off.
    """
    warmup, steps, settled, last = checkpoints
    weights, batches = init_weights(spec), make_batches(spec)
    makers = {"numpy": lambda: models_numpy.NumpyMLP(spec, weights, batches),
              "tg": lambda: models_tinygrad.TinygradMLP(spec, weights, batches),
              "tg_compiled": lambda: models_tinygrad.CompiledMLP(spec, weights, batches)}
    use = {name: measure_memory(make, checkpoints) for name, make in makers.items()}
    kib = {name: {"peak": u["peak"][steps] / 1024, "setup": u["setup"] / 1024,
                  "step_peak": (u["peak"][steps] - u["setup"]) / 1024,
                  "early_growth": (u["current"][steps] - u["current"][warmup]) / 1024,
                  "late_growth": (u["current"][last] - u["current"][settled]) / 1024,
                  "objects": u["objects"]}
           for name, u in use.items()}
    ratio = kib["tg"]["peak"] / kib["numpy"]["peak"]
    step_ratio = kib["tg"]["step_peak"] / max(kib["numpy"]["step_peak"], 1e-9)
    rows = [Row("7", f"{spec.label} peak memory over {steps} steps", "KiB", kib["numpy"]["peak"],
                kib["tg"]["peak"], target=f"tg/numpy ≤ {peak_target}",
                measured=f"{ratio:.2f}× (step alone {step_ratio:.2f}×)", met=ratio <= peak_target,
                extra={"numpy": kib["numpy"], "tg": kib["tg"]})]
    for case, key, start, end in (("7b", "early_growth", warmup, steps),
                                  ("7c", "late_growth", settled, last)):
        objects = use["tg"]["objects"][end] - use["tg"]["objects"][start]
        rows.append(Row(case, f"growth from step {start} to step {end}", "KiB",
                        kib["numpy"][key], kib["tg"][key],
                        target=f"tg growth ≤ {growth_limit // 1024} KiB",
                        measured=f"{kib['tg'][key]:+.1f} KiB, {objects:+d} objects",
                        met=kib["tg"][key] * 1024 <= growth_limit, ratios=False))
    compiled = kib["tg_compiled"]  # issue 16: a compiled step allocates nothing after warm-up
    objects = use["tg_compiled"]["objects"][last] - use["tg_compiled"]["objects"][steps]
    rows.append(Row("7d", f"compiled (tg.compile): peak over {steps} steps", "KiB",
                    kib["numpy"]["peak"], compiled["peak"], target=f"≤ {peak_target}× numpy",
                    measured=f"{compiled['peak'] / kib['numpy']['peak']:.2f}× (step alone "
                             f"{compiled['step_peak'] / max(kib['numpy']['step_peak'], 1):.2f}×)",
                    met=compiled["peak"] <= peak_target * kib["numpy"]["peak"]))
    growth = (use["tg_compiled"]["current"][last] - use["tg_compiled"]["current"][steps]) / 1024
    rows.append(Row("7e", f"compiled: growth from step {steps} to step {last}", "KiB",
                    None, growth, target="no growth (≤ 1 KiB)",
                    measured=f"{growth:+.1f} KiB, {objects:+d} objects",
                    met=abs(growth) <= 1.0, ratios=False))
    return rows


# ----- case 8: random draws ---------------------------------------------------------------
def run_random_draws(n_values: int, target_ratio: float, rounds: int) -> list[Row]:
    """Case 8: ms to draw ``n_values`` float32 uniforms and normals.

    The "numpy" column is numpy's own generator on the same bit generator
    (``Generator(MT19937)``: ``random`` and ``standard_normal``, float32); tinygrad_edu
    draws PyTorch's values (checked first against PyTorch when it is installed).
    """
    import tinygrad_edu as tg

    numpy_generator = np.random.Generator(np.random.MT19937(0))
    if models_torch is not None:
        import torch

        for ours, theirs in ((tg.rand, torch.rand), (tg.randn, torch.randn)):
            tg.manual_seed(0)
            torch.manual_seed(0)
            if not np.array_equal(ours(1000).numpy(), theirs(1000).numpy()):
                raise AssertionError(f"{ours.__name__}: tinygrad_edu's draws are not PyTorch's")
    rows = []
    for name, ours, reference, theirs in (
        ("rand", tg.rand, lambda: numpy_generator.random(n_values, dtype=np.float32),
         "rand"),
        ("randn", tg.randn, lambda: numpy_generator.standard_normal(n_values, dtype=np.float32),
         "randn"),
    ):
        runners = {"numpy": reference, "tg": lambda f=ours: f(n_values)}
        if models_torch is not None:
            torch_draw = getattr(torch, theirs)
            runners["torch"] = lambda f=torch_draw: f(n_values)
        ms = {key: seconds * 1e3 for key, seconds in
              interleaved_medians(runners, rounds, 1).items()}
        ratio = ms["tg"] / ms["numpy"]
        rows.append(Row("8", f"{name}({n_values:,}) float32", "ms", ms["numpy"], ms["tg"],
                        ms.get("torch"), target=f"tg ≤ {target_ratio}× numpy",
                        measured=f"{ratio:.2f}× numpy", met=ratio <= target_ratio))
    return rows
