"""Many-to-one: read a whole sequence, answer once at the end.

    python examples/rnn_sequence_classification.py [--task sign|parity] [--cell lstm|gru|rnn] [--quick]

Tasks, generated on the fly (a fresh batch every step, so there is no overfitting):
  sign    digits in -4..4; is their sum positive, zero or negative? (3 classes)
  parity  bits 0/1; is the number of 1s even or odd? (2 classes; a harder, long-memory task)

Model: digits -> Embedding -> LSTM/GRU/RNN, only the final hidden state h_n -> Linear ->
class logits. Only the last step's output is used: the network has to carry what matters
(a running sum, a parity bit) in its hidden state.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

TASKS = {"sign": (9, 3), "parity": (2, 2)}  # task -> (symbols, classes)


def make_batch(task: str, batch_size: int, length: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Symbols (length, batch) int64 and labels (batch,) int64."""
    symbols = rng.integers(0, TASKS[task][0], size=(length, batch_size))
    if task == "sign":
        total = (symbols - 4).sum(0)  # symbol k is the digit k - 4
        labels = np.sign(total) + 1  # 0: negative, 1: zero, 2: positive
    else:
        labels = symbols.sum(0) % 2
    return symbols, labels.astype(np.int64)


class SequenceClassifier(nn.Module):
    """symbols (T, N) -> Embedding -> recurrent layer -> last hidden state -> logits (N, classes)."""

    def __init__(self, symbols: int, classes: int, cell: str = "lstm", hidden_size: int = 32, embedding_dim: int = 8) -> None:
        super().__init__()
        self.embedding = nn.Embedding(symbols, embedding_dim)
        self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell](embedding_dim, hidden_size)
        self.head = nn.Linear(hidden_size, classes)

    def forward(self, symbols: np.ndarray) -> ag.Tensor:
        _, state = self.rnn(self.embedding(symbols))
        h_n = state[0] if isinstance(state, tuple) else state  # LSTM returns (h_n, c_n)
        return self.head(h_n[-1])  # the last layer's final hidden state: (N, hidden) -> (N, classes)


def run(task: str = "sign", cell: str = "lstm", length: int = 12, steps: int = 600, batch_size: int = 64,
        lr: float = 1e-2, seed: int = 0, report: bool = True) -> float:
    """Train, then return the accuracy on 2000 fresh sequences."""
    ag.manual_seed(seed)
    rng = np.random.default_rng(seed)
    symbols, classes = TASKS[task]
    model = SequenceClassifier(symbols, classes, cell)
    optimizer = nn.optim.Adam(model.parameters(), lr=lr)
    for step in range(1, steps + 1):
        inputs, labels = make_batch(task, batch_size, length, rng)
        loss = F.cross_entropy(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if report and (step % 100 == 0 or step == steps):
            print(f"step {step:5d}  loss {loss.item():.4f}")
    inputs, labels = make_batch(task, 2000, length, rng)
    with ag.no_grad():
        accuracy = float((model(inputs).data.argmax(1) == labels).mean())
    if report:
        print(f"{task} of {length} symbols, {cell}: accuracy {accuracy:.3f} on 2000 new sequences")
    return accuracy


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--task", choices=sorted(TASKS), default="sign")
    parser.add_argument("--cell", choices=["rnn", "lstm", "gru"], default="lstm")
    parser.add_argument("--length", type=int, default=12)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--quick", action="store_true", help="a short run (for tests): 150 steps")
    args = parser.parse_args(argv)
    return run(args.task, args.cell, args.length, 150 if args.quick else args.steps)


if __name__ == "__main__":
    main()
