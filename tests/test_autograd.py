"""The backward pass: order, accumulation, graph release, higher derivatives, hooks, modes."""

import gc
import weakref

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import Function


def f64(values, requires_grad=True):
    return tg.tensor(values, dtype=tg.float64, requires_grad=requires_grad)


def test_diamond_visits_each_node_once_with_summed_gradient():
    a = f64(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad.item() == 4.0


def test_diamond_with_multiplication_matches_the_product_rule():
    # d/da (a*a + a) = 2a + 1
    a = f64([1.0, -2.0, 0.5])
    ((a * a) + a).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2 * a.array + 1)


def test_gradients_accumulate_over_two_backward_calls():
    w = f64([1.0, 2.0])
    (w * 3).sum().backward()
    (w * 4).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [7.0, 7.0])


def test_backward_frees_saved_values_and_a_second_backward_raises():
    x = f64([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_a_second_backward():
    x = f64([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 8.0])


def test_backward_on_non_scalar_needs_gradient():
    x = f64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="only for scalar outputs.*shape \\(2,\\)"):
        (x * 2).backward()
    (x * 2).backward(tg.tensor([1.0, 10.0], dtype=tg.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 20.0])


def test_backward_gradient_of_wrong_shape_names_both_shapes():
    x = f64([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"grad_output\[0\] has a shape of \(3,\).*\(2,\)"):
        (x * 2).backward(tg.ones(3, dtype=tg.float64))


def test_backward_without_grad_raises_pytorch_error():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.tensor([1.0]).sum().backward()


def test_chain_of_a_million_ops_has_no_recursion_and_right_gradient():
    x = f64(1.0)
    y = x
    for _ in range(1_000_000):
        y = y + 1.0
    y.backward()
    assert x.grad.item() == 1.0
    assert y.item() == 1_000_001.0


def test_graph_is_freed_by_reference_counting_alone():
    gc.collect()
    gc.disable()
    try:
        x = f64(np.ones(4))
        y = ((x * 2).exp() + x.sigmoid()).tanh().sum()  # ops that save inputs and outputs
        node = weakref.ref(y.grad_fn)
        y.backward()
        del y
        assert node() is None, "the graph survived its last tensor: a reference cycle"
        x2 = f64(np.ones(4))
        z = (x2 * 3).log_softmax(0)
        node2 = weakref.ref(z.grad_fn)
        del z
        assert node2() is None
    finally:
        gc.enable()


def test_leaf_does_not_keep_its_graph_alive():
    gc.disable()
    try:
        x = f64([1.0, 2.0])
        y = x.exp()
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
    finally:
        gc.enable()


def test_grad_returns_gradients_without_accumulating():
    x = f64([1.0, 2.0])
    (gx,) = tg.autograd.grad((x**3).sum(), x)
    np.testing.assert_allclose(gx.numpy(), 3 * x.array**2)
    assert x.grad is None


def test_second_derivative_with_create_graph():
    x = f64([0.5, -1.5])
    (gx,) = tg.autograd.grad((x**3).sum(), x, create_graph=True)
    assert gx.requires_grad
    (ggx,) = tg.autograd.grad(gx.sum(), x)
    np.testing.assert_allclose(ggx.numpy(), 6 * x.array)


def test_hessian_vector_product_of_a_quadratic_form():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 3))
    A = tg.tensor(a, dtype=tg.float64)  # noqa: N806
    x = f64(rng.standard_normal(3))
    v = tg.tensor(rng.standard_normal(3), dtype=tg.float64)
    f = (x @ A @ x) * 0.5
    (g,) = tg.autograd.grad(f, x, create_graph=True)
    (hv,) = tg.autograd.grad((g * v).sum(), x)
    np.testing.assert_allclose(hv.numpy(), 0.5 * (a + a.T) @ v.array)


def test_third_derivative_of_sin_through_tanh_free_ops():
    x = f64([0.3])
    (g1,) = tg.autograd.grad(x.sin().sum(), x, create_graph=True)
    (g2,) = tg.autograd.grad(g1.sum(), x, create_graph=True)
    (g3,) = tg.autograd.grad(g2.sum(), x)
    np.testing.assert_allclose(g3.numpy(), -np.cos(0.3))


def test_create_graph_on_backward_makes_grad_differentiable():
    x = f64([2.0])
    (x**2).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (ggx,) = tg.autograd.grad(x.grad.sum(), x)
    assert ggx.item() == 2.0


def test_grad_unused_input_raises_unless_allowed():
    x, y = f64([1.0]), f64([2.0])
    out = (x * 2).sum()
    with pytest.raises(RuntimeError, match="appears to not have been used"):
        tg.autograd.grad(out, [x, y], retain_graph=True)
    gx, gy = tg.autograd.grad(out, [x, y], allow_unused=True)
    assert gx.item() == 2.0 and gy is None


def test_grad_of_intermediate_tensor():
    x = f64([1.0, 2.0])
    h = x * 3
    out = (h * h).sum()
    (gh,) = tg.autograd.grad(out, h)
    np.testing.assert_allclose(gh.numpy(), 2 * h.array)


def test_no_grad_context_and_decorator_and_enable_grad():
    x = f64([1.0])
    with tg.no_grad():
        assert not (x * 2).requires_grad
        assert not tg.is_grad_enabled()
        with tg.enable_grad():
            assert (x * 2).requires_grad
    assert tg.is_grad_enabled()

    @tg.no_grad()
    def double(t):
        return t * 2

    assert not double(x).requires_grad and tg.is_grad_enabled()


def test_set_grad_enabled_as_function_and_context():
    x = f64([1.0])
    with tg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert tg.is_grad_enabled()


def test_manual_sgd_update_under_no_grad():
    w = f64([1.0, -1.0])
    loss = (w * w).sum()
    loss.backward()
    with tg.no_grad():
        w -= 0.25 * w.grad
    np.testing.assert_allclose(w.numpy() if not w.requires_grad else w.array, [0.5, -0.5])
    assert w.is_leaf and w.requires_grad


def test_detach_shares_data_and_cuts_the_graph():
    x = f64([1.0, 2.0])
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None
    y = x * 2
    yd = y.detach()
    assert np.shares_memory(yd.array, y.array)


def test_retain_grad_keeps_intermediate_gradient():
    x = f64([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), 2 * h.array)
    assert h.retains_grad


def test_register_hook_sees_and_replaces_gradients():
    x = f64([1.0, 2.0])
    seen = []
    handle = x.register_hook(lambda g: seen.append(g.numpy().copy()))
    h = x * 2
    h.register_hook(lambda g: g * 10)  # non-leaf hook changes what flows on
    h.sum().backward()
    np.testing.assert_allclose(seen[0], [20.0, 20.0])
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 20.0])
    handle.remove()
    x.grad = None
    (x * 1).sum().backward()
    assert len(seen) == 1


class Cube(Function):
    """out = x³; d/dx = 3x²."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.array**3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x * x


def test_custom_function_gradient_and_second_derivative():
    x = f64([1.0, -2.0])
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward0"
    assert tg.autograd.gradcheck(Cube.apply, (x,))
    assert tg.autograd.gradgradcheck(Cube.apply, (x,))


def test_custom_function_can_save_its_output_without_a_cycle():
    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            out = tg.tensor(np.exp(x.array))
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, g):
            (out,) = ctx.saved_tensors
            return g * out

    x = f64([0.0, 1.0])
    assert tg.autograd.gradcheck(Exp.apply, (x,))
    gc.disable()
    try:
        y = Exp.apply(x)
        node = weakref.ref(y.grad_fn)
        del y
        assert node() is None
    finally:
        gc.enable()


def test_needs_input_grad_tells_which_inputs_want_gradients():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen["needs"] = ctx.needs_input_grad
            return a.array + b.array

        @staticmethod
        def backward(ctx, g):
            return g, None

    Probe.apply(f64([1.0]), f64([1.0], requires_grad=False))
    assert seen["needs"] == (True, False)


def test_needs_input_grad_holds_bools_even_after_version_tuples_were_saved():
    class SaveBoth(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a.array * b.array

        @staticmethod
        def backward(ctx, g):
            return None, g

    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b):
            seen["needs"] = ctx.needs_input_grad
            return a.array + b.array

    # Saved versions (1, 0) == (True, False): needs_input_grad must never be handed
    # a tuple of version numbers, whatever tuples are shared between nodes.
    changed = f64([2.0], requires_grad=False)
    changed.add_(1.0)  # version 1
    SaveBoth.apply(changed, f64([3.0]))  # saves versions (1, 0)
    Probe.apply(f64([1.0]), f64([1.0], requires_grad=False))
    assert repr(seen["needs"]) == "(True, False)"


def test_backward_returning_wrong_number_of_gradients_is_an_error():
    class Bad(Function):
        @staticmethod
        def forward(ctx, a):
            return a.array * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match="returned 2 gradients; expected 1"):
        Bad.apply(f64([1.0])).sum().backward()


def test_inplace_change_to_saved_tensor_raises_at_backward_naming_the_op():
    x = f64([1.0, 2.0])
    h = x * 1
    y = h * h
    with tg.no_grad():
        h.add_(1.0)
    with pytest.raises(RuntimeError, match=r"by MulBackward0.*version 1; expected version 0"):
        y.sum().backward()


@pytest.mark.parametrize("op", ["exp", "sqrt", "tanh", "sigmoid"])  # the ops with saves_output
def test_inplace_change_to_saved_output_raises(op):
    x = f64([1.0, 2.0])
    y = getattr(x, op)()
    z = y.sum()
    y.array  # noqa: B018 - reading is fine
    with tg.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match=f"{op.capitalize()}Backward0.*in-place"):
        z.backward()


def test_custom_function_with_saves_output_reads_its_output_in_backward():
    class Cube(Function):  # out = a³, d/da = 3 a² = 3 out^(2/3): written with the output
        saves_output = True

        @staticmethod
        def forward(ctx, a):
            return a.array ** 3

        @staticmethod
        def backward(ctx, g):
            (out,) = ctx.saved_tensors
            return g * 3 * out.abs() ** (2 / 3)

    x = f64([2.0, 3.0])
    y = Cube.apply(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, [12.0, 27.0], rtol=1e-12)
    with tg.no_grad():  # nothing is saved when no gradient is wanted
        assert Cube.apply(x).grad_fn is None


@pytest.mark.parametrize("op", ["exp", "sqrt", "tanh", "sigmoid"])
def test_saved_output_gives_the_gradient_and_no_cycle(op):
    x = f64([0.3, 2.0])
    y = getattr(x, op)()
    node = y.grad_fn
    assert node.saved_tensors[0].array is y.array  # the output's own array, not a copy
    assert not any(t is y for t in node._saved)  # kept as its array: no cycle through grad_fn
    y.sum().backward()
    slope = {"exp": np.exp([0.3, 2.0]), "sqrt": 0.5 / np.sqrt([0.3, 2.0]),
             "tanh": 1 - np.tanh([0.3, 2.0]) ** 2,
             "sigmoid": np.exp(-np.array([0.3, 2.0])) / (1 + np.exp(-np.array([0.3, 2.0]))) ** 2}
    np.testing.assert_allclose(x.grad.array, slope[op], rtol=1e-12)


def test_inplace_on_leaf_requiring_grad_raises():
    w = f64([1.0])
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w += 1


def test_inplace_inside_graph_is_recorded_correctly():
    x = f64([1.0, 2.0])
    h = x * 2
    h += 3  # add saves nothing, so this is allowed and recorded
    h.mul_(x)  # h = (2x + 3) * x
    h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * x.array + 3)


def test_views_share_the_version_counter():
    x = f64([1.0, 2.0, 3.0, 4.0])
    h = x * 1
    v = h.reshape(2, 2)
    y = (v * v).sum()
    with tg.no_grad():
        h.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


def test_detect_anomaly_names_the_op_that_made_nan():
    x = f64([0.0, 1.0])
    with tg.autograd.detect_anomaly():
        y = x.sqrt()  # sqrt's backward at 0 divides 0 by 0: nan
        z = (y * 0).sum()
        with pytest.raises(RuntimeError, match=r"'SqrtBackward0' returned nan values"):
            z.backward()


def test_detect_anomaly_message_says_where_the_op_was_created():
    x = f64([0.0])
    with tg.autograd.detect_anomaly():
        z = (x.sqrt() * 0).sum()
        with pytest.raises(RuntimeError, match="It was created at:(.|\n)*test_autograd.py"):
            z.backward()


def test_without_detect_anomaly_nan_passes_silently_as_in_pytorch():
    x = f64([0.0])
    (x.sqrt() * 0).sum().backward()
    assert np.isnan(x.grad.item())


def test_gradcheck_failure_names_input_index_and_values():
    class WrongSin(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return np.sin(x.array)

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x.sin()  # wrong: should be cos

    x = f64([0.3, 0.7])
    with pytest.raises(tg.autograd.GradcheckError, match=r"input 0.*index \(0,\)(.|\n)*analytical"):
        tg.autograd.gradcheck(WrongSin.apply, (x,))
    assert tg.autograd.gradcheck(WrongSin.apply, (x,), raise_exception=False) is False


def test_gradcheck_warns_on_float32():
    x = tg.tensor([0.5], requires_grad=True)
    with pytest.warns(UserWarning, match="float64"):
        tg.autograd.gradcheck(lambda t: t * 2, (x,), atol=1e-2, rtol=1e-2)


def test_grad_of_leaf_is_not_aliased_between_inputs():
    a, b = f64([1.0, 2.0]), f64([3.0, 4.0])
    (a + b).sum().backward()
    assert not np.shares_memory(a.grad.array, b.grad.array)
    a.grad.array[0] = 100
    assert b.grad.array[0] == 1.0


def test_user_gradient_is_not_mutated_or_aliased():
    x = f64([1.0, 2.0])
    g = tg.tensor([1.0, 1.0], dtype=tg.float64)
    (x + 0).backward(g)
    (x + 0).backward(g)
    np.testing.assert_array_equal(g.numpy(), [1.0, 1.0])
    assert not np.shares_memory(x.grad.array, g.array)


def test_float32_input_with_float64_op_gets_float32_gradient():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    w = f64([3.0, 4.0], requires_grad=False)
    (x * w).sum().backward()
    assert x.grad.dtype == tg.float32


def test_broadcast_gradient_is_summed_to_the_input_shape():
    b = f64([1.0, 2.0, 3.0])
    x = f64(np.ones((4, 3)), requires_grad=False)
    (x * b).sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), [4.0, 4.0, 4.0])


def test_autograd_backward_on_several_outputs():
    x = f64([1.0, 2.0])
    tg.autograd.backward([(x * 2).sum(), (x * 3).sum()])
    np.testing.assert_array_equal(x.grad.numpy(), [5.0, 5.0])


def test_deepcopy_of_a_leaf_gets_its_own_gradients():
    import copy

    x = f64([1.0, 2.0])
    (x * 2).sum().backward()
    y = copy.deepcopy(x)
    assert y.grad.tolist() == [2.0, 2.0] and not np.shares_memory(y.array, x.array)
    y.grad = None
    (y * 3).sum().backward()
    assert y.grad.tolist() == [3.0, 3.0] and x.grad.tolist() == [2.0, 2.0]
    with pytest.raises(RuntimeError, match="graph leaves"):
        copy.deepcopy(x * 2)


def test_a_leaf_freed_before_backward_loses_only_its_own_gradient():
    # AccumulateGrad holds its leaf weakly: once the leaf is gone (Add keeps no
    # inputs), backward skips it and the other leaves still get theirs.
    x = f64([1.0, 2.0])
    w = f64([3.0, 4.0])
    y = (x + w * 2.0).sum()
    freed = weakref.ref(x)
    del x
    assert freed() is None
    y.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [2.0, 2.0])
