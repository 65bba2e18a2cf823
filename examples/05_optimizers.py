"""Lecture: optimisers (SGD, momentum, Nesterov, Adagrad, RMSprop, Adam) and batch sizes.

1. The same MLP (784-64-10) on the same MNIST images, from the same initial weights,
   trained by each optimiser of ``nn.optim``: training loss per epoch.
2. The Rosenbrock function ``(1 - x)^2 + 100 (y - x^2)^2`` (a curved, narrow valley with
   its minimum at (1, 1)): each optimiser's path from (-1.5, 2) drawn on its contours.
3. Batch vs mini-batch vs stochastic gradient descent on the two-moons set: full-batch
   steps are smooth but few per epoch, single-sample steps are many and noisy.

Headline: final training loss per optimiser and distance to the Rosenbrock minimum.
Plots: optimizers_mnist.png, rosenbrock.png, batch_sizes.png.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from common import figure, mlp, mnist_splits, parse_args, save

import autograd_core as ag
import nn
import nn.functional as F

# name -> (optimizer class, its arguments on MNIST, its arguments on Rosenbrock)
OPTIMIZERS: dict[str, tuple[type, dict[str, Any], dict[str, Any]]] = {
    "SGD": (nn.optim.SGD, dict(lr=0.05), dict(lr=1e-3)),
    "momentum 0.9": (nn.optim.SGD, dict(lr=0.05, momentum=0.9), dict(lr=1e-3, momentum=0.9)),
    "Nesterov 0.9": (nn.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True),
                     dict(lr=1e-3, momentum=0.9, nesterov=True)),
    "Adagrad": (nn.optim.Adagrad, dict(lr=0.05), dict(lr=1.0)),
    "RMSprop": (nn.optim.RMSprop, dict(lr=1e-3), dict(lr=1e-2)),
    "Adam": (nn.optim.Adam, dict(lr=1e-3), dict(lr=0.1)),
}
START, MINIMUM = (-1.5, 2.0), (1.0, 1.0)


def rosenbrock(x: Any, y: Any) -> Any:
    """Works on Tensors (for the gradient) and on ndarrays (for the contours)."""
    return (1 - x) ** 2 + 100 * (y - x * x) ** 2


def rosenbrock_path(optimizer_class: type, options: dict[str, Any], steps: int) -> np.ndarray:
    """The points an optimiser visits, (steps + 1, 2)."""
    point = nn.Parameter(ag.tensor(START, dtype=ag.float64))
    optimizer = optimizer_class([point], **options)
    path = [point.array.copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        rosenbrock(point[0], point[1]).backward()
        optimizer.step()
        path.append(point.array.copy())
    return np.array(path)


def compare_on_mnist(args: Any) -> dict[str, list[float]]:
    train_size, epochs = (500, 3) if args.quick else (3000, 8)
    [(images, labels)] = mnist_splits([train_size], seed=args.seed)
    losses = {}
    for name, (optimizer_class, options, _) in OPTIMIZERS.items():
        ag.manual_seed(args.seed)  # the same initial weights for everyone
        model = mlp([784, 64, 10])
        history = nn.fit(model, F.cross_entropy, optimizer_class(model.parameters(), **options), (images, labels),
                         epochs=epochs, batch_size=64, metrics=(), progress=False, seed=args.seed)
        losses[name] = history["loss"]
    fig, axes = figure(1, 1, size=(6.5, 4.2),
                       title=f"Optimisers on MNIST: 784-64-10 MLP, {train_size} images, batches of 64")
    ax = axes[0, 0]
    for name, values in losses.items():
        settings = ", ".join(f"{key}={value}" for key, value in OPTIMIZERS[name][1].items() if key != "nesterov")
        label = f"{name} ({settings})"
        ax.plot(range(1, epochs + 1), values, "o-", markersize=3, label=label)
    ax.set(xlabel="epoch", ylabel="training loss (cross-entropy)", yscale="log",
           title="same data, same initial weights")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    save(fig, args.out, "optimizers_mnist.png")
    return losses


def compare_on_rosenbrock(args: Any) -> dict[str, float]:
    steps = 150 if args.quick else 500
    paths = {name: rosenbrock_path(optimizer_class, options, steps)
             for name, (optimizer_class, _, options) in OPTIMIZERS.items()}
    fig, axes = figure(1, 1, size=(10.5, 5.5),
                       title=f"Optimisers on the Rosenbrock function: {steps} steps from (-1.5, 2)")
    ax = axes[0, 0]
    grid_x, grid_y = np.meshgrid(np.linspace(-2, 2, 300), np.linspace(-1, 3, 300))
    contours = ax.contour(grid_x, grid_y, rosenbrock(grid_x, grid_y), levels=np.logspace(-1, 3.5, 10),
                          colors="0.55", linewidths=0.7)
    ax.clabel(contours, fontsize=7, fmt="%.3g")
    distances = {}
    for name, path in paths.items():
        distances[name] = float(np.linalg.norm(path[-1] - np.array(MINIMUM)))
        options = OPTIMIZERS[name][2]
        ax.plot(path[:, 0], path[:, 1], ".-", markersize=2, linewidth=1,
                label=f"{name}, lr={options['lr']}: ends {distances[name]:.2f} from (1, 1)")
    ax.plot(*START, "ko", markersize=8)
    ax.plot(*MINIMUM, "r*", markersize=15, label="minimum (1, 1)")
    ax.set(xlabel="x", ylabel="y", xlim=(-2, 2), ylim=(-1, 3))
    fig.legend(fontsize=8, loc="outside right center")  # beside the plot: inside, it would hide the valley
    save(fig, args.out, "rosenbrock.png")
    return distances


def compare_batch_sizes(args: Any) -> dict[str, float]:
    samples, epochs = (100, 4) if args.quick else (200, 10)
    inputs, labels = nn.data.moons(samples, noise=0.15, seed=args.seed)
    sizes = {"batch (all points)": samples, "mini-batch (16)": 16, "stochastic (1)": 1}
    fig, axes = figure(1, 2, size=(5.5, 4), title="Batch vs mini-batch vs stochastic gradient descent: "
                       f"two moons, {samples} points, SGD lr 0.1")
    final = {}
    for name, batch_size in sizes.items():
        ag.manual_seed(args.seed)
        model = mlp([2, 16, 2], nn.Tanh)
        step_losses: list[float] = []

        def recorded_loss(outputs: ag.Tensor, targets: ag.Tensor, step_losses: list[float] = step_losses) -> ag.Tensor:
            loss = F.cross_entropy(outputs, targets)
            step_losses.append(loss.item())  # the loss of the batch this step sees
            return loss

        history = nn.fit(model, recorded_loss, nn.optim.SGD(model.parameters(), lr=0.1), (inputs, labels),
                         epochs=epochs, batch_size=batch_size, metrics=(), progress=False, seed=args.seed)
        with ag.no_grad():
            final[name] = F.cross_entropy(model(inputs), labels).item()
        steps_per_epoch = -(-samples // batch_size)
        line, = axes[0, 0].plot(np.arange(1, len(step_losses) + 1), step_losses,
                                linewidth=0.8 + 1.5 / steps_per_epoch ** 0.5, alpha=0.9 if batch_size > 1 else 0.35,
                                label=f"{name}: {steps_per_epoch} steps/epoch")
        axes[0, 1].plot(range(1, epochs + 1), history["loss"], "o-", color=line.get_color(), label=name)
    axes[0, 0].set(title="loss of the batch each step sees", xlabel="gradient step", ylabel="cross-entropy",
                   xscale="log", yscale="log")
    axes[0, 1].set(title="mean training loss per epoch", xlabel="epoch", ylabel="cross-entropy", yscale="log")
    for ax in axes[0]:
        ax.grid(alpha=0.3, which="both")
        ax.legend(fontsize=8)
    save(fig, args.out, "batch_sizes.png")
    return final


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args("05_optimizers", __doc__.split("\n\n")[0], argv)
    losses = compare_on_mnist(args)
    distances = compare_on_rosenbrock(args)
    batch_losses = compare_batch_sizes(args)
    for name in OPTIMIZERS:
        print(f"{name:13s} MNIST training loss {losses[name][0]:.3f} -> {losses[name][-1]:.3f}; "
              f"Rosenbrock: ends {distances[name]:.3f} from the minimum")
    print("two moons, loss after the same number of epochs: "
          + ", ".join(f"{name} {loss:.3f}" for name, loss in batch_losses.items()))
    best = min(losses, key=lambda name: losses[name][-1])
    print(f"headline: lowest MNIST training loss {losses[best][-1]:.3f} ({best}); closest to the Rosenbrock minimum: "
          f"{min(distances, key=distances.get)} ({min(distances.values()):.3f}), plain SGD {distances['SGD']:.2f}")
    return {"mnist_losses": losses, "rosenbrock_distances": distances, "batch_size_losses": batch_losses}


if __name__ == "__main__":
    main()
