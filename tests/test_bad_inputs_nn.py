"""Every bad input gets a clear error of PyTorch's type (issue 10, class 9): autograd, nn,
losses, optim, data and checkpoints.

The same table as test_bad_inputs.py (see ``bad_input_table.py``), for what a learner
calls after the tensors: backward and autograd.grad, .grad, hooks, layers and their
inputs, losses and their targets, optimizers and schedulers, data sets and loaders,
save and load.
"""

from __future__ import annotations

import tempfile
from typing import Any

import pytest
from bad_input_table import Row, check_ours, check_pytorchs, compared


def _x(L: Any, *shape: int, **kwargs: Any) -> Any:
    return L.ones(*shape, **kwargs)


def _leaf(L: Any, *shape: int) -> Any:
    return L.ones(*shape, requires_grad=True)


def _y(L: Any) -> Any:
    """A scalar made from a leaf x, and x."""
    x = _leaf(L, 2)
    return (x * 2).sum(), x


def _grad(L: Any, **kwargs: Any) -> Any:
    y, x = _y(L)
    return L.autograd.grad(y, x, **kwargs)


def _set_grad(L: Any, value: Any) -> None:
    a = _leaf(L, 2)
    a.grad = value(L) if callable(value) else value


def _hook_returning(L: Any, value: Any) -> None:
    x = _leaf(L, 2)
    y = x * 2
    y.register_hook(lambda g: value(L))
    y.sum().backward()


def _custom(L: Any, forward: Any, backward: Any, inputs: int = 1) -> None:
    """A user-defined Function with the given forward and backward, run and backpropagated."""
    class Op(L.autograd.Function):
        @staticmethod
        def forward(ctx: Any, *args: Any) -> Any:
            return forward(ctx, *args)

        @staticmethod
        def backward(ctx: Any, grad: Any) -> Any:
            return backward(ctx, grad)

    x = _leaf(L, 2)
    Op.apply(*[x] * inputs).sum().backward()


def _hook_registered(L: Any, hook: Any) -> None:
    x = _leaf(L, 2)
    x.register_hook(hook)
    (x * 2).sum().backward()


def _step_with(L: Any, name: str, option: str, value: Any) -> None:
    """A step after the user put ``value`` into the optimizer's ``option`` by hand."""
    opt = _opt(L, name, lr=0.1)
    opt.param_groups[0]["params"][0].grad = _x(L, 2)
    opt.param_groups[0][option] = value
    opt.step()


def _linear(L: Any) -> Any:
    return L.nn.Linear(3, 2)


def _opt(L: Any, name: str, **options: Any) -> Any:
    return getattr(L.optim, name)([_leaf(L, 2)], **options)


def _sched(L: Any, name: str, **options: Any) -> Any:
    return getattr(L.optim.lr_scheduler, name)(_opt(L, "SGD", lr=0.1), **options)


def _data(L: Any, n: int = 2) -> Any:
    return L.utils.data.TensorDataset(_x(L, n))


def _loader(L: Any, **options: Any) -> Any:
    return L.utils.data.DataLoader(_data(L), **options)


def _save_to_text_file(L: Any) -> None:
    with tempfile.TemporaryFile("w") as f:
        L.save(_x(L, 2), f)


NOT_A_TENSOR = "must be Tensor, not"
OUT_OF_RANGE = "Dimension out of range"
MISSING_DIR = "/nonexistent-directory-of-the-bad-input-test/a.pt"

ROWS = {
    # ----- backward and autograd.grad -----------------------------------------------------
    "backward twice": Row(lambda L: [y.backward() for y in [_y(L)[0]] * 2], RuntimeError,
                          "backward through the graph a second time"),
    "backward of a tensor without grad": Row(lambda L: _x(L, 2).sum().backward(), RuntimeError,
                                             "does not require grad and does not have a grad_fn"),
    "backward of a non-scalar": Row(lambda L: (_leaf(L, 2) * 2).backward(), RuntimeError,
                                    r"implicitly created only for scalar outputs.*\(2,\)"),
    "backward(gradient of another shape)": Row(lambda L: (_leaf(L, 2) * 2).backward(_x(L, 3)),
                                               RuntimeError, r"grad_output\[0\] has a shape of "
                                               r"\(3,\) and output\[0\] has a shape of \(2,\)"),
    "backward(1.0)": Row(lambda L: _y(L)[0].backward(1.0), TypeError,
                         "gradients can be either Tensors or None, but got float"),
    "backward(list)": Row(lambda L: (_leaf(L, 2) * 2).backward([1.0, 1.0]), TypeError,
                          "gradients can be either Tensors or None, but got list"),
    "autograd.backward(1)": Row(lambda L: L.autograd.backward(1), TypeError,
                                "a Tensor or a sequence of Tensors, not int"),
    "autograd.backward([y], [1.0])": Row(lambda L: L.autograd.backward([_y(L)[0]], [1.0]),
                                         TypeError, "can be either Tensors or None, but got float"),
    "a hook that is not callable": Row(lambda L: _hook_registered(L, 1), TypeError,
                                       "'int' object is not callable"),
    "grad(y, [1])": Row(lambda L: L.autograd.grad(_y(L)[0], [1]), RuntimeError,
                        r"all inputs have to be Tensors, but got int \(inputs\[0\]\)"),
    "grad(y, 1)": Row(lambda L: L.autograd.grad(_y(L)[0], 1), TypeError,
                      "inputs must be a Tensor or a sequence of Tensors, not int"),
    "grad([1], x)": Row(lambda L: L.autograd.grad([1], _leaf(L, 2)), RuntimeError,
                        "all outputs have to be Tensors, but got int",
                        torch="PyTorch raises AssertionError"),
    "grad(grad_outputs=[1.0])": Row(lambda L: _grad(L, grad_outputs=[1.0]), TypeError,
                                    "gradients can be either Tensors or None, but got float"),
    "grad(grad_outputs=1.0)": Row(lambda L: _grad(L, grad_outputs=1.0), TypeError,
                                  "gradients can be either Tensors or None, but got float"),
    "grad(grad_outputs of another shape)": Row(lambda L: _grad(L, grad_outputs=[_x(L, 3)]),
                                               RuntimeError, "Mismatch in shape"),
    "grad(two grad_outputs for one output)": Row(
        lambda L: _grad(L, grad_outputs=[L.ones(()), L.ones(())]), RuntimeError,
        "grad_outputs has 2 tensors; expected 1", torch="PyTorch ignores the extra one"),
    "grad of an unused input": Row(lambda L: L.autograd.grad(_y(L)[0], _leaf(L, 2)),
                                   RuntimeError, "appears to not have been used in the graph"),
    "grad with respect to a tensor without grad": Row(
        lambda L: L.autograd.grad(_y(L)[0], _x(L, 2)), RuntimeError,
        "One of the differentiated Tensors does not require grad"),
    "grad of a non-scalar": Row(lambda L: (lambda x: L.autograd.grad(x * 2, x))(_leaf(L, 2)),
                                RuntimeError, "implicitly created only for scalar outputs"),
    # ----- .grad, requires_grad, hooks ----------------------------------------------------
    "a.grad = 0.0": Row(lambda L: _set_grad(L, 0.0), TypeError,
                        "assigned grad expected to be a Tensor or None but got .* type float"),
    "a.grad = list": Row(lambda L: _set_grad(L, [1.0, 1.0]), TypeError,
                         "Tensor or None but got grad of type list"),
    "a.grad of another shape": Row(lambda L: _set_grad(L, lambda L: _x(L, 3)), RuntimeError,
                                   r"gradient of size \[3\] to a tensor of size \[2\]"),
    "a.grad of another dtype": Row(lambda L: _set_grad(L, lambda L: _x(L, 2, dtype=L.float64)),
                                   RuntimeError, "dtype .*float64 to a tensor with .*float32"),
    "int.requires_grad_()": Row(lambda L: L.tensor([1, 2]).requires_grad_(), RuntimeError,
                                "floating point dtype can require gradients"),
    "non-leaf.requires_grad_(False)": Row(lambda L: (_leaf(L, 2) * 2).requires_grad_(False),
                                          RuntimeError, "requires_grad flags of leaf variables"),
    "retain_grad() without grad": Row(lambda L: _x(L, 2).retain_grad(), RuntimeError,
                                      "can't retain_grad on Tensor that has requires_grad=False"),
    "register_hook() without grad": Row(lambda L: _x(L, 2).register_hook(lambda g: g),
                                        RuntimeError, "doesn't require gradient"),
    "a hook returns 1.0": Row(lambda L: _hook_returning(L, lambda L: 1.0), TypeError,
                              "hook '<lambda>' returned 'float'"),
    "a hook changes the shape": Row(lambda L: _hook_returning(L, lambda L: _x(L, 3)),
                                    RuntimeError, "hook '<lambda>' has changed the size"),
    "a hook changes the dtype": Row(
        lambda L: _hook_returning(L, lambda L: _x(L, 2, dtype=L.float64)), RuntimeError,
        "hook '<lambda>' has changed the type of value"),
    "in-place on a leaf that requires grad": Row(lambda L: _leaf(L, 2).add_(1), RuntimeError,
                                                 "a leaf Variable that requires grad"),
    "in-place on a view of such a leaf": Row(lambda L: _leaf(L, 2)[0:1].mul_(2), RuntimeError,
                                             "a view of a leaf Variable that requires grad"),
    "gradcheck with no input that requires grad": Row(
        lambda L: L.autograd.gradcheck(lambda a: a * 2, (_x(L, 2, dtype=L.float64),)),
        ValueError, "at least one input tensor with requires_grad=True"),
    "set_grad_enabled('a')": Row(lambda L: L.set_grad_enabled("a"), TypeError,
                                 "must be a bool, got str"),
    "set_default_dtype(int64)": Row(lambda L: L.set_default_dtype(L.int64), TypeError,
                                    "only float32 or float64 can be the default"),
    "device('gpu')": Row(lambda L: L.device("gpu"), RuntimeError, "device string: gpu"),
    "device(1.5)": Row(lambda L: L.device(1.5), TypeError, "expects a string such as 'cpu'"),
    "Function: backward returns too few gradients": Row(
        lambda L: _custom(L, lambda ctx, a, b: a * b, lambda ctx, g: g, 2), RuntimeError,
        "returned 1 gradients; expected 2"),
    "Function: save_for_backward(1.0)": Row(
        lambda L: _custom(L, lambda ctx, a: (ctx.save_for_backward(1.0), a * 2)[1],
                          lambda ctx, g: g), TypeError,
        "save_for_backward can only save tensors .* argument 0 is of type float"),
    "Function: backward returns a float": Row(
        lambda L: _custom(L, lambda ctx, a: a * 2, lambda ctx, g: 1.0), RuntimeError,
        r"must return Tensors \(or None\), got float"),
    "Function: backward returns another shape": Row(
        lambda L: _custom(L, lambda ctx, a: a * 2, lambda ctx, g: L.ones(3)), RuntimeError,
        "a gradient of shape .*3.* for an input of shape"),
    "einsum of mismatched sizes": Row(lambda L: L.einsum("ij,jk->ik", _x(L, 2, 3), _x(L, 2, 3)),
                                      RuntimeError, "subscript j has size"),
    # ----- layers -------------------------------------------------------------------------
    "Linear(3, -1)": Row(lambda L: L.nn.Linear(3, -1), RuntimeError, "negative dimension"),
    "Linear('3', 2)": Row(lambda L: L.nn.Linear("3", 2), TypeError,
                          "argument 'in_features' must be int, not str"),
    "Linear on a batch of the wrong width": Row(lambda L: _linear(L)(_x(L, 4, 2)), RuntimeError,
                                                r"in_features=3, but the input has shape \(4, 2\)"),
    "Linear on int64 input": Row(lambda L: _linear(L)(_x(L, 4, 3, dtype=L.int64)), RuntimeError,
                                 "same dtype, but got .*int64 .*and .*float32"),
    "Linear on float64 input": Row(lambda L: _linear(L)(_x(L, 4, 3, dtype=L.float64)),
                                   RuntimeError, "same dtype, but got .*float64"),
    "Linear on a list": Row(lambda L: _linear(L)([1.0, 2.0, 3.0]), TypeError,
                            r"linear\(\): argument 'input' " + NOT_A_TENSOR + " list"),
    "Linear on a 0-d tensor": Row(lambda L: _linear(L)(L.tensor(1.0)), RuntimeError,
                                  r"in_features=3, but the input has shape \(\)"),
    "F.linear weight shape": Row(lambda L: L.nn.functional.linear(_x(L, 4, 3), _x(L, 2, 4)),
                                 RuntimeError, "in_features=4"),
    "F.linear bias shape": Row(
        lambda L: L.nn.functional.linear(_x(L, 4, 3), _x(L, 2, 3), _x(L, 3)), RuntimeError,
        r"bias of shape \(3,\) does not fit the output's 2 features"),
    "Embedding of float indices": Row(lambda L: L.nn.Embedding(5, 2)(_x(L, 3)), RuntimeError,
                                      "'indices' to have one of the following scalar types"),
    "Embedding index out of range": Row(lambda L: L.nn.Embedding(5, 2)(L.tensor([7])),
                                        IndexError, r"embedding id 7 is not in \[0, 4\]"),
    "Embedding(-1, 2)": Row(lambda L: L.nn.Embedding(-1, 2), RuntimeError, "negative dimension"),
    "BatchNorm1d of the wrong width": Row(lambda L: L.nn.BatchNorm1d(3)(_x(L, 4, 5)),
                                          RuntimeError, "running_mean should contain 5 elements"),
    "BatchNorm1d on a batch of 1": Row(lambda L: L.nn.BatchNorm1d(3)(_x(L, 1, 3)), ValueError,
                                       "Expected more than 1 value per channel when training"),
    "LayerNorm of the wrong shape": Row(lambda L: L.nn.LayerNorm(3)(_x(L, 4, 5)), RuntimeError,
                                        r"normalized_shape=\[3\], expected input with shape "
                                        r"\[\*, 3\]"),
    "Softmax(dim=3) on 1-D": Row(lambda L: L.nn.Softmax(dim=3)(_x(L, 2)), IndexError,
                                OUT_OF_RANGE),
    "Flatten(3) on 2-D": Row(lambda L: L.nn.Flatten(3)(_x(L, 2, 2)), IndexError, OUT_OF_RANGE),
    "Dropout(-0.1)": Row(lambda L: L.nn.Dropout(-0.1), ValueError,
                         "between 0 and 1, but got -0.1"),
    "Dropout('a')": Row(lambda L: L.nn.Dropout("a"), TypeError,
                        "argument 'p' must be a number, not str"),
    "LeakyReLU('a')": Row(lambda L: L.nn.LeakyReLU("a")(_x(L, 2)), TypeError,
                          "argument 'negative_slope' must be a number"),
    "layer.weight = a plain tensor": Row(lambda L: setattr(_linear(L), "weight", _x(L, 2, 3)),
                                         TypeError, "cannot assign 'Tensor' as parameter 'weight'"),
    "Linear called with two inputs": Row(lambda L: _linear(L)(_x(L, 2, 3), _x(L, 2, 3)),
                                         TypeError, "takes 2 positional arguments but 3"),
    "Sequential of mismatched widths": Row(
        lambda L: L.nn.Sequential(L.nn.Linear(2, 3), L.nn.Linear(4, 1))(_x(L, 5, 2)),
        RuntimeError, r"in_features=4, but the input has shape \(5, 3\)"),
    "Module() without forward": Row(lambda L: L.nn.Module()(_x(L, 2)), NotImplementedError,
                                    'missing the required "forward" function'),
    "Embedding(2.5, 2)": Row(lambda L: L.nn.Embedding(2.5, 2), TypeError, "must be ints"),
    "Embedding on a list": Row(lambda L: L.nn.Embedding(5, 2)([1, 2]), TypeError,
                               r"embedding\(\): argument 'input' " + NOT_A_TENSOR + " list"),
    "BatchNorm1d on 4-D": Row(lambda L: L.nn.BatchNorm1d(3)(_x(L, 4, 3, 2, 2)), ValueError,
                              r"expected 2D or 3D input \(got 4D input\)"),
    "LayerNorm('a')": Row(lambda L: L.nn.LayerNorm("a"), TypeError,
                          "argument 'normalized_shape' must be an int or a tuple of ints"),
    "Flatten('a')": Row(lambda L: L.nn.Flatten("a")(_x(L, 2, 2)), TypeError,
                        "dim must be an int, got str"),
    "Softmax('a')": Row(lambda L: L.nn.Softmax("a")(_x(L, 2)), TypeError,
                        "dim must be an int, got str"),
    "Module.train('a')": Row(lambda L: _linear(L).train("a"), ValueError,
                             "training mode is expected to be boolean"),
    "register_buffer(1, None)": Row(lambda L: L.nn.Module().register_buffer(1, None), TypeError,
                                    "buffer name should be a string. Got int"),
    "Sequential().append(1)": Row(lambda L: L.nn.Sequential().append(1), TypeError,
                                  "int is not a Module subclass"),
    "Parameter of an int tensor": Row(lambda L: L.nn.Parameter(L.tensor([1, 2])), RuntimeError,
                                      "floating point dtype can require gradients"),
    "Parameter(requires_grad='a')": Row(lambda L: L.nn.Parameter(_x(L, 2), requires_grad="a"),
                                        TypeError, "argument 'requires_grad' must be bool"),
    "xavier_uniform_ of 1-D": Row(lambda L: L.nn.init.xavier_uniform_(_x(L, 3)), ValueError,
                                  "fewer than 2 dimensions"),
    "kaiming_uniform_(mode='x')": Row(lambda L: L.nn.init.kaiming_uniform_(_x(L, 3, 3), mode="x"),
                                      ValueError, "Mode x not supported"),
    "kaiming_uniform_(nonlinearity='x')": Row(
        lambda L: L.nn.init.kaiming_uniform_(_x(L, 3, 3), nonlinearity="x"), ValueError,
        "Unsupported nonlinearity x"),
    "normal_(std=-1)": Row(lambda L: L.nn.init.normal_(_x(L, 3), std=-1.0), RuntimeError,
                           "normal expects std >= 0.0"),
    "uniform_(2, 1)": Row(lambda L: L.nn.init.uniform_(_x(L, 3), 2.0, 1.0), RuntimeError,
                          r"expects to return a \[from, to\) range"),
    "Sequential(1)": Row(lambda L: L.nn.Sequential(1), TypeError, "int is not a Module subclass"),
    "Sequential(...)[3]": Row(lambda L: L.nn.Sequential(L.nn.ReLU())[3], IndexError,
                              "index 3 is out of range"),
    "add_module('a.b')": Row(lambda L: L.nn.Module().add_module("a.b", L.nn.ReLU()), KeyError,
                             r"module name can.*t contain \".\""),
    "register_buffer(list)": Row(lambda L: L.nn.Module().register_buffer("b", [1.0]), TypeError,
                                 "cannot assign 'list' object to buffer 'b'"),
    "register_parameter(tensor)": Row(
        lambda L: L.nn.Module().register_parameter("p", _x(L, 2)), TypeError,
        "to parameter 'p' .*Parameter or None required"),
    "Parameter(list)": Row(lambda L: L.nn.Parameter([1.0]), TypeError,
                           "data must be a Tensor, got list", torch="PyTorch: AttributeError"),
    "load_state_dict with a missing key": Row(
        lambda L: _linear(L).load_state_dict({"weight": L.zeros(2, 3)}), RuntimeError,
        'Missing key.*"bias"'),
    "load_state_dict with an unexpected key": Row(
        lambda L: _linear(L).load_state_dict({"weight": L.zeros(2, 3), "bias": L.zeros(2),
                                              "x": L.zeros(1)}), RuntimeError,
        'Unexpected key.*"x"'),
    "load_state_dict(strict=False) of another shape": Row(
        lambda L: _linear(L).load_state_dict({"weight": L.ones(3, 3)}, strict=False),
        RuntimeError, r"size mismatch for weight"),
    "load_state_dict(list)": Row(lambda L: _linear(L).load_state_dict([1]), TypeError,
                                 "Expected state_dict to be dict-like, got list"),
    "Module.to('cuda')": Row(lambda L: _linear(L).to("cuda"), RuntimeError,
                             "device 'cuda' is not available",
                             torch="PyTorch's CPU build raises AssertionError"),
    "F.relu(list)": Row(lambda L: L.nn.functional.relu([1.0]), TypeError,
                        r"relu\(\): argument 'input' " + NOT_A_TENSOR + " list"),
    "F.softmax(dim=5)": Row(lambda L: L.nn.functional.softmax(_x(L, 2), 5), IndexError,
                            OUT_OF_RANGE),
    "one_hot of floats": Row(lambda L: L.nn.functional.one_hot(_x(L, 2)), RuntimeError,
                             "index tensor of type LongTensor"),
    "one_hot(num_classes too small)": Row(lambda L: L.nn.functional.one_hot(L.tensor([3]), 2),
                                          RuntimeError, "smaller than num_classes"),
    "one_hot of a negative class": Row(lambda L: L.nn.functional.one_hot(L.tensor([-1]), 3),
                                       RuntimeError, "Class values must be non-negative"),
    "F.dropout(p=1.5)": Row(lambda L: L.nn.functional.dropout(_x(L, 2), 1.5), ValueError,
                            "between 0 and 1, but got 1.5"),
    # ----- losses -------------------------------------------------------------------------
    "mse_loss shapes": Row(lambda L: L.nn.functional.mse_loss(_x(L, 2), _x(L, 3)), RuntimeError,
                           r"mse_loss: the target's shape \(3,\) does not match the input's "
                           r"shape \(2,\)"),
    "MSELoss with a list target": Row(lambda L: L.nn.MSELoss()(_x(L, 2), [1.0, 1.0]), TypeError,
                                      "argument 'target' " + NOT_A_TENSOR + " list",
                                      torch="PyTorch: AttributeError"),
    "L1Loss shapes": Row(lambda L: L.nn.L1Loss()(_x(L, 2), _x(L, 3)), RuntimeError,
                         r"l1_loss: the target's shape \(3,\)"),
    "HuberLoss shapes": Row(lambda L: L.nn.HuberLoss()(_x(L, 2), _x(L, 3)), RuntimeError,
                            "huber_loss: the target's shape"),
    "smooth_l1_loss(beta=-1)": Row(
        lambda L: L.nn.functional.smooth_l1_loss(_x(L, 2), _x(L, 2), beta=-1.0), RuntimeError,
        "negative values for beta"),
    "BCELoss shapes": Row(lambda L: L.nn.BCELoss()(_x(L, 2) * 0.5, _x(L, 3)), ValueError,
                          r"target size \(3,\) that is different to the input size \(2,\)"),
    "BCELoss of values outside [0, 1]": Row(lambda L: L.nn.BCELoss()(_x(L, 2) * 2, _x(L, 2)),
                                            RuntimeError, "should be between 0 and 1"),
    "BCELoss with int targets": Row(lambda L: L.nn.BCELoss()(_x(L, 2) * 0.5, L.tensor([1, 0])),
                                    RuntimeError, "expected a float target .* got .*int64"),
    "BCEWithLogitsLoss shapes": Row(lambda L: L.nn.BCEWithLogitsLoss()(_x(L, 2), _x(L, 3)),
                                    ValueError, "different to the input size"),
    "BCEWithLogitsLoss with int targets": Row(
        lambda L: L.nn.BCEWithLogitsLoss()(_x(L, 2), L.tensor([1, 0])), RuntimeError,
        "expected a float target"),
    "CrossEntropyLoss, target out of range": Row(
        lambda L: L.nn.CrossEntropyLoss()(_x(L, 2, 3), L.tensor([0, 3])), IndexError,
        r"Target 3 is out of bounds: class indices must be in \[0, 2\]"),
    "CrossEntropyLoss, negative target": Row(
        lambda L: L.nn.CrossEntropyLoss()(_x(L, 2, 3), L.tensor([0, -2])), IndexError,
        "Target -2 is out of bounds"),
    "CrossEntropyLoss, batch sizes differ": Row(
        lambda L: L.nn.CrossEntropyLoss()(_x(L, 2, 3), L.tensor([0, 1, 2])), ValueError,
        r"expected target of shape \(2,\) for input of shape \(2, 3\), got \(3,\)"),
    "CrossEntropyLoss, int32 targets": Row(
        lambda L: L.nn.CrossEntropyLoss()(_x(L, 2, 3), L.tensor([0, 1], dtype=L.int32)),
        RuntimeError, "expected target dtype to be Long .* but got .*int32"),
    "CrossEntropyLoss, float targets of one per row": Row(
        lambda L: L.nn.CrossEntropyLoss()(_x(L, 2, 3), L.tensor([0.0, 1.0])), RuntimeError,
        "expected target dtype to be Long"),
    "CrossEntropyLoss, (N, 1) targets": Row(
        lambda L: L.nn.CrossEntropyLoss()(_x(L, 2, 3), L.tensor([[0], [1]])), RuntimeError,
        r"target of shape \(2,\) \(one class index per example\).* got \(2, 1\)"),
    "CrossEntropyLoss, probabilities of another shape": Row(
        lambda L: L.nn.CrossEntropyLoss()(_x(L, 2, 3), _x(L, 2, 4)), RuntimeError,
        r"float tensor of input's shape \(2, 3\)"),
    "CrossEntropyLoss of int logits": Row(
        lambda L: L.nn.CrossEntropyLoss()(_x(L, 2, 3, dtype=L.int64), L.tensor([0, 1])),
        NotImplementedError, "expected float logits"),
    "CrossEntropyLoss, weight of the wrong length": Row(
        lambda L: L.nn.CrossEntropyLoss(weight=_x(L, 2))(_x(L, 2, 3), L.tensor([0, 1])),
        RuntimeError, r"for all 3 classes .* shape: \(2,\)"),
    "CrossEntropyLoss with a list target": Row(
        lambda L: L.nn.CrossEntropyLoss()(_x(L, 2, 3), [0, 1]), TypeError,
        "argument 'target' " + NOT_A_TENSOR + " list"),
    "CrossEntropyLoss(reduction='avg')": Row(
        lambda L: L.nn.CrossEntropyLoss(reduction="avg")(_x(L, 2, 3), L.tensor([0, 1])),
        ValueError, "avg is not a valid value for reduction"),
    "CrossEntropyLoss(label_smoothing=2.0)": Row(
        lambda L: L.nn.CrossEntropyLoss(label_smoothing=2.0)(_x(L, 2, 3), L.tensor([0, 1])),
        RuntimeError, "label_smoothing must be between 0.0 and 1.0"),
    "NLLLoss, target out of range": Row(
        lambda L: L.nn.NLLLoss()(_x(L, 2, 3), L.tensor([0, 5])), IndexError, "Target 5"),
    "NLLLoss, float targets": Row(lambda L: L.nn.NLLLoss()(_x(L, 2, 3), _x(L, 2)), RuntimeError,
                                  "nll_loss: expected target dtype to be Long"),
    "cross_entropy of a 0-d input": Row(
        lambda L: L.nn.functional.cross_entropy(L.tensor(1.0), L.tensor(0)), RuntimeError,
        "expected an input with a class dimension"),
    "mse_loss(reduction='x')": Row(
        lambda L: L.nn.functional.mse_loss(_x(L, 2), _x(L, 2), reduction="x"), ValueError,
        "x is not a valid value for reduction"),
    "nll_loss of 1-D input, 2 targets": Row(
        lambda L: L.nn.functional.nll_loss(_x(L, 3), L.tensor([0, 1])), ValueError,
        r"expected target of shape \(\) for input of shape \(3,\)"),
    # ----- optimizers and schedulers ------------------------------------------------------
    "SGD(tensor)": Row(lambda L: L.optim.SGD(_leaf(L, 2), lr=0.1), TypeError,
                       "should be an iterable of Tensors or dicts, but got"),
    "SGD([1.0])": Row(lambda L: L.optim.SGD([1.0], lr=0.1), TypeError,
                      "one of the params is float"),
    "SGD(lr=None)": Row(lambda L: _opt(L, "SGD", lr=None), TypeError,
                        "argument 'lr' must be a number, not NoneType"),
    "SGD(momentum=-1)": Row(lambda L: _opt(L, "SGD", lr=0.1, momentum=-1), ValueError,
                            "Invalid momentum value: -1"),
    "SGD(momentum='a')": Row(lambda L: _opt(L, "SGD", lr=0.1, momentum="a"), TypeError,
                             "argument 'momentum' must be a number, not str"),
    "SGD(weight_decay=-1)": Row(lambda L: _opt(L, "SGD", lr=0.1, weight_decay=-1), ValueError,
                                "Invalid weight_decay value: -1"),
    "SGD(nesterov=True) without momentum": Row(
        lambda L: _opt(L, "SGD", lr=0.1, nesterov=True), ValueError,
        "Nesterov momentum requires a momentum"),
    "SGD with a parameter twice": Row(lambda L: (lambda p: L.optim.SGD([p, p], lr=0.1))(
        _leaf(L, 2)), ValueError, "duplicate parameters", torch="PyTorch warns, then accepts"),
    "Adam(lr=-1)": Row(lambda L: _opt(L, "Adam", lr=-1), ValueError, "Invalid learning rate: -1"),
    "Adam(lr='a')": Row(lambda L: _opt(L, "Adam", lr="a"), TypeError,
                        "argument 'lr' must be a number, not str"),
    "Adam(eps=-1)": Row(lambda L: _opt(L, "Adam", eps=-1), ValueError,
                        "Invalid epsilon value: -1"),
    "Adam(weight_decay=-1)": Row(lambda L: _opt(L, "Adam", weight_decay=-1), ValueError,
                                 "Invalid weight_decay value"),
    "Adam(betas=(0.9,))": Row(lambda L: _opt(L, "Adam", betas=(0.9,)), ValueError,
                              r"betas must be a pair \(beta1, beta2\), got \(0.9,\)",
                              torch="PyTorch: IndexError, tuple index out of range"),
    "Adam(betas=(0.9, 'a'))": Row(lambda L: _opt(L, "Adam", betas=(0.9, "a")), TypeError,
                                  r"argument 'betas\[1\]' must be a number, not str"),
    "AdamW(lr=-1)": Row(lambda L: _opt(L, "AdamW", lr=-1), ValueError, "Invalid learning rate"),
    "AdamW(betas=(0.9, 1.5))": Row(lambda L: _opt(L, "AdamW", betas=(0.9, 1.5)), ValueError,
                                   "Invalid beta parameter at index 1: 1.5"),
    "RMSprop(alpha=-1)": Row(lambda L: _opt(L, "RMSprop", alpha=-1), ValueError,
                             "Invalid alpha value: -1"),
    "RMSprop(lr=-1)": Row(lambda L: _opt(L, "RMSprop", lr=-1), ValueError,
                          "Invalid learning rate"),
    "Adagrad(lr=-1)": Row(lambda L: _opt(L, "Adagrad", lr=-1), ValueError,
                          "Invalid learning rate"),
    "Adagrad(lr_decay=-1)": Row(lambda L: _opt(L, "Adagrad", lr_decay=-1), ValueError,
                                "Invalid lr_decay value: -1"),
    "optimizer.load_state_dict(list)": Row(lambda L: _opt(L, "SGD", lr=0.1).load_state_dict([1]),
                                           TypeError, "expected the dict that state_dict"),
    "optimizer.load_state_dict, groups differ": Row(
        lambda L: _opt(L, "SGD", lr=0.1).load_state_dict({"state": {}, "param_groups": []}),
        ValueError, r"different number of parameter groups \(0\)"),
    "add_param_group with a parameter already there": Row(
        lambda L: (lambda p: L.optim.SGD([p], lr=0.1).add_param_group({"params": [p]}))(
            _leaf(L, 2)), ValueError, "appear in more than one parameter group"),
    "step() after lr was set to 'a'": Row(lambda L: _step_with(L, "SGD", "lr", "a"), TypeError,
                                          "argument 'lr' must be a number, not str"),
    "Adam.step() after lr was set to None": Row(lambda L: _step_with(L, "Adam", "lr", None),
                                                TypeError, "argument 'lr' must be a number"),
    "step(closure=1)": Row(lambda L: _opt(L, "SGD", lr=0.1).step(closure=1), TypeError,
                           "'int' object is not callable"),
    "add_param_group(list)": Row(lambda L: _opt(L, "SGD", lr=0.1).add_param_group([1]),
                                 TypeError, "param_group must be a dict"),
    "add_param_group without params": Row(
        lambda L: _opt(L, "SGD", lr=0.1).add_param_group({"lr": 0.1}), ValueError,
        "a parameter group needs a 'params' entry", torch="PyTorch: KeyError 'params'"),
    "ReduceLROnPlateau.step('a')": Row(lambda L: _sched(L, "ReduceLROnPlateau").step("a"),
                                      ValueError, "could not convert string to float"),
    "ReduceLROnPlateau.step()": Row(lambda L: _sched(L, "ReduceLROnPlateau").step(), TypeError,
                                    "missing 1 required positional argument: 'metrics'"),
    "StepLR(step_size=1.5)": Row(lambda L: _sched(L, "StepLR", step_size=1.5), ValueError,
                                 "step_size must be a positive int, got 1.5",
                                 torch="PyTorch accepts it"),
    "LambdaLR(lr_lambda=1)": Row(lambda L: _sched(L, "LambdaLR", lr_lambda=1), TypeError,
                                 "lr_lambda must be a function of the epoch"),
    "a scheduler of a non-optimizer": Row(
        lambda L: L.optim.lr_scheduler.ExponentialLR(1, gamma=0.9), TypeError,
        "int is not an Optimizer"),
    "OneCycleLR without total_steps": Row(lambda L: _sched(L, "OneCycleLR", max_lr=0.1),
                                          ValueError, "You must define either total_steps"),
    "ReduceLROnPlateau(mode='x')": Row(lambda L: _sched(L, "ReduceLROnPlateau", mode="x"),
                                       ValueError, "mode x is unknown"),
    "ReduceLROnPlateau(factor=1.0)": Row(lambda L: _sched(L, "ReduceLROnPlateau", factor=1.0),
                                         ValueError, "Factor should be < 1.0"),
    "clip_grad_norm_(max_norm='a')": Row(
        lambda L: L.nn.utils.clip_grad_norm_([_leaf(L, 2)], "a"), ValueError,
        "argument 'max_norm' must be a number, not str"),
    "clip_grad_value_(None)": Row(
        lambda L: L.nn.utils.clip_grad_value_([_leaf(L, 2)], None), TypeError,
        "argument 'clip_value' must be a number, not NoneType"),
    # ----- data ---------------------------------------------------------------------------
    "TensorDataset of different lengths": Row(
        lambda L: L.utils.data.TensorDataset(_x(L, 2), _x(L, 3)), ValueError,
        "Size mismatch between tensors.* tensor 0 has 2, tensor 1 has 3",
        torch="PyTorch raises AssertionError"),
    "TensorDataset(list)": Row(lambda L: L.utils.data.TensorDataset([1, 2]), TypeError,
                               "argument 0 is a list, not a Tensor",
                               torch="PyTorch: AttributeError"),
    "Dataset()[0]": Row(lambda L: L.utils.data.Dataset()[0], NotImplementedError,
                        "implement __getitem__"),
    "Subset with an index out of range": Row(
        lambda L: L.utils.data.Subset(_data(L), [5])[0], IndexError, "index 5 is out of bounds"),
    "DataLoader(batch_size=-1)": Row(lambda L: _loader(L, batch_size=-1), ValueError,
                                     "but got batch_size=-1"),
    "DataLoader(drop_last='a')": Row(lambda L: _loader(L, drop_last="a"), ValueError,
                                     "drop_last should be a boolean value"),
    "DataLoader(collate_fn=1), iterated": Row(lambda L: list(_loader(L, collate_fn=1)),
                                              TypeError, "'int' object is not callable"),
    "RandomSampler(num_samples=0)": Row(
        lambda L: L.utils.data.RandomSampler(_data(L), num_samples=0), ValueError,
        "num_samples should be a positive integer value"),
    "BatchSampler(batch_size=0)": Row(lambda L: L.utils.data.BatchSampler([0, 1], 0, False),
                                      ValueError, "batch_size should be a positive integer"),
    "TensorDataset index out of range": Row(lambda L: _data(L)[5], IndexError,
                                            "index 5 is out of bounds"),
    "DataLoader(batch_size=0)": Row(lambda L: _loader(L, batch_size=0), ValueError,
                                    "positive integer value, but got batch_size=0"),
    "DataLoader(batch_size=1.5)": Row(lambda L: _loader(L, batch_size=1.5), ValueError,
                                      "but got batch_size=1.5"),
    "DataLoader(num_workers=-1)": Row(lambda L: _loader(L, num_workers=-1), ValueError,
                                      "num_workers option should be non-negative"),
    "DataLoader(shuffle=True, sampler=...)": Row(
        lambda L: _loader(L, shuffle=True, sampler=[0, 1]), ValueError,
        "sampler option is mutually exclusive with shuffle"),
    "DataLoader(batch_size=2, batch_sampler=...)": Row(
        lambda L: _loader(L, batch_size=2, batch_sampler=[[0, 1]]), ValueError,
        "batch_sampler option is mutually exclusive"),
    "random_split of fractions that do not sum to 1": Row(
        lambda L: L.utils.data.random_split(_data(L, 4), [0.5, 0.6]), ValueError,
        "fractions that sum to 1, got"),
    "DataLoader of a number": Row(lambda L: list(L.utils.data.DataLoader(5)), TypeError,
                                  "object of type 'int' has no len"),
    "random_split of the wrong total": Row(
        lambda L: L.utils.data.random_split(_data(L, 4), [1, 1]), ValueError,
        "Sum of input lengths"),
    # ----- save and load ------------------------------------------------------------------
    "save(t, 3.5)": Row(lambda L: L.save(_x(L, 2), 3.5), TypeError,
                        "argument 'f' must be a path .* not float",
                        torch="PyTorch: AttributeError"),
    "save into a missing directory": Row(lambda L: L.save(_x(L, 2), MISSING_DIR), OSError,
                                         "cannot write to .*nonexistent-directory",
                                         torch="PyTorch: RuntimeError; ours is open()'s OSError"),
    "load of a missing file": Row(lambda L: L.load(MISSING_DIR), FileNotFoundError,
                                  "No such file or directory"),
    "load(3.5)": Row(lambda L: L.load(3.5), TypeError, "argument 'f' must be a path",
                     torch="PyTorch: AttributeError"),
    "save of a function": Row(lambda L: L.save(lambda: 1, MISSING_DIR), TypeError,
                              "the object is a function, which cannot be saved",
                              torch="PyTorch's pickle raises AttributeError"),
    "save to a file opened as text": Row(lambda L: _save_to_text_file(L), TypeError,
                                         r"opened in binary mode \(.wb.\)"),
    "save of a whole Module": Row(lambda L: L.save(L.nn.Linear(2, 2), MISSING_DIR), TypeError,
                                  "state_dict", torch="PyTorch pickles the module"),
}


@pytest.mark.parametrize("name", list(ROWS))
def test_bad_input_gets_a_clear_error(name: str) -> None:
    check_ours(ROWS[name])


@pytest.mark.parametrize("name", compared(ROWS))
def test_the_error_type_is_pytorchs(name: str) -> None:
    torch = pytest.importorskip("torch")
    check_pytorchs(ROWS[name], torch)


def test_load_of_a_file_that_is_not_a_checkpoint_names_it(tmp_path: Any) -> None:
    import tinygrad_edu as tg

    path = tmp_path / "notes.txt"
    path.write_text("not a checkpoint")
    with pytest.raises(ValueError, match="notes.txt' is not a safetensors file"):
        tg.load(path)
