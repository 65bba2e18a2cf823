"""Per-op overhead and import time, this engine beside PyTorch in one run.

    python benchmarks/bench_ops.py

Targets (issue 2): per-op time with requires_grad at most 1.5x PyTorch's; import time
under a third of `import torch`; issue 17: a one-element ``a + b`` recorded at most 1.0x
(timed in interleaved rounds on CPU time, both engines pinned to one thread by the caller's
environment as the other benchmarks are). Writes benchmarks/results/ops.json.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import autograd_core as ag  # noqa: E402
from benchmarks.common import compared, interleaved_samples, median_time, report  # noqa: E402

try:
    import torch
except ImportError:
    torch = None


def import_seconds(module: str, repeats: int = 5) -> float:
    """Median wall time of a fresh interpreter importing ``module``, minus bare start-up."""
    def run(code: str) -> float:
        script = f"import time; s = time.perf_counter(); {code}; print(time.perf_counter() - s)"
        return float(subprocess.check_output([sys.executable, "-c", script], text=True))

    return statistics.median(run(f"import {module}") for _ in range(repeats))


def op_cases() -> list[dict]:
    rows = []
    rng = np.random.default_rng(0)
    for size in [(1,), (100, 100)]:
        a_np, b_np = rng.standard_normal(size).astype(np.float32), rng.standard_normal(size).astype(np.float32)
        for requires_grad in (False, True):
            a, b = ag.tensor(a_np, requires_grad=requires_grad), ag.tensor(b_np, requires_grad=requires_grad)
            functions = [lambda: a + b]
            if torch is not None:
                ta = torch.tensor(a_np, requires_grad=requires_grad)
                tb = torch.tensor(b_np, requires_grad=requires_grad)
                functions.append(lambda: ta + tb)
            # interleaved rounds on CPU time (issue 17: a one-element a + b recorded at most 1.0x)
            samples = interleaved_samples(functions, 21, time.process_time)
            target = (1.0 if size == (1,) else 1.5) if requires_grad else None
            name = f"a + b  {size}  requires_grad={requires_grad}"
            rows.append(compared(name, samples[0], samples[1] if torch is not None else None, target))
    for size in [(1,), (100, 100)]:
        x_np, w_np = rng.standard_normal(size).astype(np.float32), rng.standard_normal(size).astype(np.float32)
        x, w = ag.tensor(x_np), ag.tensor(w_np, requires_grad=True)

        def ours() -> None:
            loss = ((x * w).tanh() + w).sum()
            loss.backward()

        row = {"name": f"3-op graph + backward  {size}", "ours": median_time(ours), "target": 1.5}
        if torch is not None:
            tx, tw = torch.tensor(x_np), torch.tensor(w_np, requires_grad=True)

            def theirs() -> None:
                loss = ((tx * tw).tanh() + tw).sum()
                loss.backward()

            row["theirs"] = median_time(theirs)
        rows.append(row)
    return rows


def main() -> None:
    if torch is not None:
        torch.set_num_threads(1)  # per-op overhead, not threading: one thread, as NumPy's ufuncs
    report("Per-op time (a + b: medians of 21 interleaved rounds; graphs: of 7 repeats), one thread", op_cases(),
           "benchmarks/results/ops.json")
    import_row = {"name": "import time", "ours": import_seconds("autograd_core")}
    if torch is not None:
        import_row.update(theirs=import_seconds("torch"), target=1 / 3)
    report("Import time (fresh interpreter, median of 5)", [import_row], "benchmarks/results/import.json")


if __name__ == "__main__":
    main()
