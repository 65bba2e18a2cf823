"""Lecture: activation functions, their derivatives, and vanishing gradients.

1. Sigmoid, tanh, ReLU, leaky ReLU, softplus and ELU with their derivatives. The
   derivatives are not typed in: each comes from the engine (``y.sum().backward()``
   leaves ``dy_i/dx_i`` in ``x.grad``), and is checked against the textbook formula.
2. Vanishing gradients: in a deep sigmoid network (10 hidden layers), backprop multiplies
   by sigma'(z) <= 1/4 at every layer, so the first layers get gradients orders of
   magnitude smaller than the last, even with the Xavier init made for it; the same
   ReLU network with He init keeps them comparable.

Headline: first-to-last layer gradient-norm ratio, sigmoid vs ReLU. Plots:
activations.png, vanishing_gradients.png.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from common import figure, mlp, mnist_splits, parse_args, save

import autograd_core as ag
import nn
import nn.functional as F


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


# how each curve is drawn: several coincide over part of the range (ReLU, leaky ReLU and
# ELU for x > 0, sigmoid and softplus' derivative), so they differ in dash and width too
STYLES = {
    "sigmoid": dict(linestyle="-", linewidth=2),
    "tanh": dict(linestyle="-", linewidth=2),
    "ReLU": dict(linestyle="-", linewidth=5, alpha=0.45),
    "leaky ReLU (0.1)": dict(linestyle="--", linewidth=2),
    "softplus": dict(linestyle="-.", linewidth=2),
    "ELU": dict(linestyle=":", linewidth=2.5),
}

# module, textbook derivative
ACTIVATIONS: dict[str, tuple[nn.Module, Callable[[np.ndarray], np.ndarray]]] = {
    "sigmoid": (nn.Sigmoid(), lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    "tanh": (nn.Tanh(), lambda x: 1 - np.tanh(x) ** 2),
    "ReLU": (nn.ReLU(), lambda x: (x > 0).astype(float)),
    "leaky ReLU (0.1)": (nn.LeakyReLU(0.1), lambda x: np.where(x > 0, 1.0, 0.1)),
    "softplus": (nn.Softplus(), _sigmoid),
    "ELU": (nn.ELU(), lambda x: np.where(x > 0, 1.0, np.exp(x))),
}


def derivative(activation: nn.Module, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``activation(x)`` and its elementwise derivative, from one backward pass."""
    inputs = ag.tensor(x, dtype=ag.float64, requires_grad=True)
    outputs = activation(inputs)
    outputs.sum().backward()  # d(sum_i y_i)/dx_i = y_i'(x_i): the elements do not interact
    return outputs.array, inputs.grad.array


def layer_gradient_norms(activation: Callable[[], nn.Module], initialise: Callable[[ag.Tensor], ag.Tensor], depth: int,
                         images: np.ndarray, labels: np.ndarray, seed: int) -> list[float]:
    """The Frobenius norm of each Linear weight's gradient (input side first) after one backward pass."""
    ag.manual_seed(seed)
    model = mlp([784] + [64] * depth + [10], activation)
    for layer in model.modules():
        if isinstance(layer, nn.Linear):
            initialise(layer.weight)
            nn.init.zeros_(layer.bias)
    F.cross_entropy(model(ag.from_numpy(images)), ag.from_numpy(labels)).backward()
    return [float(np.linalg.norm(layer.weight.grad.array)) for layer in model.modules() if isinstance(layer, nn.Linear)]


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    args = parse_args("04_activations", __doc__.split("\n\n")[0], argv)
    x = np.linspace(-4, 4, 401)  # 0 is on the grid; the engine's ReLU' takes 0 there, as PyTorch
    fig, axes = figure(1, 2, size=(5.2, 4),
                       title="Activation functions and their derivatives (derivatives from backward())")
    worst_error = 0.0
    for name, (activation, textbook) in ACTIVATIONS.items():
        values, slopes = derivative(activation, x)
        kinked = x == 0 if "ReLU" in name or name == "ELU" else np.zeros_like(x, dtype=bool)
        worst_error = max(worst_error, float(np.abs(slopes - textbook(x))[~kinked].max()))
        line, = axes[0, 0].plot(x, values, label=name, **STYLES[name])
        axes[0, 1].plot(x, slopes, color=line.get_color(), label=name, **STYLES[name])
    axes[0, 0].set(title="f(x)", xlabel="x", ylabel="f(x)", ylim=(-1.5, 4))
    axes[0, 1].set(title="f'(x) = x.grad after f(x).sum().backward()", xlabel="x", ylabel="f'(x)")
    for ax in axes[0]:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    save(fig, args.out, "activations.png")
    print(f"engine derivatives vs textbook formulas: largest difference {worst_error:.1e}")

    depth = 10
    [(images, labels)] = mnist_splits([256], seed=args.seed)
    setups = {"sigmoid, Xavier init": (nn.Sigmoid, nn.init.xavier_normal_),
              "ReLU, He init": (nn.ReLU, lambda weight: nn.init.kaiming_normal_(weight, nonlinearity="relu"))}
    norms = {name: layer_gradient_norms(activation, initialise, depth, images, labels, args.seed)
             for name, (activation, initialise) in setups.items()}
    ratios = {name: values[0] / values[-1] for name, values in norms.items()}
    fig, axes = figure(1, 1, size=(6.5, 4.2),
                       title=f"Vanishing gradients: {depth} hidden layers of 64 units, one MNIST batch")
    ax = axes[0, 0]
    for name, values in norms.items():
        ax.semilogy(range(1, len(values) + 1), values, "o-",
                    label=f"{name} (first / last layer: {ratios[name]:.1e})")
    ax.set(xlabel="layer (1 = next to the input)", ylabel="||dLoss/dW|| of the layer",
           title="gradient norm per layer at initialisation")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    save(fig, args.out, "vanishing_gradients.png")
    sigmoid_ratio, relu_ratio = ratios.values()
    print(f"headline: first/last layer gradient norm: sigmoid {sigmoid_ratio:.1e}, ReLU {relu_ratio:.1e}")
    return {"derivative_error": worst_error, "sigmoid_ratio": sigmoid_ratio, "relu_ratio": relu_ratio}


if __name__ == "__main__":
    main()
