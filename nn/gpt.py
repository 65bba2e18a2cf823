"""A character-level GPT: train it on a text, watch it learn, sample from it.

    python -m nn.gpt train [--text FILE] [--steps 1500] [--layers 4 --heads 4 --embd 128 --block 64]
                           [--checkpoint gpt.npz [--resume]]
    python -m nn.gpt sample --checkpoint gpt.npz [--seed-text "The "] [--temperature 0.8] [--top-k 20]

Without ``--text`` it trains on Python's own documentation (``pydoc_data.topics``), the text
``nn.char_lm`` uses, with the same ``Vocabulary``, so their bits per character compare directly.
The model is ``nn.models.GPT``; each step reads ``batch`` random windows of ``block + 1``
characters (predict every next character of each window), AdamW with GPT-2's parameter groups,
a linear warm-up then a cosine decay of the learning rate, gradient-norm clipping.

Every ``--sample-every`` steps a line reports the training loss and the held-out loss in bits
per character (cross-entropy / ln 2) and a sample; with ``--checkpoint`` the model, optimizer,
vocabulary, step and random generators are saved there too, so ``--resume`` continues the run
exactly where it stopped. The last 5% of the text is held out.
"""
from __future__ import annotations

import argparse
import math
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

import autograd_core as ag

from .char_lm import Vocabulary, default_text
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .models.gpt import GPT, GPTConfig
from .training import _progress_bar
from .utils import clip_grad_norm_

Report = Callable[[str], Any]
BATCHES = "batches"  # the name of the window-drawing generator in checkpoints


def random_windows(
    data: np.ndarray, block_size: int, batch_size: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``batch_size`` windows at random offsets: inputs (B, T) and the next characters (B, T)."""
    if len(data) <= block_size:
        raise ValueError(
            f"gpt: a text of {len(data)} characters is too short for block_size={block_size}; use a longer "
            "text or a smaller --block."
        )
    starts = rng.integers(0, len(data) - block_size, batch_size)
    windows = data[starts[:, None] + np.arange(block_size + 1)]
    return windows[:, :-1], windows[:, 1:]


def bits_per_char(model: GPT, data: np.ndarray, batch_size: int = 16, max_chars: int | None = None) -> float:
    """Mean cross-entropy of each next character of ``data`` (its first ``max_chars``), in bits.

    The text is cut into consecutive windows of ``block_size + 1``; within a window each
    character is predicted from the ones before it there.
    """
    block = model.config.block_size
    data = data if max_chars is None else data[: max_chars + 1]
    count = (len(data) - 1) // block
    if count == 0:
        raise ValueError(f"gpt: {len(data)} characters hold no full window of {block + 1} to score")
    windows = np.lib.stride_tricks.sliding_window_view(data, block + 1)[::block][:count]
    was_training, total = model.training, 0.0
    model.eval()
    with ag.no_grad():
        for start in range(0, count, batch_size):
            batch = windows[start : start + batch_size]
            _, loss = model(batch[:, :-1], batch[:, 1:])
            total += loss.item() * batch[:, 1:].size
    model.train(was_training)
    return total / (count * block) / math.log(2)


def sample(
    model: GPT, vocab: Vocabulary, length: int, seed_text: str = "", temperature: float = 1.0, top_k: int | None = None
) -> str:
    """``seed_text`` (default: a newline, or the vocabulary's first character) followed by ``length``
    generated characters (``GPT.generate``; seed with ``autograd_core.manual_seed``)."""
    start = seed_text or ("\n" if "\n" in vocab.index else vocab.chars[0])
    indices = model.generate(vocab.encode(start)[None, :], length, temperature=temperature, top_k=top_k)
    return start + vocab.decode(indices.array[0, len(start) :])


def learning_rate(step: int, peak: float, warmup: int, total: int, floor: float) -> float:
    """Linear warm-up to ``peak`` over ``warmup`` steps, then a cosine decay to ``floor`` at ``total``."""
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = min(1.0, (step - warmup) / max(1, total - warmup))
    return floor + 0.5 * (1.0 + math.cos(math.pi * progress)) * (peak - floor)


@dataclass
class TrainResult:
    model: GPT
    vocab: Vocabulary
    bits: list = field(default_factory=list)  # training loss per step (this run), bits per character
    validation_bits: float | None = None
    step: int = 0  # steps done in total (including those before a resume)


def train(
    text: str | None = None,
    *,
    n_layer: int = 4,
    n_head: int = 4,
    n_embd: int = 128,
    block_size: int = 64,
    dropout: float = 0.0,
    batch_size: int = 16,
    steps: int = 1500,
    lr: float = 3e-3,
    min_lr: float = 3e-4,
    warmup: int = 100,
    weight_decay: float = 0.1,
    clip: float = 1.0,
    validation_fraction: float = 0.05,
    sample_every: int = 250,
    sample_length: int = 200,
    temperature: float = 0.8,
    top_k: int | None = None,
    seed_text: str = "",
    seed: int = 0,
    report: Report | None = print,
    progress: bool = False,
    checkpoint: str | Path | None = None,
    resume: bool = False,
) -> TrainResult:
    """Train a character-level ``GPT`` on ``text`` (default: ``default_text()``) up to ``steps`` steps.

    Every ``sample_every`` steps (and at the end) ``report`` gets the step, the mean training
    loss since the last report and the held-out loss (on up to 20k characters) in bits per
    character, and a sample; ``report=None`` trains silently. With ``checkpoint`` everything is
    saved there at each report; ``resume=True`` first restores that checkpoint (model, optimizer,
    step, generators) and continues to ``steps``. At the end the whole held-out text is scored.
    """
    text = default_text() if text is None else text
    ag.manual_seed(seed)
    rng = np.random.default_rng(seed)
    vocab = Vocabulary(text)
    data = vocab.encode(text)
    held_out = int(len(data) * validation_fraction)
    held_out = held_out if held_out > block_size + 1 else 0
    train_data, validation_data = (data[:-held_out], data[-held_out:]) if held_out else (data, None)
    config = GPTConfig(block_size, len(vocab), n_layer, n_head, n_embd, dropout)
    model = GPT(config)
    optimizer = model.configure_optimizers(weight_decay, lr)
    done = 0
    if resume:
        done = _restore(checkpoint, model, optimizer, vocab, rng)
    result = TrainResult(model, vocab, step=done)
    bar = _progress_bar(steps - done, "gpt") if progress and steps > done else None
    since_report, started = [], time.perf_counter()
    for step in range(done + 1, steps + 1):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step - 1, lr, warmup, steps, min_lr)
        inputs, targets = random_windows(train_data, block_size, batch_size, rng)
        _, loss = model(inputs, targets)
        optimizer.zero_grad()
        loss.backward()
        clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        result.bits.append(loss.item() / math.log(2))
        since_report.append(result.bits[-1])
        result.step = step
        if bar is not None:
            bar.update(1)
            bar.set_postfix(bits=f"{result.bits[-1]:.3f}")
        if step % sample_every == 0 or step == steps:
            if report is not None:
                held = ""
                if validation_data is not None:
                    held = f", held out {bits_per_char(model, validation_data, max_chars=20_000):.3f}"
                text_sample = sample(model, vocab, sample_length, seed_text, temperature, top_k)
                if bar is not None:
                    bar.clear()  # the report's lines above the bar, not through it
                report(
                    f"step {step}/{steps}  loss {np.mean(since_report):.3f}{held} bits/char  "
                    f"({time.perf_counter() - started:.0f} s)\n--- sample (temperature {temperature}) ---\n"
                    f"{text_sample}\n---"
                )
                if bar is not None:
                    bar.refresh()
            if checkpoint is not None:
                save_gpt(checkpoint, model, vocab, optimizer, step, rng)
            since_report = []
    if bar is not None:
        bar.close()
    if validation_data is not None:
        result.validation_bits = bits_per_char(model, validation_data)
        if report is not None:
            report(f"held-out loss {result.validation_bits:.3f} bits/char on {len(validation_data)} characters")
    return result


def save_gpt(
    path: str | Path, model: GPT, vocab: Vocabulary, optimizer: Any = None, step: int | None = None,
    batches: np.random.Generator | None = None,
) -> Path:
    """A checkpoint (``nn.checkpoint`` format, no pickle) holding everything ``load_gpt`` and a resume need."""
    extra = {"config": asdict(model.config), "vocab": "".join(vocab.chars), "step": step, "kind": "gpt"}
    generators = {BATCHES: batches} if batches is not None else None
    return save_checkpoint(path, model, optimizer, extra=extra, generators=generators)


def load_gpt(path: str | Path) -> tuple[GPT, Vocabulary]:
    """Rebuild the model and vocabulary saved by ``save_gpt`` (or ``train(checkpoint=...)``)."""
    content = load_checkpoint(path, rng=False)
    extra = content.get("extra", {})
    if extra.get("kind") != "gpt":
        raise CheckpointError(f"load_gpt: {path} is a checkpoint but not of a GPT (no GPT config in it).")
    model = GPT(GPTConfig(**extra["config"]))
    model.load_state_dict(content["model"])
    return model, Vocabulary(extra["vocab"])


def _restore(path: Any, model: GPT, optimizer: Any, vocab: Vocabulary, rng: np.random.Generator) -> int:
    """Load a checkpoint written by this training into ``model`` and ``optimizer``; the step it reached."""
    if path is None or not Path(path).exists():
        raise CheckpointError(f"gpt: resume needs an existing checkpoint, got {path!r}")
    content = load_checkpoint(path, rng=False)
    extra = content.get("extra", {})
    same = extra.get("config") == asdict(model.config) and extra.get("vocab") == "".join(vocab.chars)
    if extra.get("kind") != "gpt" or not same:
        raise CheckpointError(
            f"gpt: {path} holds a different model or text (config {extra.get('config')}); resume with the same "
            "text and model options, or start a new checkpoint."
        )
    load_checkpoint(path, model, optimizer, generators={BATCHES: rng})
    return int(extra["step"])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m nn.gpt", description="A character-level GPT.")
    commands = parser.add_subparsers(dest="command", required=True)
    trainer = commands.add_parser("train", help="train on a text file (default: Python's pydoc topics)")
    trainer.add_argument("--text", help="a UTF-8 text file; default: pydoc_data.topics")
    trainer.add_argument("--layers", type=int, default=4)
    trainer.add_argument("--heads", type=int, default=4)
    trainer.add_argument("--embd", type=int, default=128, help="embedding (model) width")
    trainer.add_argument("--block", type=int, default=64, help="context length in characters")
    trainer.add_argument("--dropout", type=float, default=0.0)
    trainer.add_argument("--batch", type=int, default=16)
    trainer.add_argument("--steps", type=int, default=1500, help="total steps (with --resume: up to this many)")
    trainer.add_argument("--lr", type=float, default=3e-3)
    trainer.add_argument("--weight-decay", type=float, default=0.1)
    trainer.add_argument("--sample-every", type=int, default=250)
    trainer.add_argument("--temperature", type=float, default=0.8)
    trainer.add_argument("--top-k", type=int, default=None)
    trainer.add_argument("--seed-text", default="")
    trainer.add_argument("--seed", type=int, default=0)
    trainer.add_argument("--checkpoint", help="save everything here at every report")
    trainer.add_argument("--resume", action="store_true", help="continue the run saved in --checkpoint")
    trainer.add_argument("--quiet", action="store_true", help="no progress bar, reports or samples")
    sampler = commands.add_parser("sample", help="generate text from a saved model")
    sampler.add_argument("--checkpoint", required=True)
    sampler.add_argument("--length", type=int, default=500)
    sampler.add_argument("--seed-text", default="")
    sampler.add_argument("--temperature", type=float, default=0.8)
    sampler.add_argument("--top-k", type=int, default=None)
    sampler.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.command == "train":
        text = Path(args.text).read_text(encoding="utf-8") if args.text else None
        if args.resume and not (args.checkpoint and Path(args.checkpoint).exists()):
            parser.exit(1, f"{parser.prog} train: --resume needs --checkpoint naming an existing file\n")
        train(
            text, n_layer=args.layers, n_head=args.heads, n_embd=args.embd, block_size=args.block,
            dropout=args.dropout, batch_size=args.batch, steps=args.steps, lr=args.lr, min_lr=args.lr / 10,
            weight_decay=args.weight_decay, sample_every=args.sample_every, temperature=args.temperature,
            top_k=args.top_k, seed_text=args.seed_text, seed=args.seed, report=None if args.quiet else print,
            progress=not args.quiet, checkpoint=args.checkpoint, resume=args.resume,
        )
    else:
        try:
            model, vocab = load_gpt(args.checkpoint)
            vocab.encode(args.seed_text)
        except (OSError, ValueError) as error:  # missing or unreadable checkpoint, not a GPT's, unknown characters
            parser.exit(1, f"{parser.prog} sample: {error}\n")
        if args.seed is not None:
            ag.manual_seed(args.seed)
        print(sample(model, vocab, args.length, args.seed_text, args.temperature, args.top_k))


if __name__ == "__main__":
    main()
