"""tg.compile's memory: values alive at different times share buffers (compiler/memory.py),
and no sharing is ever seen — every replay equals eager mode bit for bit, step after step,
and what outlives a run (a returned value, a ``.grad`` left set) is never overwritten by a
later value of the same run.

Each step below is built so that a wrong lifetime would hand a value's memory to a later
value while something still reads it: a node's saved input (read only by its backward),
a view of an intermediate read at the very end, a ``.grad`` read by the optimizer.
"""

import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.autograd import Function
from tinygrad_edu.compiler.memory import FOREVER, place

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: `benchmarks`

from benchmarks import models_tinygrad  # noqa: E402
from benchmarks.problems import MLPSpec, init_weights, make_batches  # noqa: E402

STEPS = 12


def _same(a, b, what):
    assert type(a) is type(b), what
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b), what
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{what}[{i}]")
        return
    if isinstance(a, tg.Tensor):
        a, b = a.array, b.array
    if isinstance(a, np.ndarray):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes(), what
    else:
        assert a == b, what


def _run_both(make, batches, steps=STEPS):
    """``make()`` -> (parameters, step); eager and compiled from the same state, compared bit
    for bit after every step (returned values, parameters, gradients); also every value
    returned, once all the steps have run. Returns the compiled function."""
    (params, slow), (twin, fast) = make(), make()
    fast = tg.compile(fast)
    kept_slow, kept_fast = [], []
    for k in range(steps):
        args = batches[k % len(batches)]
        kept_fast.append(fast(*args))
        kept_slow.append(slow(*args))
        _same(kept_fast[-1], kept_slow[-1], f"the value of step {k}")
        _same([[p, p.grad] for p in twin], [[p, p.grad] for p in params],
              f"the parameters and gradients after step {k}")
    _same(kept_fast, kept_slow, "the values returned, after every step ran")
    return fast


def _program(fn):
    (entry,) = fn._entries.values()
    assert entry.program is not None, "the step was not compiled"
    return entry.program


def _buffers(program):
    return [v for v in program.state.values if isinstance(v, np.ndarray) and v.base is not None]


def _shared_pairs(program):
    """How many pairs of the program's slot arrays share memory without being the same."""
    arrays = _buffers(program)
    return sum(1 for i, a in enumerate(arrays) for b in arrays[i + 1:]
               if np.shares_memory(a, b) and a.__array_interface__ != b.__array_interface__)


def _batches(shape, count=3, seed=0):
    rng = np.random.default_rng(seed)
    return [(tg.tensor(rng.normal(size=shape).astype(np.float32)),) for _ in range(count)]


# ----- the planner ---------------------------------------------------------------------------
def test_place_never_overlaps_buffers_alive_at_the_same_time():
    rng = np.random.default_rng(0)
    requests = {}
    for key in range(60):
        first = int(rng.integers(0, 40))
        last = first + int(rng.integers(0, 10))
        requests[key] = (64 * int(rng.integers(1, 20)), first, last)
    offsets, size = place(requests)
    for a, (size_a, first_a, last_a) in requests.items():
        assert offsets[a] % 64 == 0 and offsets[a] + size_a <= size
        for b, (size_b, first_b, last_b) in requests.items():
            if a < b and first_a <= last_b and first_b <= last_a:  # alive together
                assert (offsets[a] + size_a <= offsets[b]
                        or offsets[b] + size_b <= offsets[a]), (a, b)
    assert size < sum(s for s, _, _ in requests.values())  # and some memory is shared


def test_place_shares_memory_between_lifetimes_that_do_not_overlap():
    offsets, size = place({"a": (128, 0, 1), "b": (128, 2, 3), "c": (64, 1, 2)})
    assert offsets["a"] == offsets["b"] and size == 192
    assert place({"a": (128, 0, FOREVER), "b": (128, 5, 6)})[1] == 256


# ----- sharing, and replays still equal to eager mode -----------------------------------------
def test_an_mlp_step_shares_buffers_and_equals_eager_over_many_steps():
    """The benchmark's raw step (forward, backward, ``W -= lr * W.grad``, ``W.grad = None``):
    forward values die in the backward, gradients after the update: buffers are reused."""
    spec = MLPSpec((12, 32, 32, 4), "relu", "identity", "cross_entropy", batch=16,
                   dtype="float32")
    weights = init_weights(spec)
    batches = [(tg.tensor(x), tg.tensor(t)) for x, t in make_batches(spec)]

    def make():
        model = models_tinygrad.TinygradMLP(spec, weights, [])
        return [p for pair in model.params for p in pair], model.train_step

    fast = _run_both(make, batches, steps=30)
    program = _program(fast)
    assert _shared_pairs(program) > 0
    block = _buffers(program)[0].base
    assert block.nbytes < sum(v.nbytes for v in _buffers(program))


class Cube(Function):
    """out = x³, with a backward on arrays: no op of it reads x, only its node does. An op with
    no kernel: replayed by its own forward and backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.kept = x.array  # an array held as a plain attribute too
        return x.array ** 3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return tg.tensor(grad_output.array * 3 * x.array * ctx.kept)


def test_what_a_node_holds_stays_alive_until_its_backward():
    """``h``'s only reader after the forward is Cube's backward, through its node: its memory
    must not go to the values made in between."""
    def make():
        w = tg.tensor(np.linspace(-1, 1, 64, dtype=np.float32).reshape(8, 8), requires_grad=True)

        def step(x):
            h = x @ w  # a kernel's buffer, read later only by Cube's backward (through its
            c = Cube.apply(h)  # node; matmul's backward reads x and w)
            a = (c * 0.5).sigmoid()  # new values, made while h is held by Cube's node
            b = (a * a + 1.0).log()
            loss = b.sum()
            loss.backward()
            opt.step()
            opt.zero_grad()  # .grad = None: its buffer is free for the next run's values
            return loss

        opt = optim.SGD([w], lr=0.01)
        return [w], step

    fast = _run_both(make, _batches((8, 8)))
    assert any(kind.startswith("_backward") for _, kind in _program(fast).describe())


def test_a_view_read_at_the_end_keeps_its_base_alive():
    """``v`` is a view of ``h``'s buffer, made once; it is read only at the end, after values
    that could take ``h``'s memory if the view were forgotten."""
    def make():
        w = tg.tensor(np.linspace(0.5, 1.5, 32, dtype=np.float32).reshape(4, 8),
                      requires_grad=True)

        def step(x):
            h = x * w  # read directly only by the reshape
            v = h.reshape(32)
            a = (x * 3.0).tanh()
            b = (a * a + 2.0).sqrt() * w
            c = (b * 0.25).exp()
            loss = c.sum() + (v * v).sum()
            loss.backward()
            opt.step()
            opt.zero_grad()
            return loss

        opt = optim.SGD([w], lr=0.01)
        return [w], step

    _run_both(make, _batches((4, 8)))


def test_in_place_changes_of_an_intermediate_under_no_grad_keep_their_meaning():
    def make():
        w = tg.tensor(np.linspace(-1, 1, 16, dtype=np.float32).reshape(4, 4))

        def step(x):
            with tg.no_grad():
                y = x @ w
                y += 1.0
                z = (y * 2.0).tanh()
                y *= z  # y's buffer is written again after z was made from it
                t = y.reshape(16)
                u = (z + 3.0).sqrt()
                return t * 2.0, u

        return [w], step

    _run_both(make, _batches((4, 4)))


def test_returned_values_are_never_overwritten_by_later_replays():
    """A returned tensor is a copy made at the end of the run: the next replays, which reuse
    every buffer, leave it alone."""
    def make():
        tg.manual_seed(0)
        model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3))
        opt = optim.SGD(model.parameters(), lr=0.1)

        def step(x):
            opt.zero_grad()
            hidden = model[1](model[0](x))
            out = model[2](hidden)
            loss = (out * out).mean()
            loss.backward()
            opt.step()
            return loss, out.detach(), hidden.detach()

        return list(model.parameters()), step

    fast = _run_both(make, _batches((5, 6), count=4))
    program = _program(fast)
    returned = fast(*_batches((5, 6), seed=9)[0])
    for value in returned:
        for buffer in _buffers(program):
            assert not np.shares_memory(value.array, buffer)


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_grads_left_set_after_the_step_have_memory_of_their_own(optimizer):
    """``zero_grad()`` first: the ``.grad`` arrays outlive the run (the user reads them, the
    optimizer read them in the step): never shared with another value, nor with each other."""
    def make():
        tg.manual_seed(1)
        model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(),
                              nn.Linear(16, 1))
        make_opt = {"sgd": lambda p: optim.SGD(p, lr=0.1),
                    "adam": lambda p: optim.Adam(p, lr=0.01)}[optimizer]
        opt = make_opt(model.parameters())

        def step(x):
            opt.zero_grad()
            loss = model(x).square().mean()
            loss.backward()
            opt.step()
            return loss

        return list(model.parameters()), step

    params = []

    def make_keeping():
        made = make()
        params.append(made[0])
        return made

    fast = _run_both(make_keeping, _batches((8, 6)))
    grads = [p.grad.array for p in params[1]]
    for i, g in enumerate(grads):
        for other in grads[i + 1:]:
            assert not np.shares_memory(g, other)
        for buffer in _buffers(_program(fast)):
            assert not np.shares_memory(g, buffer) or buffer.__array_interface__["data"][0] \
                == g.__array_interface__["data"][0]


def test_the_recordings_do_not_keep_the_steps_arrays_alive():
    """Eager mode frees a value after its last reader; so do the two recorded calls (the
    recorder keeps weak references and ghosts, memory.py's buffers come after)."""
    x = tg.tensor(np.ones((256, 256), np.float32))

    def step(inp):
        y = inp
        for _ in range(20):  # 20 values of 256 KiB, each dead once the next is made
            y = y * 1.001
        return y.sum()

    fast = tg.compile(step)
    step(x)  # warm up eager mode's own allocations
    peaks = []
    for _ in range(4):
        tracemalloc.start()
        fast(x)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # eager mode: ~2 values alive at once (512 KiB); everything kept would be 5 MiB
    assert max(peaks) < 1.5 * 2**20, peaks
