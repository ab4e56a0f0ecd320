"""Learning-rate schedules: the lr sequence against its formula and against torch."""

import math

import pytest

import tinygrad_edu as tg
from tinygrad_edu import optim
from tinygrad_edu.optim import lr_scheduler

EPOCHS = 30


def lr_sequence(scheduler, optimizer, epochs=EPOCHS):
    """The lr in force at epochs 0, 1, ..., epochs − 1 (PyTorch's usage: step once per epoch)."""
    sequence = []
    for _ in range(epochs):
        sequence.append(optimizer.param_groups[0]["lr"])
        assert scheduler.get_last_lr() == [optimizer.param_groups[0]["lr"]]
        optimizer.step()
        scheduler.step()
    return sequence


def make_optimizer(lr=0.15):
    return optim.SGD([tg.zeros(1, requires_grad=True)], lr=lr)


SCHEDULES = {
    "exponential": (lambda opt: lr_scheduler.ExponentialLR(opt, gamma=0.99),
                    lambda t: 0.15 * 0.99**t),
    "step": (lambda opt: lr_scheduler.StepLR(opt, step_size=7, gamma=0.5),
             lambda t: 0.15 * 0.5 ** (t // 7)),
    "multistep": (lambda opt: lr_scheduler.MultiStepLR(opt, milestones=[3, 10, 10, 20], gamma=0.3),
                  lambda t: 0.15 * 0.3 ** sum(m <= t for m in [3, 10, 10, 20])),
    "lambda": (lambda opt: lr_scheduler.LambdaLR(opt, lambda t: 1 / (1 + t)),
               lambda t: 0.15 / (1 + t)),
    "cosine": (lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=12, eta_min=0.01),
               lambda t: 0.01 + (0.15 - 0.01) * (1 + math.cos(math.pi * t / 12)) / 2),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_lr_sequence_follows_the_formula(name):
    make_scheduler, formula = SCHEDULES[name]
    opt = make_optimizer()
    sequence = lr_sequence(make_scheduler(opt), opt)
    assert sequence == pytest.approx([formula(t) for t in range(EPOCHS)], rel=1e-12)


@pytest.mark.parametrize("name", SCHEDULES)
def test_lr_sequence_matches_torch(name):
    torch = pytest.importorskip("torch")
    make_scheduler, _ = SCHEDULES[name]
    torch_schedulers = {
        "exponential": lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.99),
        "step": lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=7, gamma=0.5),
        "multistep": lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [3, 10, 10, 20], 0.3),
        "lambda": lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda t: 1 / (1 + t)),
        "cosine": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 12, eta_min=0.01),
    }
    opt = make_optimizer()
    ours = lr_sequence(make_scheduler(opt), opt)
    torch_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.15)
    theirs = lr_sequence(torch_schedulers[name](torch_opt), torch_opt)
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_exponential_lr_is_the_seeds_annealing_and_chains_with_manual_changes():
    opt = make_optimizer(lr=0.15)
    scheduler = lr_scheduler.ExponentialLR(opt, gamma=0.99)
    scheduler.step()
    assert opt.param_groups[0]["lr"] == 0.15 * 0.99
    opt.param_groups[0]["lr"] = 1.0  # ``lr ← 0.99 lr`` acts on whatever lr is now
    scheduler.step()
    assert opt.param_groups[0]["lr"] == 0.99


def test_schedulers_set_every_group_and_lambda_lr_takes_one_function_per_group():
    opt = optim.SGD([{"params": [tg.zeros(1, requires_grad=True)], "lr": 1.0},
                     {"params": [tg.zeros(1, requires_grad=True)], "lr": 2.0}], lr=0.1)
    scheduler = lr_scheduler.LambdaLR(opt, [lambda t: 0.5**t, lambda t: t + 1])
    for _ in range(3):
        scheduler.step()
    assert scheduler.get_last_lr() == [1.0 * 0.5**3, 2.0 * 4]
    assert [g["initial_lr"] for g in opt.param_groups] == [1.0, 2.0]
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        lr_scheduler.LambdaLR(opt, [lambda t: 1.0])


def test_scheduler_state_dict_round_trip():
    opt = make_optimizer()
    scheduler = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    for _ in range(5):
        scheduler.step()
    state = scheduler.state_dict()
    assert state["last_epoch"] == 5 and "optimizer" not in state
    assert state["base_lrs"] == [0.15] and state["_last_lr"] == [0.15 * 0.5**2]

    resumed_opt = make_optimizer()
    resumed_opt.param_groups[0]["initial_lr"] = 0.15
    resumed_opt.param_groups[0]["lr"] = 0.15 * 0.5**2
    resumed = lr_scheduler.StepLR(resumed_opt, step_size=2, gamma=0.5)
    resumed.load_state_dict(state)
    scheduler.step()
    resumed.step()
    assert resumed.last_epoch == 6 and resumed.get_last_lr() == scheduler.get_last_lr() == [
        0.15 * 0.5**3]


def test_bad_scheduler_arguments():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        lr_scheduler.ExponentialLR([], gamma=0.9)
    with pytest.raises(ValueError, match="step_size must be a positive int, got 0"):
        lr_scheduler.StepLR(make_optimizer(), step_size=0)
    with pytest.raises(KeyError, match=r"'initial_lr' is not specified in param_groups\[0\]"):
        lr_scheduler.ExponentialLR(make_optimizer(), gamma=0.9, last_epoch=4)
