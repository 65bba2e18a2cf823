"""``no_grad`` / ``enable_grad`` / ``set_grad_enabled``: whether ops record a graph.

The flag is per thread, as in PyTorch: a thread's ``no_grad`` (an optimiser's
``step()``, an evaluation loop) never switches recording off in another thread, and
a new thread starts with recording on. ``Function.apply`` reads it on every op.
Each manager works as a context manager and as a decorator (``@no_grad()``, or
``@no_grad`` without parentheses, as in PyTorch). A decorated generator function
runs each of its steps in the chosen mode, not just its creation.
"""
from __future__ import annotations

import functools
import inspect
from threading import local
from typing import Any, Callable, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class EngineState:
    """The engine's switches for one thread: grad mode and anomaly mode."""

    __slots__ = ("enabled", "anomaly")

    def __init__(self) -> None:
        self.enabled = True  # grad mode: ops record the graph
        self.anomaly = False  # detect_anomaly() is active


class _PerThread(local):
    # ``__init__`` runs once in each thread that reads ``state``: its own switches,
    # with the defaults a new thread starts with
    def __init__(self) -> None:
        self.state = EngineState()


# Hot paths fetch the thread's state once (``_per_thread.state``, one thread-local
# lookup) and then read and write its slots, which cost what a plain attribute does;
# writing a ``threading.local`` attribute directly costs several times more.
_per_thread = _PerThread()


# Context managers keep the modes to restore on exit as (thread's state, mode) pairs in a
# list of their own: one instance may be entered again while active, and by several
# threads at once, and each exit restores what its own thread had. ``__enter__`` appends
# ``(state, mode)``; ``__exit__`` calls ``pop_mode``.
def pop_mode(previous: list[tuple[EngineState, bool]], state: EngineState) -> bool:
    """The mode to restore in the thread whose state is ``state`` (its latest entry)."""
    entry = previous.pop()
    if entry[0] is not state:  # another thread entered this manager since: find our own entry
        previous.append(entry)
        for position in range(len(previous) - 1, -1, -1):
            if previous[position][0] is state:
                return previous.pop(position)[1]
        raise RuntimeError("a grad mode manager was exited in a thread that did not enter it")
    return entry[1]


def is_grad_enabled() -> bool:
    """True when ops record the graph needed for backward (in this thread)."""
    return _per_thread.state.enabled


class _GradMode:
    """Sets the flag to ``mode`` inside ``with`` blocks and decorated functions.

    ``previous`` keeps the modes to restore (per thread), so one instance may be
    entered again while active.
    """

    mode: bool

    def __init__(self) -> None:
        self.previous: list[tuple[EngineState, bool]] = []

    def __enter__(self) -> None:
        state = _per_thread.state
        self.previous.append((state, state.enabled))
        state.enabled = self.mode

    def __exit__(self, *exc_info: object) -> None:
        state = _per_thread.state
        state.enabled = pop_mode(self.previous, state)

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
        state = _per_thread.state
        self.before = state.enabled
        self.created_in = state  # the creating thread's state
        state.enabled = self.mode

    def __enter__(self) -> None:
        # the mode was switched on creation: leaving the block restores the one from before
        state = _per_thread.state
        first = state is self.created_in and all(entry[0] is not state for entry in self.previous)
        self.previous.append((state, self.before if first else state.enabled))
        state.enabled = self.mode

    def __call__(self, function: F) -> F:
        _per_thread.state.enabled = self.before  # decorating a function must not switch the mode now
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


class inference_mode(_GradMode):
    """PyTorch's faster ``no_grad`` for evaluation: here it is ``no_grad`` (``with
    inference_mode():``, ``@inference_mode()``, ``@inference_mode``); ``inference_mode(False)``
    leaves the mode as it is. Tensors made inside are ordinary tensors (PyTorch's inference
    tensors refuse later use in autograd; these do not)."""

    mode = False

    def __new__(cls, mode: Any = True) -> Any:
        manager = super().__new__(cls)
        if callable(mode):  # @inference_mode without parentheses
            manager.__init__()
            return manager(mode)
        return manager

    def __init__(self, mode: Any = True) -> None:
        super().__init__()
        self.active = bool(mode) if not callable(mode) else True

    def __enter__(self) -> None:
        if self.active:
            super().__enter__()

    def __exit__(self, *exc_info: object) -> None:
        if self.active:
            super().__exit__(*exc_info)

    def __call__(self, function: F) -> F:
        return super().__call__(function) if self.active else function

