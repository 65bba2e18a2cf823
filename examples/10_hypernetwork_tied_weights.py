"""Lecture: hypernetworks and weight sharing.

1. A hypernetwork G generates the weights of another network H. Here G is a learned
   embedding ``z`` (8 numbers) and a Linear layer mapping it to the 2 x 32 weight matrix
   and 32 biases of H's hidden layer; H then classifies the three-arm spiral. H's hidden
   weights are not parameters: every gradient into them flows on into G (``z`` and G's
   layer), which is what training updates.
2. Tied weights: an autoencoder whose decoder reuses the encoder's matrix transposed,
   ``x_hat = relu(x W^T + b) W + c``. One tensor, two uses, so its gradient is the sum of
   the gradients of both uses (checked against an untied copy) and the parameter count
   halves.

Both gradients are checked by central differences in float64 (``ag.gradcheck``).

Headline: the hypernetwork's spiral accuracy, gradcheck results, tied vs untied
parameter counts. Plot: hypernetwork.png.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from common import figure, mnist_splits, parse_args, plot_decision_boundary, save, show_images

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import Tensor


def hyper_forward(x: Tensor, z: Tensor, generator_weight: Tensor, generator_bias: Tensor, out_weight: Tensor,
                  out_bias: Tensor, hidden: int) -> Tensor:
    """G(z) -> (W, b) of H's hidden layer; H(x) = tanh(x W^T + b) V^T + c. Shape: (N, 2) -> (N, classes)."""
    generated = F.linear(z, generator_weight, generator_bias)  # G: (z_dim,) -> (hidden * 2 + hidden,)
    weight, bias = generated[:2 * hidden].reshape(hidden, 2), generated[2 * hidden:]
    return F.linear(ag.tanh(F.linear(x, weight, bias)), out_weight, out_bias)  # H, with G's weights


class HyperNetwork(nn.Module):
    """A classifier H whose hidden layer's weights come from a generator G."""

    def __init__(self, hidden: int = 32, z_dim: int = 8, classes: int = 3) -> None:
        super().__init__()
        self.hidden = hidden
        self.z = nn.Parameter(ag.randn(z_dim))
        self.generator = nn.Linear(z_dim, 2 * hidden + hidden)
        nn.init.normal_(self.generator.weight, 0.0, 1.0)  # generated weights of order 1, as a 2-input layer needs
        self.out = nn.Linear(hidden, classes)

    def forward(self, x: Tensor) -> Tensor:
        return hyper_forward(x, self.z, self.generator.weight, self.generator.bias, self.out.weight, self.out.bias,
                             self.hidden)


def tied_forward(x: Tensor, weight: Tensor, encoder_bias: Tensor, decoder_bias: Tensor) -> Tensor:
    """Encode with W, decode with the same W transposed. Shape: (N, D) -> (N, D); W (K, D)."""
    return ag.relu(x @ weight.T + encoder_bias) @ weight + decoder_bias


class TiedAutoencoder(nn.Module):
    def __init__(self, features: int, code: int) -> None:
        super().__init__()
        self.encoder = nn.Linear(features, code)
        self.decoder_bias = nn.Parameter(ag.zeros(features))

    def forward(self, x: Tensor) -> Tensor:
        return tied_forward(x, self.encoder.weight, self.encoder.bias, self.decoder_bias)


def check_hypernetwork_gradients(seed: int) -> bool:
    """gradcheck of a small hypernetwork's loss w.r.t. z, G's weights and H's output layer (float64)."""
    ag.manual_seed(seed)
    model = HyperNetwork(hidden=4, z_dim=3).double()
    inputs, labels = nn.data.spirals(12, seed=seed)
    inputs = inputs.double()

    def loss(
        z: Tensor, generator_weight: Tensor, generator_bias: Tensor, out_weight: Tensor, out_bias: Tensor
    ) -> Tensor:
        return F.cross_entropy(hyper_forward(inputs, z, generator_weight, generator_bias, out_weight, out_bias, 4),
                               labels)

    return ag.gradcheck(loss, (model.z, model.generator.weight, model.generator.bias, model.out.weight, model.out.bias))


def check_tied_gradients(seed: int) -> tuple[bool, float]:
    """gradcheck of the tied autoencoder, and the largest difference between the tied weight's gradient
    and the sum of the gradients of an untied copy's two matrices."""
    ag.manual_seed(seed)
    x = ag.rand(5, 6, dtype=ag.float64)
    model = TiedAutoencoder(6, 3).double()
    weight, encoder_bias, decoder_bias = model.encoder.weight, model.encoder.bias, model.decoder_bias

    def loss(weight: Tensor, encoder_bias: Tensor, decoder_bias: Tensor) -> Tensor:
        return F.mse_loss(tied_forward(x, weight, encoder_bias, decoder_bias), x)

    passed = ag.gradcheck(loss, (weight, encoder_bias, decoder_bias))
    (tied_gradient,) = ag.grad(loss(weight, encoder_bias, decoder_bias), (weight,))
    encoder_weight = weight.detach().clone().requires_grad_(True)
    decoder_weight = weight.detach().clone().requires_grad_(True)
    untied = ag.relu(x @ encoder_weight.T + encoder_bias) @ decoder_weight + decoder_bias
    encoder_gradient, decoder_gradient = ag.grad(F.mse_loss(untied, x), (encoder_weight, decoder_weight))
    difference = float(np.abs(tied_gradient.array - (encoder_gradient.array + decoder_gradient.array)).max())
    return passed, difference


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args("10_hypernetwork_tied_weights", __doc__.split("\n\n")[0], argv)
    spiral_points, spiral_epochs, ae_size, ae_epochs = (150, 150, 1000, 2) if args.quick else (300, 400, 4000, 8)

    hyper_gradients_ok = check_hypernetwork_gradients(args.seed)
    tied_gradients_ok, tied_difference = check_tied_gradients(args.seed)
    print(f"gradcheck (float64 central differences): hypernetwork {hyper_gradients_ok}, "
          f"tied autoencoder {tied_gradients_ok}; "
          f"tied gradient - (encoder use + decoder use) = {tied_difference:.1e}")

    ag.manual_seed(args.seed)
    inputs, labels = nn.data.spirals(spiral_points, noise=0.02, seed=args.seed)
    hyper = HyperNetwork()
    history = nn.fit(hyper, F.cross_entropy, nn.optim.Adam(hyper.parameters(), lr=0.01), (inputs, labels),
                     epochs=spiral_epochs, batch_size=spiral_points, progress=False, seed=args.seed)
    hyper_accuracy = history["accuracy"][-1]

    (images, _), (test_images, _) = mnist_splits([ae_size, 500], seed=args.seed)
    ag.manual_seed(args.seed)
    tied = TiedAutoencoder(784, 64)
    tied_history = nn.fit(tied, F.mse_loss, nn.optim.Adam(tied.parameters(), lr=2e-3), (images, images),
                          (test_images, test_images), epochs=ae_epochs, batch_size=64, metrics=(), progress=False,
                          seed=args.seed)
    tied_parameters = sum(parameter.numel() for parameter in tied.parameters())
    untied_parameters = tied_parameters + 784 * 64

    fig, axes = figure(1, 3, size=(4.6, 4.2),
                       title="A hypernetwork G generating H's weights; an autoencoder with tied weights")
    with ag.no_grad():
        plot_decision_boundary(axes[0, 0], lambda points: hyper(ag.from_numpy(points)).array,
                               inputs.array, labels.array,
                               f"H on the spiral: {hyper_accuracy:.0%} training accuracy\n"
                               "(H's hidden layer generated by G)")
        generated = hyper.generator(hyper.z).array
    image = axes[0, 1].imshow(np.concatenate([generated[:64].reshape(32, 2), generated[64:, None]], 1).T, cmap="bwr",
                              aspect="auto", vmin=-np.abs(generated).max(), vmax=np.abs(generated).max())
    fig.colorbar(image, ax=axes[0, 1], shrink=0.8)
    axes[0, 1].set(title="G(z): H's hidden layer, generated\n(rows: weight of x1, weight of x2, bias)",
                   xlabel="hidden unit of H", yticks=[0, 1, 2], yticklabels=["w1", "w2", "b"])
    show_images(axes[0, 2], tied.encoder.weight.array[:16], cols=4, symmetric=True,
                title=f"tied autoencoder 784-64-784, 16 rows of W\nvalidation MSE {tied_history['val_loss'][-1]:.4f}\n"
                      f"{tied_parameters:,} parameters ({untied_parameters:,} untied)")
    save(fig, args.out, "hypernetwork.png")

    print(f"headline: hypernetwork spiral accuracy {hyper_accuracy:.1%}; "
          f"gradients checked: hypernetwork {hyper_gradients_ok}, tied {tied_gradients_ok}; "
          f"tied autoencoder {tied_parameters:,} parameters instead of {untied_parameters:,}")
    return {"hyper_gradcheck": hyper_gradients_ok, "tied_gradcheck": tied_gradients_ok,
            "tied_difference": tied_difference,
            "hyper_accuracy": hyper_accuracy, "tied_val_mse": tied_history["val_loss"][-1],
            "tied_parameters": tied_parameters, "untied_parameters": untied_parameters}


if __name__ == "__main__":
    main()
