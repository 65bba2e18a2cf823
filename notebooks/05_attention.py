# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 · Attention: every position looks at every other, and learns where to look
#
# A recurrent network carries the past in one hidden state. Attention instead lets each
# position *look back* at all the others and take a weighted average of what it finds:
#
# $$\mathrm{attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{Q K^\top}{\sqrt{d}}\right) V$$
#
# Each row of $Q$ is a query ("what am I looking for?"), each row of $K$ a key ("what do I
# contain?"), each row of $V$ the value handed over. The softmax turns query-key similarities
# into weights that sum to 1 over the keys. We look at those weights, the causal mask that
# makes a language model, the graph and the backward pass through one head, and finally what
# a small GPT trained on Python's documentation attends to.

# %%
import matplotlib.pyplot as plt
import numpy as np

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.ops.attention import attention_reference, attention_weights, causal_mask
from nn.gpt import sample, train

# %% [markdown]
# ## 1. One head, four tokens
#
# Four positions with queries, keys and values of size 2. Query 0 points the same way as
# key 2, so position 0 should mostly read value 2.

# %%
query = ag.tensor([[4.0, 0.0], [0.0, 3.0], [2.0, 2.0], [-3.0, 0.0]], requires_grad=True)
key = ag.tensor([[0.0, 2.0], [-2.0, 0.0], [2.0, 0.0], [1.0, 1.0]], requires_grad=True)
value = ag.tensor([[1.0, 0.0], [0.0, 1.0], [5.0, 5.0], [-1.0, -1.0]], requires_grad=True)

weights = attention_weights(query, key)  # softmax(q k^T / sqrt(2)), row by row
out = F.scaled_dot_product_attention(query, key, value)
print("attention weights (rows: queries, columns: keys)\n", np.round(weights.array, 3))
print("each row sums to", weights.array.sum(1))
print("output = weights @ values:\n", np.round(out.array, 3))


def heat_map(matrix, title, xlabel="key position", ylabel="query position", labels=None, axes=None):
    axes = axes if axes is not None else plt.subplots(figsize=(3.6, 3.2))[1]
    image = axes.imshow(matrix, cmap="viridis", vmin=0.0)
    axes.set(title=title, xlabel=xlabel, ylabel=ylabel)
    if labels is not None:
        axes.set_xticks(range(len(labels)), labels)
        axes.set_yticks(range(len(labels)), labels)
    axes.figure.colorbar(image, ax=axes, fraction=0.046)
    return axes


heat_map(weights.array, "one head: who looks at whom")
plt.show()

# %% [markdown]
# ## 2. The causal mask
#
# A language model predicts each next token from the ones *before* it, so position $i$ may
# only attend to positions $0..i$. With `is_causal=True` the scores above the diagonal are set
# to $-\infty$ before the softmax, so those weights are exactly 0. The engine never builds a
# fresh $(T, T)$ mask per call: the triangle below is made once per size, cached, and written
# into the scores in place.

# %%
blocked = causal_mask(6, 6)
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.4))
left.imshow(~blocked, cmap="Greys_r")
left.set(title="causal mask (white: may attend)", xlabel="key position", ylabel="query position")
rng = np.random.default_rng(0)
q6, k6 = ag.tensor(rng.standard_normal((6, 4))), ag.tensor(rng.standard_normal((6, 4)))
heat_map(attention_weights(q6, k6, is_causal=True).array, "causal attention weights", axes=right)
plt.show()
print("weights above the diagonal:", attention_weights(q6, k6, is_causal=True).array[np.triu_indices(6, 1)].max())

# %% [markdown]
# ## 3. One node, or a dozen: the graph of attention
#
# `F.scaled_dot_product_attention` records the whole computation as **one** node,
# `ScaledDotProductAttention`, whose backward is the closed form
# $dV = P^\top dO$, $dP = dO\,V^\top$, $dS = P \odot (dP - \mathrm{rowsum}(dP \odot P))$,
# $dQ = dS\,K / \sqrt{d}$, $dK = dS^\top Q / \sqrt{d}$. The same computation from elementary ops
# (`attention_reference`) is a chain of matmul, scale, softmax, matmul; both give the same
# gradients. The fused node is what models use (fewer nodes, no intermediate copies); the
# composition is what it is tested against, and what its backward differentiates when you ask
# for second derivatives (`create_graph=True`).

# %%
ag.draw_graph(out.sum(), params={"query": query, "key": key, "value": value}, title="fused: one node")

# %%
composed = attention_reference(query, key, value)
ag.draw_graph(composed.sum(), params={"query": query, "key": key, "value": value}, title="composed: one node per step")

# %%
fused_grads = ag.grad(out.sum(), [query, key, value])
composed_grads = ag.grad(composed.sum(), [query, key, value])
for name, a, b in zip(["query", "key", "value"], fused_grads, composed_grads):
    print(f"d(sum)/d{name}: largest difference fused vs composed {np.abs(a.array - b.array).max():.1e}")

# %% [markdown]
# ## 4. Stepping backward through a head
#
# `backward_steps` runs the backward pass one node at a time. Through the composed head we
# see the gradient reach the softmax, split between the score matmul's two inputs, and arrive
# at the queries, keys and values. (Through the fused node the same pass is one step: its
# backward hands the three gradients over at once.)

# %%
names = {"query": query, "key": key, "value": value}
steps = ag.backward_steps(attention_reference(query, key, value).sum(), params=names).run()
steps  # First / Previous / Next / Last: each node's upstream gradient, local derivative, what its inputs got

# %% [markdown]
# ## 5. Many heads
#
# `nn.MultiheadAttention` projects the input into `num_heads` smaller queries, keys and values,
# lets each head attend on its own, and mixes the heads' outputs with one more projection. Each
# head has its own pattern. (Its parameters carry PyTorch's names, so a `torch.nn.MultiheadAttention`
# state dict loads into it.)

# %%
ag.manual_seed(0)
layer = nn.MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True)
tokens = ag.randn(1, 5, 8)
_, per_head = layer(tokens, tokens, tokens, average_attn_weights=False)
fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
for head in range(2):
    heat_map(per_head.array[0, head], f"head {head}", axes=axes[head])
plt.show()

# %% [markdown]
# ## 6. A small GPT on Python's documentation
#
# `nn.models.GPT` stacks blocks of causal self-attention and an MLP; `python -m nn.gpt train`
# trains one character by character on the `pydoc_data.topics` text that ships with Python. A
# short run here (200 steps of 16 windows of 32 characters, well under a minute): it learns
# spacing, common letter pairs and short words. The loss is in bits per character, and
# `log2(vocabulary)` is what uniform guessing costs; `python -m nn.gpt train` (4 layers, 1500
# steps) gets much further.

# %%
result = train(steps=200, n_layer=2, n_head=4, n_embd=64, block_size=32, batch_size=16, lr=3e-3, warmup=30,
               sample_every=100, sample_length=120, seed_text="The ", report=print)
model, vocab = result.model, result.vocab
print(f"first step {result.bits[0]:.2f} bits/char (uniform: {np.log2(len(vocab)):.2f}), "
      f"last 20 steps {np.mean(result.bits[-20:]):.2f}, held out {result.validation_bits:.2f}")

# %%
ag.manual_seed(1)
print(sample(model, vocab, 300, seed_text="def ", temperature=0.8))

# %% [markdown]
# What does the trained model look at? Below: the first layer's heads reading a line of Python.
# Rows are positions, columns the positions they attend to; each row sums to 1 over the
# positions up to itself. Even after this short run the heads differ: some spread their weight
# over the last few characters, others fix on a recent delimiter such as the `:` or the `(`
# (in the run here, seed 0), a useful landmark for guessing what comes next.

# %%
text = "for item in items: print(item)"
indices = vocab.encode(text)[None, :]
model.eval()
with ag.no_grad():
    block = model.transformer.h[0]
    x = model.transformer.wte(ag.from_numpy(indices)) + model.transformer.wpe.weight[: len(text)]
    learned = block.attn.attention_weights(block.ln_1(x)).array[0]
fig, axes = plt.subplots(1, 4, figsize=(18, 4.6))
for head in range(4):
    heat_map(learned[head], f"layer 0, head {head}", labels=list(text), axes=axes[head], xlabel="", ylabel="")
plt.show()

# %% [markdown]
# ---
# *Checks (the test suite runs this notebook; these cells fail if the numbers above drift).*

# %%
assert np.allclose(weights.array.sum(1), 1.0) and weights.array[0].argmax() == 2
assert attention_weights(q6, k6, is_causal=True).array[np.triu_indices(6, 1)].max() == 0.0
assert all(np.abs(a.array - b.array).max() < 1e-5 for a, b in zip(fused_grads, composed_grads))
assert "Softmax" in [step.op for step in steps] and steps.done
assert np.mean(result.bits[-20:]) < result.bits[0] - 2.0
assert np.allclose(learned.sum(-1), 1.0) and not np.triu(learned, 1).any()
