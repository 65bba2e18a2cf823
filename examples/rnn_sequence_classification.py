"""Many-to-one: read a whole sequence, answer once at the end.

    python examples/rnn_sequence_classification.py [--cell lstm|gru|rnn] [--length 12] [--quick]

The task, generated on the fly (a fresh batch every step, so there is no overfitting):
digits in -4..4; is their sum negative, zero or positive? (3 classes)

Model: digits -> Embedding -> LSTM/GRU/RNN, only the final hidden state h_n -> Linear ->
class logits. Only the last step's state is used: the network has to carry what matters
(a running sum) in its hidden state.
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

SYMBOLS, CLASSES = 9, 3  # digits -4..4; negative, zero, positive


def make_batch(batch_size: int, length: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Symbols (length, batch) int64 (symbol k is the digit k - 4) and labels (batch,) int64."""
    symbols = rng.integers(0, SYMBOLS, size=(length, batch_size))
    labels = np.sign((symbols - 4).sum(0)) + 1  # 0: negative, 1: zero, 2: positive
    return symbols, labels.astype(np.int64)


class SequenceClassifier(nn.Module):
    """symbols (T, N) -> Embedding -> recurrent layer -> last hidden state -> logits (N, classes)."""

    def __init__(
        self, symbols: int, classes: int, cell: str = "lstm", hidden_size: int = 32, embedding_dim: int = 8
    ) -> None:
        super().__init__()
        self.embedding = nn.Embedding(symbols, embedding_dim)
        self.rnn = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell](embedding_dim, hidden_size)
        self.head = nn.Linear(hidden_size, classes)

    def forward(self, symbols: np.ndarray) -> ag.Tensor:
        _, state = self.rnn(self.embedding(ag.from_numpy(symbols)))
        h_n = state[0] if isinstance(state, tuple) else state  # LSTM returns (h_n, c_n)
        return self.head(h_n[-1])  # the last layer's final hidden state: (N, hidden) -> (N, classes)


def run(cell: str = "lstm", length: int = 12, steps: int = 600, batch_size: int = 64,
        lr: float = 1e-2, seed: int = 0, report: bool = True) -> float:
    """Train, then return the accuracy on 2000 fresh sequences."""
    ag.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = SequenceClassifier(SYMBOLS, CLASSES, cell)
    optimizer = nn.optim.Adam(model.parameters(), lr=lr)
    for step in range(1, steps + 1):
        inputs, labels = make_batch(batch_size, length, rng)
        loss = F.cross_entropy(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if report and (step % 100 == 0 or step == steps):
            print(f"step {step:5d}  loss {loss.item():.4f}")
    inputs, labels = make_batch(2000, length, rng)
    with ag.no_grad():
        accuracy = float((model(inputs).array.argmax(1) == labels).mean())
    if report:
        print(f"sign of a sum of {length} digits, {cell}: accuracy {accuracy:.3f} on 2000 new sequences")
    return accuracy


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cell", choices=["rnn", "lstm", "gru"], default="lstm")
    parser.add_argument("--length", type=int, default=12)
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--quick", action="store_true", help="a short run (for tests): 150 steps")
    args = parser.parse_args(argv)
    return run(args.cell, args.length, 150 if args.quick else args.steps)


if __name__ == "__main__":
    main()
