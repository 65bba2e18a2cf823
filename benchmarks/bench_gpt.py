"""GPT training step, this engine beside PyTorch in one run; and the names GPT on Scalars.

    python benchmarks/bench_gpt.py [--quick] [--rounds 9] [--profile] [--no-scalar | --scalar-only]

1. The step (forward, cross-entropy, backward, AdamW with GPT-2's parameter groups) of
   ``nn.models.GPT`` with 2 layers x 64 (block 32) and 4 layers x 128 (block 64), 4 heads,
   batch 16, float32, on windows of Python's docs (the ``nn.gpt`` job's data). PyTorch runs
   the same model (``benchmarks/torch_gpt.py``, its own ``scaled_dot_product_attention``)
   with the same weights; the first losses are compared. Target: at most 1.2x PyTorch.
2. Where the time goes: each part of the step alone (forward + backward at the step's shapes,
   times how often the step has it), ours and PyTorch's.
3. What each fusion is worth: the step with one fused node replaced by the composition it
   replaces (GELU by its erf chain; the attention node by splits, reshapes and transposes
   around SDPA; SDPA by matmul, softmax, matmul).
4. The one-layer names GPT of ``examples/names_gpt.py`` on ``Scalar`` beside a micrograd-pattern
   scalar class (local gradients, ``__slots__``, recursive topological sort; below), same
   weights and names. The example adds up each sum in one ``Scalar.dot``/``Scalar.sum`` node
   for ``Scalar`` and as a chain of ``*`` and ``+`` for the peer, which has no n-ary ops; the
   graph sizes per step are printed. Target: ours at least 3x faster (ratio <= 0.33), with
   the GC on.

One thread each (BLAS and PyTorch), CPU time of this process (the machine is shared); each
figure is the median of interleaved rounds (ours, theirs, ours, ...), with the quartiles of
the per-round ratios beside it (where a rerun is likely to land). Writes
benchmarks/results/gpt.json (gpt_scalar.json with ``--scalar-only``).
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import importlib.util
import json
import math
import os
import pstats
import statistics
import sys
import time
from typing import Any, Callable

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
import autograd_core as ag  # noqa: E402
import nn  # noqa: E402
import nn.functional as F  # noqa: E402
from autograd_core.ops import attention as attention_ops  # noqa: E402
from autograd_core.ops.elementwise import Erf  # noqa: E402
from benchmarks.common import compared, format_seconds, interleaved_samples, report  # noqa: E402
from benchmarks.torch_gpt import torch_gpt  # noqa: E402
from nn.char_lm import Vocabulary, default_text  # noqa: E402
from nn.gpt import random_windows  # noqa: E402
from nn.models.gpt import GPT, CausalSelfAttention, GPTConfig  # noqa: E402

torch: Any = None  # imported in main, after the Scalar GPT (see scalar_rows)

BATCH = 16
CLOCK = time.process_time


class Value:
    """The micrograd pattern with local gradients and ``__slots__``: the peer of ``Scalar``."""

    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data: float, children: tuple = (), local_grads: tuple = ()) -> None:
        self.data, self.grad, self._children, self._local_grads = data, 0.0, children, local_grads

    def __add__(self, other: Any) -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other: Any) -> "Value":
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, k: float) -> "Value":
        return Value(self.data**k, (self,), (k * self.data ** (k - 1),))

    def exp(self) -> "Value":
        return Value(math.exp(self.data), (self,), (math.exp(self.data),))

    def log(self) -> "Value":
        return Value(math.log(self.data), (self,), (1.0 / self.data,))

    def relu(self) -> "Value":
        return Value(max(0.0, self.data), (self,), (float(self.data > 0),))

    __radd__, __rmul__ = __add__, __mul__

    def __neg__(self) -> "Value":
        return self * -1.0

    def __sub__(self, other: Any) -> "Value":
        return self + (-other)

    def __truediv__(self, other: Any) -> "Value":
        return self * other**-1

    def backward(self) -> None:
        topo, visited = [], set()

        def build(node: "Value") -> None:
            if node not in visited:
                visited.add(node)
                for child in node._children:
                    build(child)
                topo.append(node)

        build(self)
        self.grad = 1.0
        for node in reversed(topo):
            for child, local in zip(node._children, node._local_grads):
                child.grad += local * node.grad


# -- timing ------------------------------------------------------------------------------------
def medians(functions: list[Callable[[], Any]], rounds: int, min_seconds: float = 0.1) -> list[float]:
    """Median seconds per call of each function over interleaved rounds."""
    return [statistics.median(times) for times in interleaved_samples(functions, rounds, CLOCK, min_seconds)]


# -- the training steps --------------------------------------------------------------------------
def training_step(model: Any, optimizer: Any, inputs: Any, targets: Any) -> Callable[[], float]:
    """One step, the same code for both engines (the same API): forward with targets, backward, AdamW."""

    def step() -> float:
        _, loss = model(inputs, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return step


def our_step(model: GPT, inputs: np.ndarray, targets: np.ndarray) -> Callable[[], float]:
    optimizer = model.configure_optimizers(weight_decay=0.1, learning_rate=1e-3)
    return training_step(model, optimizer, ag.tensor(inputs), ag.tensor(targets))


def torch_adamw(model: Any) -> Any:
    """PyTorch's AdamW with GPT-2's groups, as ``GPT.configure_optimizers`` makes them."""
    decay = [p for p in model.parameters() if p.ndim >= 2]
    no_decay = [p for p in model.parameters() if p.ndim < 2]
    groups = [{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=1e-3)


def torch_step(model: Any, inputs: np.ndarray, targets: np.ndarray) -> Callable[[], float]:
    return training_step(model, torch_adamw(model), torch.tensor(inputs), torch.tensor(targets))


def model_and_batch(config: GPTConfig, data: np.ndarray, seed: int = 0) -> tuple[GPT, np.ndarray, np.ndarray]:
    ag.manual_seed(seed)
    inputs, targets = random_windows(data, config.block_size, BATCH, np.random.default_rng(seed))
    return GPT(config), inputs, targets


# -- the compositions the fused nodes replace (for what each is worth) ---------------------------------
def gelu_composed(x: ag.Tensor, approximate: str = "none") -> ag.Tensor:
    """GELU as the chain of elementary nodes it was before the fused node: a * 0.5 * (1 + erf(a / sqrt 2))."""
    return x * 0.5 * (1.0 + Erf.apply(x * (1.0 / math.sqrt(2.0))))


def attention_by_heads(
    self: CausalSelfAttention, x: ag.Tensor, sdpa: Callable = F.scaled_dot_product_attention
) -> ag.Tensor:
    """CausalSelfAttention.forward written as nanoGPT does: split, view and transpose per head, SDPA, merge."""
    batch, length, width = x.shape
    q, k, v = (
        part.reshape(batch, length, self.n_head, width // self.n_head).transpose(1, 2)
        for part in self.c_attn(x).split(width, 2)
    )
    y = sdpa(q, k, v, is_causal=True)
    return self.resid_dropout(self.c_proj(y.transpose(1, 2).contiguous().reshape(batch, length, width)))


def attention_composed(self: CausalSelfAttention, x: ag.Tensor) -> ag.Tensor:
    def composed(q: ag.Tensor, k: ag.Tensor, v: ag.Tensor, is_causal: bool) -> ag.Tensor:
        return attention_ops.attention_reference(q, k, v, is_causal=is_causal)

    return attention_by_heads(self, x, composed)


class Patched:
    """Replace ``owner.name`` by ``value`` inside a ``with``."""

    def __init__(self, owner: Any, name: str, value: Any) -> None:
        self.owner, self.name, self.value = owner, name, value

    def __enter__(self) -> None:
        self.saved = getattr(self.owner, self.name)
        setattr(self.owner, self.name, self.value)

    def __exit__(self, *exc: Any) -> None:
        setattr(self.owner, self.name, self.saved)


ABLATIONS = {
    "GELU as one node (vs its erf chain of 5 nodes)": (nn.functional, "gelu", gelu_composed),
    "heads split/merged inside one node (vs split, reshape, transpose around SDPA)": (
        CausalSelfAttention, "forward", attention_by_heads
    ),
    "heads node and SDPA (vs splits + matmul, softmax, matmul composition)": (
        CausalSelfAttention, "forward", attention_composed
    ),
}


# -- the parts of the step --------------------------------------------------------------------------
Part = tuple[str, int, Callable[[], Any], Callable[[], Any]]  # name, count per step, ours, PyTorch's


def parts(config: GPTConfig, model: GPT) -> list[Part]:
    """Each part of the step alone, forward + backward at the step's shapes (``.sum().backward()``)."""
    rng = np.random.default_rng(1)
    c, length, vocab, heads = config.n_embd, config.block_size, config.vocab_size, config.n_head

    def tensors(*shape: int) -> tuple[ag.Tensor, Any]:
        array = rng.standard_normal(shape).astype(np.float32)
        return ag.tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)

    def both(ours: Callable, theirs: Callable, ours_in: Any, theirs_in: Any) -> tuple[Callable, Callable]:
        return (lambda: ours(*ours_in).sum().backward()), (lambda: theirs(*theirs_in).sum().backward())

    result: list[Part] = []
    linears = [("c_attn", c, 3 * c), ("attn.c_proj", c, c), ("c_fc", c, 4 * c), ("mlp.c_proj", 4 * c, c)]
    for label, fan_in, fan_out in linears:
        ours_in, theirs_in = tensors(BATCH, length, fan_in)
        layers = nn.Linear(fan_in, fan_out), torch.nn.Linear(fan_in, fan_out)
        result.append((f"Linear {label} {fan_in}->{fan_out}", config.n_layer, *both(*layers, [ours_in], [theirs_in])))
    x = tensors(BATCH, length, c)
    heads_out = nn.Linear(c, vocab, bias=False), torch.nn.Linear(c, vocab, bias=False)
    result.append((f"Linear lm_head {c}->{vocab}", 1, *both(*heads_out, [x[0]], [x[1]])))
    packed = tensors(BATCH, length, 3 * c)

    def torch_heads(values: Any) -> Any:
        q, k, v = (t.view(BATCH, length, heads, c // heads).transpose(1, 2) for t in values.split(c, 2))
        y = torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)
        return y.transpose(1, 2).contiguous().view(BATCH, length, c)

    def our_heads(values: ag.Tensor) -> ag.Tensor:
        return attention_ops.multi_head_self_attention(values, heads, is_causal=True)

    attention = both(our_heads, torch_heads, [packed[0]], [packed[1]])
    result.append(("causal attention, all heads", config.n_layer, *attention))
    hidden = tensors(BATCH, length, 4 * c)
    result.append(("GELU", config.n_layer, *both(F.gelu, torch.nn.functional.gelu, [hidden[0]], [hidden[1]])))
    norms = nn.LayerNorm(c), torch.nn.LayerNorm(c)
    result.append(("LayerNorm", 2 * config.n_layer + 1, *both(*norms, [x[0]], [x[1]])))
    other = tensors(BATCH, length, c)

    def add(a: Any, b: Any) -> Any:
        return a + b

    result.append(("residual add", 2 * config.n_layer, *both(add, add, [x[0], other[0]], [x[1], other[1]])))
    indices = rng.integers(0, vocab, (BATCH, length))
    tables = nn.Embedding(vocab, c), torch.nn.Embedding(vocab, c)
    result.append(("token embedding", 1, *both(*tables, [ag.tensor(indices)], [torch.tensor(indices)])))
    logits = tensors(BATCH * length, vocab)
    labels = rng.integers(0, vocab, BATCH * length)
    losses = F.cross_entropy, torch.nn.functional.cross_entropy
    result.append(("cross-entropy", 1, *both(*losses, [logits[0], labels], [logits[1], torch.tensor(labels)])))
    reference = torch_gpt(torch, config, weights_from=model)
    for ours_p, theirs_p in zip(model.parameters(), reference.parameters()):
        ours_p.grad = ag.tensor(rng.standard_normal(ours_p.shape).astype(np.float32))
        theirs_p.grad = torch.tensor(ours_p.grad.array)
    count = len(list(model.parameters()))
    result.append((f"AdamW step ({count} tensors)", 1, model.configure_optimizers().step, torch_adamw(reference).step))
    return result


# -- the Scalar GPT --------------------------------------------------------------------------------
def names_example() -> Any:
    sys.path.insert(0, os.path.join(ROOT, "examples"))  # names_gpt imports examples/common.py as common
    spec = importlib.util.spec_from_file_location("names_gpt", os.path.join(ROOT, "examples", "names_gpt.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules["names_gpt"] = module
    spec.loader.exec_module(module)
    return module


def scalar_rows(rounds: int) -> list[dict]:
    """Both scalar classes on the names GPT. Run before PyTorch is imported: how often Python's
    cyclic GC makes a full pass depends on how many objects live in the process (a million more
    with torch), and a full pass over a 100k-node graph is much of a step's cost."""
    example = names_example()
    config = example.Config()
    weights = example.init_weights(config, 0)
    documents = [example.Tokens().encode(name) for name in example.make_names(50, 0)]
    models = {"Scalar": example.ScalarGPT(weights, config), "Value": example.ScalarGPT(weights, config, value=Value)}
    losses = {}
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))  # the peer's recursive topological sort

    def step(model: Any) -> Callable[[], None]:
        optimizer = example.ScalarAdam(model.parameters(), 1e-2)
        position = [0]

        def run() -> None:
            loss = model.loss(documents[position[0] % len(documents)])
            position[0] += 1
            optimizer.zero_grad()
            loss.backward()
            optimizer.step(1e-2)
            losses.setdefault(id(model), loss.data)

        return run

    rows = []
    for collector in ("on", "off"):
        gc.enable() if collector == "on" else gc.disable()
        try:
            ours, theirs = interleaved_samples([step(models["Scalar"]), step(models["Value"])], rounds, CLOCK, 0.3)
        finally:
            gc.enable()
        target = 1 / 3 if collector == "on" else None
        rows.append(compared(f"names GPT (1 layer, 16 wide) step, GC {collector}", ours, theirs, target))
    first_ours, first_theirs = losses[id(models["Scalar"])], losses[id(models["Value"])]
    print(f"\nScalar GPT first losses: Scalar {first_ours:.12f}, micrograd-pattern Value {first_theirs:.12f}")
    sizes = {name: graph_size(model.loss(documents[0]), name) for name, model in models.items()}
    print("graph of the first name's loss (nodes, edges): " + ", ".join(
        f"{name} {nodes} nodes, {edges} edges" for name, (nodes, edges) in sizes.items()))
    return rows


def graph_size(root: Any, kind: str) -> tuple[int, int]:
    """Nodes (leaves included) and input edges of the graph under ``root`` (a Scalar or a Value)."""
    seen, stack, edges = {id(root)}, [root], 0
    while stack:
        node = stack.pop()
        inputs = node.inputs if kind == "Scalar" else node._children
        edges += len(inputs)
        for child in inputs:
            if id(child) not in seen:
                seen.add(id(child))
                stack.append(child)
    return len(seen), edges


def _part_line(name: str, count: str, ours: float, theirs: float) -> str:
    return f"{name:52s} {count:>5s} {format_seconds(ours):>11s} {format_seconds(theirs):>13s} {ours / theirs:6.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--profile", action="store_true", help="cProfile of our 4 x 128 step")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--no-scalar", action="store_true", help="skip the Scalar GPT")
    only.add_argument("--scalar-only", action="store_true", help="only the Scalar GPT (no PyTorch needed)")
    args = parser.parse_args()
    rounds = args.rounds or (3 if args.quick else 9)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    rows = []
    if not args.no_scalar:  # first, in a process without PyTorch, as the names example runs
        rows += scalar_rows(max(3, rounds // 2))
        scalar_path = os.path.join(ROOT, "benchmarks", "results", "gpt_scalar.json") if args.scalar_only else None
        report("Names GPT on single numbers: Scalar vs a micrograd-pattern Value (local grads, __slots__)", rows,
               scalar_path, baseline="Value")
    if args.scalar_only:
        print(f"\nwrote {scalar_path}")
        return
    global torch
    try:
        import torch
    except ImportError:
        raise SystemExit("bench_gpt.py compares with PyTorch: install torch (CPU) to run it") from None
    torch.set_num_threads(1)
    vocab = Vocabulary(default_text())
    data = vocab.encode(default_text())
    configs = [
        GPTConfig(block_size=32, vocab_size=len(vocab), n_layer=2, n_head=4, n_embd=64),
        GPTConfig(block_size=64, vocab_size=len(vocab), n_layer=4, n_head=4, n_embd=128),
    ]
    for config in configs:
        model, inputs, targets = model_and_batch(config, data)
        reference = torch_gpt(torch, config, weights_from=model)
        ours, theirs = our_step(model, inputs, targets), torch_step(reference, inputs, targets)
        first_ours, first_theirs = ours(), theirs()
        label = f"{config.n_layer} layers x {config.n_embd}, block {config.block_size}"
        print(f"{label}: first losses ours {first_ours:.5f}, PyTorch {first_theirs:.5f} (same weights and batch)")
        assert abs(first_ours - first_theirs) < 1e-4 * abs(first_theirs), "the two models differ"
        mine, peer = interleaved_samples([ours, theirs], rounds, CLOCK, 0.1)
        rows.append(compared(f"GPT {label}: train step", mine, peer, 1.2))
    path = os.path.join(ROOT, "benchmarks", "results", "gpt.json")
    title = f"GPT training step, batch {BATCH}, float32 (1 thread, CPU time, medians of {rounds} interleaved rounds)"
    report(title, rows[-2:])

    config = configs[1]
    model, inputs, targets = model_and_batch(config, data)
    print("\nWhere the time goes: each part alone, forward + backward (4 x 128 shapes), times its count per step")
    print(f"{'part':52s} {'count':>5s} {'ours/step':>11s} {'PyTorch/step':>13s} {'ratio':>6s}")
    total_ours = total_theirs = 0.0
    for name, count, mine_part, their_part in parts(config, model):
        mine, peer = medians([mine_part, their_part], max(3, rounds // 2), min_seconds=0.05)
        total_ours, total_theirs = total_ours + count * mine, total_theirs + count * peer
        print(_part_line(name, str(count), count * mine, count * peer))
    print(_part_line("sum of the parts", "", total_ours, total_theirs))

    print("\nWhat each fused node is worth: the 4 x 128 step with it replaced by the composition it replaces")
    model, inputs, targets = model_and_batch(config, data)
    fused_step = our_step(model, inputs, targets)
    for name, (owner, attribute, replacement) in ABLATIONS.items():
        composed_step = our_step(model, inputs, targets)

        def unfused(step: Callable = composed_step, patch: Patched = Patched(owner, attribute, replacement)) -> None:
            with patch:
                step()

        with_it, without = medians([fused_step, unfused], max(3, rounds // 2))
        rows.append({"name": f"fusion: {name}", "with": with_it, "without": without})
        print(f"  {name}: {format_seconds(without).strip()} without, {format_seconds(with_it).strip()} with "
              f"(saves {100 * (1 - with_it / without):.0f}% of the step)")

    if args.profile:
        profiler = cProfile.Profile(CLOCK)
        profiler.enable()
        for _ in range(10):
            fused_step()
        profiler.disable()
        print("\nOur 4 x 128 step under cProfile (10 steps, CPU time; profiling inflates Python-heavy parts):")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as handle:
        json.dump({"title": "GPT training step, its parts and fusions, Scalar GPT", "rows": rows}, handle, indent=2)
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
