"""Optimizers given bad input: a clear error, and nothing changed."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import optim


def leaf(*values):
    return tg.tensor(list(values), requires_grad=True)


def test_non_leaf_tensor_is_refused():
    w = leaf(1.0, 2.0)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.SGD([w * 2], lr=0.1)


def test_duplicate_parameter_is_refused():
    w = leaf(1.0)
    with pytest.raises(ValueError, match="parameter group with duplicate parameters"):
        optim.SGD([w, w], lr=0.1)


def test_parameter_in_two_groups_is_refused():
    w = leaf(1.0)
    opt = optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="appear in more than one parameter group"):
        opt.add_param_group({"params": [w]})
    assert len(opt.param_groups) == 1


@pytest.mark.parametrize("make", [optim.SGD, optim.Adam, optim.AdamW])
def test_negative_learning_rate_is_refused(make):
    with pytest.raises(ValueError, match=r"^Invalid learning rate: -0.1$"):
        make([leaf(1.0)], lr=-0.1)


def test_negative_learning_rate_in_a_group_is_refused():
    with pytest.raises(ValueError, match=r"^Invalid learning rate: -1$"):
        optim.SGD([{"params": [leaf(1.0)], "lr": -1}], lr=0.1)


@pytest.mark.parametrize("kwargs, message", [
    (dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    (dict(weight_decay=-1e-3), "Invalid weight_decay value: -0.001"),
    (dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
    (dict(nesterov=True, momentum=0.9, dampening=0.1),
     "Nesterov momentum requires a momentum and zero dampening"),
])
def test_invalid_sgd_options(kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        optim.SGD([leaf(1.0)], lr=0.1, **kwargs)


@pytest.mark.parametrize("kwargs, message", [
    (dict(betas=(1.0, 0.999)), r"Invalid beta parameter at index 0: 1.0"),
    (dict(betas=(0.9, -0.1)), r"Invalid beta parameter at index 1: -0.1"),
    (dict(betas=(0.9,)), r"betas must be a pair \(beta1, beta2\), got \(0.9,\)"),
    (dict(eps=-1e-8), r"Invalid epsilon value: -1e-08"),
    (dict(weight_decay=-0.1), r"Invalid weight_decay value: -0.1"),
])
@pytest.mark.parametrize("make", [optim.Adam, optim.AdamW])
def test_invalid_adam_options(make, kwargs, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        make([leaf(1.0)], **kwargs)


def test_params_must_be_tensors_in_an_ordered_collection():
    w = leaf(1.0)
    with pytest.raises(TypeError, match="got a Tensor; wrap it in a list"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="ordering of tensors in sets will change"):
        optim.SGD([{"params": {w}}], lr=0.1)
    with pytest.raises(TypeError, match="can only optimize Tensors, but one of the params is "
                                        "ndarray"):
        optim.SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.SGD([], lr=0.1)


def test_a_failed_step_changes_no_parameter_and_no_state():
    good = leaf(1.0, 2.0)
    bad = leaf(3.0, 4.0)
    good.grad = tg.tensor([1.0, 1.0])
    bad._grad = tg.tensor([1.0, 1.0, 1.0])  # past .grad's own check, as a step may meet it
    opt = optim.Adam([good, bad], lr=0.1)
    with pytest.raises(RuntimeError, match=r"a parameter of shape \(2,\) has a grad of shape "
                                           r"\(3,\); nothing was updated"):
        opt.step()
    assert good.array.tolist() == [1.0, 2.0] and bad.array.tolist() == [3.0, 4.0]
    assert opt.state == {} and good._version.value == 0


def test_integer_grad_is_refused_before_any_change():
    good = leaf(1.0)
    bad = leaf(2.0)
    good.grad = tg.tensor([1.0])
    bad._grad = tg.tensor([1])  # past .grad's own check, as a step may meet it
    with pytest.raises(TypeError, match="got a parameter of dtype .*float32 with a grad of "
                                        "dtype .*int64"):
        optim.SGD([good, bad], lr=0.1, momentum=0.9).step()
    assert good.array.tolist() == [1.0]


def test_load_state_dict_mismatches_are_refused_and_change_nothing():
    a, b = leaf(1.0, 2.0), leaf(3.0)
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    a.grad, b.grad = tg.tensor([1.0, 1.0]), tg.tensor([1.0])
    opt.step()
    saved = opt.state_dict()

    other = optim.SGD([leaf(0.0, 0.0)], lr=0.5, momentum=0.9)
    with pytest.raises(ValueError, match=r"parameter group of 2 parameters that doesn't match "
                                         r"the size of optimizer's group \(1\)"):
        other.load_state_dict(saved)
    two_groups = optim.SGD([{"params": [leaf(0.0)]}, {"params": [leaf(0.0)]}], lr=0.5)
    with pytest.raises(ValueError, match=r"different number of parameter groups \(1\) than "
                                         r"the optimizer \(2\)"):
        two_groups.load_state_dict(saved)

    swapped = optim.SGD([leaf(0.0), leaf(0.0, 0.0)], lr=0.5, momentum=0.9)
    with pytest.raises(ValueError, match=r"'momentum_buffer' for parameter 0 has shape \(2,\), "
                                         r"but the parameter has shape \(1,\)"):
        swapped.load_state_dict(saved)
    assert swapped.state == {} and swapped.param_groups[0]["lr"] == 0.5
