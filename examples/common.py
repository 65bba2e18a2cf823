"""What every example of the gallery shares: its command line, its output folder, figures,
MNIST splits, a plain MLP builder, per-layer recordings and 2-D decision boundaries.

Every example runs from a checkout, ``python examples/01_perceptron_xor.py [--quick]
[--out FOLDER] [--seed N]``; importing this module first puts the checkout on
``sys.path``, so the example uses the ``autograd_core`` and ``nn`` next to it.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# imported after the checkout is on the path (above), so the examples use the packages next to them
import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
from autograd_core import Tensor  # noqa: E402

OUTPUT_ROOT = Path("outputs") / "examples"


def parse_args(name: str, description: str, argv: Sequence[str] | None,
               add_arguments: Callable[[argparse.ArgumentParser], None] | None = None) -> argparse.Namespace:
    """The common options: ``--quick`` (small sizes for the test suite), ``--out``, ``--seed``.

    ``args.out`` is created; it defaults to ``outputs/examples/<name>/``.
    """
    parser = argparse.ArgumentParser(prog=f"python examples/{name}.py", description=description)
    parser.add_argument("--quick", action="store_true", help="small sizes and few epochs (seconds; for the tests)")
    parser.add_argument("--out", type=Path, default=OUTPUT_ROOT / name,
                        help=f"folder for the plots (default {OUTPUT_ROOT / name})")
    parser.add_argument("--seed", type=int, default=0, help="seeds data, initial weights and shuffling (default 0)")
    if add_arguments is not None:
        add_arguments(parser)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def figure(
    rows: int = 1, cols: int = 1, size: tuple[float, float] = (5.0, 4.0), title: str | None = None
) -> tuple[Any, np.ndarray]:
    """A matplotlib Figure on the Agg canvas (pyplot untouched) and its axes as a 2-D array.

    ``size`` is the size of one panel in inches.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(size[0] * cols, size[1] * rows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, cols, squeeze=False)
    if title:
        fig.suptitle(title, fontsize=13)
    return fig, axes


def save(fig: Any, out: Path, filename: str) -> Path:
    """Write ``fig`` as ``out/filename`` (PNG), print where, return the path."""
    path = out / filename
    fig.savefig(path, dpi=100)
    print(f"plot: {path}")
    return path


def mnist_indices(sizes: Sequence[int], seed: int = 0) -> list[np.ndarray]:
    """Disjoint random index sets into the shipped 10,000 MNIST images, one per size."""
    if sum(sizes) > 10_000:
        raise ValueError(f"mnist_indices: the shipped set has 10,000 images, asked for {sum(sizes)} ({list(sizes)})")
    order = np.random.default_rng(seed).permutation(10_000)
    bounds = np.cumsum([0, *sizes])
    return [order[start:stop] for start, stop in zip(bounds[:-1], bounds[1:])]


def mnist_splits(sizes: Sequence[int], seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """The images and labels at ``mnist_indices(sizes, seed)``: disjoint random pieces of the shipped set.

    Shape:
        each piece is (images (n, 784) float32 in [0, 1], labels (n,) int64).
    """
    images, labels = nn.data.load_mnist(flatten=True)
    return [(images.array[index], labels.array[index]) for index in mnist_indices(sizes, seed)]


def mlp(sizes: Sequence[int], activation: Callable[[], nn.Module] = nn.ReLU, *, batch_norm: bool = False,
        dropout: float = 0.0, input_noise: float = 0.0) -> nn.Sequential:
    """``Linear -> [BatchNorm1d] -> activation -> [Dropout]`` per hidden layer, a plain Linear last.

    ``input_noise`` > 0 puts a ``GaussianNoise`` layer in front. Shape: (N, sizes[0]) -> (N, sizes[-1]).
    """
    layers: list[nn.Module] = [nn.GaussianNoise(input_noise)] if input_noise > 0 else []
    for fan_in, fan_out in zip(sizes[:-2], sizes[1:-1]):
        layers.append(nn.Linear(fan_in, fan_out))
        if batch_norm:
            layers.append(nn.BatchNorm1d(fan_out))
        layers.append(activation())
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


def layer_outputs(model: nn.Module, layer_type: type, inputs: Tensor) -> list[np.ndarray]:
    """The outputs of every ``layer_type`` sub-module in one forward pass of ``inputs`` (forward hooks)."""
    captured: list[np.ndarray] = []
    handles = [module.register_forward_hook(lambda module, args, output: captured.append(output.array.copy()))
               for module in model.modules() if isinstance(module, layer_type)]
    try:
        with ag.no_grad():
            model(inputs)
    finally:
        for handle in handles:
            handle.remove()
    return captured


def plot_decision_boundary(ax: Any, scores: Callable[[np.ndarray], np.ndarray], inputs: np.ndarray, labels: np.ndarray,
                           title: str, resolution: int = 200) -> None:
    """Shade where ``scores(points)`` says class 1 (> 0, or argmax for several columns) and scatter the data."""
    low, high = inputs.min(0) - 0.3, inputs.max(0) + 0.3
    grid_x, grid_y = np.meshgrid(np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution))
    values = np.asarray(scores(np.stack([grid_x.ravel(), grid_y.ravel()], 1).astype(np.float32)))
    regions = values.argmax(1) if values.ndim == 2 and values.shape[1] > 1 else (values.reshape(-1) > 0)
    classes = int(max(labels.max(), regions.max())) + 1
    ax.contourf(grid_x, grid_y, regions.reshape(grid_x.shape), levels=np.arange(classes + 1) - 0.5, cmap="coolwarm",
                alpha=0.3)
    scatter = ax.scatter(inputs[:, 0], inputs[:, 1], c=labels, cmap="coolwarm", s=12, edgecolors="k", linewidths=0.3,
                         vmin=0, vmax=classes - 1)
    ax.legend(*scatter.legend_elements(), title="class", loc="upper right", fontsize=8)
    ax.set(title=title, xlabel="$x_1$", ylabel="$x_2$")


def show_images(ax: Any, images: np.ndarray, cols: int, title: str = "", cmap: str = "gray",
                symmetric: bool = False) -> None:
    """Tile ``images`` (n, 28, 28) or (n, 784) into one picture of ``cols`` columns.

    ``symmetric`` centres the colour map on 0 (for weights: red positive, blue negative).
    """
    images = np.asarray(images).reshape(len(images), 28, 28)
    rows = -(-len(images) // cols)
    canvas = np.full((rows * 30, cols * 30), np.nan)
    for index, image in enumerate(images):
        row, col = divmod(index, cols)
        canvas[row * 30 + 1:row * 30 + 29, col * 30 + 1:col * 30 + 29] = image
    if symmetric:
        limit = np.nanmax(np.abs(canvas))
        ax.imshow(canvas, cmap="bwr", vmin=-limit, vmax=limit)
    else:
        ax.imshow(canvas, cmap=cmap)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title)
