"""No two gradients share memory unless PyTorch's do, and hooks' results are checked
(issue 10, classes 2 and 5). The expected numbers and messages are PyTorch's."""

import pytest

import tinygrad_edu as tg


# ----- class 2: aliasing of gradients ----------------------------------------------------
def test_create_graph_gradients_are_not_shared_between_leaves():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor([3.0, 4.0], requires_grad=True)
    ((x + w) * 3).sum().backward(create_graph=True)
    assert x.grad is not w.grad
    kept = x.grad
    (x * w).sum().backward()
    assert x.grad.tolist() == [6.0, 7.0] and w.grad.tolist() == [4.0, 5.0]
    assert x.grad is kept  # accumulated in place, as PyTorch does outside create_graph


def test_a_create_graph_gradient_is_never_a_read_only_broadcast_view():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = tg.tensor([3.0, 4.0], requires_grad=True)
    (x + w).sum().backward(create_graph=True)
    (x * w).sum().backward()
    assert x.grad.tolist() == [4.0, 5.0] and w.grad.tolist() == [2.0, 3.0]
    x.grad.zero_()
    assert x.grad.tolist() == [0.0, 0.0] and w.grad.tolist() == [2.0, 3.0]


def test_a_create_graph_gradient_can_be_differentiated_again():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    assert x.grad.tolist() == [3.0, 12.0] and x.grad.requires_grad
    (gx,) = tg.autograd.grad(x.grad.sum(), x)
    assert gx.tolist() == [6.0, 12.0]


def test_a_gradient_kept_by_a_hook_is_not_changed_by_a_later_backward():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    kept = []
    x.register_hook(lambda g: kept.append(g))
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    assert [g.tolist() for g in kept] == [[2.0, 2.0], [3.0, 3.0]]
    assert x.grad.tolist() == [5.0, 5.0]


def test_a_gradient_kept_by_a_hook_on_a_non_leaf_is_not_changed_either():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    kept = []
    y = x + 0
    y.register_hook(lambda g: kept.append(g))
    (y * 2).sum().backward()
    (x * 3).sum().backward()
    assert kept[0].tolist() == [2.0, 2.0] and x.grad.tolist() == [5.0, 5.0]


def test_the_starting_gradient_is_never_a_shared_constant():
    x = tg.tensor(2.0, requires_grad=True)
    b = tg.tensor(1.0)
    with pytest.raises(TypeError, match="can be either Tensors or None, but got float"):
        tg.autograd.grad(x + b, x, grad_outputs=[1.0])  # a number: refused, as in PyTorch
    (g,) = tg.autograd.grad(x + b, x)  # the implicit ones
    g.mul_(0)
    assert (x * 1.0).item() == 2.0  # the process-wide 1.0 is intact
    assert (tg.tensor([3.0]) * 1.0).tolist() == [3.0]


def test_cached_constants_are_read_only():
    from tinygrad_edu.tensor import _scalar_constant

    constant = _scalar_constant(0.5, tg.float32.np_dtype)
    with pytest.raises(RuntimeError, match="read-only"):
        constant.mul_(0)
    assert constant.item() == 0.5


# ----- class 5: hooks' results are validated ---------------------------------------------
def _run_with_hook(hook, leaf=False):
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    (x if leaf else y).register_hook(hook)
    y.sum().backward()
    return x


@pytest.mark.parametrize("leaf", [False, True])
def test_a_hook_that_changes_the_size_is_an_error_naming_it(leaf):
    def my_hook(g):
        return tg.ones(3)

    with pytest.raises(RuntimeError, match="hook 'my_hook' has changed the size of value"):
        _run_with_hook(my_hook, leaf)
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        _run_with_hook(lambda g: tg.ones(1), leaf)  # one that would broadcast, too


def test_a_hook_that_changes_the_dtype_is_an_error():
    with pytest.raises(RuntimeError, match=r"hook '<lambda>' has changed the type of value "
                                           r"\(was tinygrad_edu.float32 got tinygrad_edu.float64"):
        _run_with_hook(lambda g: g.double())


def test_a_hook_that_returns_a_non_tensor_is_a_type_error():
    with pytest.raises(TypeError, match="expected Tensor, but hook '<lambda>' returned 'int'"):
        _run_with_hook(lambda g: 3)


def test_a_hook_that_returns_a_valid_gradient_replaces_it():
    x = _run_with_hook(lambda g: g * 10)
    assert x.grad.tolist() == [20.0, 20.0]


def test_hook_messages_match_pytorch():
    torch = pytest.importorskip("torch")

    def run(lib, value):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: value)
        try:
            y.sum().backward()
        except (RuntimeError, TypeError) as error:
            return type(error), str(error).split(" (")[0]
        return None

    assert run(tg, tg.ones(3)) == run(torch, torch.ones(3))
    ours, theirs = run(tg, tg.ones(2, dtype=tg.float64)), run(torch, torch.ones(2).double())
    assert ours == theirs
