"""GPT: a decoder-only transformer language model in the layout of GPT-2 (and of nanoGPT).

    tokens (B, T) -> token + position embeddings -> n_layer x Block -> LayerNorm -> logits (B, T, V)
    Block:  x = x + attn(ln_1(x));  x = x + mlp(ln_2(x))          (pre-norm residual blocks)
    attn:   causal multi-head self-attention, c_attn (C -> 3C) and c_proj (C -> C)
    mlp:    c_fc (C -> 4C), GELU, c_proj (4C -> C)

The output layer shares its weight with the token embedding (weight tying). Parameter names
follow GPT-2's module layout (``transformer.wte``, ``transformer.h.0.attn.c_attn``, ...), so a
state dict converts from such models by name. Causal attention over all heads is one graph
node (``multi_head_self_attention``): no (T, T) mask and no per-head reshapes are recorded.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.errors import DtypeError, ShapeError
from autograd_core.ops.attention import attention_weights, multi_head_self_attention

from .. import functional as F
from .. import init
from ..containers import ModuleDict, ModuleList
from ..dropout import Dropout
from ..embedding import Embedding
from ..linear import Linear
from ..module import Module
from ..normalization import LayerNorm
from ..optim import AdamW


@dataclass
class GPTConfig:
    """The architecture: saved in checkpoints so a model can be rebuilt from one."""

    block_size: int = 256  # the longest context (number of positions)
    vocab_size: int = 65
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    bias: bool = True  # biases in the Linear layers and LayerNorms

    def __post_init__(self) -> None:
        for name in ("block_size", "vocab_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"GPTConfig: {name} must be a positive integer, got {value!r}")
        if self.n_embd % self.n_head:
            raise ValueError(f"GPTConfig: n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"GPTConfig: dropout must be in [0, 1), got {self.dropout}")


class CausalSelfAttention(Module):
    """Each position attends to itself and the positions before it, with ``n_head`` heads.

    Shape: (B, T, C) -> (B, T, C).
    """

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.c_attn = Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)  # q | k | v for all heads
        self.c_proj = Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.resid_dropout = Dropout(config.dropout)
        self.n_head, self.dropout = config.n_head, config.dropout

    def forward(self, x: Tensor) -> Tensor:
        dropout_p = self.dropout if self.training else 0.0
        attended = multi_head_self_attention(self.c_attn(x), self.n_head, dropout_p=dropout_p, is_causal=True)
        return self.resid_dropout(self.c_proj(attended))

    def attention_weights(self, x: Tensor) -> Tensor:
        """What each position attends to, per head: softmax(q k^T / sqrt(D)) under the causal mask,
        (B, n_head, T, T), row t summing to 1 over the positions 0..t (for looking, not training)."""
        batch, length, width = x.shape
        q, k, _ = (
            part.reshape(batch, length, self.n_head, width // self.n_head).transpose(1, 2)
            for part in self.c_attn(x).split(width, -1)
        )
        return attention_weights(q, k, is_causal=True)


class MLP(Module):
    """Position-wise feed-forward block: ``c_proj(gelu(c_fc(x)))``, 4x wider inside. Shape: (B, T, C) -> (B, T, C)."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.c_fc = Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.c_proj = Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = Dropout(config.dropout)

    def forward(self, x: Tensor) -> Tensor:
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x))))


class Block(Module):
    """One transformer block, pre-norm: ``x + attn(ln_1(x))``, then ``x + mlp(ln_2(x))``.

    Shape: (B, T, C) -> (B, T, C).
    """

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.ln_1 = LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(Module):
    """A GPT language model (see the module docstring); ``GPT(GPTConfig(...))`` or ``GPT(n_layer=2, ...)``.

    ``forward(idx, targets=None)`` returns ``(logits, loss)``: with targets (B, T) the logits of
    every position (B, T, vocab_size) and the mean cross-entropy (targets of -1 are ignored);
    without, only the last position's logits (B, 1, vocab_size) and None, which is all
    ``generate`` needs.

    Initialisation as GPT-2: weights ~ N(0, 0.02), biases 0, and the projections into the
    residual stream (``c_proj``) ~ N(0, 0.02 / sqrt(2 n_layer)).
    """

    def __init__(self, config: GPTConfig | None = None, **options: Any) -> None:
        super().__init__()
        if config is None:
            config = GPTConfig(**options)
        elif options:
            raise TypeError("GPT: give a GPTConfig or keyword options, not both")
        self.config = config
        self.transformer = ModuleDict(
            dict(
                wte=Embedding(config.vocab_size, config.n_embd),
                wpe=Embedding(config.block_size, config.n_embd),
                drop=Dropout(config.dropout),
                h=ModuleList([Block(config) for _ in range(config.n_layer)]),
                ln_f=LayerNorm(config.n_embd, bias=config.bias),
            )
        )
        self.lm_head = Linear(config.n_embd, config.vocab_size, bias=False)
        self.transformer.wte.weight = self.lm_head.weight  # weight tying: one (vocab, C) matrix
        self.apply(_init_weights)
        for name, parameter in self.named_parameters():
            if name.endswith("c_proj.weight"):
                init.normal_(parameter, 0.0, 0.02 / math.sqrt(2 * config.n_layer))

    def get_num_params(self, non_embedding: bool = True) -> int:
        """Number of parameters (the tied weight once); without the position embeddings by default."""
        count = sum(parameter.numel() for parameter in self.parameters())
        return count - self.transformer.wpe.weight.numel() if non_embedding else count

    def forward(self, idx: Any, targets: Any = None) -> tuple[Tensor, Tensor | None]:
        indices = _indices("GPT", idx)
        if indices.ndim != 2:
            raise ShapeError(f"GPT: expected token indices of shape (B, T), got {indices.shape}")
        length = indices.shape[1]
        if length > self.config.block_size:
            raise ShapeError(
                f"GPT: cannot forward a sequence of length {length}: the block size is {self.config.block_size}; "
                "crop the context to the last block_size tokens (generate does)."
            )
        # wpe(arange(T)) is the first T rows: a slice, whose gradient is a slice too (no scatter-add)
        tokens = self.transformer.wte(ag.from_numpy(indices))
        x = self.transformer.drop(tokens + self.transformer.wpe.weight[:length])
        for block in self.transformer.h:
            x = block(x)
        x = self.transformer.ln_f(x)
        if targets is None:
            return self.lm_head(x[:, -1:]), None
        target_indices = _indices("GPT targets", targets)
        if target_indices.shape != indices.shape:
            raise ShapeError(f"GPT: targets must have the shape of idx {indices.shape}, got {target_indices.shape}")
        logits = self.lm_head(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), target_indices.reshape(-1), ignore_index=-1)
        return logits, loss

    def configure_optimizers(
        self, weight_decay: float = 0.1, learning_rate: float = 6e-4, betas: tuple[float, float] = (0.9, 0.95),
        device_type: str = "cpu",
    ) -> AdamW:
        """AdamW with weight decay on the 2-D weights (matmuls and embeddings) only, not on biases
        and LayerNorm gains, as GPT-2 is trained. ``device_type`` is accepted for compatibility."""
        decay = [parameter for parameter in self.parameters() if parameter.ndim >= 2]
        no_decay = [parameter for parameter in self.parameters() if parameter.ndim < 2]
        groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
        return AdamW(groups, lr=learning_rate, betas=betas)

    def generate(self, idx: Any, max_new_tokens: int, temperature: float = 1.0, top_k: int | None = None) -> Tensor:
        """Continue each row of ``idx`` (B, T) by ``max_new_tokens`` tokens sampled one at a time from
        softmax(logits / temperature), restricted to the ``top_k`` most likely when given; the context
        is cropped to the last ``block_size`` tokens. Draws from ``autograd_core``'s generator
        (``autograd_core.manual_seed`` makes it repeatable). Returns (B, T + max_new_tokens) int64."""
        if temperature <= 0:
            raise ValueError(f"GPT.generate: temperature must be > 0, got {temperature} (use top_k=1 for greedy)")
        if top_k is not None and top_k < 1:
            raise ValueError(f"GPT.generate: top_k must be a positive integer or None, got {top_k}")
        tokens = Tensor._make(_indices("GPT.generate", idx), False, None)
        was_training = self.training
        self.eval()
        with ag.no_grad():
            for _ in range(max_new_tokens):
                logits, _ = self(tokens[:, -self.config.block_size :])
                logits = logits[:, -1, :] / temperature
                if top_k is not None:
                    kth, _ = ag.topk(logits, min(top_k, logits.shape[-1]))
                    logits = logits.masked_fill(logits < kth[:, -1:], -math.inf)
                next_tokens = ag.multinomial(F.softmax(logits, dim=-1), num_samples=1)
                tokens = ag.cat((tokens, next_tokens), dim=1)
        self.train(was_training)
        return tokens

    def extra_repr(self) -> str:
        c = self.config
        return (
            f"n_layer={c.n_layer}, n_head={c.n_head}, n_embd={c.n_embd}, block_size={c.block_size}, "
            f"vocab_size={c.vocab_size}"
        )


def _init_weights(module: Module) -> None:
    if isinstance(module, Linear):
        init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            init.zeros_(module.bias)
    elif isinstance(module, Embedding):
        init.normal_(module.weight, 0.0, 0.02)


def _indices(what: str, value: Any) -> np.ndarray:
    indices = np.asarray(value.array if isinstance(value, Tensor) else value)
    if indices.dtype.kind not in "iu":
        raise DtypeError(f"{what}: token indices must be integers (int64), got {indices.dtype}")
    return indices.astype(np.int64, copy=False)


__all__ = ["GPT", "GPTConfig", "Block", "CausalSelfAttention", "MLP"]
