"""Training step of a character-level recurrent model, this engine beside PyTorch in one run.

    python benchmarks/bench_rnn.py [--quick] [--threads N]

The step (issue 6): one-hot input of 65 symbols, sequence length 32, batch 32, a tanh RNN
(then an LSTM, then a GRU) with hidden size 128, a Linear head and cross-entropy over all
steps; forward + backward + SGD step. Both engines start from the same weights and data.
Target: at most 1.0x PyTorch. Writes benchmarks/results/rnn.json.

Both engines get the same number of BLAS/intra-op threads (default 1: at these sizes extra
threads mostly add contention on a shared machine). On a shared, noisy machine the two
engines are timed in alternating rounds (ours, theirs, ours, ...) and each figure is the
median over the rounds, so a burst of load hits both sides; with one thread the clock is
this process's CPU time (user + system: page faults count), with more it is wall time.
"""
from __future__ import annotations

import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks.common import report, warm_up  # noqa: E402

import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

VOCAB, HIDDEN, STEPS, BATCH = 65, 128, 32, 32


def our_step(kind: str, weights: dict, inputs: np.ndarray, targets: np.ndarray, fused: bool = True) -> callable:
    recurrent = getattr(nn, kind)(VOCAB, HIDDEN)
    recurrent.fused = fused
    head = nn.Linear(HIDDEN, VOCAB)
    recurrent.load_state_dict({k[4:]: v for k, v in weights.items() if k.startswith("rnn.")})
    head.load_state_dict({k[5:]: v for k, v in weights.items() if k.startswith("head.")})
    optimizer = nn.optim.SGD(list(recurrent.parameters()) + list(head.parameters()), lr=0.01)
    x, y = ag.tensor(inputs), ag.tensor(targets.reshape(-1))

    def step() -> None:
        optimizer.zero_grad()
        output, _ = recurrent(x)
        loss = F.cross_entropy(head(output).reshape(-1, VOCAB), y)
        loss.backward()
        optimizer.step()

    return step


def torch_step(kind: str, weights: dict, inputs: np.ndarray, targets: np.ndarray) -> callable:
    recurrent, head = getattr(torch.nn, kind)(VOCAB, HIDDEN), torch.nn.Linear(HIDDEN, VOCAB)
    recurrent.load_state_dict({k[4:]: torch.tensor(v) for k, v in weights.items() if k.startswith("rnn.")})
    head.load_state_dict({k[5:]: torch.tensor(v) for k, v in weights.items() if k.startswith("head.")})
    optimizer = torch.optim.SGD(list(recurrent.parameters()) + list(head.parameters()), lr=0.01)
    x, y = torch.tensor(inputs), torch.tensor(targets.reshape(-1))

    def step() -> None:
        optimizer.zero_grad()
        output, _ = recurrent(x)
        loss = torch.nn.functional.cross_entropy(head(output).reshape(-1, VOCAB), y)
        loss.backward()
        optimizer.step()

    return step


def alternating_medians(functions: list, rounds: int, clock: callable, min_seconds: float = 0.05) -> list[float]:
    """Median seconds per call of each function, timed in alternating rounds (see the module doc)."""
    loops = [warm_up(function, clock, min_seconds) for function in functions]
    samples: list[list[float]] = [[] for _ in functions]
    for _ in range(rounds):
        for function, count, times in zip(functions, loops, samples):
            start = clock()
            for _ in range(count):
                function()
            times.append((clock() - start) / count)
    return [statistics.median(times) for times in samples]


def main() -> None:
    quick = "--quick" in sys.argv
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)
    if torch is not None:
        torch.set_num_threads(threads)
    rounds = 5 if quick else 15
    clock = time.process_time if threads == 1 else time.perf_counter
    rng = np.random.default_rng(0)
    symbols = rng.integers(0, VOCAB, size=(STEPS + 1, BATCH))
    inputs = np.eye(VOCAB, dtype=np.float32)[symbols[:-1]]  # (T, N, 65) one-hot
    targets = symbols[1:].astype(np.int64)
    rows = []
    for kind in ("RNN", "LSTM", "GRU"):
        ag.manual_seed(0)
        reference = getattr(nn, kind)(VOCAB, HIDDEN)
        weights = {f"rnn.{k}": v.array.copy() for k, v in reference.state_dict().items()}
        weights.update({f"head.{k}": v.array.copy() for k, v in nn.Linear(HIDDEN, VOCAB).state_dict().items()})
        steps = [our_step(kind, weights, inputs, targets), our_step(kind, weights, inputs, targets, fused=False)]
        if torch is not None:
            steps.append(torch_step(kind, weights, inputs, targets))
        fused, unfused, *theirs = alternating_medians(steps, rounds, clock)
        name = f"{kind} h={HIDDEN} T={STEPS} N={BATCH} one-hot {VOCAB}: train step"
        rows.append({"name": name, "ours": fused, "theirs": theirs[0] if theirs else None, "target": 1.0})
        rows.append({"name": f"{kind} same step, step-by-step graph (fused=False)", "ours": unfused, "theirs": theirs[0] if theirs else None})
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "rnn.json")
    clock_name = "CPU" if threads == 1 else "wall"
    report(f"Recurrent training step ({threads} thread(s) each, {clock_name} time, medians of {rounds} alternating rounds)", rows, path)


if __name__ == "__main__":
    main()
