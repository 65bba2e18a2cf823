"""Lecture: weight initialisation (constant, Gaussian, Xavier, He, orthogonal, LSUV) in a deep ReLU net.

The same 784-(128 x 8)-10 ReLU network starts from each scheme of ``nn.init`` (biases 0):

- constant 0.01: every unit of a layer computes the same thing, and gets the same
  gradient, so they never become different (the symmetry is never broken);
- Gaussian N(0, 0.01^2): too small, the signal shrinks layer after layer;
- Xavier (Glorot) normal, gain 1: variance kept for linear/tanh units, halved by each ReLU;
- He (Kaiming) normal: variance 2 / fan_in, made for ReLU;
- orthogonal (gain sqrt(2)): norm-preserving weights scaled for ReLU;
- LSUV (``nn.init.lsuv_``): orthogonal, then each layer rescaled on a data batch until
  its output variance is 1.

Measured: the variance of each layer's pre-activations on a batch at initialisation,
and validation accuracy over a few epochs of SGD with momentum.

Headline: last hidden layer's variance and final validation accuracy per scheme.
Plot: initialization.png.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from common import figure, layer_outputs, mlp, mnist_splits, parse_args, save

import autograd_core as ag
import nn
import nn.functional as F

SCHEMES: dict[str, Callable[[ag.Tensor], Any] | None] = {
    "constant 0.01": lambda weight: nn.init.constant_(weight, 0.01),
    "Gaussian std 0.01": lambda weight: nn.init.normal_(weight, 0.0, 0.01),
    "Xavier": nn.init.xavier_normal_,
    "He": lambda weight: nn.init.kaiming_normal_(weight, nonlinearity="relu"),
    "orthogonal": lambda weight: nn.init.orthogonal_(weight, gain=math.sqrt(2)),
    "LSUV": None,  # needs the whole model and a batch
}


def initialised_model(scheme: str, sizes: list[int], batch: ag.Tensor, seed: int) -> nn.Module:
    ag.manual_seed(seed)
    model = mlp(sizes)
    if SCHEMES[scheme] is None:
        return nn.init.lsuv_(model, batch)
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            SCHEMES[scheme](layer.weight)
            nn.init.zeros_(layer.bias)
    return model


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args("07_initialization", __doc__.split("\n\n")[0], argv)
    train_size, depth, epochs = (600, 8, 2) if args.quick else (3000, 8, 6)
    train, validation = mnist_splits([train_size, 1000], seed=args.seed)
    sizes = [784] + [128] * depth + [10]
    batch = ag.from_numpy(train[0][:256])

    variances, histories = {}, {}
    for scheme in SCHEMES:
        model = initialised_model(scheme, sizes, batch, args.seed)
        variances[scheme] = [float(np.var(output)) for output in layer_outputs(model, nn.Linear, batch)]
        optimizer = nn.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        histories[scheme] = nn.fit(model, F.cross_entropy, optimizer, train, validation, epochs=epochs, batch_size=64,
                                   progress=False, seed=args.seed)
        if scheme.startswith("constant"):  # the symmetry is never broken: every hidden unit still has the same weights
            first_weights = model[0].weight.array
            symmetric = bool(np.allclose(first_weights, first_weights[0], atol=1e-6))
            print(f"constant init after training: all {len(first_weights)} units of layer 1 identical: {symmetric}")

    fig, axes = figure(1, 2, size=(5.8, 4.3), title=f"Initialisation of a 784-(128 x {depth})-10 ReLU MLP")
    ax = axes[0, 0]
    for scheme, values in variances.items():
        ax.semilogy(range(1, len(values) + 1), values, "o-", markersize=4, label=scheme)
    ax.set(title="pre-activation variance at initialisation\n(one batch of 256 images)", xlabel="layer (Linear output)",
           ylabel="variance")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    ax = axes[0, 1]
    for scheme, history in histories.items():
        style = "s--" if scheme.startswith("constant") else "o-"  # constant and Gaussian overlap at chance level
        ax.plot(range(1, epochs + 1), history["val_accuracy"], style, markersize=4, label=scheme)
    ax.set(title=f"validation accuracy\n({train_size} training images, SGD lr 0.01, momentum 0.9)", xlabel="epoch",
           ylabel="accuracy", ylim=(0, 1))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    save(fig, args.out, "initialization.png")

    for scheme in SCHEMES:
        print(f"{scheme:18s} variance layer 1 {variances[scheme][0]:.2e}, last hidden {variances[scheme][-2]:.2e}; "
              f"validation accuracy {histories[scheme]['val_accuracy'][-1]:.1%}")
    print("headline: last hidden layer variance / validation accuracy: "
          + ", ".join(f"{scheme} {variances[scheme][-2]:.1e} / {histories[scheme]['val_accuracy'][-1]:.0%}"
                      for scheme in SCHEMES))
    return {"variances": variances, "constant_units_identical": symmetric,
            "val_accuracy": {scheme: history["val_accuracy"][-1] for scheme, history in histories.items()}}


if __name__ == "__main__":
    main()
