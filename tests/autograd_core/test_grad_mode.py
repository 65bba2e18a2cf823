"""``no_grad`` / ``enable_grad`` / ``set_grad_enabled`` (``grad_mode.py``): context
managers and decorators, nesting, restoring the mode on errors, generators, and
PyTorch's plain-call form of ``set_grad_enabled``."""
from __future__ import annotations

import pytest

import autograd_core as ag
from tests.helpers import requires_torch, torch


def records(x: ag.Tensor) -> bool:
    """Whether an op on ``x`` (which requires grad) records a graph right now."""
    return (x * 2).requires_grad


@pytest.fixture
def x() -> ag.Tensor:
    return ag.tensor([1.0, 2.0], requires_grad=True)


def test_no_grad_records_nothing_and_enable_grad_turns_it_back_on(x):
    assert ag.is_grad_enabled() and records(x)
    with ag.no_grad():
        assert not ag.is_grad_enabled() and not records(x)
        with ag.enable_grad():
            assert records(x)
            with ag.no_grad():
                assert not records(x)
            assert records(x)
        assert not records(x)
        y = x * 2
    assert ag.is_grad_enabled() and records(x)
    assert y.grad_fn is None and y.is_leaf


def test_set_grad_enabled_as_a_context_manager_nests(x):
    with ag.set_grad_enabled(False):
        assert not records(x)
        with ag.set_grad_enabled(True):
            assert records(x)
        assert not records(x)
    assert records(x)


def test_set_grad_enabled_called_alone_switches_the_mode_as_in_pytorch(x):
    try:
        ag.set_grad_enabled(False)
        assert not ag.is_grad_enabled() and not records(x)
        ag.set_grad_enabled(True)
        assert records(x)
    finally:
        ag.set_grad_enabled(True)
    if torch is not None:
        try:
            torch.set_grad_enabled(False)
            assert not torch.is_grad_enabled()
        finally:
            torch.set_grad_enabled(True)


@pytest.mark.parametrize(
    "make_decorator, expected",
    [
        (lambda: ag.no_grad(), False),
        (lambda: ag.no_grad, False),  # without parentheses, as PyTorch allows
        (lambda: ag.set_grad_enabled(False), False),
        (lambda: ag.enable_grad(), True),
        (lambda: ag.enable_grad, True),
        (lambda: ag.set_grad_enabled(True), True),
    ],
)
def test_decorators(x, make_decorator, expected):
    @make_decorator()
    def double(tensor: ag.Tensor) -> ag.Tensor:
        """Doubles."""
        return tensor * 2

    assert ag.is_grad_enabled()  # decorating must not switch the mode
    assert double.__name__ == "double" and double.__doc__ == "Doubles."
    with ag.no_grad():
        assert double(x).requires_grad is expected
    assert double(x).requires_grad is expected
    assert ag.is_grad_enabled()


def test_the_mode_is_restored_when_the_block_raises(x):
    @ag.no_grad()
    def fails() -> None:
        raise KeyError("inside")

    with pytest.raises(ValueError):
        with ag.no_grad():
            raise ValueError("inside")
    with pytest.raises(KeyError):
        fails()
    assert ag.is_grad_enabled() and records(x)


def test_one_manager_can_be_entered_again_while_active(x):
    manager = ag.no_grad()
    with manager:
        with manager:
            assert not records(x)
        assert not records(x)
    assert records(x)


def test_a_decorated_generator_runs_every_step_in_the_mode(x):
    """Only the generator's body is switched: the caller's code between steps records."""

    @ag.no_grad()
    def doubled(tensor: ag.Tensor):
        scale = yield tensor * 2
        yield tensor * scale
        return "done"

    steps = doubled(x)
    first = next(steps)
    assert not first.requires_grad and records(x)
    second = steps.send(3.0)
    assert not second.requires_grad and second.array.tolist() == [3.0, 6.0]
    with pytest.raises(StopIteration) as stop:
        next(steps)
    assert stop.value.value == "done" and ag.is_grad_enabled()


def test_a_decorated_generator_passes_thrown_errors_in_and_closes(x):
    seen = []

    @ag.no_grad()
    def watcher(tensor: ag.Tensor):
        try:
            while True:
                try:
                    yield tensor * 2
                except ValueError as error:
                    seen.append((str(error), ag.is_grad_enabled()))
        finally:
            seen.append("closed")

    steps = watcher(x)
    next(steps)
    assert not steps.throw(ValueError("once")).requires_grad
    steps.close()
    assert seen == [("once", False), "closed"] and ag.is_grad_enabled()


@requires_torch
def test_generator_decoration_matches_pytorch():
    def body(tensor):
        yield tensor * 2

    ours = ag.no_grad()(body)(ag.tensor([1.0], requires_grad=True))
    theirs = torch.no_grad()(body)(torch.tensor([1.0], requires_grad=True))
    assert next(ours).requires_grad == next(theirs).requires_grad == False  # noqa: E712


def test_backward_works_inside_no_grad_and_records_nothing_new(x):
    y = (x * x).sum()
    with ag.no_grad():
        y.backward(create_graph=False)
        assert not ag.is_grad_enabled()
    assert x.grad.array.tolist() == [2.0, 4.0] and not x.grad.requires_grad


def test_inference_mode_is_no_grad_in_all_three_forms():
    x = ag.ones(2, requires_grad=True)
    with ag.inference_mode():
        assert not (x * 2).requires_grad
    with ag.inference_mode(False):
        assert (x * 2).requires_grad

    @ag.inference_mode
    def bare():
        return (x * 2).requires_grad

    @ag.inference_mode()
    def called():
        return (x * 2).requires_grad

    assert bare() is False and called() is False and ag.is_grad_enabled()
