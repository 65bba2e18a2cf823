"""The main job for now: fit y = 3x + 2 by gradient descent, printing the loss as it falls.

    python -m autograd_core.demo
"""
from __future__ import annotations

import argparse

import autograd_core as ag


def fit_line(steps: int = 200, learning_rate: float = 0.1, seed: int = 0, report_every: int = 20) -> tuple[float, float, list[float]]:
    """Fit ``w, b`` to noisy samples of ``3x + 2``; returns ``(w, b, losses)``."""
    ag.manual_seed(seed)
    x = ag.rand(256, 1) * 4 - 2
    y = 3 * x + 2 + 0.1 * ag.randn(256, 1)
    w = ag.zeros(1, requires_grad=True)
    b = ag.zeros(1, requires_grad=True)
    losses = []
    for step in range(steps):
        loss = ((x * w + b - y) ** 2).mean()
        w.grad = b.grad = None
        loss.backward()
        with ag.no_grad():
            w.sub_(learning_rate * w.grad)
            b.sub_(learning_rate * b.grad)
        losses.append(loss.item())
        if report_every and (step % report_every == 0 or step == steps - 1):
            print(f"step {step:4d}  loss {loss.item():.5f}")
    return w.item(), b.item(), losses


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args(argv)
    w, b, _ = fit_line(args.steps)
    print(f"learned y = {w:.3f} x + {b:.3f}   (true: y = 3x + 2)")


if __name__ == "__main__":
    main()
