"""``no_grad`` / ``enable_grad`` / ``set_grad_enabled``: whether ops record a graph.

The flag is one process-wide boolean read by ``Function.apply`` on every op.
Each manager works as a context manager and as a decorator (``@no_grad()``, or
``@no_grad`` without parentheses, as in PyTorch). A decorated generator function
runs each of its steps in the chosen mode, not just its creation.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState:
    enabled: bool = True


_state = _GradState()


def is_grad_enabled() -> bool:
    """True when ops record the graph needed for backward."""
    return _state.enabled


class _GradMode:
    """Sets the flag to ``mode`` inside ``with`` blocks and decorated functions.

    ``previous`` is a stack, so one instance may be entered again while active.
    """

    mode: bool

    def __init__(self) -> None:
        self.previous: list[bool] = []

    def __enter__(self) -> None:
        self.previous.append(_state.enabled)
        _state.enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        _state.enabled = self.previous.pop()

    def __call__(self, function: F) -> F:
        mode = self.mode
        if inspect.isgeneratorfunction(function):

            @functools.wraps(function)
            def generator_wrapper(*args: Any, **kwargs: Any) -> Any:
                generator = function(*args, **kwargs)
                step = functools.partial(generator.send, None)
                while True:  # every step of the generator runs in ``mode``
                    with _switch(mode):
                        try:
                            value = step()
                        except StopIteration as stop:
                            return stop.value
                    try:
                        sent = yield value
                    except GeneratorExit:
                        generator.close()
                        raise
                    except BaseException as error:  # thrown in by the caller: pass it on
                        step = functools.partial(generator.throw, error)
                    else:
                        step = functools.partial(generator.send, sent)

            return generator_wrapper  # type: ignore[return-value]

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with _switch(mode):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _switch(_GradMode):
    def __init__(self, mode: bool) -> None:
        super().__init__()
        self.mode = mode


class set_grad_enabled(_GradMode):
    """Turn graph recording on or off.

    As in PyTorch, calling it switches the mode at once (``set_grad_enabled(False)``
    on its own line turns recording off until switched back); used in a ``with``
    block or as a decorator, the mode from before is restored afterwards.

    Example::

        with set_grad_enabled(False):
            y = x * 2          # y.requires_grad is False
    """

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self.mode = bool(mode)
        self.before = _state.enabled
        _state.enabled = self.mode

    def __enter__(self) -> None:
        # the mode was switched on creation: leaving the block restores the one from before
        self.previous.append(self.before if not self.previous else _state.enabled)
        _state.enabled = self.mode

    def __call__(self, function: F) -> F:
        _state.enabled = self.before  # decorating a function must not switch the mode now
        return super().__call__(function)


class _FixedMode(_GradMode):
    """A manager with a fixed mode, usable as ``@manager`` without parentheses too."""

    def __new__(cls, function: Callable | None = None) -> Any:
        manager = super().__new__(cls)
        if function is None:
            return manager
        manager.__init__()
        return manager(function)

    def __init__(self, function: Callable | None = None) -> None:
        super().__init__()


class no_grad(_FixedMode):
    """Record no graph: for evaluation and for parameter updates.

    ``with no_grad():``, ``@no_grad()`` and ``@no_grad`` all work.
    """

    mode = False


class enable_grad(_FixedMode):
    """Record the graph again inside a ``no_grad`` region (same three forms)."""

    mode = True
