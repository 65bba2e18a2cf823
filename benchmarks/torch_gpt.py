"""``nn.models.GPT`` written in PyTorch: the same modules under the same names, so one state dict
fits both. The benchmark's peer and the tests' reference; ``torch`` is passed in (nothing here
imports it), and attention is PyTorch's own ``scaled_dot_product_attention(is_causal=True)``."""
from __future__ import annotations

import math
from typing import Any


def torch_gpt(torch: Any, config: Any, weights_from: Any = None, dtype: Any = None) -> Any:
    """A PyTorch GPT for ``config`` (an ``nn.models.GPTConfig``), with the weights of
    ``weights_from`` (one of our GPTs) when given, in ``dtype`` (default float32)."""
    nn, F = torch.nn, torch.nn.functional

    class CausalSelfAttention(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
            self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
            self.resid_dropout = nn.Dropout(config.dropout)

        def forward(self, x: Any) -> Any:
            batch, length, width = x.shape
            q, k, v = self.c_attn(x).split(width, dim=2)
            q, k, v = (t.view(batch, length, config.n_head, width // config.n_head).transpose(1, 2) for t in (q, k, v))
            dropout = config.dropout if self.training else 0.0
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout, is_causal=True)
            return self.resid_dropout(self.c_proj(y.transpose(1, 2).contiguous().view(batch, length, width)))

    class MLP(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
            self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
            self.dropout = nn.Dropout(config.dropout)

        def forward(self, x: Any) -> Any:
            return self.dropout(self.c_proj(F.gelu(self.c_fc(x))))

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
            self.attn = CausalSelfAttention()
            self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
            self.mlp = MLP()

        def forward(self, x: Any) -> Any:
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = nn.ModuleDict(
                dict(
                    wte=nn.Embedding(config.vocab_size, config.n_embd),
                    wpe=nn.Embedding(config.block_size, config.n_embd),
                    drop=nn.Dropout(config.dropout),
                    h=nn.ModuleList([Block() for _ in range(config.n_layer)]),
                    ln_f=nn.LayerNorm(config.n_embd, bias=config.bias),
                )
            )
            self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
            self.transformer.wte.weight = self.lm_head.weight
            for name, parameter in self.named_parameters():
                if parameter.ndim >= 2:
                    std = 0.02 / math.sqrt(2 * config.n_layer) if name.endswith("c_proj.weight") else 0.02
                    nn.init.normal_(parameter, 0.0, std)
                else:
                    nn.init.zeros_(parameter) if name.endswith("bias") else nn.init.ones_(parameter)

        def forward(self, idx: Any, targets: Any = None) -> Any:
            length = idx.shape[1]
            x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe.weight[:length])
            for block in self.transformer.h:
                x = block(x)
            x = self.transformer.ln_f(x)
            if targets is None:
                return self.lm_head(x[:, -1:]), None
            logits = self.lm_head(x)
            return logits, F.cross_entropy(logits.view(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-1)

    model = GPT().to(torch.float32 if dtype is None else dtype)
    if weights_from is not None:
        own_dtype = model.lm_head.weight.dtype
        state = {name: torch.tensor(value.array, dtype=own_dtype) for name, value in weights_from.state_dict().items()}
        model.load_state_dict(state)
    return model
