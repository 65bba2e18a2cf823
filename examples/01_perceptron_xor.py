"""Lecture: the perceptron, its limit (XOR), and the multi-layer perceptron that gets past it.

1. Rosenblatt's perceptron, ``y = sign(w . x + b)``, trained by the perceptron learning
   rule (on a mistake, ``w += lr * t * x``, ``b += lr * t``, targets t in {-1, +1}),
   converges on linearly separable points (the convergence theorem) ...
2. ... and never does on XOR: no line separates the two classes.
3. One hidden layer (2-8-1, tanh, trained with backprop on the logistic loss) solves XOR;
   its decision boundary is drawn.

Headline: epochs to converge on separable data, the perceptron's best XOR accuracy,
and the MLP's XOR accuracy. Plot: perceptron_xor.png.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from common import figure, mlp, parse_args, plot_decision_boundary, save

import autograd_core as ag
import nn
import nn.functional as F


class Perceptron(nn.Module):
    """``sign(w . x + b)``. Shape: input (N, features) -> output (N,) in {-1, 0, +1}."""

    def __init__(self, features: int) -> None:
        super().__init__()
        self.linear = nn.Linear(features, 1)
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)
        self.sign = nn.Sign()

    def forward(self, x: ag.Tensor) -> ag.Tensor:
        return self.sign(self.linear(x)).reshape(-1)


def train_perceptron(model: Perceptron, inputs: np.ndarray, targets: np.ndarray, epochs: int,
                     lr: float = 1.0) -> list[int]:
    """The perceptron learning rule, one sample at a time; the number of mistakes per epoch."""
    mistakes_per_epoch = []
    weight, bias = model.linear.weight, model.linear.bias
    for _ in range(epochs):
        mistakes = 0
        for x, t in zip(inputs, targets):
            with ag.no_grad():
                prediction = model(ag.from_numpy(x[None])).item()
                if prediction != t:  # sign(0) = 0 counts as a mistake, so training starts from w = 0
                    weight.array += lr * t * x[None]
                    bias.array += lr * t
                    mistakes += 1
        mistakes_per_epoch.append(mistakes)
        if mistakes == 0:
            break
    return mistakes_per_epoch


def perceptron_accuracy(model: Perceptron, inputs: np.ndarray, targets: np.ndarray) -> float:
    with ag.no_grad():
        return nn.metrics.accuracy(targets, model(ag.from_numpy(inputs)).array.astype(np.int64))


def logistic_loss(logits: ag.Tensor, targets: ag.Tensor) -> ag.Tensor:
    """Binary cross-entropy on the (N, 1) logits of a one-output network and (N,) 0/1 targets."""
    return F.binary_cross_entropy_with_logits(logits.reshape(-1), targets)


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    args = parse_args("01_perceptron_xor", __doc__.split("\n\n")[0], argv)
    samples, epochs, mlp_epochs = (100, 20, 150) if args.quick else (200, 50, 300)
    ag.manual_seed(args.seed)

    separable_x, separable_y = (t.array for t in nn.data.blobs(samples, noise=2.5, seed=args.seed))
    separable_t = 2 * separable_y - 1  # {0, 1} -> {-1, +1}
    line_model = Perceptron(2)
    separable_mistakes = train_perceptron(line_model, separable_x, separable_t, epochs)
    separable_accuracy = perceptron_accuracy(line_model, separable_x, separable_t)

    xor_x, xor_y = (t.array for t in nn.data.xor(samples, seed=args.seed + 1))
    xor_t = 2 * xor_y - 1
    xor_perceptron = Perceptron(2)
    xor_mistakes = train_perceptron(xor_perceptron, xor_x, xor_t, epochs)
    xor_perceptron_accuracy = perceptron_accuracy(xor_perceptron, xor_x, xor_t)

    network = mlp([2, 8, 1], nn.Tanh)
    history = nn.fit(network, logistic_loss, nn.optim.Adam(network.parameters(), lr=0.05),
                     (xor_x, xor_y.astype(np.float32)), epochs=mlp_epochs, batch_size=samples,
                     progress=False, seed=args.seed)
    xor_mlp_accuracy = history["accuracy"][-1]

    def perceptron_scores(model: Perceptron):
        return lambda points: model.linear(ag.from_numpy(points)).array

    def network_scores(points: np.ndarray) -> np.ndarray:
        with ag.no_grad():
            return network(ag.from_numpy(points)).array

    fig, axes = figure(1, 4, size=(4.2, 4.0),
                       title="The perceptron solves linearly separable data, not XOR; one hidden layer does")
    with ag.no_grad():
        plot_decision_boundary(axes[0, 0], perceptron_scores(line_model), separable_x, separable_y,
                               f"perceptron, separable: {separable_accuracy:.0%}\n"
                               f"(converged in {len(separable_mistakes)} epochs)")
        plot_decision_boundary(axes[0, 1], perceptron_scores(xor_perceptron), xor_x, xor_y,
                               f"perceptron, XOR: {xor_perceptron_accuracy:.0%}\n(after {epochs} epochs)")
    plot_decision_boundary(axes[0, 2], network_scores, xor_x, xor_y,
                           f"2-8-1 tanh MLP, XOR: {xor_mlp_accuracy:.0%}\n({mlp_epochs} full-batch Adam steps)")
    ax = axes[0, 3]
    ax.plot(range(1, len(separable_mistakes) + 1), separable_mistakes, "o-", label="perceptron, separable")
    ax.plot(range(1, len(xor_mistakes) + 1), xor_mistakes, "s-", markersize=3, label="perceptron, XOR")
    ax.set(title="perceptron rule: mistakes per epoch", xlabel="epoch", ylabel=f"mistakes (of {samples} points)")
    ax.grid(alpha=0.3)
    ax.legend()
    save(fig, args.out, "perceptron_xor.png")

    print(f"perceptron, linearly separable: {separable_accuracy:.0%} after {len(separable_mistakes)} epochs "
          f"(mistakes per epoch {separable_mistakes})")
    print(f"perceptron, XOR: still {xor_mistakes[-1]} mistakes in epoch {len(xor_mistakes)}; "
          f"accuracy {xor_perceptron_accuracy:.0%}")
    print(f"headline: 2-8-1 MLP on XOR: {xor_mlp_accuracy:.1%} training accuracy "
          f"(the perceptron: {xor_perceptron_accuracy:.0%})")
    return {"separable_accuracy": separable_accuracy, "separable_epochs": len(separable_mistakes),
            "xor_perceptron_accuracy": xor_perceptron_accuracy, "xor_perceptron_final_mistakes": xor_mistakes[-1],
            "xor_mlp_accuracy": xor_mlp_accuracy}


if __name__ == "__main__":
    main()
