"""``detect_anomaly()``: name the forward op and source line behind a NaN/inf gradient.

Anomaly mode is per thread, like grad mode (``grad_mode.EngineState.anomaly``): a new
thread starts with it off.
"""
from __future__ import annotations

import os
import traceback
from typing import Any

import numpy as np

from .errors import GraphError
from .grad_mode import EngineState, _per_thread, pop_mode

_SHOWN_FRAMES = 6


class detect_anomaly:
    """While active, ops remember where they were created and backward checks each
    gradient: the first one holding NaN or inf raises ``GraphError`` naming the op and
    the user's line that created it. Slows every op; use it to debug.

    Example::

        with detect_anomaly():
            loss = model(x).log().sum()
            loss.backward()      # GraphError: LogBackward returned nan ... created at train.py:12
    """

    def __init__(self) -> None:
        self.previous: list[tuple[EngineState, bool]] = []  # see grad_mode.pop_mode

    def __enter__(self) -> "detect_anomaly":
        state = _per_thread.state
        self.previous.append((state, state.anomaly))
        state.anomaly = True
        return self

    def __exit__(self, *exc_info: object) -> None:
        state = _per_thread.state
        state.anomaly = pop_mode(self.previous, state)


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` (in this thread)."""
    return _per_thread.state.anomaly


def check_gradients(node: Any, gradients: tuple) -> None:
    """Raise if any gradient produced by ``node`` (Tensors, or a plain backward's ndarrays) holds
    NaN or inf (anomaly mode only)."""
    for position, gradient in enumerate(gradients):
        values = getattr(gradient, "array", gradient)
        if values is None or np.isfinite(values).all():
            continue
        kind = "nan" if np.isnan(values).any() else "inf"
        raise GraphError(
            f"{node.name()} returned {kind} values in its gradient for input {position}. "
            f"The forward op was created at:\n{_user_frames(node._trace)}"
        )


def _user_frames(trace: Any) -> str:
    if not trace:
        return "  (unknown: the op was created outside detect_anomaly())"
    package = os.path.dirname(os.path.abspath(__file__))
    frames = [frame for frame in trace if not os.path.abspath(frame.filename).startswith(package)]
    # the innermost frames outside autograd_core: the user's line, and the layers between
    return "".join(traceback.format_list(frames[-_SHOWN_FRAMES:] or trace[-_SHOWN_FRAMES:]))
