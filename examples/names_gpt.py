"""A GPT made of single numbers, then the same GPT made of tensors.

    python examples/names_gpt.py [--steps 1000] [--quick] [--out FOLDER] [--seed 0]

The smallest GPT worth the name, written twice:

1. On ``Scalar``s, the engine's one-number front end, the way the well-known scalar GPT
   programs do it: every weight is a Scalar, and a name is read one character at a time,
   each new position's key and value appended to a list (a "KV cache") that its query
   attends over. Each sum (a row of a linear layer, an attention score, a softmax's
   denominator) is one ``Scalar.dot`` or ``Scalar.sum`` node; a number class without those
   builds it as a chain of ``*`` and ``+`` nodes, as micrograd does (the same values, about
   eight times the nodes: ~65k a step instead of ~9k, the 4k weights included).
2. On ``Tensor``s: the same weights as matrices, the whole name in one pass, attention as one
   ``F.scaled_dot_product_attention(is_causal=True)`` node.

Both start from the same weights and train on the same names with the same Adam, in float64,
so their losses agree to about 1e-12 at every step; the example prints both and how much
faster the tensors are. The model: one layer, 4 heads of 4 (n_embd 16), RMSNorm, a ReLU MLP,
no biases; characters a-z plus one token that marks both the start and the end of a name.
The names are generated here (syllables drawn by a seeded generator), nothing is downloaded.
"""
from __future__ import annotations

import math
import operator
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
from common import figure, parse_args, save

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import Scalar, Tensor

ONSETS = ["", "b", "br", "c", "ch", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "sh", "t", "th", "v"]
VOWELS = ["a", "e", "i", "o", "u", "ae", "ia", "y"]
CODAS = ["", "", "", "n", "l", "r", "s", "th", "m"]


def make_names(count: int, seed: int = 0) -> list[str]:
    """``count`` distinct made-up names of 2 to 3 syllables (onset + vowel + optional coda), up to 12 letters."""
    rng = np.random.default_rng(seed)
    names: dict[str, None] = {}
    while len(names) < count:
        syllables = [rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(rng.integers(2, 4))]
        name = "".join(syllables) + rng.choice(CODAS)
        if 3 <= len(name) <= 12:
            names[name] = None
    return list(names)


class Tokens:
    """a-z as 0..25 and one boundary token (26) that starts and ends every name."""

    chars = "abcdefghijklmnopqrstuvwxyz"
    boundary = len(chars)
    size = len(chars) + 1

    def encode(self, name: str) -> list[int]:
        return [self.boundary] + [self.chars.index(char) for char in name] + [self.boundary]

    def decode(self, tokens: Sequence[int]) -> str:
        return "".join(self.chars[token] for token in tokens if token != self.boundary)


@dataclass
class Config:
    vocab_size: int = Tokens.size
    block_size: int = 16  # the longest name + 1 positions
    n_embd: int = 16
    n_head: int = 4


def init_weights(config: Config, seed: int) -> dict[str, np.ndarray]:
    """Every weight matrix (out, in) ~ N(0, 0.08^2), float64; the embeddings too."""
    rng = np.random.default_rng(seed)
    c, v = config.n_embd, config.vocab_size
    shapes = {
        "wte": (v, c), "wpe": (config.block_size, c), "wq": (c, c), "wk": (c, c), "wv": (c, c), "wo": (c, c),
        "fc1": (4 * c, c), "fc2": (c, 4 * c), "lm_head": (v, c),
    }
    return {name: rng.normal(0.0, 0.08, shape) for name, shape in shapes.items()}


# -- the GPT on single numbers -----------------------------------------------------------------
def chained_dot(a: Sequence, b: Sequence) -> Any:
    """``a[0] b[0] + a[1] b[1] + ...``: one multiplication and one addition node per pair (the sum
    starts from the first product, so no constant 0 joins the graph)."""
    products = map(operator.mul, a, b)
    return sum(products, next(products))


def chained_sum(values: Sequence) -> Any:
    """``values[0] + values[1] + ...``: one addition node per value after the first."""
    return sum(values[1:], values[0])


class ScalarGPT:
    """The GPT with one number per node. ``value`` builds a number: ``Scalar`` or a peer class with
    the same operators (+, -, *, /, ** number, exp, log, relu; ``.data``, ``.grad``, ``backward()``)."""

    def __init__(self, weights: dict[str, np.ndarray], config: Config, value: Callable[[float], Any] = Scalar) -> None:
        self.config = config
        self.weights = {name: [[value(float(x)) for x in row] for row in matrix] for name, matrix in weights.items()}
        # Scalar adds up a whole sum in one node (Scalar.dot, Scalar.sum); a number class without
        # them, like micrograd's Value, chains its own * and + (same values, eight times the nodes)
        self.dot = getattr(value, "dot", chained_dot)
        self.sum = getattr(value, "sum", chained_sum)

    def linear(self, x: list, weight: list) -> list:
        """``W x`` for a list x and a list of rows W."""
        return [self.dot(row, x) for row in weight]

    def rmsnorm(self, x: list) -> list:
        """``x / sqrt(mean(x^2) + 1e-5)``."""
        scale = (self.dot(x, x) / len(x) + 1e-5) ** -0.5
        return [xi * scale for xi in x]

    def softmax(self, logits: list) -> list:
        peak = max(value.data for value in logits)  # a constant shift: exp stays finite
        exps = [(value - peak).exp() for value in logits]
        total = self.sum(exps)
        return [e / total for e in exps]

    def parameters(self) -> list:
        return [number for matrix in self.weights.values() for row in matrix for number in row]

    def loss(self, tokens: Sequence[int]) -> Any:
        """Mean cross-entropy of predicting ``tokens[t + 1]`` from ``tokens[: t + 1]``, one position at a time."""
        w, heads = self.weights, self.config.n_head
        size = self.config.n_embd // heads
        keys: list[list] = []
        values: list[list] = []
        losses = []
        for position, (token, target) in enumerate(zip(tokens[:-1], tokens[1:])):
            x = [t + p for t, p in zip(w["wte"][token], w["wpe"][position])]
            x = self.rmsnorm(x)
            residual = x
            x = self.rmsnorm(x)
            query, key, value = self.linear(x, w["wq"]), self.linear(x, w["wk"]), self.linear(x, w["wv"])
            keys.append(key)
            values.append(value)
            attended = []
            for head in range(heads):  # each head attends over every position so far
                part = slice(head * size, (head + 1) * size)
                q = query[part]
                scores = [self.dot(q, k[part]) / math.sqrt(size) for k in keys]
                weights = self.softmax(scores)
                attended += [self.dot(weights, [v[head * size + i] for v in values]) for i in range(size)]
            x = [a + r for a, r in zip(self.linear(attended, w["wo"]), residual)]
            residual = x
            hidden = [h.relu() for h in self.linear(self.rmsnorm(x), w["fc1"])]
            x = [m + r for m, r in zip(self.linear(hidden, w["fc2"]), residual)]
            probabilities = self.softmax(self.linear(x, w["lm_head"]))
            losses.append(-probabilities[target].log())
        return self.sum(losses) / len(losses)


class ScalarAdam:
    """Adam on a list of numbers, the update of ``nn.optim.Adam`` written out per number."""

    def __init__(self, parameters: list, lr: float, betas: tuple = (0.85, 0.99), eps: float = 1e-8) -> None:
        self.parameters, self.lr, self.betas, self.eps = parameters, lr, betas, eps
        self.m = [0.0] * len(parameters)
        self.v = [0.0] * len(parameters)
        self.t = 0

    def step(self, lr: float) -> None:
        self.t += 1
        beta1, beta2 = self.betas
        step_size = lr / (1 - beta1**self.t)
        correction = math.sqrt(1 - beta2**self.t)
        for i, p in enumerate(self.parameters):
            self.m[i] += (p.grad - self.m[i]) * (1 - beta1)
            self.v[i] = beta2 * self.v[i] + (1 - beta2) * (p.grad * p.grad)
            p.data -= step_size * self.m[i] / (math.sqrt(self.v[i]) / correction + self.eps)

    def zero_grad(self) -> None:
        for p in self.parameters:
            p.grad = 0.0


# -- the same GPT on tensors ---------------------------------------------------------------------
class TensorGPT(nn.Module):
    """The GPT with matrices: a whole name (T tokens) at once, causal attention as one node."""

    def __init__(self, weights: dict[str, np.ndarray], config: Config) -> None:
        super().__init__()
        self.config = config
        for name, matrix in weights.items():
            setattr(self, name, nn.Parameter(ag.tensor(matrix, dtype=ag.float64)))

    def logits(self, tokens: Sequence[int]) -> Tensor:
        heads, length = self.config.n_head, len(tokens)
        x = _rmsnorm(self.wte[np.asarray(tokens)] + self.wpe[:length])
        residual = x
        x = _rmsnorm(x)
        q, k, v = (F.linear(x, w).reshape(length, heads, -1).transpose(0, 1) for w in (self.wq, self.wk, self.wv))
        attended = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(0, 1).reshape(length, -1)
        x = F.linear(attended, self.wo) + residual
        x = F.linear(F.relu(F.linear(_rmsnorm(x), self.fc1)), self.fc2) + x
        return F.linear(x, self.lm_head)

    def loss(self, tokens: Sequence[int]) -> Tensor:
        return F.cross_entropy(self.logits(tokens[:-1]), np.asarray(tokens[1:]))

    def generate(self, tokens: Tokens, count: int, temperature: float = 0.8) -> list[str]:
        """``count`` names sampled one character at a time until the boundary token."""
        names = []
        with ag.no_grad():
            for _ in range(count):
                sequence = [tokens.boundary]
                while len(sequence) < self.config.block_size:
                    probabilities = F.softmax(self.logits(sequence)[-1] / temperature, dim=-1)
                    choice = int(ag.multinomial(probabilities, 1).item())
                    if choice == tokens.boundary:
                        break
                    sequence.append(choice)
                names.append(tokens.decode(sequence))
        return names


def _rmsnorm(x: Tensor) -> Tensor:
    return x * ((x * x).mean(-1, keepdim=True) + 1e-5) ** -0.5


# -- training both -------------------------------------------------------------------------------
def train_scalar(model: ScalarGPT, documents: list, steps: int, lr: float) -> tuple[list, float]:
    """Losses per step and CPU seconds per step; the learning rate decays linearly to 0."""
    optimizer = ScalarAdam(model.parameters(), lr)
    losses, started = [], time.process_time()
    for step in range(steps):
        loss = model.loss(documents[step % len(documents)])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step(lr * (1 - step / steps))
        losses.append(loss.data)
    return losses, (time.process_time() - started) / steps


def train_tensor(model: TensorGPT, documents: list, steps: int, lr: float) -> tuple[list, float]:
    optimizer = nn.optim.Adam(model.parameters(), lr=lr, betas=(0.85, 0.99))
    losses, started = [], time.process_time()
    for step in range(steps):
        optimizer.param_groups[0]["lr"] = lr * (1 - step / steps)
        loss = model.loss(documents[step % len(documents)])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, (time.process_time() - started) / steps


def main(argv: Sequence[str] | None = None) -> dict:
    args = parse_args(
        "names_gpt", "A GPT on single numbers, then on tensors, trained on made-up names.", argv,
        lambda parser: parser.add_argument("--steps", type=int, default=None, help="default 500; 20 with --quick"),
    )
    steps = args.steps or (20 if args.quick else 500)
    tokens, config = Tokens(), Config()
    names = make_names(200 if args.quick else 2000, args.seed)
    documents = [tokens.encode(name) for name in np.random.default_rng(args.seed).permutation(names)]
    weights = init_weights(config, args.seed)
    print(f"{len(names)} names, e.g. {', '.join(names[:6])}; {sum(w.size for w in weights.values())} parameters")

    scalar_model, tensor_model = ScalarGPT(weights, config), TensorGPT(weights, config)
    scalar_losses, scalar_seconds = train_scalar(scalar_model, documents, steps, lr=1e-2)
    tensor_losses, tensor_seconds = train_tensor(tensor_model, documents, steps, lr=1e-2)
    difference = max(abs(a - b) for a, b in zip(scalar_losses, tensor_losses))
    for step in sorted({0, steps // 4, steps // 2, steps - 1}):
        print(f"step {step + 1:5d}  loss: Scalar {scalar_losses[step]:.12f}  Tensor {tensor_losses[step]:.12f}")
    window = max(1, steps // 10)
    print(f"largest loss difference over {steps} steps: {difference:.1e}")
    first, last = np.mean(tensor_losses[:window]), np.mean(tensor_losses[-window:])
    print(f"mean loss, first {window} steps {first:.3f}, last {window} {last:.3f}")
    speedup = scalar_seconds / tensor_seconds
    print(f"CPU time per step: Scalar {scalar_seconds * 1e3:.1f} ms, Tensor {tensor_seconds * 1e3:.2f} ms "
          f"(Tensor {speedup:.0f}x faster)")
    ag.manual_seed(args.seed)
    samples = tensor_model.generate(tokens, 10)
    print("samples:", ", ".join(samples))
    print(f"headline: Scalar and Tensor GPTs agree to {difference:.0e} in loss; Tensor {speedup:.0f}x faster")

    fig, axes = figure(1, 1, (6.0, 4.0), title="The same GPT on Scalars and on Tensors")
    axes[0, 0].plot(scalar_losses, label="Scalar", linewidth=3, alpha=0.5)
    axes[0, 0].plot(tensor_losses, label="Tensor", linewidth=1)
    axes[0, 0].set(xlabel="step (one name per step)", ylabel="cross-entropy (nats)")
    axes[0, 0].legend()
    save(fig, args.out, "names_gpt_losses.png")
    return {
        "scalar_losses": scalar_losses, "tensor_losses": tensor_losses, "difference": difference,
        "scalar_seconds": scalar_seconds, "tensor_seconds": tensor_seconds, "samples": samples, "names": names,
    }


if __name__ == "__main__":
    main()
