"""OneCycleLR, ReduceLROnPlateau and the chainable CosineAnnealingLR: formulas, errors, torch."""

import math

import pytest

import tinygrad_edu as tg
from tinygrad_edu import optim
from tinygrad_edu.optim import lr_scheduler


def sgd(lr=0.1, momentum=0.9, groups=1):
    return optim.SGD([{"params": [tg.zeros(1, requires_grad=True)]} for _ in range(groups)],
                     lr=lr, momentum=momentum)


def run(scheduler, opt, steps, metrics=None, manual=None):
    """(lr, momentum or beta1) in force at each step; ``manual[t]`` sets the lr by hand at t."""
    seen = []
    for t in range(steps):
        if manual and t in manual:
            for group in opt.param_groups:
                group["lr"] = manual[t]
        group = opt.param_groups[0]
        seen.append((group["lr"], group["betas"][0] if "betas" in group else group["momentum"]))
        opt.step()
        scheduler.step(*([metrics[t]] if metrics else []))
    return seen


# ----- OneCycleLR ---------------------------------------------------------------------------


def test_one_cycle_two_phases_by_formula():
    opt = sgd()
    scheduler = lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=0.3)
    seen = run(scheduler, opt, 10)
    initial, low = 1.0 / 25, 1.0 / 25 / 1e4

    def cos(start, end, pct):
        return end + (start - end) / 2 * (math.cos(math.pi * pct) + 1)

    expected = [cos(initial, 1.0, t / 2) if t <= 2 else cos(1.0, low, (t - 2) / 7)
                for t in range(10)]
    assert [lr for lr, _ in seen] == pytest.approx(expected, rel=1e-12)
    assert seen[0][1] == 0.95 and seen[2][1] == pytest.approx(0.85)
    assert seen[-1][1] == pytest.approx(0.95)


def test_one_cycle_stepping_past_the_end_raises_and_changes_nothing():
    opt = sgd()
    scheduler = lr_scheduler.OneCycleLR(opt, max_lr=1.0, epochs=2, steps_per_epoch=2)
    run(scheduler, opt, 4)
    before = (scheduler.last_epoch, dict(opt.param_groups[0]))
    with pytest.raises(ValueError, match="Tried to step 5 times. The specified number of total "
                                         "steps is 4"):
        scheduler.step()
    assert (scheduler.last_epoch, opt.param_groups[0]) == before


@pytest.mark.parametrize("kwargs, message", [
    (dict(), r"You must define either total_steps OR \(epochs AND steps_per_epoch\)"),
    (dict(total_steps=0), "Expected positive integer total_steps, but got 0"),
    (dict(epochs=2, steps_per_epoch=-1), "Expected positive integer steps_per_epoch"),
    (dict(total_steps=5, pct_start=1.5), "Expected float between 0 and 1 pct_start"),
    (dict(total_steps=5, anneal_strategy="exp"), "anneal_strategy must be one of 'cos' or "
                                                 "'linear', instead got exp"),
    (dict(total_steps=5, max_lr=[1.0, 2.0]), "max_lr must have the same length as "
                                             "optimizer.param_groups"),
])
def test_one_cycle_bad_arguments_change_nothing(kwargs, message):
    opt = sgd()
    before = dict(opt.param_groups[0])
    with pytest.raises(ValueError, match=message):
        lr_scheduler.OneCycleLR(opt, **{"max_lr": 1.0, **kwargs})
    assert opt.param_groups[0] == before
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        lr_scheduler.OneCycleLR(optim.Adagrad([tg.zeros(1, requires_grad=True)]), 1.0,
                                total_steps=3)


# ----- ReduceLROnPlateau ----------------------------------------------------------------------


def test_plateau_reduces_after_patience_with_cooldown_and_min_lr():
    opt = sgd(lr=1.0)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1,
                                               min_lr=0.2)
    metrics = [5, 4, 4, 4, 4, 4, 4, 4, 4, 4]
    lrs = [lr for lr, _ in run(scheduler, opt, 10, metrics)]
    # bad epochs at t = 2, 3 → reduce after t = 3; cooldown t = 4; bad 5, 6 → reduce ...
    assert lrs == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25]
    assert opt.param_groups[0]["lr"] == 0.2  # floored at min_lr
    assert scheduler.get_last_lr() == [0.2]
    scheduler.step(tg.tensor(3.0))  # a one-element tensor works as the metric
    assert scheduler.best == 3.0


def test_plateau_argument_errors():
    with pytest.raises(ValueError, match=r"Factor should be < 1.0."):
        lr_scheduler.ReduceLROnPlateau(sgd(), factor=1.0)
    with pytest.raises(ValueError, match="mode top is unknown!"):
        lr_scheduler.ReduceLROnPlateau(sgd(), mode="top")
    with pytest.raises(ValueError, match="threshold mode ratio is unknown!"):
        lr_scheduler.ReduceLROnPlateau(sgd(), threshold_mode="ratio")
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 1"):
        lr_scheduler.ReduceLROnPlateau(sgd(groups=2), min_lr=[0.1])


def test_plateau_with_a_new_group_and_per_group_min_lrs_fails_before_changing():
    opt = sgd(groups=1)
    scheduler = lr_scheduler.ReduceLROnPlateau(opt, min_lr=[0.0])
    opt.add_param_group({"params": [tg.zeros(1, requires_grad=True)]})
    with pytest.raises(RuntimeError, match="The number of param groups"):
        scheduler.step(1.0)
    assert scheduler.last_epoch == 0 and scheduler.best == math.inf


# ----- CosineAnnealingLR: chainable -----------------------------------------------------------


def test_cosine_carries_a_manual_lr_change_along():
    opt = sgd(lr=0.1)
    scheduler = lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.0)
    lrs = [lr for lr, _ in run(scheduler, opt, 6, manual={3: 0.05})]
    closed = [0.1 * (1 + math.cos(math.pi * t / 10)) / 2 for t in range(6)]
    assert lrs[:3] == pytest.approx(closed[:3], rel=1e-12)
    # from t = 3 on the schedule continues from 0.05, scaled by the cosine's ratios
    assert lrs[4] == pytest.approx(0.05 * closed[4] / closed[3], rel=1e-12)
    assert lrs[5] == pytest.approx(0.05 * closed[5] / closed[3], rel=1e-12)


# ----- PyTorch as the oracle ----------------------------------------------------------------


def both(torch, make_optimizer, make_scheduler, steps, metrics=None, manual=None, lr=0.1):
    ours_opt = make_optimizer(optim, [tg.zeros(1, requires_grad=True)], lr)
    theirs_opt = make_optimizer(torch.optim, [torch.zeros(1, requires_grad=True)], lr)
    ours = run(make_scheduler(lr_scheduler, ours_opt), ours_opt, steps, metrics, manual)
    theirs = run(make_scheduler(torch.optim.lr_scheduler, theirs_opt), theirs_opt, steps,
                 metrics, manual)
    flat = [value for pair in ours for value in pair]  # (lr, momentum) pairs, flattened
    their_flat = [value for pair in theirs for value in pair]
    return flat, their_flat, ours_opt, theirs_opt


SGD = lambda lib, params, lr: lib.SGD(params, lr=lr, momentum=0.9)  # noqa: E731
ADAM = lambda lib, params, lr: lib.Adam(params, lr=lr, betas=(0.9, 0.99))  # noqa: E731

ONE_CYCLE = [
    (SGD, dict(max_lr=0.5, total_steps=20)),
    (ADAM, dict(max_lr=0.01, epochs=4, steps_per_epoch=5, pct_start=0.25)),
    (SGD, dict(max_lr=0.5, total_steps=23, anneal_strategy="linear", three_phase=True)),
    (ADAM, dict(max_lr=0.3, total_steps=17, div_factor=10.0, final_div_factor=100.0,
                base_momentum=0.7, max_momentum=0.9)),
    (SGD, dict(max_lr=0.5, total_steps=12, cycle_momentum=False)),
]


@pytest.mark.parametrize("make_optimizer, kwargs", ONE_CYCLE)
def test_one_cycle_matches_torch(make_optimizer, kwargs):
    torch = pytest.importorskip("torch")
    steps = kwargs.get("total_steps") or kwargs["epochs"] * kwargs["steps_per_epoch"]
    ours, theirs, ours_opt, theirs_opt = both(
        torch, make_optimizer, lambda lib, o: lib.OneCycleLR(o, **kwargs), steps)
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15)
    for key in ("initial_lr", "max_lr", "min_lr"):
        assert ours_opt.param_groups[0][key] == theirs_opt.param_groups[0][key]


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(mode="max", factor=0.5, patience=2, threshold=0.1, threshold_mode="abs"),
    dict(factor=0.3, patience=0, cooldown=2, min_lr=0.001, eps=1e-3),
    dict(mode="max", patience=1, threshold=0.01),
])
def test_plateau_matches_torch(kwargs):
    torch = pytest.importorskip("torch")
    metrics = [1.0, 0.9, 0.95, 0.9, 0.91, 0.899, 0.9, 0.9, 0.5, 0.6, 0.7, 0.8, 0.8, 0.8, 0.8,
               0.1, 0.2, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3]
    ours, theirs, ours_opt, theirs_opt = both(
        torch, SGD, lambda lib, o: lib.ReduceLROnPlateau(o, **kwargs), len(metrics), metrics)
    assert ours == pytest.approx(theirs, rel=1e-12)


@pytest.mark.parametrize("manual", [None, {3: 0.05}, {5: 0.2, 14: 0.01}])
def test_cosine_matches_torch_also_after_manual_lr_changes(manual):
    torch = pytest.importorskip("torch")
    ours, theirs, _, _ = both(
        torch, SGD, lambda lib, o: lib.CosineAnnealingLR(o, T_max=6, eta_min=0.001), 30,
        manual=manual)
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_multistep_matches_torch_after_a_manual_change():
    torch = pytest.importorskip("torch")
    ours, theirs, _, _ = both(
        torch, SGD, lambda lib, o: lib.MultiStepLR(o, milestones=[2, 5, 5, 9], gamma=0.5), 12,
        manual={4: 0.3})
    assert ours == pytest.approx(theirs, rel=1e-12)
