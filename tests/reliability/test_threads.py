"""Engine state is per thread, as in PyTorch: grad mode and anomaly mode set in one
thread never change what another thread records, and a new thread starts with grad
enabled and anomaly detection off, whatever the thread that started it is doing.

These tests use real threads. Python switches threads every few microseconds here
(``sys.setswitchinterval``), so ops of two threads interleave at many points; the
training results are compared bit for bit with single-threaded runs.
"""
from __future__ import annotations

import sys
import threading
from typing import Any, Callable

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F


@pytest.fixture(autouse=True)
def frequent_thread_switches():
    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    yield
    sys.setswitchinterval(before)


def run_in_threads(*targets: Callable[[], Any], timeout: float = 60.0) -> list:
    """Run each target in its own thread; return their results, re-raising the first error."""
    results: list = [None] * len(targets)
    errors: list = []

    def runner(position: int, target: Callable[[], Any]) -> None:
        try:
            results[position] = target()
        except BaseException as error:  # handed to the main thread below
            errors.append(error)

    threads = [threading.Thread(target=runner, args=(i, target)) for i, target in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
        assert not thread.is_alive(), "a test thread hung"
    if errors:
        raise errors[0]
    return results


def make_model(seed: int) -> nn.Module:
    """A small MLP whose weights come from ``seed`` only (not the shared generator)."""
    model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))
    rng = np.random.default_rng(seed)
    with ag.no_grad():
        for parameter in model.parameters():
            parameter.array[...] = rng.standard_normal(parameter.shape).astype(np.float32) * 0.5
    return model


def train(seed: int, optimizer_name: str, steps: int = 40) -> tuple[list[float], list[np.ndarray]]:
    """Train one model on data drawn from ``seed``; return the losses and final weights."""
    model = make_model(seed)
    rng = np.random.default_rng(seed + 100)
    inputs = ag.tensor(rng.standard_normal((32, 6)).astype(np.float32))
    targets = ag.tensor(rng.integers(0, 3, 32))
    if optimizer_name == "adam":
        optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
    else:
        optimizer = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()  # enters no_grad internally: must not switch recording off elsewhere
        losses.append(loss.item())
    return losses, [parameter.array.copy() for parameter in model.parameters()]


def assert_same_run(run, expected) -> None:
    losses, weights = run
    expected_losses, expected_weights = expected
    assert losses == expected_losses
    for weight, expected_weight in zip(weights, expected_weights):
        np.testing.assert_array_equal(weight, expected_weight)


def test_two_trainings_at_once_give_exactly_the_single_threaded_numbers():
    alone = [train(1, "sgd"), train(2, "adam")]
    for _ in range(3):
        together = run_in_threads(lambda: train(1, "sgd"), lambda: train(2, "adam"))
        for run, expected in zip(together, alone):
            assert_same_run(run, expected)


def test_an_evaluator_under_no_grad_never_disturbs_a_trainer():
    expected = train(3, "sgd")
    done, evaluating = threading.Event(), threading.Event()
    evaluations = []

    def evaluator() -> None:
        model = make_model(4)
        inputs = ag.tensor(np.ones((8, 6), dtype=np.float32))
        while not done.is_set():
            with ag.no_grad():
                output = model(inputs)
                evaluations.append(output.requires_grad)
            evaluating.set()  # the trainer starts once the evaluator runs, so the two overlap
            ag.set_grad_enabled(False)  # PyTorch's plain-call form: this thread only
            model(inputs)
            ag.set_grad_enabled(True)

    def trainer() -> Any:
        try:
            assert evaluating.wait(30), "the evaluator thread never ran"
            return train(3, "sgd")
        finally:
            done.set()

    _, run = run_in_threads(evaluator, trainer)
    assert_same_run(run, expected)
    assert evaluations and not any(evaluations)


def test_overlapping_no_grad_blocks_in_two_threads_restore_each_threads_mode():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    first_inside, second_inside, first_left = threading.Event(), threading.Event(), threading.Event()
    seen: dict[str, bool] = {}

    def first() -> None:
        with ag.no_grad():
            first_inside.set()
            second_inside.wait(10)
        first_left.set()
        seen["first after its block"] = (x * 2).requires_grad

    def second() -> None:
        first_inside.wait(10)
        with ag.no_grad():
            second_inside.set()
            first_left.wait(10)
            seen["second inside, first left"] = (x * 2).requires_grad
        seen["second after its block"] = (x * 2).requires_grad

    run_in_threads(first, second)
    assert seen == {"first after its block": True, "second inside, first left": False, "second after its block": True}
    assert ag.is_grad_enabled() and (x * 2).requires_grad
    assert run_in_threads(ag.is_grad_enabled) == [True]


def test_a_new_thread_starts_with_grad_enabled_whatever_its_parent_does():
    x = ag.tensor([1.0], requires_grad=True)
    with ag.no_grad():
        assert run_in_threads(ag.is_grad_enabled, lambda: (x * 2).requires_grad) == [True, True]
        assert not ag.is_grad_enabled()
    try:
        ag.set_grad_enabled(False)
        assert run_in_threads(ag.is_grad_enabled) == [True]
    finally:
        ag.set_grad_enabled(True)


def test_grad_mode_switched_in_a_thread_stays_in_that_thread():
    def switch_off_and_leave_it() -> bool:
        ag.set_grad_enabled(False)
        return ag.is_grad_enabled()

    assert run_in_threads(switch_off_and_leave_it) == [False]
    assert ag.is_grad_enabled()


def test_anomaly_mode_is_per_thread():
    x = ag.tensor([1.0, 2.0], requires_grad=True)

    def traced() -> bool:
        return (x * 2).grad_fn._trace is not None

    with ag.detect_anomaly():
        assert traced()
        assert run_in_threads(traced) == [False]  # a new thread starts with anomaly mode off

    def traced_inside_detect_anomaly() -> bool:
        with ag.detect_anomaly():
            return traced()

    inside = threading.Event()
    leave = threading.Event()
    main_thread_traced = []

    def holds_detect_anomaly_open() -> None:
        with ag.detect_anomaly():
            inside.set()
            leave.wait(10)

    def main_thread_side() -> None:
        inside.wait(10)
        main_thread_traced.append(traced())
        leave.set()

    run_in_threads(holds_detect_anomaly_open, main_thread_side)
    assert main_thread_traced == [False]
    assert run_in_threads(traced_inside_detect_anomaly) == [True]
    assert not traced()


def test_a_nan_gradient_in_another_thread_is_not_named_by_anomaly_mode_here():
    x = ag.tensor([0.0], requires_grad=True)

    def nan_backward_without_anomaly_mode() -> bool:
        (x.log() * 0).sum().backward()  # 0 * -inf: nan, which only detect_anomaly reports
        return bool(np.isnan(x.grad.array).all())

    with ag.detect_anomaly():
        assert run_in_threads(nan_backward_without_anomaly_mode) == [True]


def test_one_manager_instance_entered_by_two_threads_at_once():
    shared = ag.no_grad()
    both_inside, first_left = threading.Barrier(2), threading.Event()
    seen = []

    def first() -> None:
        with shared:
            both_inside.wait(10)
        first_left.set()
        seen.append(("first", ag.is_grad_enabled()))

    def second() -> None:
        with shared:
            both_inside.wait(10)
            first_left.wait(10)
            seen.append(("second inside", ag.is_grad_enabled()))
        seen.append(("second", ag.is_grad_enabled()))

    run_in_threads(first, second)
    assert sorted(seen) == [("first", True), ("second", True), ("second inside", False)]
    assert not shared.previous  # nothing kept for threads that have left


def test_is_anomaly_enabled_reads_this_threads_mode():
    assert not ag.is_anomaly_enabled()
    with ag.detect_anomaly():
        assert ag.is_anomaly_enabled()
        assert run_in_threads(ag.is_anomaly_enabled) == [False]
    assert not ag.is_anomaly_enabled()
