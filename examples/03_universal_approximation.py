"""Lecture: universal approximation, and why depth still pays.

One hidden layer of tanh units can approximate any continuous function on an interval
as closely as we like, given enough units. Here networks 1-H-1 fit a smooth wiggly
function on [-3, 3] (mean squared error, full-batch Adam with a cosine learning rate),
and the error shrinks as H grows. A deeper net (three hidden layers of 6) reaches a
smaller error than the widest shallow net with fewer parameters: composing layers
builds oscillations more cheaply than adding units side by side.

Headline: the MSE per width and the deep net's MSE and parameter count. Plot: approximation.png.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from common import figure, mlp, parse_args, save

import autograd_core as ag
import nn
import nn.functional as F

DEEP_SIZES = [1, 6, 6, 6, 1]


def target(x: np.ndarray) -> np.ndarray:
    """The function to approximate: smooth, with six turning points on [-3, 3]."""
    return 0.8 * np.sin(np.pi * x) * np.exp(-x / 3) + 0.2 * np.cos(3 * x)


def fit_curve(
    sizes: Sequence[int], inputs: ag.Tensor, targets: ag.Tensor, steps: int, seed: int
) -> tuple[nn.Module, float]:
    """Train a tanh MLP of ``sizes`` on all points at once; the model and its final MSE."""
    ag.manual_seed(seed)
    model = mlp(sizes, nn.Tanh)
    optimizer = nn.optim.Adam(model.parameters(), lr=0.01)
    scheduler = nn.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = F.mse_loss(model(inputs), targets)
        loss.backward()
        optimizer.step()
        scheduler.step()
    with ag.no_grad():
        return model, F.mse_loss(model(inputs), targets).item()


def parameter_count(model: nn.Module) -> int:
    return sum(parameter.numel() for parameter in model.parameters())


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    args = parse_args("03_universal_approximation", __doc__.split("\n\n")[0], argv)
    widths, steps = ([2, 16], 600) if args.quick else ([1, 2, 4, 8, 16, 32, 64], 1500)
    points = np.linspace(-3, 3, 256, dtype=np.float32)[:, None]
    inputs, targets = ag.from_numpy(points), ag.from_numpy(target(points).astype(np.float32))

    shallow = {width: fit_curve([1, width, 1], inputs, targets, steps, args.seed) for width in widths}
    deep_model, deep_error = fit_curve(DEEP_SIZES, inputs, targets, steps, args.seed)
    deep_parameters = parameter_count(deep_model)

    fig, axes = figure(1, 2, size=(5.5, 4.2),
                       title="Universal approximation: one hidden layer of H tanh units fitting f(x)")
    ax = axes[0, 0]
    ax.plot(points, targets.array, "k", linewidth=3, alpha=0.35, label="target f(x)")
    with ag.no_grad():
        for width in widths[::2]:
            ax.plot(points, shallow[width][0](inputs).array, label=f"H = {width}")
        ax.plot(points, deep_model(inputs).array, "--", label="deep 1-6-6-6-1")
    ax.set(title="fits", xlabel="x", ylabel="f(x)")
    ax.legend(fontsize=8)
    ax = axes[0, 1]
    counts = [parameter_count(shallow[width][0]) for width in widths]
    errors = [shallow[width][1] for width in widths]
    ax.loglog(counts, errors, "o-", label="one hidden layer (H = 1, 2, 4, ...)")
    for width, count, error in zip(widths, counts, errors):
        ax.annotate(f"H={width}", (count, error), textcoords="offset points", xytext=(4, 4), fontsize=8)
    ax.loglog([deep_parameters], [deep_error], "r*", markersize=14, label="three hidden layers of 6")
    ax.set(title=f"error vs parameters ({steps} full-batch Adam steps)", xlabel="parameters",
           ylabel="mean squared error")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    save(fig, args.out, "approximation.png")

    for width, count, error in zip(widths, counts, errors):
        print(f"1-{width}-1: {count:4d} parameters, MSE {error:.2e}")
    print(f"headline: MSE falls from {errors[0]:.2e} (H={widths[0]}) to {errors[-1]:.2e} "
          f"(H={widths[-1]}, {counts[-1]} parameters); "
          f"the deep 1-6-6-6-1 net reaches {deep_error:.2e} with {deep_parameters} parameters")
    return {"shallow_errors": dict(zip(widths, errors)), "shallow_parameters": dict(zip(widths, counts)),
            "deep_error": deep_error, "deep_parameters": deep_parameters}


if __name__ == "__main__":
    main()
