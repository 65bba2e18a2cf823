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
# # 04 · Recurrent networks: one set of weights, unrolled through time
#
# A recurrent network reads a sequence one element at a time and keeps a hidden state:
#
# $$h_t = \tanh(W_{hh} h_{t-1} + W_{xh} x_t + b)$$
#
# The same $W_{hh}$ and $W_{xh}$ are used at every step. Backpropagation through time is
# ordinary backpropagation on the *unrolled* graph, where each weight appears once per step.
#
# We start with the smallest example there is: learn to spell "hello" from "h".

# %%
import matplotlib.pyplot as plt
import numpy as np

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.viz import backward_steps
from nn.char_lm import CharLM, CharLMConfig, Vocabulary, sample, train

# %% [markdown]
# ## 1. The "hello" model
#
# Vocabulary h, e, l, o. Input "hell", target "ello": after "h" comes "e", after "e" an "l",
# after the first "l" another "l", after the second "l" an "o". The two "l"s need different
# answers, so the hidden state must remember how far into the word we are.

# %%
vocab = Vocabulary("helo")
ag.manual_seed(0)
model = CharLM(CharLMConfig(len(vocab), cell="rnn", hidden_size=8, embedding_dim=0))  # one-hot input
optimizer = nn.optim.Adam(model.parameters(), lr=0.05)
data = vocab.encode("hello")[:, None]  # (T=5, N=1)
for step in range(150):
    logits, _ = model(data[:-1])
    loss = F.cross_entropy(logits.reshape(-1, len(vocab)), data[1:].reshape(-1))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"loss after training: {loss.item():.4f}")
spelled = sample(model, vocab, 4, seed_text="h", temperature=0)  # temperature 0: the likeliest character
print(spelled)

# %% [markdown]
# Stepping through time by hand: feed one character, keep the state, look at the prediction.

# %%
state = None
with ag.no_grad():
    for char in "hell":
        logits, state = model(vocab.encode(char)[:, None], state)
        probabilities = logits[0, 0].softmax(0).array
        best = vocab.chars[int(probabilities.argmax())]
        hidden = np.round(state.array[0, 0, :4], 2)
        print(f"read {char!r}  h = {hidden}...  predicts {best!r} (p = {probabilities.max():.2f})")

# %% [markdown]
# ## 2. The unrolled graph: the same weights at every step
#
# With `fused = False` the layer records every step from elementary ops, so the drawing
# shows the unrolled network. `weight_hh_l0` feeds one matmul per time step. (By default a
# layer records the whole recurrence as *one* node with a hand-written backward, which is
# much faster; both give the same gradients.)

# %%
small = nn.RNN(4, 3)
small.fused = False
output, h_n = small(ag.randn(3, 1, 4))  # 3 steps
graph = ag.draw_graph(h_n.sum(), params=small, title="tanh RNN unrolled over 3 steps")
graph

# %% [markdown]
# Backpropagation through time, one node at a time: step from the loss back to the first
# time step and watch `weight_hh_l0` and `weight_ih_l0` receive a gradient at every step
# they were used in (each of their boxes is reached once, after all its uses have sent
# their share). The inputs `ag.randn(3, 1, 4)` do not require grad, so they are not drawn.

# %%
rnn_steps = backward_steps(h_n.sum(), params=small).run()
rnn_steps

# %%
# count how often weight_hh_l0 is used: walk the graph from the output
def uses(root, parameter):
    count, seen, stack = 0, set(), [root.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        for child, _ in node.next_functions:
            if getattr(child, "variable", None) is parameter:
                count += 1
            elif child is not None:
                stack.append(child)
    return count


print("weight_hh_l0 is used", uses(h_n, small.weight_hh_l0), "times in 3 steps")

# %% [markdown]
# ## 3. Vanishing gradients: how far back does the signal reach?
#
# Take a loss at the *last* step only and look at the gradient with respect to each
# input step. Through a tanh RNN the gradient is multiplied by $W_{hh}^T \mathrm{diag}(1 -
# h_t^2)$ once per step back, and typically shrinks geometrically. The LSTM's cell state
# has an additive path ($c_t = f c_{t-1} + i g$): through it the gradient is scaled by the
# forget gate $f$ per step. At PyTorch's initialisation $f \approx 0.5$, so it still fades;
# with the forget gate biased open (a common trick: $b_f = 3$, $f \approx 0.95$) it reaches
# back across the whole sequence.

# %%
def gradient_norms(layer, steps=60, seed=0):
    rng = np.random.default_rng(seed)
    x = ag.tensor(rng.standard_normal((steps, 1, layer.input_size)).astype(np.float32), requires_grad=True)
    output, _ = layer(x)
    output[-1].sum().backward()
    return np.linalg.norm(x.grad.array[:, 0, :], axis=1)


ag.manual_seed(1)
rnn_norms = gradient_norms(nn.RNN(8, 32))
lstm = nn.LSTM(8, 32)
lstm_norms = gradient_norms(lstm)
with ag.no_grad():
    lstm.bias_hh_l0.array[32:64] += 3.0  # gate order i, f, g, o: rows 32..63 are the forget gate
open_norms = gradient_norms(lstm)
for name, norms in [("tanh RNN", rnn_norms), ("LSTM", lstm_norms), ("LSTM, b_f = 3", open_norms)]:
    print(f"{name:14s} |dL/dx_0| / |dL/dx_59| = {norms[0] / norms[-1]:.2e}")

# %%
figure, axes = plt.subplots(figsize=(7, 3.5))
axes.semilogy(rnn_norms, label="tanh RNN")
axes.semilogy(lstm_norms, label="LSTM")
axes.semilogy(open_norms, label="LSTM, forget bias 3")
axes.set_xlabel("input time step t (the loss is at the last step)")
axes.set_ylabel("|dL / dx_t|")
axes.set_title("Gradient reaching each time step")
axes.legend()
plt.show()

# %% [markdown]
# ## 4. A character model on real text
#
# The same idea at scale: Python's own documentation (`pydoc_data.topics`, ~465k
# characters), an embedding, an LSTM, truncated backpropagation through time (the state is
# carried between windows of 32 characters but detached). The loss is in bits per
# character: log2(103) = 6.7 is uniform guessing. A short run here; `python -m nn.char_lm
# train --steps 1500` gets to about 1.8 bits/char and readable pseudo-documentation.

# %%
result = train(steps=150, cell="lstm", hidden_size=128, embedding_dim=32, seq_len=32, batch_size=32, lr=1e-2,
               sample_every=75, sample_length=150, seed_text="The ", report=print, validation_fraction=0.01)
print(f"first step {result.bits[0]:.2f} bits/char, last 20 steps {np.mean(result.bits[-20:]):.2f}")

# %% [markdown]
# ## Checks
#
# What the test suite asserts about this notebook.

# %%
assert spelled == "hello"
assert uses(h_n, small.weight_hh_l0) >= 3
assert rnn_steps.done and small.weight_hh_l0.grad is not None
assert rnn_norms[0] < 1e-6 * rnn_norms[-1] and open_norms[0] > 1e-3 * open_norms[-1]
assert np.mean(result.bits[-20:]) < result.bits[0] - 2
