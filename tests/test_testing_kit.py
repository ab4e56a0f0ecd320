"""The verification kit itself: numerical gradients, the random-direction check,
gradcheck's warnings, the strategies (and their errors), random programs, and
assert_op_gradients catching each kind of broken op."""

import re

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.autograd import Function
from tinygrad_edu.autograd import engine as autograd_engine
from tinygrad_edu.testing import (
    GradcheckError,
    assert_op_gradients,
    broadcastable_tensors,
    check_random_direction,
    dims,
    gradcheck,
    gradgradcheck,
    indices,
    numerical_grad,
    programs,
    shapes,
    strategies,
    tensors,
)


# ----- numerical_grad ----------------------------------------------------------------------
def test_numerical_grad_of_a_scalar_function():
    x = tg.tensor([[1.0, -2.0], [0.5, 3.0]], dtype=tg.float64)
    (g,) = numerical_grad(lambda t: (t * t * t).sum(), [x])
    np.testing.assert_allclose(g, 3 * x.numpy() ** 2, rtol=1e-8)
    assert g.shape == x.shape and g.dtype == np.float64


def test_numerical_grad_with_an_upstream_gradient_and_several_inputs():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([[0.5], [-1.0]])
    upstream = np.arange(6.0).reshape(2, 3)
    ga, gb = numerical_grad(lambda x, y: x * y, [a, b], grad_output=upstream)
    np.testing.assert_allclose(ga, (upstream * b).sum(0), rtol=1e-8)
    np.testing.assert_allclose(gb, (upstream * a).sum(1, keepdims=True), rtol=1e-8)


def test_numerical_grad_works_in_float64_and_leaves_the_inputs_alone():
    x = tg.tensor([0.1, 0.2], dtype=tg.float32)
    before = x.numpy().copy()
    (g,) = numerical_grad(lambda t: (t * t).sum(), [x])
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, 2 * before.astype(np.float64), rtol=1e-6)
    assert np.array_equal(x.numpy(), before)


def test_numerical_grad_gives_none_for_integer_inputs():
    index = tg.tensor([1, 0])
    x = tg.tensor([1.0, 2.0], dtype=tg.float64)
    g_x, g_index = numerical_grad(lambda t, i: t[i].sum() * 2, [x, index])
    np.testing.assert_allclose(g_x, [2.0, 2.0])
    assert g_index is None


def test_numerical_grad_bad_input():
    x = tg.tensor([1.0, 2.0], dtype=tg.float64)
    with pytest.raises(ValueError, match=r"shape \(2,\), not a single value; pass grad_output"):
        numerical_grad(lambda t: t * 2, [x])
    with pytest.raises(ValueError, match=r"grad_output has shape \(3,\).*shape \(2,\)"):
        numerical_grad(lambda t: t * 2, [x], grad_output=np.ones(3))
    with pytest.raises(TypeError, match="must return a Tensor, got float"):
        numerical_grad(lambda t: 1.0, [x])
    with pytest.raises(ValueError, match="eps must be positive"):
        numerical_grad(lambda t: t.sum(), [x], eps=0)


# ----- the random-direction check ----------------------------------------------------------
def test_random_direction_check_on_a_large_input():
    x = tg.randn(300, 40, dtype=tg.float64, requires_grad=True)
    w = tg.randn(40, 7, dtype=tg.float64, requires_grad=True)
    analytical, numerical = check_random_direction(lambda a, b: (a @ b).tanh(), [x, w])
    assert analytical == pytest.approx(numerical, rel=1e-6)
    assert abs(analytical) > 1e-3  # a real comparison, not 0 == 0


class _WrongTanh(Function):
    """tanh with the derivative 1 - tanh, not 1 - tanh²: wrong on purpose."""

    @staticmethod
    def forward(ctx, x):
        out = np.tanh(x.array)
        ctx.save_for_backward(tg.tensor(out))
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return grad_output * (1 - out)


def test_random_direction_check_catches_a_wrong_gradient():
    x = tg.randn(50, 20, dtype=tg.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match=r"analytical <v, J u>: .*\n.*numerical  <v, J u>:"):
        check_random_direction(_WrongTanh.apply, [x])


def test_random_direction_check_needs_an_input_requiring_grad():
    with pytest.raises(ValueError, match="requires_grad=True"):
        check_random_direction(lambda t: t * 2, [tg.ones(2, dtype=tg.float64)])


# ----- gradcheck / gradgradcheck re-exported --------------------------------------------------
def test_gradcheck_warns_for_float32_inputs():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="float32, not float64.*not trustworthy"):
        assert gradcheck(lambda t: (t * 3).sum(), [x], eps=1e-2, atol=1e-2, rtol=1e-2)


def test_gradcheck_and_gradgradcheck_catch_a_wrong_derivative():
    x = tg.tensor([0.3, -0.7], dtype=tg.float64, requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 0 .*\n  analytical: .*\n  numerical: "):
        gradcheck(_WrongTanh.apply, [x])
    assert gradgradcheck(tg.tanh, [x])


def test_gradcheck_with_an_empty_input():
    """Regression: an empty input's numerical Jacobian was (0, 0), not (outputs, 0)."""
    x = tg.zeros(0, dtype=tg.float64, requires_grad=True)
    y = tg.tensor([1.0, 2.0], dtype=tg.float64, requires_grad=True)
    assert gradcheck(lambda a, b: b * 2 + a.sum(), [x, y])


# ----- strategies -------------------------------------------------------------------------------
@pytest.mark.parametrize("make, message", [
    (lambda: shapes(min_dims=-1), "min_dims must be >= 0"),
    (lambda: shapes(min_side=3, max_side=2), "min_side=3 is larger than max_side=2"),
    (lambda: shapes(max_dims=1.5), "max_dims must be an int"),
    (lambda: tensors(shape=(2, -1)), r"shape \(2, -1\) has a negative size"),
    (lambda: tensors(dtype=[]), "empty list of dtypes"),
    (lambda: tensors(dtype=tg.int64, requires_grad=True), "requires_grad=True needs floating"),
    (lambda: broadcastable_tensors(0), "n must be a positive int"),
    (lambda: broadcastable_tensors(2, min_side=-2), "min_side must be >= 0"),
    (lambda: dims(-1), "ndim must be an int >= 0"),
    (lambda: indices((3, -1)), "negative size"),
    (lambda: programs(max_ops=0), "max_ops must be at least 1"),
    (lambda: programs(min_ops=4, max_ops=2), "min_ops=4 is larger than max_ops=2"),
    (lambda: programs(unary_ops={}, binary_ops={}), "at least one op"),
])
def test_impossible_strategies_fail_when_defined(make, message):
    with pytest.raises(ValueError, match=message):
        make()


@given(tensors(shape=shapes(max_dims=2), dtype=[tg.float32, tg.float64], requires_grad=True))
def test_tensors_strategy(x):
    assert isinstance(x, tg.Tensor) and x.requires_grad and x.is_leaf
    assert x.dtype in (tg.float32, tg.float64) and x.ndim <= 2
    assert np.all(np.abs(x.numpy() if not x.requires_grad else x.detach().numpy()) <= 3)


@given(tensors(shape=(2, 3), dtype=tg.int64, elements=st.integers(10, 12)))
def test_tensors_strategy_with_elements(x):
    assert x.shape == (2, 3) and x.dtype == tg.int64
    assert set(np.unique(x.numpy())) <= {10, 11, 12}


@given(broadcastable_tensors(3, max_dims=3))
def test_broadcastable_tensors_broadcast(xs):
    assert len(xs) == 3
    out = xs[0] + xs[1] * xs[2]
    assert out.shape == np.broadcast_shapes(*[x.shape for x in xs])


@given(st.data())
def test_dims_are_valid_for_reductions(data):
    x = data.draw(tensors(shape=shapes(min_dims=0, max_dims=3)))
    dim = data.draw(dims(x.ndim))
    axis = None if x.ndim == 0 else dim
    np.testing.assert_allclose(x.sum(dim).numpy(), np.sum(x.numpy(), axis=axis), rtol=1e-12)
    assert data.draw(dims(x.ndim, allow_tuple=False, allow_negative=False)) >= 0


@given(st.data())
def test_indices_index_like_numpy(data):
    x = data.draw(tensors(shape=shapes(min_dims=1, max_dims=3)))
    index = data.draw(indices(x.shape))
    np.testing.assert_array_equal(x[index].numpy(), x.numpy()[index])


@given(st.data())
def test_random_programs_pass_gradcheck(data):
    """Fuzz the engine: random graphs (shared subexpressions, diamonds) vs finite differences."""
    program = data.draw(programs(num_inputs=2, max_ops=6))
    xs = data.draw(broadcastable_tensors(2, max_dims=2, requires_grad=True))
    assert gradcheck(program, list(xs))


def test_programs_print_as_a_listing():
    program = strategies.Program(2, [("mul", lambda a, b: a * b, (0, 1)),
                                      ("tanh", lambda a: a.tanh(), (2,))])
    assert repr(program) == (
        "program(v0, v1):\n    v2 = mul(v0, v1)\n    v3 = tanh(v2)\n    return v3")
    assert program(tg.tensor(2.0), tg.tensor(0.25)).item() == pytest.approx(np.tanh(0.5))
    with pytest.raises(TypeError, match="takes 2 inputs, got 1"):
        program(tg.tensor(1.0))


@given(st.data())
def test_random_programs_agree_with_torch(data):
    torch = pytest.importorskip("torch")
    program = data.draw(programs(num_inputs=2, max_ops=6))
    xs = data.draw(broadcastable_tensors(2, min_dims=1, max_dims=2, requires_grad=True))
    ts = [torch.tensor(x.detach().numpy(), requires_grad=True) for x in xs]
    out, expected = program(*xs), program(*ts)
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-10)
    out.sum().backward()
    expected.sum().backward()
    for x, t in zip(xs, ts):
        got = np.zeros(x.shape) if x.grad is None else x.grad.numpy()
        want = np.zeros(x.shape) if t.grad is None else t.grad.numpy()
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_a_users_op_inside_random_programs():
    def softplus(x):
        return (x.exp() + 1).log()

    unary = {**strategies.DEFAULT_UNARY_OPS, "softplus": softplus}

    @given(programs(unary_ops=unary, max_ops=4), tensors(shape=(3,), requires_grad=True))
    def check(program, x):
        assert gradcheck(program, [x])

    check()


# ----- assert_op_gradients catching broken ops ---------------------------------------------------
# Failing on purpose: skip hypothesis' shrinking, which would only cost time here.
NO_SHRINK = settings(phases=[Phase.explicit, Phase.reuse, Phase.generate])

class _WrongSoftplus(Function):
    """softplus(x) = log(1 + e^x), whose derivative is σ(x); this backward forgets the σ."""

    @staticmethod
    def forward(ctx, x):
        return np.logaddexp(0, x.array)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


def test_a_broken_backward_is_caught_with_a_readable_message():
    with pytest.raises(AssertionError) as error:
        assert_op_gradients(_WrongSoftplus.apply, reference=lambda x: np.logaddexp(0, x),
                            hypothesis_settings=NO_SHRINK)
    message = str(error.value)
    assert message.startswith("assert_op_gradients(_WrongSoftplus.apply): the gradient of input 0")
    assert "disagrees with finite differences at index" in message
    number = r"(?:np\.float64\()?([-+0-9.e]+)\)?"
    analytical = float(re.search(r"analytical: " + number, message).group(1))
    numerical = float(re.search(r"numerical:  " + number, message).group(1))
    assert analytical != pytest.approx(numerical, rel=1e-3)
    inputs = re.search(r"input 0: array\(([^)]*)\)", message).group(1)
    upstream = re.search(r"upstream gradient: array\(([^)]*)\)", message).group(1)
    assert inputs and upstream


def test_an_op_returning_a_non_tensor_is_refused_clearly():
    with pytest.raises(TypeError, match=r"returned a \w+, not a Tensor"):
        assert_op_gradients(lambda x: x.array * 2, hypothesis_settings=NO_SHRINK)


def test_a_wrong_reference_is_reported():
    with pytest.raises(AssertionError, match="values differ from the reference"):
        assert_op_gradients(lambda x: x * 2, reference=lambda x: x * 3,
                            hypothesis_settings=NO_SHRINK)


class _MutatesItsInput(Function):
    @staticmethod
    def forward(ctx, x):
        x.array += 1.0  # the bug being caught
        return x.array * 2

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 2


def test_an_op_that_changes_its_input_is_caught():
    with pytest.raises(AssertionError, match="input 0 was changed by the op or its backward"):
        assert_op_gradients(_MutatesItsInput.apply, smooth=False,
                            hypothesis_settings=NO_SHRINK)


class _MutatesTheUpstreamGradient(Function):
    @staticmethod
    def forward(ctx, x):
        return x.array.copy()

    @staticmethod
    def backward(ctx, grad_output):
        grad_output.array *= 2  # the bug being caught; the value returned is still right
        return grad_output / 2


def test_a_backward_that_changes_the_upstream_gradient_is_caught():
    with pytest.raises(AssertionError, match="the upstream gradient was changed by backward"):
        assert_op_gradients(_MutatesTheUpstreamGradient.apply, smooth=False,
                            hypothesis_settings=NO_SHRINK)


class _KeepsItsOutput(Function):
    @staticmethod
    def forward(ctx, x):
        out = tg.tensor(x.array * 3)
        ctx.output = out  # a reference cycle: output -> grad_fn (ctx) -> output
        return out

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 3


def test_a_graph_kept_alive_by_a_cycle_is_caught():
    with pytest.raises(AssertionError, match="graph is not released after backward"):
        assert_op_gradients(_KeepsItsOutput.apply, smooth=False,
                            hypothesis_settings=NO_SHRINK)


def test_aliased_gradients_are_caught(monkeypatch):
    """Simulate an engine that stores one array as two leaves' .grad (the real one copies)."""
    def accumulate_without_copying(tensor, grad, handed_out, create_graph):
        tensor.grad = grad.detach()

    monkeypatch.setattr(autograd_engine, "_accumulate_into", accumulate_without_copying)
    with pytest.raises(AssertionError, match="gradient of input 0 shares memory with"):
        assert_op_gradients(lambda a, b: a + b, num_inputs=2, broadcast=False, smooth=False,
                            check_float32=False, hypothesis_settings=NO_SHRINK)


def test_a_wrong_second_derivative_is_caught():
    class FirstOrderOnly(Function):
        """x³ whose backward uses a constant 3x² computed in numpy: right value, but the
        gradient is not differentiable again (its second derivative comes out as 0)."""

        @staticmethod
        def forward(ctx, x):
            ctx.slope = tg.tensor(3 * x.array**2)
            return x.array**3

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.slope

    with pytest.raises(AssertionError, match="second derivatives disagree"):
        assert_op_gradients(FirstOrderOnly.apply, avoid=[0.0], margin=0.5,
                            hypothesis_settings=NO_SHRINK)
    assert_op_gradients(FirstOrderOnly.apply, avoid=[0.0], margin=0.5, smooth=False)


def test_domains_avoid_points_and_kwargs_reach_the_op():
    seen = []

    def op(a, b, power):
        seen.append((a.detach().numpy().copy(), b.detach().numpy().copy(), power))
        return a * b**power

    assert_op_gradients(op, num_inputs=2, domain=[(-1.0, 1.0), (2.0, 4.0)],
                        avoid=[[0.0], []], margin=0.25, kwargs={"power": st.sampled_from([1, 2])})
    eps = 1e-5
    assert all(np.all(np.abs(a) >= 0.25 - eps) and np.all(np.abs(a) <= 1.25 + eps)
               for a, _, _ in seen)
    assert all(np.all((b >= 2.0 - eps) & (b <= 4.0 + eps)) for _, b, _ in seen)
    assert {power for _, _, power in seen} == {1, 2}


def test_distinct_values_have_no_ties():
    seen = []

    def op(a, b):
        seen.append(np.concatenate([a.detach().numpy().ravel(), b.detach().numpy().ravel()]))
        return a.maximum(b)

    assert_op_gradients(op, num_inputs=2, distinct=True, smooth=False, check_float32=False)
    gaps = [np.min(np.diff(np.sort(v))) for v in seen if v.size > 1]
    assert gaps and min(gaps) > 1e-3


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match=r"domain \(2, 1\) is empty"):
        assert_op_gradients(tg.exp, domain=(2, 1))
    with pytest.raises(ValueError, match="domain must be one setting or a list of 2"):
        assert_op_gradients(tg.add, num_inputs=2, domain=[(0, 1), (0, 1), (0, 1)])
    with pytest.raises(ValueError, match="num_inputs must be a positive int"):
        assert_op_gradients(tg.exp, num_inputs=0)


def test_without_hypothesis_the_kit_says_which_extra_to_install(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "sitecustomize.py").write_text(
        "import importlib.abc, sys\n"
        "class Hide(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'hypothesis':\n"
        "            raise ModuleNotFoundError('No module named hypothesis', name=name)\n"
        "sys.meta_path.insert(0, Hide())\n")
    repo = Path(__file__).resolve().parents[1]
    code = ("from tinygrad_edu.testing import gradcheck\n"  # works without hypothesis
            "from tinygrad_edu.testing import assert_op_gradients\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(repo)]))
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "ImportError: tinygrad_edu.testing.assert_op_gradients needs hypothesis, which is not "
        'installed. Install the testing kit\'s extra: pip install "tinygrad_edu[test]"  (from '
        'a clone: pip install -e ".[test]"). gradcheck and numerical_grad work without it.')
