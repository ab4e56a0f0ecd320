"""In-place ops on tensors with views, item assignment, and what an op saves (issue 10, class 1).

The expected numbers are PyTorch's (checked with torch 2.13 in float32); the
test at the end runs the same programs in PyTorch when it is installed.
"""

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu.autograd import Function
from tinygrad_edu.testing import gradcheck


def _x():
    return tg.tensor([[-1.0, 2.0], [3.0, -4.0]], requires_grad=True)


# ----- a view sees its base's in-place change ------------------------------------------
def test_a_slice_taken_before_an_in_place_op_sees_the_new_history():
    x = tg.tensor([-1.0, 2.0], requires_grad=True)
    y = x.abs()
    v = y[0:2]
    y.mul_(3)
    v.sum().backward()
    assert x.grad.tolist() == [-3.0, 3.0]


@pytest.mark.parametrize("make, expected", [
    (lambda y: y.T, [[-18.0, 36.0], [54.0, -72.0]]),
    (lambda y: y.reshape(4), [[-18.0, 36.0], [54.0, -72.0]]),
    (lambda y: y.unsqueeze(0), [[-18.0, 36.0], [54.0, -72.0]]),
    (lambda y: y[1], [[0.0, 0.0], [54.0, -72.0]]),
    (lambda y: y[:, 0], [[-18.0, 0.0], [54.0, 0.0]]),
    (lambda y: y[1][0], [[0.0, 0.0], [54.0, 0.0]]),  # a 0-d view of a view
])
def test_every_kind_of_view_sees_the_base_change(make, expected):
    x = _x()
    y = x.abs()
    v = make(y)
    y.mul_(3)
    (v * v).sum().backward()
    assert x.grad.tolist() == expected


def test_relu_in_place_after_a_view_was_taken():
    x = _x()
    h = x * 1
    v = h[:, 0]
    F.relu(h, inplace=True)
    v.sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0], [1.0, 0.0]]


def test_an_in_place_op_on_a_view_changes_the_base_history():
    x = _x()
    y = x * 1
    y[:, 1].mul_(5)
    y.sum().backward()
    assert x.grad.tolist() == [[1.0, 5.0], [1.0, 5.0]]
    assert y.grad_fn.name() == "CopySlicesBackward0"


def test_in_place_on_a_view_of_a_view_reaches_the_base_and_the_other_views():
    x = _x()
    y = x * 1
    row = y[1]
    col = y[:, 1]
    row[1:].mul_(2)  # y[1, 1] *= 2, through a view of a view
    (col * col).sum().backward()
    assert y.tolist() == [[-1.0, 2.0], [3.0, -8.0]]
    assert x.grad.tolist() == [[0.0, 4.0], [0.0, -32.0]]


def test_view_of_a_tensor_that_needed_no_grad_gets_a_history():
    w = tg.tensor([2.0], requires_grad=True)
    h = tg.zeros(3)
    v = h[1:]
    h.add_(w * tg.ones(3))
    assert v.requires_grad and v.grad_fn is not None
    v.sum().backward()
    assert w.grad.tolist() == [2.0]


def test_retain_grad_follows_the_tensor_through_an_in_place_op():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.mul_(3)
    y.sum().backward()
    assert y.grad.tolist() == [1.0, 1.0]
    assert x.grad.tolist() == [6.0, 6.0]


def test_in_place_ops_on_views_pass_gradcheck():
    def program(a):
        y = a * 1
        y.T[0].mul_(a[0, 0])
        y[1:, :].add_(a[:1] ** 2)
        return (y * y).sum()

    a = tg.tensor(np.random.default_rng(0).normal(size=(2, 2)), dtype=tg.float64,
                  requires_grad=True)
    assert gradcheck(program, (a,))


# ----- errors where PyTorch refuses ------------------------------------------------------
def test_in_place_on_a_view_of_a_leaf_is_refused_and_changes_nothing():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        x[0:1].mul_(2)
    assert x.tolist() == [1.0, 2.0]


def test_copy_into_a_leaf_that_requires_grad_is_refused():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        x.copy_(tg.ones(2))
    assert x.tolist() == [1.0, 2.0]
    with tg.no_grad():
        x.copy_(tg.ones(2))
    assert x.tolist() == [1.0, 1.0]


def test_in_place_on_a_view_made_under_no_grad_is_refused():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with tg.no_grad():
        v = y[0:1]
    with pytest.raises(RuntimeError, match="A view was created in no_grad mode"):
        v.mul_(2)
    assert y.tolist() == [2.0, 4.0]


def test_in_place_on_an_expanded_view_is_refused():
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        tg.ones(1).expand(3).mul_(2)
    x = tg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="more than one element of the written-to tensor"):
        (x * 1).expand(3).add_(1)


# ----- copy_ and fill_ replace the history ---------------------------------------------
def test_copy_into_a_non_leaf_replaces_its_history():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.copy_(tg.ones(2))
    (y * 3).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]
    assert y.tolist() == [1.0, 1.0]


def test_copy_broadcasts_and_sends_the_gradient_to_the_source():
    src = tg.tensor([1.0, 2.0], requires_grad=True)
    y = tg.zeros(3, 2)
    y.copy_(src)
    (y * y).sum().backward()
    assert src.grad.tolist() == [6.0, 12.0]


def test_fill_over_an_infinite_value_gives_the_value_and_a_zero_gradient():
    x = tg.tensor([1.0, float("inf")], requires_grad=True)
    y = x * 1
    y.fill_(2.0)
    (y * 3).sum().backward()
    assert y.tolist() == [2.0, 2.0]
    assert x.grad.tolist() == [0.0, 0.0]


# ----- item assignment, recorded ---------------------------------------------------------
def test_item_assignment_in_the_graph():
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 1
    y[0] = tg.tensor(5.0)
    y[:, 1] *= 2
    y.sum().backward()
    assert y.tolist() == [[5.0, 10.0], [3.0, 8.0]]
    assert x.grad.tolist() == [[0.0, 0.0], [1.0, 2.0]]


def test_item_assignment_sends_the_gradient_to_the_value_with_broadcasting():
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    t = tg.tensor([7.0, 8.0], requires_grad=True)
    y = x * 1
    y[tg.tensor([1, 1])] = t  # advanced indexing, the same row twice
    y.sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0], [0.0, 0.0]]
    assert t.grad.tolist() == [2.0, 2.0]
    s = tg.tensor(3.0, requires_grad=True)
    z = x * 1
    z[z > 2] = s
    (z * z).sum().backward()
    assert s.grad.item() == 12.0


def test_accumulating_into_a_buffer_by_item_assignment():
    """``dC[ix] += demb[k, j]`` (issue 12): a buffer that needs no grad collects gradients."""
    demb = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    ix = tg.tensor([[0, 2], [2, 1]])
    dC = tg.zeros(3)
    for k in range(2):
        for j in range(2):
            dC[ix[k, j]] += demb[k, j]
    assert dC.tolist() == [1.0, 4.0, 5.0]
    (dC * tg.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert demb.grad.tolist() == [[1.0, 100.0], [100.0, 10.0]]


def test_item_assignment_on_a_leaf_that_requires_grad_is_refused():
    x = tg.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
        x[0] = 1.0
    assert x.tolist() == [0.0, 0.0]


def test_a_bad_item_assignment_changes_nothing():
    y = tg.tensor([1.0, 2.0], requires_grad=True) * 1
    before = y.grad_fn
    with pytest.raises(RuntimeError, match="shape mismatch"):
        y[0:2] = tg.ones(3)
    with pytest.raises(IndexError):
        y[5] = 1.0
    assert y.grad_fn is before and y.tolist() == [1.0, 2.0] and y._version.value == 0


# ----- non-differentiable saved values are version-checked ------------------------------
def test_an_index_tensor_changed_after_indexing_raises():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    idx = tg.tensor([0, 1])
    y = x[idx]
    idx[0] = 2
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


@pytest.mark.parametrize("use", ["mask", "where"])
def test_a_mask_changed_after_use_raises(use):
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    c = tg.tensor([True, False, True])
    y = x[c] if use == "mask" else tg.where(c, x, 0.0)
    c[1] = True
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


# ----- ops save only what their backward needs -------------------------------------------
@pytest.mark.parametrize("make, expected", [
    (lambda x: x / 2, [0.5, 0.5]),
    (lambda x: x ** 2, [2.0, 4.0]),
    (lambda x: x / x.norm(), [0.178885, -0.089443]),
])
def test_an_in_place_change_to_a_result_its_backward_does_not_need_is_fine(make, expected):
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = make(x)
    y += 1
    y.sum().backward()
    assert x.grad.tolist() == pytest.approx(expected, abs=1e-6)


def test_pow_with_an_exponent_that_requires_grad_still_saves_its_result():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    e = tg.tensor(2.0, requires_grad=True)
    y = x ** e
    y += 1
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


# ----- custom Functions that return an input ---------------------------------------------
class _Identity(Function):
    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, g):
        return g * 10


class _DoubleInPlace(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.mark_dirty(x)
        x.mul_(2)
        return x

    @staticmethod
    def backward(ctx, g):
        return g * 2


def test_an_input_returned_as_is_is_a_view_sharing_the_version_counter():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = _Identity.apply(y)
    assert z is not y and z._base is y and z._version is y._version
    with pytest.raises(RuntimeError, match="created inside a custom Function"):
        z.mul_(2)
    y.mul_(2)
    with pytest.raises(RuntimeError, match="created inside a custom Function"):
        z.sum().backward()


def test_mark_dirty_makes_the_input_the_output():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = _DoubleInPlace.apply(y)
    assert z is y and y.grad_fn.name() == "_DoubleInPlaceBackward0" and y._version.value == 2
    z.sum().backward()
    assert x.grad.tolist() == [2.0, 2.0] and y.tolist() == [2.0, 4.0]


def test_mark_dirty_on_a_view_rebases_the_base():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    v = y[0:1]
    _DoubleInPlace.apply(v)
    y.sum().backward()
    assert x.grad.tolist() == [2.0, 1.0]


def test_mark_dirty_on_a_leaf_that_requires_grad_is_refused():
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad has been used"):
        _DoubleInPlace.apply(tg.tensor([1.0, 2.0], requires_grad=True))


# ----- the same programs in PyTorch -----------------------------------------------------
def _programs(lib, F_):
    def views(make):
        x = lib.tensor([[-1.0, 2.0], [3.0, -4.0]], requires_grad=True)
        y = x.abs()
        v = make(y)
        y.mul_(3)
        (v * v).sum().backward()
        return x.grad

    def relu():
        x = lib.tensor([[-1.0, 2.0], [3.0, -4.0]], requires_grad=True)
        h = x * 1
        v = h[:, 0]
        F_.relu(h, inplace=True)
        (v * v).sum().backward()
        return x.grad

    def setitem():
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        t = lib.tensor([7.0, 8.0], requires_grad=True)
        y = x * 1
        y[0, 1:] = t[1]
        y[:, 0] *= t
        y[y > 5] = 0.0
        (y * y).sum().backward()
        return x.grad, t.grad

    return [views(lambda y: y.T), views(lambda y: y[1:, 0]), relu(), *setitem()]


def test_the_same_programs_in_pytorch():
    torch = pytest.importorskip("torch")
    ours = _programs(tg, F)
    theirs = _programs(torch, torch.nn.functional)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.tolist(), b.tolist())


def _view_hooks_and_retained_grad(lib, changed: str) -> tuple:
    """A view with retain_grad() and a hook; then its base or the view itself changes in place."""
    calls = []
    x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = x * 1
    v = b[0:2]
    v.retain_grad()
    v.register_hook(lambda g: calls.append(g.tolist()))
    (b if changed == "base" else v).mul_(2)
    (v * 3).sum().backward()
    return v.grad.tolist(), x.grad.tolist(), calls


def test_retain_grad_on_a_view_follows_it_through_an_in_place_change_to_its_base():
    # It used to stay on the view's old node: v.grad was None (PyTorch: the new v's grad).
    assert _view_hooks_and_retained_grad(tg, "base")[:2] == ([3.0, 3.0], [6.0, 6.0, 0.0])
    assert _view_hooks_and_retained_grad(tg, "view")[:2] == ([3.0, 3.0], [6.0, 6.0, 0.0])


def test_hooks_on_a_view_after_in_place_changes():
    # After a change to the base, the view's hook is on a node no longer used: it does not
    # run, as in PyTorch. After a change to the view itself it runs with the gradient of the
    # old value, as a hook on any other tensor does (PyTorch drops it; README, differences).
    assert _view_hooks_and_retained_grad(tg, "base")[2] == []
    assert _view_hooks_and_retained_grad(tg, "view")[2] == [[6.0, 6.0]]


def test_view_hooks_and_retained_grads_against_pytorch():
    torch = pytest.importorskip("torch")
    ours, theirs = (_view_hooks_and_retained_grad(tg, "base"),
                    _view_hooks_and_retained_grad(torch, "base"))
    assert ours == theirs
    ours, theirs = (_view_hooks_and_retained_grad(tg, "view"),
                    _view_hooks_and_retained_grad(torch, "view"))
    assert ours[:2] == theirs[:2] and theirs[2] == []  # the documented difference
