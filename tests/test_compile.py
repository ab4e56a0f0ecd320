"""tg.compile: a compiled step gives eager mode's numbers, bit for bit, or runs eagerly and
says why (docs/compile.md).

Each equality test runs the same step from the same state twice, eagerly and compiled,
for more steps than the two recordings, and compares everything a user can see:
returned values, parameters, gradients, optimizer state, batch norm's buffers.
"""

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.nn import functional as F  # noqa: N812

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: `benchmarks`

from benchmarks import models_tinygrad  # noqa: E402
from benchmarks.problems import (  # noqa: E402
    MakemoreSpec,
    MLPSpec,
    NeuronSpec,
    init_weights,
    make_batches,
    makemore_batches,
    makemore_weights,
    neuron_batches,
)

STEPS = 9


def _arrays(value):
    """Every array in a nested value, in order (tensors by their arrays; None kept)."""
    if isinstance(value, tg.Tensor):
        return [value.array]
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _arrays(v)]
    if isinstance(value, dict):
        return [a for k in sorted(value, key=str) for a in _arrays(value[k])]
    return [value]


def _same(a, b, what):
    assert len(a) == len(b), what
    for i, (x, y) in enumerate(zip(a, b)):
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            assert isinstance(x, np.ndarray) and isinstance(y, np.ndarray), (what, i)
            assert x.dtype == y.dtype and x.shape == y.shape, (what, i)
            assert x.tobytes() == y.tobytes(), f"{what} {i} differs"
        else:
            assert type(x) is type(y) and x == y, (what, i, x, y)


def _visible_state(model, optimizer=None):
    """What a user can look at after a step (gradients included, None where unset)."""
    state = [p.array for p in model.parameters()]
    state += [p.grad.array if p.grad is not None else None for p in model.parameters()]
    state += [b.array for b in model.buffers()]
    state += [p._version.value for p in model.parameters()]  # in-place changes counted
    if optimizer is not None:
        for p in model.parameters():
            state += _arrays(optimizer.state.get(p, {}))
    return state


def _compare(make, batches, steps=STEPS):
    """``make()`` gives (model, optimizer, step function); run it eagerly and compiled."""
    runs = {}
    for compiled in (False, True):
        model, optimizer, step = make()
        fn = tg.compile(step) if compiled else step
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a fallback would be a test failure here
            outs = [fn(*batches[k % len(batches)]) for k in range(steps)]
        runs[compiled] = (outs, _visible_state(model, optimizer), fn)
    eager, compiled = runs[False], runs[True]
    for k, (a, b) in enumerate(zip(eager[0], compiled[0])):
        _same(_arrays(a), _arrays(b), f"the value returned by step {k}")
    _same(eager[1], compiled[1], "the state after the steps")
    program = [e.program for e in compiled[2]._entries.values()]
    assert program and all(p is not None for p in program), "the step was not compiled"
    return compiled[0]


# ----- the benchmark networks -----------------------------------------------------------
def _tensor_batches(batches):
    return [(tg.tensor(x), tg.tensor(t)) for x, t in batches]


@pytest.mark.parametrize("spec", [
    MLPSpec((2, 3, 1), "sigmoid", "sigmoid", "half_sse", batch=4, dtype="float64"),
    MLPSpec((2, 16, 16, 1), "tanh", "identity", "mse", batch=64, dtype="float32"),
    MLPSpec((12, 7, 6, 4), "relu", "identity", "cross_entropy", batch=9, dtype="float32"),
], ids=["xor-2-3-1", "2-16-16-1", "relu-cross-entropy"])
def test_raw_ops_step_with_manual_sgd_equals_eager(spec):
    """``W -= lr * W.grad`` under no_grad and ``W.grad = None``, as benchmarks/ writes it."""
    weights, batches = init_weights(spec), _tensor_batches(make_batches(spec))

    def make():
        model = models_tinygrad.TinygradMLP(spec, weights, [])
        holder = nn.Module()
        for i, (w, b) in enumerate(model.params):
            holder.register_parameter(f"w{i}", nn.Parameter(w))
            holder.register_parameter(f"b{i}", nn.Parameter(b))
        model.params = [(getattr(holder, f"w{i}"), getattr(holder, f"b{i}"))
                        for i in range(len(model.params))]

        def step(x, t):
            model.batches = [(x, t)]
            return model.step(0)

        return holder, None, step

    losses = _compare(make, batches)
    assert losses[0].grad_fn is not None  # recorded eagerly
    assert losses[-1].grad_fn is None and not losses[-1].requires_grad  # replayed: a copy


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_nn_sequential_with_an_optimizer_equals_eager(optimizer):
    batches = _tensor_batches(make_batches(MLPSpec((2, 16, 16, 1), "tanh", "identity", "mse",
                                                   batch=16, dtype="float32")))

    def make():
        tg.manual_seed(0)
        model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                              nn.Linear(16, 1))
        opt = {"sgd": lambda p: optim.SGD(p, lr=0.1),
               "momentum": lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
               "adam": lambda p: optim.Adam(p, lr=0.01)}[optimizer](model.parameters())
        loss_fn = nn.MSELoss()

        def step(x, y):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        return model, opt, step

    losses = _compare(make, batches, steps=12)
    assert all(isinstance(v, float) for v in losses)


def test_the_sigmoid_neuron_of_seed_000_equals_eager():
    spec = NeuronSpec()
    batches = [(tg.from_numpy(x), tg.from_numpy(y)) for x, y in neuron_batches(spec)]

    def make():
        model = models_tinygrad.TinygradNeuron(spec, [])

        def step(xb, yb):
            model.batches = [(xb.numpy(), yb.numpy())]
            return model.step(0)

        return model.model, model.optimizer, step

    _compare(make, batches)


def test_the_makemore_step_with_batch_norm_equals_eager():
    """Embedding, BatchNorm1d (running stats, num_batches_tracked), F.cross_entropy."""
    spec = MakemoreSpec()
    weights = makemore_weights(spec)
    batches = [(tg.from_numpy(x), tg.from_numpy(t)) for x, t in makemore_batches(spec)]

    def make():
        m = models_tinygrad.TinygradMakemore(spec, weights, [])
        holder = nn.ModuleList([m.emb, m.lin1, m.bn, m.lin2])

        def step(xb, yb):
            m.batches = [(xb.numpy(), yb.numpy())]
            return m.step(0)

        return holder, None, step

    losses = _compare(make, batches, steps=10)
    assert losses[0] > losses[-1]  # it trains


def test_dropout_replays_fresh_masks_from_the_generator():
    x = tg.tensor(np.linspace(-1, 1, 40, dtype=np.float32).reshape(8, 5))
    y = tg.tensor(np.ones((8, 1), dtype=np.float32))

    def make():
        tg.manual_seed(3)
        model = nn.Sequential(nn.Linear(5, 6), nn.ReLU(), nn.Dropout(0.5), nn.Linear(6, 1))
        opt = optim.SGD(model.parameters(), lr=0.05)

        def step(xb, yb):
            opt.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            opt.step()
            return loss

        return model, opt, step

    losses = _compare(make, [(x, y)], steps=8)
    assert len({v.item() for v in losses}) == 8  # a new mask every step, also when replayed


def test_an_inference_function_under_no_grad_and_a_compiled_module():
    tg.manual_seed(1)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    compiled = tg.compile(model)
    xs = [tg.randn(5, 4) for _ in range(4)]

    @tg.no_grad()
    def predict(x):
        return model(x).softmax(1)

    fast = tg.compile(predict)
    for k in range(8):
        x = xs[k % 4]
        expected = predict(x)
        _same(_arrays(fast(x)), _arrays(expected), "predict")
        with tg.no_grad():
            _same(_arrays(compiled(x)), _arrays(model(x)), "compiled module")
    assert all(e.program is not None for e in fast._entries.values())
    # the wrapper behaves like the module
    assert list(compiled.state_dict()) == list(model.state_dict())
    assert [id(p) for p in compiled.parameters()] == [id(p) for p in model.parameters()]
    compiled.eval()
    assert model.training is False and compiled._orig_mod is model


def test_new_shapes_are_recorded_anew_and_a_scheduled_lr_is_read_at_replay():
    tg.manual_seed(0)
    model = nn.Linear(3, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    sched = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    tg.manual_seed(0)
    twin = nn.Linear(3, 1)
    twin_opt = optim.SGD(twin.parameters(), lr=0.1)
    twin_sched = optim.lr_scheduler.ExponentialLR(twin_opt, gamma=0.5)

    def step_of(m, o):
        def step(x):
            o.zero_grad()
            loss = m(x).square().mean()
            loss.backward()
            o.step()
            return loss.item()
        return step

    fast, slow = tg.compile(step_of(model, opt)), step_of(twin, twin_opt)
    for k in range(10):
        x = tg.ones(2 + k % 3, 3) * (k + 1)  # three batch sizes
        assert fast(x) == slow(x)
        sched.step()
        twin_sched.step()
    assert model.weight.array.tobytes() == twin.weight.array.tobytes()
    assert len(fast._entries) == 3


# ----- fallbacks: each says why, once, gives eager's numbers, and fullgraph raises ----------
def _fallback_case(step_factory, inputs, reason, calls=4):
    """Run the step eagerly and compiled; check the warning, the numbers and fullgraph."""
    eager_step, compiled_step = step_factory(), step_factory()
    fn = tg.compile(compiled_step)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for k in range(calls):
            got, expected = fn(*inputs(k)), eager_step(*inputs(k))
            _same(_arrays(got), _arrays(expected), f"call {k}")
    messages = [str(w.message) for w in caught if "tg.compile" in str(w.message)]
    assert len(messages) == 1, messages  # said once
    assert reason in messages[0]
    strict = tg.compile(step_factory(), fullgraph=True)
    with pytest.raises(RuntimeError, match="fullgraph=True") as raised:
        for k in range(calls):
            strict(*inputs(k))
    assert reason in str(raised.value)


def _net():
    tg.manual_seed(0)
    return nn.Linear(3, 2)


def _x(k):
    return (tg.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) * (k + 1) - 4),)


def test_item_in_the_middle_of_the_step_falls_back():
    def factory():
        model = _net()

        def step(x):
            y = model(x)
            scale = y.abs().max().item()  # read, then used by more ops: a graph break
            return (y / scale).sum()
        return step

    with tg.no_grad():
        _fallback_case(factory, _x, "in the middle of the step (a graph break)")


def test_a_branch_on_a_tensor_value_falls_back():
    def factory():
        model = _net()

        def step(x):
            y = model(x).sum()
            if y > 0:  # bool(tensor)
                return y * 2
            return y - 1
        return step

    with tg.no_grad():
        _fallback_case(factory, _x, "bool(tensor) reads a tensor's value into Python")


def test_a_hook_falls_back():
    def factory():
        model = _net()

        def step(x):
            model.zero_grad()
            y = model(x)
            y.register_hook(lambda g: g * 2)
            y.sum().backward()
            return model.weight.grad.clone()
        return step

    _fallback_case(factory, _x, "a hook")


def test_retain_grad_falls_back():
    def factory():
        model = _net()

        def step(x):
            model.zero_grad()
            y = model(x)
            y.retain_grad()
            y.sum().backward()
            return y.grad.clone()
        return step

    _fallback_case(factory, _x, "a hook (register_hook or retain_grad)")


def test_random_numbers_drawn_outside_the_library_fall_back():
    rng = np.random.default_rng(0)
    draws = [rng.normal(size=3).astype(np.float32) for _ in range(8)]

    def factory():
        counter = iter(draws)

        def step(x):
            noise = tg.tensor(next(counter))  # new values every call, made outside any op
            return x.sum(0) + noise
        return step

    _fallback_case(factory, _x, "whose values changed between calls")


def test_a_value_read_but_not_returned_falls_back():
    def factory():
        seen = []

        def step(x):
            y = (x * 2).sum()
            seen.append(y.item())
            return y
        return step

    _fallback_case(factory, _x, "that the step does not return")


def test_python_choices_that_differ_between_calls_fall_back():
    def factory():
        calls = [0]

        def step(x):
            calls[0] += 1
            return x.exp() if calls[0] % 2 else x.tanh()  # Python state, not a tensor value
        return step

    _fallback_case(factory, _x, "decides differently from call to call")


def test_an_in_place_copy_inside_the_step_falls_back():
    buffer = tg.zeros(3)

    def factory():
        def step(x):
            buffer.copy_(x.sum(0))
            return buffer * 2
        return step

    _fallback_case(factory, _x, "copy_ writes into a tensor in place")


def test_autograd_grad_falls_back():
    def factory():
        model = _net()

        def step(x):
            (g,) = tg.autograd.grad(model(x).sum(), [model.weight])
            return g
        return step

    _fallback_case(factory, _x, "autograd.grad()")


def test_a_forward_whose_output_is_differentiated_outside_falls_back():
    def factory():
        model = _net()
        return lambda x: model(x)

    _fallback_case(factory, _x, "returns a tensor that requires grad")


def test_too_many_shapes_fall_back_after_the_recompile_limit():
    def factory():
        return lambda x: (x * 3).sum(0)

    limit = tg.compiler.RECOMPILE_LIMIT
    _fallback_case(factory, lambda k: (tg.ones(k + 1, 2),), f"recorded {limit} times",
                   calls=limit + 2)


def test_changed_dtype_and_requires_grad_record_anew_with_eager_numbers():
    fn = tg.compile(lambda x: (x * x).sum())
    eager = lambda x: (x * x).sum()  # noqa: E731
    for dtype in (tg.float32, tg.float64, tg.float32, tg.float64):
        for requires_grad in (False, True):
            x = tg.ones(3, dtype=dtype, requires_grad=requires_grad) * 1.5
            with tg.no_grad():
                _same(_arrays(fn(x)), _arrays(eager(x)), f"{dtype} {requires_grad}")
    assert len(fn._entries) == 4 and all(e.program for e in fn._entries.values())


# ----- the adversarial ones: a value a careless compiler would bake in --------------------
def test_a_global_learning_rate_changed_between_calls_is_not_stale():
    module = sys.modules[__name__]
    module.LR = 0.5
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    w_eager = tg.tensor([1.0, 2.0], requires_grad=True)

    def update(p):
        with tg.no_grad():
            p -= LR * p  # noqa: F821 - the module global set above

    fast = tg.compile(update)
    for k in range(6):
        if k == 4:
            module.LR = 0.25  # after the program was made
        fast(w)
        update(w_eager)
        assert w.array.tobytes() == w_eager.array.tobytes(), k


def test_a_module_setting_changed_between_calls_is_not_stale():
    tg.manual_seed(0)
    bn = nn.BatchNorm1d(3, momentum=0.1)
    x = tg.randn(6, 3)

    @tg.no_grad()
    def step(inp):
        return bn(inp)

    fast = tg.compile(step)
    for _ in range(3):
        fast(x)
    bn.momentum = 0.5
    before = bn.running_mean.array.copy()
    fast(x)
    mean = x.array.mean(0)
    np.testing.assert_allclose(bn.running_mean.array, 0.5 * before + 0.5 * mean, rtol=1e-6)


def test_a_python_counter_made_into_a_tensor_is_never_replayed_stale():
    calls = [0]

    def step(x):
        calls[0] += 1
        return x * tg.tensor(float(calls[0]))

    fast = tg.compile(step)
    x = tg.ones(2)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        results = [fast(x).array[0] for _ in range(5)]
    assert results == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_a_changed_train_eval_mode_is_recorded_anew():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5))
    x = tg.ones(3, 4)
    fast = tg.compile(tg.no_grad()(lambda inp: model(inp)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            fast(x)
        model.eval()
        with tg.no_grad():
            expected = model(x)
        _same(_arrays(fast(x)), _arrays(expected), "eval mode after train mode")


def test_a_step_calling_another_compiled_function_is_recorded_as_eager_ops():
    inner = tg.compile(lambda x: x * 2)
    outer = tg.compile(lambda x: inner(x) + 1)
    for _ in range(4):
        assert outer(tg.ones(2)).tolist() == [3.0, 3.0]


def test_compile_takes_pytorchs_arguments():
    def f(x):
        return x + 1

    assert tg.compile(f, disable=True) is f
    g = tg.compile(mode="reduce-overhead", dynamic=False, backend="inductor")(f)
    assert g(tg.ones(1)).tolist() == [2.0]
    with pytest.raises(TypeError, match="expects a function or a Module"):
        tg.compile(3)


# ----- gradients: accumulation across backward passes and across calls ----------------------
def test_two_backward_passes_in_one_step_and_an_update_that_reads_the_sum():
    x = tg.tensor(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3))

    def make():
        tg.manual_seed(0)
        model = nn.Linear(3, 2)

        def step(inp):
            model.zero_grad()
            model(inp).tanh().sum().backward()
            (model(inp) ** 2).mean().backward()  # adds into the same .grad
            with tg.no_grad():
                for p in model.parameters():
                    p -= 0.1 * p.grad  # reads the sum of both
            return model.weight.grad.sum().item()

        return model, None, step

    _compare(make, [(x,), (x * 2,), (x - 1,)], steps=8)


def test_gradients_that_accumulate_across_calls_as_without_zero_grad():
    x = tg.tensor(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3))

    def make():
        tg.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.Sigmoid(), nn.Linear(4, 1))

        def step(inp):
            loss = model(inp).square().mean()
            loss.backward()  # no zero_grad: .grad keeps growing, call after call
            return loss

        return model, None, step

    _compare(make, [(x,), (x * 3,)], steps=8)


def test_a_kept_gradient_is_a_copy_of_that_step_or_documented_aliasing():
    """After a replay p.grad lives in a buffer of the program: keep a clone to keep it."""
    tg.manual_seed(0)
    model = nn.Linear(2, 1)

    def step(inp):
        model.zero_grad()
        model(inp).sum().backward()

    fast = tg.compile(step)
    kept = []
    for k in range(5):
        fast(tg.ones(3, 2) * (k + 1))
        kept.append(model.weight.grad.clone())
    # d/dW of a sum is the inputs' column sums: 3 (k + 1) each
    assert [g.tolist() for g in kept] == [[[3.0 * (k + 1)] * 2] for k in range(5)]


# ----- batch norm and cross-entropy: their kernels (defaults) and the general way ------------
@pytest.mark.parametrize("options", [{}, {"label_smoothing": 0.1},
                                     {"weight": "w", "ignore_index": 1, "reduction": "sum"}])
def test_cross_entropy_with_batch_norm_in_train_and_eval_mode_equals_eager(options):
    rng = np.random.default_rng(0)
    x = tg.tensor(rng.normal(size=(12, 5)).astype(np.float32))
    targets = [tg.tensor(rng.integers(0, 4, size=12)) for _ in range(3)]
    options = {k: (tg.tensor([1.0, 2.0, 0.5, 1.5]) if v == "w" else v)
               for k, v in options.items()}

    def make():
        tg.manual_seed(0)
        model = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.Tanh(), nn.Linear(8, 4))
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.5)

        def step(inp, target):
            opt.zero_grad()
            loss = F.cross_entropy(model(inp), target, **options)
            loss.backward()
            opt.step()
            return loss.item()

        return model, opt, step

    _compare(make, [(x, t) for t in targets], steps=8)


def test_batch_norm_in_eval_mode_under_no_grad_equals_eager():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 6), nn.BatchNorm1d(6), nn.ReLU())
    with tg.no_grad():
        model(tg.randn(10, 3))  # running statistics that are not 0 and 1
    model.eval()
    fast = tg.compile(tg.no_grad()(lambda inp: model(inp)))
    for k in range(5):
        x = tg.randn(4, 3)
        with tg.no_grad():
            expected = model(x)
        _same(_arrays(fast(x)), _arrays(expected), f"call {k}")


def test_a_class_index_out_of_range_raises_at_replay_too():
    tg.manual_seed(0)
    model = nn.Linear(3, 4)

    def step(inp, target):
        model.zero_grad()
        loss = F.cross_entropy(model(inp), target)
        loss.backward()
        return loss.item()

    fast = tg.compile(step)
    x = tg.ones(2, 3)
    for _ in range(3):
        fast(x, tg.tensor([0, 3]))
    assert any(e.program is not None for e in fast._entries.values())
    with pytest.raises(IndexError, match="Target 4 is out of bounds"):
        fast(x, tg.tensor([4, 0]))


def test_a_global_numpy_number_changed_between_calls_is_not_stale():
    module = sys.modules[__name__]
    module.SCALE = np.float32(2.0)

    def step(x):
        return x * tg.tensor(SCALE)  # noqa: F821 - the module global set above

    fast = tg.compile(step)
    x = tg.ones(3)
    assert [fast(x).tolist() for _ in range(3)] == [[2.0] * 3] * 3
    module.SCALE = np.float32(5.0)
    assert fast(x).tolist() == [5.0] * 3


def test_an_array_shared_with_from_numpy_is_read_at_every_replay():
    data = np.ones(3, dtype=np.float32)

    def step(x):
        return x * tg.from_numpy(data)

    fast = tg.compile(step)
    x = tg.ones(3)
    for _ in range(3):
        fast(x)
    data[:] = 7.0  # changed in place after the program was made
    assert fast(x).tolist() == [7.0] * 3


def test_a_compiled_step_in_two_threads_keeps_each_threads_recording_apart():
    import threading

    def make_step():
        tg.manual_seed(0)
        model = nn.Linear(3, 1)
        return model, tg.compile(lambda x: model(x).sum().item())

    results: dict = {}

    def worker(name):
        model, fast = make_step()
        with tg.no_grad():
            results[name] = [fast(tg.ones(2, 3) * k) for k in range(6)]

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    model, _ = make_step()
    with tg.no_grad():
        expected = [model(tg.ones(2, 3) * k).sum().item() for k in range(6)]
    assert results["a"] == expected and results["b"] == expected


def test_the_old_style_update_through_data_follows_a_new_array():
    def make():
        tg.manual_seed(0)
        model = nn.Linear(2, 1)

        def step(inp):
            model.zero_grad()
            model(inp).sum().backward()
            for p in model.parameters():
                p.data -= 0.1 * p.grad.data  # PyTorch's old idiom, outside the graph

        return model, step

    x = tg.ones(4, 2)
    (model, fast), (twin, slow) = make(), make()
    fast = tg.compile(fast)
    for k in range(6):
        if k == 4:  # new arrays of the same shape for the parameters, after the program
            for m in (model, twin):
                for p in m.parameters():
                    p.data = p.data.clone() * 2
        fast(x)
        slow(x)
        for p, q in zip(model.parameters(), twin.parameters()):
            assert p.array.tobytes() == q.array.tobytes(), k


def test_a_reshape_that_copies_is_made_anew_on_every_replay():
    tg.manual_seed(0)
    w = tg.randn(3, 4, requires_grad=True)

    def step(x):
        y = (x @ w).T.reshape(-1)  # reshape of a transpose: numpy copies
        return (y * y).sum().item()

    fast = tg.compile(step)
    for k in range(5):
        x = tg.ones(2, 3) * (k + 1)
        with tg.no_grad():
            assert fast(x) == step(x), k


def test_backward_through_a_graph_made_before_the_step_falls_back():
    def factory():
        tg.manual_seed(0)
        w = tg.randn(3, requires_grad=True)
        outside = {"h": None}

        def step(x):
            outside["h"] = (w * 2) if outside["h"] is None else outside["h"]
            w.grad = None
            (outside["h"] * x).sum().backward(retain_graph=True)
            return w.grad.clone()

        return step

    _fallback_case(factory, lambda k: (tg.ones(3) * (k + 1),),
                   "backward goes through a graph made before the compiled step")


def test_keyword_arguments_and_python_arguments_are_part_of_the_signature():
    fn = tg.compile(lambda x, *, scale=1.0, power=2: (x * scale) ** power)
    x = tg.tensor([1.0, 2.0])
    for scale, power in [(1.0, 2), (1.0, 2), (1.0, 2), (3.0, 2), (3.0, 2), (3.0, 2), (1.0, 3)]:
        with tg.no_grad():
            assert fn(x, scale=scale, power=power).tolist() == ((x * scale) ** power).tolist()
    assert len(fn._entries) == 3


def test_printing_a_tensor_inside_the_step_falls_back(capsys):
    def factory():
        def step(x):
            y = (x * 2).sum()
            print(y)  # prints on every call, as eager mode does
            return y
        return step

    _fallback_case(factory, _x, "print(tensor)")
    assert capsys.readouterr().out.count("tensor(") >= 8


def test_random_draws_outside_an_op_fall_back_even_when_equal_by_chance():
    def factory():
        def step(x):
            tg.manual_seed(0)  # the same draws on every call: equal, yet drawn in the step
            return x * tg.randint(0, 2, (3,))
        return step

    _fallback_case(factory, lambda k: (tg.ones(3) * (k + 1),), "random numbers are drawn")


# ----- the benchmark programs as kernels (Program.describe) ----------------------------------
def _programs(fn):
    programs = [e.program for e in fn._entries.values() if e.program is not None]
    assert programs, "the step was not compiled"
    return programs


FAST_KINDS = ("setattr",  # a .grad stored or dropped
              "Optimizer.zero_grad",  # the call itself, bound
              "sgd_step.run")  # a plain SGD's step() as numpy calls, after its checks


def _generic_steps(fn):
    """The steps of a compiled step's programs that are not numpy calls bound to their arrays
    (nor a .grad stored, zero_grad, SGD's kernel): an op's own forward, a node's own
    backward, a closure around a kernel."""
    return [(label, kind) for program in _programs(fn) for label, kind in program.describe()
            if not kind.startswith("numpy ") and kind not in FAST_KINDS]


def _run_both(make, batches, steps):
    """``make()`` -> (parameters, step); eager and compiled runs from the same state, compared
    bit for bit after every step (returned values, parameters, gradients)."""
    (params, slow), (twin, fast) = make(), make()
    fast = tg.compile(fast)
    for k in range(steps):
        x, t = batches[k % len(batches)]
        _same(_arrays(fast(x, t)), _arrays(slow(x, t)), f"the value of step {k}")
        _same(_arrays([[p, p.grad] for p in twin]), _arrays([[p, p.grad] for p in params]),
              f"the parameters and gradients after step {k}")
    return fast


@pytest.mark.parametrize("case", ["2c", "10c"])
def test_mse_steps_replay_as_kernels_and_equal_eager_over_many_steps(case):
    """Cases 2c and 10c end with a mean (``Mean``, one node): forward, backward, the SGD
    update are all numpy calls into buffers, and every step equals eager mode's."""
    if case == "2c":
        spec = MLPSpec((2, 16, 16, 1), "tanh", "identity", "mse", batch=64, dtype="float32")
        weights, batches = init_weights(spec), _tensor_batches(make_batches(spec))

        def make():
            model = models_tinygrad.TinygradMLP(spec, weights, [])
            return [p for pair in model.params for p in pair], model.train_step
    else:
        spec = NeuronSpec()
        batches = [(tg.from_numpy(x), tg.from_numpy(y)) for x, y in neuron_batches(spec)]

        def make():
            model = models_tinygrad.TinygradNeuron(spec, [])
            return list(model.model.parameters()), model.train_step

    fast = _run_both(make, batches, steps=40)
    labels = [label for label, _ in _programs(fast)[0].describe()]
    assert "Mean" in labels and "backward of Mean" in labels
    assert _generic_steps(fast) == []


def test_mean_over_dims_and_keepdim_replays_as_kernels():
    rng = np.random.default_rng(0)
    batches = [(tg.tensor(rng.normal(size=(6, 5, 4))), tg.tensor(rng.normal(size=(5, 1))))
               for _ in range(3)]

    def make():
        w = tg.tensor(np.linspace(-1, 1, 4), requires_grad=True)

        def step(x, t):
            w.grad = None
            y = (x * w).mean((0, 2), keepdim=True)  # (1, 5, 1)
            loss = ((y.reshape(5, 1) - t) ** 2).mean() + (x * w).mean()
            loss.backward()
            return loss, w.grad.clone()

        return [w], step

    fast = _run_both(make, batches, steps=9)
    assert _generic_steps(fast) == []


def test_relu_keeps_a_negative_zero_gradient_as_pytorch_and_so_does_a_replay():
    """Relu's backward is np.where(off, 0, g): a -0.0 that passes stays -0.0 (PyTorch's
    threshold_backward), eagerly (on the arrays) and replayed (the Where kernel, on bits)."""
    g = np.array([-0.0, -0.0, 3.0, np.nan, -np.inf, np.inf], dtype=np.float32)
    x0 = np.array([1.0, -1.0, 2.0, 3.0, 4.0, -5.0], dtype=np.float32)

    def make():
        x = tg.tensor(x0, requires_grad=True)

        def step(scale, grad):
            x.grad = None
            (x * scale).relu().backward(grad)
            return x.grad.clone()

        return [x], step

    batches = [(tg.tensor(np.float32(s)), tg.tensor(g)) for s in (1.0, 2.0, -1.0)]
    fast = _run_both(make, batches, steps=7)
    got = fast(*batches[0])
    assert got.array.tobytes() == np.where(x0 <= 0, np.float32(0), g).tobytes()
    assert np.signbit(got.array[0]) and not np.signbit(got.array[1])


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64])
def test_where_replays_its_bits(dtype):
    """tg.where's kernel works on the values' bits: nan, inf and -0.0 come out as np.where's."""
    rng = np.random.default_rng(1)
    values = np.array([-0.0, 0.0, 1.5, -2.5, np.nan, np.inf, -np.inf, 7.0])
    if np.dtype(dtype).kind == "i":
        values = np.arange(-4, 4)
    batches = [(tg.tensor(rng.permutation(values).astype(dtype)),
                tg.tensor(rng.permutation(values).astype(dtype)),
                tg.tensor(rng.normal(size=(3, 8)) > 0)) for _ in range(3)]

    def step(a, b, condition):
        return tg.where(condition, a, b), tg.where(condition, b, 0), tg.where(condition, 0, a)

    fast = tg.compile(step)
    for k in range(7):
        _same(_arrays(fast(*batches[k % 3])), _arrays(step(*batches[k % 3])), f"call {k}")
    assert _generic_steps(fast) == []


def test_the_log_softmax_cross_entropy_step_replays_as_kernels_over_many_steps():
    """Case 3c's loss, -y.log_softmax(1)[rows, t].mean(): LogSoftmax, the pick by index
    tensors (GetItem, and IndexAdd in its backward) and the relu backwards are kernels."""
    spec = MLPSpec((12, 7, 6, 4), "relu", "identity", "cross_entropy", batch=9,
                   dtype="float32")
    weights, batches = init_weights(spec), _tensor_batches(make_batches(spec))

    def make():
        model = models_tinygrad.TinygradMLP(spec, weights, [])
        return [p for pair in model.params for p in pair], model.train_step

    fast = _run_both(make, batches, steps=30)
    labels = {label for label, _ in _programs(fast)[0].describe()}
    assert {"LogSoftmax", "GetItem", "backward of GetItem", "backward of Relu"} <= labels
    assert _generic_steps(fast) == [("GetItem", "fancy_index")]  # a[index] into its buffer


def test_an_index_out_of_range_raises_at_replay_as_eagerly():
    w = tg.tensor(np.linspace(-1, 1, 12).reshape(3, 4), requires_grad=True)

    def step(rows, cols):
        w.grad = None
        w[rows, cols].sum().backward()
        return w.grad.clone()

    fast = tg.compile(step)
    rows, cols = tg.tensor([0, 2, 2]), tg.tensor([1, 3, 3])  # a place picked twice
    for _ in range(4):
        _same(_arrays(fast(rows, cols)), _arrays(step(rows, cols)), "w.grad")
    assert fast(rows, cols).tolist()[2] == [0.0, 0.0, 0.0, 2.0]
    with pytest.raises(IndexError, match="out of bounds"):
        fast(rows, tg.tensor([1, 4, 0]))


def test_the_makemore_step_replays_as_kernels():
    spec = MakemoreSpec()
    weights = makemore_weights(spec)
    batches = [(tg.from_numpy(x), tg.from_numpy(t)) for x, t in makemore_batches(spec)]

    def make():
        m = models_tinygrad.TinygradMakemore(spec, weights, [])
        return m.parameters, m.train_step

    fast = _run_both(make, batches, steps=12)
    assert sorted(_generic_steps(fast)) == [("cross_entropy", "cross_entropy.run"),
                                           ("embedding", "embedding.run")]  # composites


# ----- the quicker forms of kernels' calls hold eager mode's bits -------------------------
EDGES = [0.0, -0.0, 1.5, -2.5, np.nan, np.inf, -np.inf, 1e300, -1e300, 800.0, -800.0, 90.0,
         -90.0, 5e-324]


def _edge_batches(dtype, shape, count=4, seed=3):
    rng = np.random.default_rng(seed)
    with np.errstate(over="ignore"):  # 1e300 is inf in float32
        values = np.array(EDGES, dtype=np.float64).astype(dtype)
    return [tg.tensor(rng.choice(values, size=shape)) for _ in range(count)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_one_valued_operands_as_0d_views_and_sigmoids_clip_hold_eagers_bits(dtype):
    """A bias of one element (a 0-d view of the parameter, updated in place by SGD), a mean's
    gradient expanded over the batch (a 0-d view of it), sigmoid's np.minimum with its limit
    as a 0-d array, and the exponent's ``e - 1`` as a 0-d array: over inf, nan, -0.0, values
    past exp's range and a subnormal, every replay equals eager mode bit for bit."""
    xs = _edge_batches(dtype, (6, 2))
    ts = _edge_batches(dtype, (6, 1), seed=4)
    batches = list(zip(xs, ts))

    def make():
        lin = nn.Linear(2, 1, dtype=dtype)
        with tg.no_grad():
            lin.weight.copy_(tg.tensor(np.array([[0.5, -0.25]], dtype=dtype)))
            lin.bias.copy_(tg.tensor(np.array([-0.0], dtype=dtype)))
        opt = optim.SGD(lin.parameters(), lr=0.5)
        params = list(lin.parameters())

        def step(x, t):
            opt.zero_grad()
            a = lin(x).sigmoid()
            loss = 0.5 * ((t - a) ** 2).mean() + ((a - 1) ** 3).mean() + (a + lin.bias).sum()
            loss.backward()
            opt.step()
            return loss, a.detach()

        return params, step

    with np.errstate(all="ignore"):
        fast = _run_both(make, batches, steps=12)
    assert _generic_steps(fast) == []
    views = [a for step in _programs(fast)[0].steps for a in getattr(step, "args", ())
             if isinstance(a, np.ndarray) and a.ndim == 0 and a.base is not None]
    assert len(views) >= 2  # the bias, the mean's expanded gradient (the shortcuts are used)


def test_a_bias_of_one_element_replaced_between_calls_is_followed():
    """The 0-d view of a one-element bias belongs to that array: a new array is a new guard."""
    def make():
        w = tg.tensor(np.array([[0.5], [-1.0]]), requires_grad=True)
        b = tg.tensor(np.array([0.25]), requires_grad=True)

        def step(x, t):
            w.grad = b.grad = None
            loss = ((x @ w + b - t) ** 2).mean()
            loss.backward()
            with tg.no_grad():
                w.sub_(0.1 * w.grad)
                b.sub_(0.1 * b.grad)
            return loss, b.grad.clone()

        return [w, b], step

    (params, slow), (twin, fast) = make(), make()
    fast = tg.compile(fast)
    x, t = tg.tensor(np.ones((3, 2))), tg.tensor(np.zeros((3, 1)))
    for k in range(7):
        if k == 4:  # a new array for the bias, as b.data = ... does
            params[1].data = tg.tensor(np.array([-3.0]))
            twin[1].data = tg.tensor(np.array([-3.0]))
        _same(_arrays(fast(x, t)), _arrays(slow(x, t)), f"step {k}")
        _same(_arrays(twin), _arrays(params), f"the parameters after step {k}")


@pytest.mark.parametrize("lr", [0.1, 1, 1e-45, 3e38, 1e39],
                         ids=["float", "int", "below-float32", "near-float32-max", "past-float32"])
def test_sgd_kernel_with_float32_and_float64_parameters_equals_eager(lr):
    """One scratch buffer per dtype shared by the parameters, lr as a 0-d array of each dtype
    (remade when lr changes; an lr past float32's range runs step() itself)."""
    rng = np.random.default_rng(5)
    batches = [(tg.tensor(rng.normal(size=(5, 3)).astype(np.float32)),
                tg.tensor(rng.normal(size=(5, 1)))) for _ in range(3)]

    def make():
        w32 = tg.tensor(np.linspace(-1, 1, 6, dtype=np.float32).reshape(3, 2), requires_grad=True)
        w64 = tg.tensor(np.linspace(-1, 1, 2).reshape(2, 1), requires_grad=True)
        opt = optim.SGD([w32, w64], lr=lr)

        def step(x, t):
            opt.zero_grad()
            loss = ((x @ w32).double() @ w64 - t).abs().mean()
            loss.backward()
            opt.step()
            return loss

        return [w32, w64], step, opt

    (params, slow, opt_slow), (twin, fast, opt_fast) = make(), make()
    fast = tg.compile(fast)
    with np.errstate(all="ignore"):
        for k in range(9):
            if k == 5:  # a new lr: new 0-d arrays
                for opt in (opt_slow, opt_fast):
                    opt.param_groups[0]["lr"] = lr / 2
            x, t = batches[k % len(batches)]
            _same(_arrays(fast(x, t)), _arrays(slow(x, t)), f"the loss of step {k}")
            _same(_arrays([[p, p.grad] for p in twin]), _arrays([[p, p.grad] for p in params]),
                  f"the parameters and gradients after step {k}")


def test_sgd_with_a_numpy_lr_runs_step_itself_and_equals_eager():
    """lr = np.float64(0.1) with float32 parameters: eager mode computes lr * g in float64 and
    the update in float64; the kernel (float32 throughout) would round differently, so the
    replay runs step() itself."""
    rng = np.random.default_rng(6)
    batches = [(tg.tensor(rng.normal(size=(4, 256)).astype(np.float32)),) for _ in range(3)]

    def make():  # 256 weights: the two roundings differ in a few percent of them
        w = tg.tensor(np.linspace(-1, 1, 256, dtype=np.float32), requires_grad=True)
        opt = optim.SGD([w], lr=np.float64(0.1))

        def step(x):
            opt.zero_grad()
            loss = (x * w).tanh().sum()
            loss.backward()
            opt.step()
            return loss

        return [w], step

    (params, slow), (twin, fast) = make(), make()
    fast = tg.compile(fast)
    for k in range(8):
        (x,) = batches[k % len(batches)]
        _same(_arrays(fast(x)), _arrays(slow(x)), f"the loss of step {k}")
        _same(_arrays([[p, p.grad] for p in twin]), _arrays([[p, p.grad] for p in params]),
              f"the parameters and gradients after step {k}")
