"""Grad mode and anomaly mode belong to a thread; the decorators work as PyTorch's (issue 10, 3)."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import anomaly


def _train(steps: int, record: list) -> None:
    """A 3-4-1 tanh net trained by hand-written SGD; every step's gradients go into ``record``."""
    rng = np.random.default_rng(0)
    x = tg.tensor(rng.standard_normal((8, 3)))
    t = tg.tensor(rng.standard_normal((8, 1)))
    w1 = tg.tensor(rng.standard_normal((4, 3)) * 0.5, requires_grad=True)
    w2 = tg.tensor(rng.standard_normal((1, 4)) * 0.5, requires_grad=True)
    for _ in range(steps):
        loss = (((x @ w1.T).tanh() @ w2.T - t) ** 2).mean()
        loss.backward()
        record.append((w1.grad.numpy().copy(), w2.grad.numpy().copy()))
        with tg.no_grad():
            w1 -= 0.1 * w1.grad
            w2 -= 0.1 * w2.grad
        w1.grad = None
        w2.grad = None


def _evaluate(stop: threading.Event, seen: list) -> None:
    """Forward passes under no_grad until told to stop; remembers whether any recorded a graph."""
    w = tg.tensor(np.ones((4, 3)), requires_grad=True)
    x = tg.tensor(np.ones((2, 3)))
    while not stop.is_set():
        with tg.no_grad():
            out = (x @ w.T).tanh().sum()
            seen.append(out.requires_grad)


def test_no_grad_in_one_thread_does_not_stop_training_in_another() -> None:
    expected: list = []
    _train(100, expected)

    got: list = []
    errors: list = []
    stop, seen = threading.Event(), []

    def train_thread() -> None:
        try:
            _train(100, got)
        except BaseException as error:  # reported below, with the thread's traceback lost
            errors.append(error)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as Python allows
    try:
        evaluator = threading.Thread(target=_evaluate, args=(stop, seen))
        evaluator.start()
        trainer = threading.Thread(target=train_thread)
        trainer.start()
        trainer.join()
        stop.set()
        evaluator.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert len(got) == len(expected) == 100
    for (g1, g2), (e1, e2) in zip(got, expected):
        np.testing.assert_array_equal(g1, e1)
        np.testing.assert_array_equal(g2, e2)
    assert seen and not any(seen)  # the evaluator never recorded a graph


def test_a_new_thread_starts_with_grad_and_anomaly_modes_at_their_defaults() -> None:
    result: dict = {}

    def look() -> None:
        result["grad"] = tg.is_grad_enabled()
        result["anomaly"] = anomaly.is_anomaly_enabled()
        x = tg.tensor([1.0], requires_grad=True)
        result["recorded"] = (x * 2).requires_grad

    with tg.no_grad(), anomaly.detect_anomaly():
        thread = threading.Thread(target=look)
        thread.start()
        thread.join()
        assert not tg.is_grad_enabled() and anomaly.is_anomaly_enabled()
    assert result == {"grad": True, "anomaly": False, "recorded": True}
    assert tg.is_grad_enabled() and not anomaly.is_anomaly_enabled()


def test_set_grad_enabled_in_a_thread_leaves_the_others_alone() -> None:
    def switch_off() -> None:
        tg.set_grad_enabled(False)

    thread = threading.Thread(target=switch_off)
    thread.start()
    thread.join()
    assert tg.is_grad_enabled()


def test_no_grad_without_parentheses_is_a_decorator() -> None:
    x = tg.tensor([1.0], requires_grad=True)

    @tg.no_grad
    def double(t: tg.Tensor) -> tg.Tensor:
        return t * 2

    assert double.__name__ == "double"
    assert not double(x).requires_grad
    assert tg.is_grad_enabled()

    @tg.enable_grad
    def triple(t: tg.Tensor) -> tg.Tensor:
        return t * 3

    with tg.no_grad():
        assert triple(x).requires_grad


def test_no_grad_on_a_generator_function_holds_in_every_step() -> None:
    x = tg.tensor([1.0], requires_grad=True)

    @tg.no_grad()
    def steps(n: int):
        for _ in range(n):
            received = yield (x * 2).requires_grad, tg.is_grad_enabled()
            assert received is None or received == "sent"
        return "done"

    generator = steps(3)
    first = next(generator)
    assert tg.is_grad_enabled()  # back on between steps, in the caller
    second = generator.send("sent")
    third = next(generator)
    assert (first, second, third) == ((False, False),) * 3
    with pytest.raises(StopIteration) as stop:
        next(generator)
    assert stop.value.value == "done"
    assert tg.is_grad_enabled()

    @tg.no_grad
    def bare(n: int):
        for _ in range(n):
            yield (x * 2).requires_grad

    assert list(bare(2)) == [False, False]


def test_an_error_thrown_into_a_no_grad_generator_reaches_it() -> None:
    caught = []

    @tg.no_grad()
    def guarded():
        try:
            yield 1
        except ValueError as error:
            caught.append((str(error), tg.is_grad_enabled()))
            yield 2

    generator = guarded()
    next(generator)
    assert generator.throw(ValueError("boom")) == 2
    assert caught == [("boom", False)]
    generator.close()
    assert tg.is_grad_enabled()


def test_set_grad_enabled_as_a_decorator_changes_nothing_until_called() -> None:
    @tg.set_grad_enabled(False)
    def forward(t: tg.Tensor) -> tg.Tensor:
        return t * 2

    assert tg.is_grad_enabled()
    assert not forward(tg.tensor([1.0], requires_grad=True)).requires_grad
    assert tg.is_grad_enabled()


def test_set_grad_enabled_rejects_a_mode_that_is_not_a_bool() -> None:
    with pytest.raises(TypeError, match="mode must be a bool, got str"):
        tg.set_grad_enabled("no")
    assert tg.is_grad_enabled()
