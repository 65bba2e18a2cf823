"""``no_grad`` / ``enable_grad`` / ``set_grad_enabled``: whether ops record a graph.

The flag is one process-wide boolean read by ``Function.apply`` on every op.
Each manager works both as a context manager and as a decorator.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState:
    enabled: bool = True


_state = _GradState()


def is_grad_enabled() -> bool:
    """True when ops record the graph needed for backward."""
    return _state.enabled


class set_grad_enabled:
    """Turn graph recording on or off inside a ``with`` block or a decorated function.

    Example::

        with set_grad_enabled(False):
            y = x * 2          # y.requires_grad is False
    """

    def __init__(self, mode: bool = True) -> None:
        self.mode = bool(mode)
        self.previous: list[bool] = []

    def __enter__(self) -> None:
        self.previous.append(_state.enabled)
        _state.enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        _state.enabled = self.previous.pop()

    def __call__(self, function: F) -> F:
        mode = self.mode

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(mode):
                return function(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class no_grad(set_grad_enabled):
    """Record no graph: for evaluation and for parameter updates."""

    def __init__(self) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record the graph again inside a ``no_grad`` region."""

    def __init__(self) -> None:
        super().__init__(True)
