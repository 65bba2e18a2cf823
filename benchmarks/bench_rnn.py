"""Training step of a character-level recurrent model, this engine beside PyTorch in one run.

    python benchmarks/bench_rnn.py [--quick] [--threads N]

The step (issue 6): one-hot input of 65 symbols, sequence length 32, batch 32, a tanh RNN
(then an LSTM, then a GRU) with hidden size 128, a Linear head and cross-entropy over all
steps; forward + backward + SGD step; issue 17 adds an LSTM with hidden size 512 over 64
steps, and the peak memory of its training step for both engines (``common.peak_step_memory``,
target at most 1.5x PyTorch's). Both engines start from the same weights and data (the first
losses are compared). Target: at most 1.0x PyTorch. Writes benchmarks/results/rnn.json.

The recurrent layers' per-step products run on MKL's packed GEMM where the optional ``mkl``
extra is installed (``autograd_core.blas``; always on the calling thread), else on NumPy's
BLAS; the title says which. ``AUTOGRAD_CORE_BLAS=numpy python benchmarks/bench_rnn.py``
measures the NumPy path where MKL is installed.

Both engines get the same number of BLAS/intra-op threads (default 1: at these sizes extra
threads mostly add contention on a shared machine). On a shared, noisy machine the two
engines are timed in alternating rounds (ours, theirs, ours, ...) and each figure is the
median over the rounds, so a burst of load hits both sides; with one thread the clock is
this process's CPU time (user + system: page faults count), with more it is wall time.
"""
from __future__ import annotations

import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
from autograd_core import blas  # noqa: E402
from benchmarks.common import compared, interleaved_samples, peak_step_memory, report  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

VOCAB, BATCH = 65, 32
#: (kind, hidden size, sequence length, also time the step-by-step graph)
CASES = [("RNN", 128, 32, True), ("LSTM", 128, 32, True), ("GRU", 128, 32, True), ("LSTM", 512, 64, False)]
if "--only" in sys.argv:  # e.g. --only LSTM
    CASES = [case for case in CASES if case[0] == sys.argv[sys.argv.index("--only") + 1]]


def our_step(kind: str, weights: dict, inputs: np.ndarray, targets: np.ndarray, fused: bool = True) -> callable:
    hidden = weights["rnn.weight_hh_l0"].shape[1]
    recurrent = getattr(nn, kind)(VOCAB, hidden)
    recurrent.fused = fused
    head = nn.Linear(hidden, VOCAB)
    recurrent.load_state_dict({k[4:]: v for k, v in weights.items() if k.startswith("rnn.")})
    head.load_state_dict({k[5:]: v for k, v in weights.items() if k.startswith("head.")})
    optimizer = nn.optim.SGD(list(recurrent.parameters()) + list(head.parameters()), lr=0.01)
    x, y = ag.tensor(inputs), ag.tensor(targets.reshape(-1))

    def step() -> float:
        optimizer.zero_grad()
        output, _ = recurrent(x)
        loss = F.cross_entropy(head(output).reshape(-1, VOCAB), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def torch_step(kind: str, weights: dict, inputs: np.ndarray, targets: np.ndarray) -> callable:
    hidden = weights["rnn.weight_hh_l0"].shape[1]
    recurrent, head = getattr(torch.nn, kind)(VOCAB, hidden), torch.nn.Linear(hidden, VOCAB)
    recurrent.load_state_dict({k[4:]: torch.tensor(v) for k, v in weights.items() if k.startswith("rnn.")})
    head.load_state_dict({k[5:]: torch.tensor(v) for k, v in weights.items() if k.startswith("head.")})
    optimizer = torch.optim.SGD(list(recurrent.parameters()) + list(head.parameters()), lr=0.01)
    x, y = torch.tensor(inputs), torch.tensor(targets.reshape(-1))

    def step() -> float:
        optimizer.zero_grad()
        output, _ = recurrent(x)
        loss = torch.nn.functional.cross_entropy(head(output).reshape(-1, VOCAB), y)
        loss.backward()
        optimizer.step()
        return loss

    return step


def case_data(kind: str, hidden: int, steps: int) -> tuple[dict, np.ndarray, np.ndarray]:
    """(weights, one-hot inputs (T, N, 65), targets (T, N)) of one case, the same for both engines."""
    rng = np.random.default_rng(0)
    symbols = rng.integers(0, VOCAB, size=(steps + 1, BATCH))
    inputs = np.eye(VOCAB, dtype=np.float32)[symbols[:-1]]
    ag.manual_seed(0)
    reference = getattr(nn, kind)(VOCAB, hidden)
    weights = {f"rnn.{k}": v.array.copy() for k, v in reference.state_dict().items()}
    weights.update({f"head.{k}": v.array.copy() for k, v in nn.Linear(hidden, VOCAB).state_dict().items()})
    return weights, inputs, symbols[1:].astype(np.int64)


#: Builds one engine's step of a case for ``peak_step_memory`` ({engine}: our_step or torch_step).
MEMORY_SETUP = """
from benchmarks.bench_rnn import case_data, our_step, torch_step
small_step = {engine}({kind!r}, *case_data({kind!r}, {hidden}, 4))
step = {engine}({kind!r}, *case_data({kind!r}, {hidden}, {steps}))
"""


def memory_row(kind: str, hidden: int, steps: int) -> str:
    """The peak memory of one training step, both engines, as a line of text."""
    measured = {
        engine: peak_step_memory(MEMORY_SETUP.format(engine=engine, kind=kind, hidden=hidden, steps=steps))
        for engine in ("our_step", "torch_step") if engine == "our_step" or torch is not None
    }
    ours, theirs = measured.get("our_step"), measured.get("torch_step")
    if ours is None:
        return f"{kind} h={hidden} T={steps} step, peak memory: not measured (needs Linux's /proc/self/clear_refs)"
    ratio = f", ratio {ours / theirs:.2f} (target <= 1.5)" if theirs else ""
    their_text = f"{theirs / 2**20:.1f} MiB" if theirs else "n/a"
    return f"{kind} h={hidden} T={steps} step, peak memory beyond the model and batch: ours {ours / 2**20:.1f} MiB, " \
        f"PyTorch {their_text}{ratio}"


def main() -> None:
    quick = "--quick" in sys.argv
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)
    if torch is not None:
        torch.set_num_threads(threads)
    rounds = 5 if quick else 15
    clock = time.process_time if threads == 1 else time.perf_counter
    rows = []
    for kind, hidden, steps, unfused in CASES:
        kind_args = (kind, *case_data(kind, hidden, steps))
        functions = [our_step(*kind_args)] + ([torch_step(*kind_args)] if torch is not None else [])
        if unfused:
            functions.append(our_step(*kind_args, fused=False))
        if torch is not None:
            first = [float(function().item()) for function in functions[:2]]
            if abs(first[0] - first[1]) > 1e-4 * max(1.0, abs(first[1])):
                raise SystemExit(f"bench_rnn: {kind} first losses differ ({first[0]} vs {first[1]}): not one step")
        samples = interleaved_samples(functions, rounds, clock)
        theirs = samples[1] if torch is not None else None
        name = f"{kind} h={hidden} T={steps} N={BATCH} one-hot {VOCAB}: train step"
        rows.append(compared(name, samples[0], theirs, 1.0))
        if unfused:
            rows.append(compared(f"{kind} same step, step-by-step graph (fused=False)", samples[-1], theirs))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "rnn.json")
    clock_name = "CPU" if threads == 1 else "wall"
    products = "MKL packed" if blas.mkl_available() else "NumPy's BLAS"
    title = f"Recurrent training step ({threads} thread(s) each, {clock_name} time, medians of {rounds} rounds; " \
        f"our per-step products on {products})"
    report(title, rows, path)
    print("\n" + memory_row("LSTM", 512, 64))


if __name__ == "__main__":
    main()
