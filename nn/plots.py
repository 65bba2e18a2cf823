"""``plot_history``: training curves (loss and each metric, train beside validation) to a PNG.

Drawn with matplotlib's Agg canvas directly, so it works without a display and leaves
``matplotlib.pyplot``'s state (and a notebook's backend) untouched.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Sequence


def plot_history(history: Any, path: str | os.PathLike, title: str | None = None) -> Path:
    """Save one panel per quantity (``loss``, then ``accuracy`` and other metrics) to ``path``.

    Args:
        history: a ``History`` (from ``fit``) or a ``{name: [value per epoch]}`` dict;
            ``val_<name>`` is drawn in the same panel as ``<name>``.
        path: the image file to write (PNG; another suffix matplotlib knows picks that format).
        title: a caption over the panels.

    Returns the path written.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # imported here: plotting is optional
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    curves: Mapping[str, Sequence[float]] = getattr(history, "history", history)
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError(
            "plot_history: expected a History or a {name: [value per epoch]} dict with at least one curve, "
            f"got {'an empty ' if isinstance(curves, Mapping) else 'a '}{type(history).__name__}."
        )
    quantities = [name for name in curves if not name.startswith("val_")]
    quantities += [name[4:] for name in curves if name.startswith("val_") and name[4:] not in quantities]
    quantities.sort(key=lambda name: name != "loss")  # loss first, the rest in their order
    figure = Figure(figsize=(4.5 * len(quantities), 3.6), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, len(quantities), squeeze=False)[0]
    for axis, name in zip(axes, quantities):
        for label, key, style in (("train", name, "-o"), ("validation", f"val_{name}", "--s")):
            if key in curves:
                values = list(curves[key])
                axis.plot(range(1, len(values) + 1), values, style, markersize=3, label=label)
        axis.set_xlabel("epoch")
        axis.xaxis.set_major_locator(MaxNLocator(integer=True))
        axis.set_title(name)
        axis.grid(alpha=0.3)
        axis.legend()
    if title:
        figure.suptitle(title)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    return path
