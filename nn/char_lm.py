"""A character-level language model: read text one character at a time, predict the next.

    python -m nn.char_lm train [--text FILE] [--steps 2000] [--cell lstm] [--checkpoint char_lm.npz]
    python -m nn.char_lm sample --checkpoint char_lm.npz [--seed-text "The "] [--temperature 0.8]

Without ``--text`` it trains on the documentation text that ships with Python itself
(``pydoc_data.topics``, about 465k characters). The model is symbols -> one-hot (or an
``Embedding``) -> ``RNN``/``LSTM``/``GRU`` -> ``Linear`` logits over the vocabulary.

Training is truncated backpropagation through time: the text is cut into ``batch_size``
parallel streams, read ``seq_len`` characters at a time; the recurrent state is carried
from one window to the next but ``detach()``ed, so gradients stop at the window's start.
Adam with gradient-norm clipping; the loss is reported in bits per character (cross-
entropy / ln 2: 0 is perfect prediction, log2(vocabulary) is uniform guessing).
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
from autograd_core import Tensor

from . import functional as F
from .checkpoint import load_checkpoint, save_checkpoint
from .embedding import Embedding
from .linear import Linear
from .module import Module
from .optim import Adam
from .rnn import GRU, LSTM, RNN
from .utils import clip_grad_norm_

_CELLS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
Report = Callable[[str], Any]


def default_text() -> str:
    """Python's own documentation topics (``pydoc_data.topics``), joined in a fixed order."""
    from pydoc_data.topics import topics

    return "\n\n".join(topics[name] for name in sorted(topics))


class Vocabulary:
    """The characters of a text, each mapped to an index (sorted, so the mapping is stable)."""

    def __init__(self, chars: str | Sequence[str]) -> None:
        self.chars = sorted(set(chars))
        if not self.chars:
            raise ValueError("Vocabulary: the text is empty; give at least one character.")
        self.index = {char: position for position, char in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        """The int64 indices of ``text``'s characters."""
        unknown = sorted(set(text) - set(self.index))
        if unknown:
            raise ValueError(
                f"Vocabulary.encode: characters {''.join(unknown)!r} are not in the vocabulary of "
                f"{len(self)} characters; use seed text made of the training text's characters."
            )
        return np.fromiter((self.index[char] for char in text), dtype=np.int64, count=len(text))

    def decode(self, indices: Any) -> str:
        return "".join(self.chars[int(i)] for i in np.asarray(indices).reshape(-1))


@dataclass
class CharLMConfig:
    """The architecture, saved in checkpoints so a model can be rebuilt from one."""

    vocab_size: int
    cell: str = "lstm"
    hidden_size: int = 128
    num_layers: int = 1
    embedding_dim: int = 0  # 0: one-hot input


class CharLM(Module):
    """symbols (T, N) int64 -> one-hot or embedding -> recurrent layers -> logits (T, N, vocab).

    ``forward(indices, state=None)`` returns ``(logits, state)``; pass the state back in to
    continue a sequence (``detach_state`` it between training windows).
    """

    def __init__(self, config: CharLMConfig) -> None:
        super().__init__()
        if config.cell not in _CELLS:
            raise ValueError(f"CharLM: cell must be one of {sorted(_CELLS)}, got {config.cell!r}")
        self.config = config
        if config.embedding_dim:
            self.embedding = Embedding(config.vocab_size, config.embedding_dim)
        inputs = config.embedding_dim or config.vocab_size
        self.rnn = _CELLS[config.cell](inputs, config.hidden_size, config.num_layers)
        self.head = Linear(config.hidden_size, config.vocab_size)

    def forward(self, indices: Any, state: Any = None) -> tuple[Tensor, Any]:
        indices = np.asarray(indices.array if isinstance(indices, Tensor) else indices)
        if self.config.embedding_dim:
            inputs = self.embedding(ag.from_numpy(indices))
        else:  # one-hot rows of the identity: no gradient needed into the input
            inputs = ag.from_numpy(np.eye(self.config.vocab_size, dtype=self.head.weight.dtype)[indices])
        output, state = self.rnn(inputs, state)
        return self.head(output), state


def detach_state(state: Any) -> Any:
    """The recurrent state cut from the graph (truncated BPTT), for h or (h, c)."""
    if state is None:
        return None
    if isinstance(state, tuple):
        return tuple(part.detach() for part in state)
    return state.detach()


def sample(
    model: CharLM, vocab: Vocabulary, length: int, seed_text: str = "", temperature: float = 1.0,
    rng: np.random.Generator | None = None,
) -> str:
    """``seed_text`` followed by ``length`` generated characters.

    Each next character is drawn from softmax(logits / temperature): lower temperature is
    more conservative, 0 always takes the most likely character. An empty seed starts
    from a character drawn uniformly.
    """
    if temperature < 0:
        raise ValueError(f"sample: temperature must be >= 0, got {temperature}")
    rng = rng if rng is not None else np.random.default_rng()
    text = seed_text or vocab.chars[int(rng.integers(len(vocab)))]
    was_training = model.training
    model.eval()
    with ag.no_grad():
        logits, state = model(vocab.encode(text)[:, None])
        generated = []
        for _ in range(length):
            scores = logits.array[-1, 0].astype(np.float64)
            if temperature == 0:
                choice = int(np.argmax(scores))
            else:
                scores = (scores - scores.max()) / temperature
                probabilities = np.exp(scores)
                choice = int(rng.choice(len(vocab), p=probabilities / probabilities.sum()))
            generated.append(vocab.chars[choice])
            logits, state = model(np.array([[choice]]), state)
    model.train(was_training)
    return text + "".join(generated)


def streams(data: np.ndarray, batch_size: int) -> np.ndarray:
    """``data`` cut into ``batch_size`` equal contiguous streams, as columns (L, batch_size)."""
    length = len(data) // batch_size
    if length < 2:
        raise ValueError(
            f"char_lm: a text of {len(data)} characters is too short for batch_size={batch_size}; "
            "use a longer text or a smaller batch."
        )
    return data[: length * batch_size].reshape(batch_size, length).T


def bits_per_char(model: CharLM, data: np.ndarray, seq_len: int = 128, batch_size: int = 16) -> float:
    """Mean cross-entropy of predicting each next character of ``data``, in bits."""
    columns = streams(data, max(1, min(batch_size, len(data) // (seq_len + 1))))
    total, count, state = 0.0, 0, None
    was_training = model.training
    model.eval()
    with ag.no_grad():
        for start in range(0, len(columns) - 1, seq_len):
            window = columns[start : start + seq_len + 1]
            logits, state = model(window[:-1], state)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), window[1:].reshape(-1), reduction="sum")
            total, count = total + loss.item(), count + window[1:].size
    model.train(was_training)
    return total / count / math.log(2)


@dataclass
class TrainResult:
    model: CharLM
    vocab: Vocabulary
    bits: list = field(default_factory=list)  # training loss per step, bits per character
    validation_bits: float | None = None


def train(
    text: str | None = None,
    *,
    cell: str = "lstm",
    hidden_size: int = 128,
    num_layers: int = 1,
    embedding_dim: int = 32,
    seq_len: int = 64,
    batch_size: int = 32,
    steps: int = 1000,
    lr: float = 3e-3,
    clip: float = 1.0,
    validation_fraction: float = 0.05,
    sample_every: int = 200,
    sample_length: int = 200,
    temperature: float = 0.8,
    seed_text: str = "",
    seed: int = 0,
    report: Report | None = print,
    checkpoint: str | Path | None = None,
) -> TrainResult:
    """Train a ``CharLM`` on ``text`` (default: ``default_text()``) for ``steps`` windows.

    Every ``sample_every`` steps (and at the end) ``report`` gets a line with the step,
    the mean training loss in bits/char since the last report, and a sample of
    ``sample_length`` characters; ``report=None`` trains silently. With ``checkpoint``
    the model, optimizer, vocabulary and config are saved there at each report.
    The last ``validation_fraction`` of the text is held out and scored at the end.
    """
    text = default_text() if text is None else text
    ag.manual_seed(seed)
    rng = np.random.default_rng(seed)
    vocab = Vocabulary(text)
    data = vocab.encode(text)
    held_out = int(len(data) * validation_fraction) if len(data) * validation_fraction >= 2 * seq_len else 0
    train_data, validation_data = (data[:-held_out], data[-held_out:]) if held_out else (data, None)
    columns = streams(train_data, batch_size)
    config = CharLMConfig(len(vocab), cell, hidden_size, num_layers, embedding_dim)
    model = CharLM(config)
    optimizer = Adam(model.parameters(), lr=lr)
    result = TrainResult(model, vocab)
    state, position, since_report, started = None, 0, [], time.perf_counter()
    for step in range(1, steps + 1):
        if position + seq_len + 1 > len(columns):  # wrapped around: start the streams afresh
            state, position = None, 0
        window = columns[position : position + min(seq_len, len(columns) - 1) + 1]
        position += len(window) - 1
        logits, state = model(window[:-1], state)
        loss = F.cross_entropy(logits.reshape(-1, len(vocab)), window[1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        state = detach_state(state)  # truncated BPTT: the next window starts a new graph
        result.bits.append(loss.item() / math.log(2))
        since_report.append(result.bits[-1])
        if step % sample_every == 0 or step == steps:
            if report is not None:
                text_sample = sample(model, vocab, sample_length, seed_text, temperature, rng)
                report(
                    f"step {step}/{steps}  loss {np.mean(since_report):.3f} bits/char  "
                    f"({time.perf_counter() - started:.0f} s)\n--- sample (temperature {temperature}) ---\n"
                    f"{text_sample}\n---"
                )
            if checkpoint is not None:
                save_char_lm(checkpoint, model, vocab, optimizer, step)
            since_report = []
    if validation_data is not None:
        result.validation_bits = bits_per_char(model, validation_data)
        if report is not None:
            report(f"held-out loss {result.validation_bits:.3f} bits/char on {len(validation_data)} characters")
    return result


def save_char_lm(
    path: str | Path, model: CharLM, vocab: Vocabulary, optimizer: Any = None, step: int | None = None
) -> Path:
    """A checkpoint (``nn.checkpoint`` format, no pickle) holding everything ``load_char_lm`` needs."""
    extra = {"config": asdict(model.config), "vocab": "".join(vocab.chars), "step": step}
    return save_checkpoint(path, model, optimizer, extra=extra, rng=False)


def load_char_lm(path: str | Path) -> tuple[CharLM, Vocabulary]:
    """Rebuild the model and vocabulary saved by ``save_char_lm`` (or ``train(checkpoint=...)``)."""
    content = load_checkpoint(path, rng=False)
    extra = content.get("extra", {})
    if "config" not in extra or "vocab" not in extra:
        raise ValueError(f"load_char_lm: {path} is a checkpoint but not of a character model (no config/vocab).")
    model = CharLM(CharLMConfig(**extra["config"]))
    model.load_state_dict(content["model"])
    return model, Vocabulary(extra["vocab"])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m nn.char_lm", description="Character-level language model.")
    commands = parser.add_subparsers(dest="command", required=True)
    trainer = commands.add_parser("train", help="train on a text file (default: Python's pydoc topics)")
    trainer.add_argument("--text", help="a UTF-8 text file; default: pydoc_data.topics")
    trainer.add_argument("--cell", choices=sorted(_CELLS), default="lstm")
    trainer.add_argument("--hidden", type=int, default=128)
    trainer.add_argument("--layers", type=int, default=1)
    trainer.add_argument("--embedding", type=int, default=32, help="embedding size (0: one-hot input)")
    trainer.add_argument("--seq-len", type=int, default=64)
    trainer.add_argument("--batch", type=int, default=32)
    trainer.add_argument("--steps", type=int, default=1000)
    trainer.add_argument("--lr", type=float, default=3e-3)
    trainer.add_argument("--clip", type=float, default=1.0)
    trainer.add_argument("--sample-every", type=int, default=200)
    trainer.add_argument("--temperature", type=float, default=0.8)
    trainer.add_argument("--seed-text", default="")
    trainer.add_argument("--seed", type=int, default=0)
    trainer.add_argument("--checkpoint", help="save the model here at every report")
    trainer.add_argument("--quiet", action="store_true", help="no progress reports or samples")
    sampler = commands.add_parser("sample", help="generate text from a saved model")
    sampler.add_argument("--checkpoint", required=True)
    sampler.add_argument("--length", type=int, default=500)
    sampler.add_argument("--seed-text", default="")
    sampler.add_argument("--temperature", type=float, default=0.8)
    sampler.add_argument("--seed", type=int, default=None)
    args = parser.parse_args(argv)
    if args.command == "train":
        text = Path(args.text).read_text(encoding="utf-8") if args.text else None
        train(
            text, cell=args.cell, hidden_size=args.hidden, num_layers=args.layers, embedding_dim=args.embedding,
            seq_len=args.seq_len, batch_size=args.batch, steps=args.steps, lr=args.lr, clip=args.clip,
            sample_every=args.sample_every, temperature=args.temperature, seed_text=args.seed_text,
            seed=args.seed, report=None if args.quiet else print, checkpoint=args.checkpoint,
        )
    else:
        try:
            model, vocab = load_char_lm(args.checkpoint)
        except (OSError, ValueError) as error:  # missing, unreadable or not a character model's checkpoint
            parser.exit(1, f"{parser.prog} sample: {error}\n")
        print(sample(model, vocab, args.length, args.seed_text, args.temperature, np.random.default_rng(args.seed)))


if __name__ == "__main__":
    main()
