"""A call that fails changes nothing (issue 10, class 6): optimizers, schedulers,
``load_state_dict`` and in-place ops check everything before they change anything."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim


def _params(*arrays: list) -> list:
    params = [tg.tensor(np.array(a, dtype=np.float32), requires_grad=True) for a in arrays]
    for p in params:
        p.grad = tg.ones(p.shape)
    return params


def _snapshot(params: list) -> list:
    return [p.detach().numpy().tolist() for p in params]


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: optim.Adam(ps, lr=0.1),
    lambda ps: optim.AdamW(ps, lr=0.1),
])
def test_a_step_failing_on_the_third_parameter_updates_none(make) -> None:
    params = _params([1.0], [2.0], [3.0])
    read_only = np.array([3.0], dtype=np.float32)
    read_only.flags.writeable = False
    params[2].array = read_only
    opt = make(params)
    before = _snapshot(params)
    with pytest.raises(RuntimeError, match="read-only .* nothing was updated"):
        opt.step()
    assert _snapshot(params) == before
    assert opt.state == {}  # no Adam step count, no momentum buffer


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1),
    lambda ps: optim.Adam(ps, lr=0.1),
])
def test_an_option_broken_after_construction_fails_before_any_update(make) -> None:
    first, second = _params([1.0], [2.0])
    opt = make([{"params": [first]}, {"params": [second]}])
    opt.step()
    state_before = {p: dict(s) for p, s in opt.state.items()}
    before = _snapshot([first, second])
    opt.param_groups[1]["lr"] = "0.1"
    with pytest.raises(TypeError, match="argument 'lr' must be a number, not str"):
        opt.step()
    assert _snapshot([first, second]) == before
    for p, saved in state_before.items():
        assert opt.state[p].get("step") == saved.get("step")


def test_a_grad_of_the_wrong_shape_fails_before_any_update() -> None:
    params = _params([1.0, 1.0], [2.0, 2.0])
    params[1]._grad = tg.ones(3)  # past .grad's own check, as a step may meet it
    opt = optim.Adam(params, lr=0.1)
    before = _snapshot(params)
    with pytest.raises(RuntimeError, match=r"shape \(2,\) has a grad of shape \(3,\)"):
        opt.step()
    assert _snapshot(params) == before and opt.state == {}


def test_a_scheduler_step_that_fails_changes_neither_epoch_nor_lr() -> None:
    (w,) = _params([1.0])
    opt = optim.SGD([w], lr=1.0)

    def schedule(epoch: int) -> float:
        if epoch == 2:
            raise ZeroDivisionError("the schedule's own bug")
        return 0.5**epoch

    scheduler = optim.lr_scheduler.LambdaLR(opt, schedule)
    scheduler.step()
    with pytest.raises(ZeroDivisionError):
        scheduler.step()
    assert scheduler.last_epoch == 1 and opt.param_groups[0]["lr"] == 0.5
    assert scheduler.get_last_lr() == [0.5]


def test_a_scheduler_whose_construction_fails_leaves_the_optimizer_as_it_was() -> None:
    (w,) = _params([1.0])
    opt = optim.SGD([w], lr=1.0)
    with pytest.raises(TypeError, match="argument 'lr' must be a number, not complex"):
        optim.lr_scheduler.LambdaLR(opt, lambda epoch: 1j)
    scheduler = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    scheduler.gamma = "half"
    with pytest.raises(TypeError):
        scheduler.step()
    assert scheduler.last_epoch == 0 and opt.param_groups[0]["lr"] == 1.0
    del opt.param_groups[0]["initial_lr"]
    with pytest.raises(TypeError):
        optim.lr_scheduler.MultiStepLR(opt, milestones=[1], gamma=None)
    assert "initial_lr" not in opt.param_groups[0] and opt.param_groups[0]["lr"] == 1.0


def test_load_state_dict_with_one_bad_entry_loads_nothing() -> None:
    model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
    before = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    state = {k: tg.zeros(v.shape) for k, v in model.state_dict().items()}
    state["1.weight"] = tg.zeros(3, 3)
    with pytest.raises(RuntimeError, match="size mismatch for 1.weight"):
        model.load_state_dict(state)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.detach().numpy(), before[key])


@pytest.mark.parametrize("call, error, message", [
    (lambda x: x.add_(0.5), RuntimeError,
     "result type tinygrad_edu.float32 can't be cast to the desired output type "
     "tinygrad_edu.int64"),
    (lambda x: x.div_(2), RuntimeError,
     "result type tinygrad_edu.float32 can't be cast to the desired output type "
     "tinygrad_edu.int64"),
    (lambda x: x.mul_(tg.ones(2, 3, dtype=tg.int64)), RuntimeError,
     r"output with shape \(3,\) doesn't match the broadcast shape"),
    (lambda x: x.add_(tg.ones(2, dtype=tg.int64)), RuntimeError,
     r"output with shape \(3,\) doesn't match the broadcast shape"),
    (lambda x: x.fill_("a"), TypeError, "argument 'value' must be a number"),
    (lambda x: x.clamp_("a"), TypeError, "unsupported operand of type str"),
])
def test_an_in_place_op_that_fails_leaves_the_tensor_as_it_was(call, error, message) -> None:
    x = tg.tensor([1, 2, 3])
    version = x._version.value
    with pytest.raises(error, match=message):
        call(x)
    assert x.tolist() == [1, 2, 3] and x.dtype == tg.int64
    assert x._version.value == version


def test_an_in_place_op_on_read_only_memory_says_so() -> None:
    array = np.ones(2)
    array.flags.writeable = False
    x = tg.from_numpy(array)
    with pytest.raises(RuntimeError, match="add_: this tensor's memory is read-only"):
        x.add_(1)
    with pytest.raises(RuntimeError, match="zero_: this tensor's memory is read-only"):
        x.zero_()
    np.testing.assert_array_equal(array, [1.0, 1.0])


def test_copy_converts_dtypes_as_pytorchs_does() -> None:
    x = tg.tensor([1, 2])
    x.copy_(tg.tensor([1.5, -2.5]))
    assert x.tolist() == [1, -2] and x.dtype == tg.int64
