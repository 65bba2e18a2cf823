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
# # Backprop by hand: a 2-2-2 sigmoid network, one node at a time
#
# The classic worked example of backpropagation: two inputs, two sigmoid hidden
# units, two sigmoid outputs, squared error, one gradient-descent step. Its numbers
# are published to nine digits, so we can check every one of them.
#
# | | values |
# |---|---|
# | inputs | i1 = 0.05, i2 = 0.10 |
# | targets | t1 = 0.01, t2 = 0.99 |
# | input -> hidden weights | w1 = 0.15, w2 = 0.20 (into h1), w3 = 0.25, w4 = 0.30 (into h2), bias b1 = 0.35 |
# | hidden -> output weights | w5 = 0.40, w6 = 0.45 (into o1), w7 = 0.50, w8 = 0.55 (into o2), bias b2 = 0.60 |
# | error | E = 1/2 (t1 - out_o1)^2 + 1/2 (t2 - out_o2)^2 |
# | learning rate | 0.5 (the example updates the weights, not the biases) |
#
# We build it from `Scalar`s: one number per node, each op remembering its inputs and
# its local derivative, so that backprop is nothing but the chain rule applied node by
# node.

# %%
import numpy as np

import autograd_core as ag
from autograd_core.scalar import Scalar
from autograd_core.viz import backward_steps, draw_graph


def agrees(value: float, published: str) -> bool:
    """Whether ``value`` rounds to the published number (to its last decimal)."""
    decimals = len(published.split(".")[1])
    return abs(value - float(published)) <= 0.5 * 10.0**-decimals


compared = {}  # name -> (our value, the published one), checked in the last cell


def compare(name: str, value: float, published: str) -> None:
    """Print our number beside the worked example's."""
    compared[name] = (value, published)
    print(f"{name:8s} = {value:.9f}   published: {published}   {'agrees' if agrees(value, published) else 'DIFFERS'}")


WEIGHTS = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30, "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55}
BIASES = {"b1": 0.35, "b2": 0.60}
INPUTS, TARGETS = (0.05, 0.10), (0.01, 0.99)
LEARNING_RATE = 0.5

# %% [markdown]
# ## The forward pass
#
# Every intermediate value gets a label, so that the graph and the step table below
# read like the worked example. The numbers that are not parameters become leaves of
# the graph too: the inputs `i1`, `i2`, the targets `t1`, `t2` and the `1/2` in front of
# each squared error. A Scalar graph gives every leaf a gradient, constants included
# (d E / d t1 exists, nothing uses it); the `2` of `** 2` is part of the op, not a leaf.

# %%
def named(value: Scalar, label: str) -> Scalar:
    value.label = label
    return value


def forward_pass() -> tuple[Scalar, dict[str, Scalar]]:
    """The network's total error and every named value in it."""
    p = {name: Scalar(value, label=name) for name, value in {**WEIGHTS, **BIASES}.items()}
    i1, i2 = (Scalar(value, label=f"i{k}") for k, value in enumerate(INPUTS, start=1))
    v = {}
    v["net_h1"] = named(p["w1"] * i1 + p["w2"] * i2 + p["b1"], "net_h1")
    v["net_h2"] = named(p["w3"] * i1 + p["w4"] * i2 + p["b1"], "net_h2")
    v["out_h1"] = named(v["net_h1"].sigmoid(), "out_h1")
    v["out_h2"] = named(v["net_h2"].sigmoid(), "out_h2")
    v["net_o1"] = named(p["w5"] * v["out_h1"] + p["w6"] * v["out_h2"] + p["b2"], "net_o1")
    v["net_o2"] = named(p["w7"] * v["out_h1"] + p["w8"] * v["out_h2"] + p["b2"], "net_o2")
    v["out_o1"] = named(v["net_o1"].sigmoid(), "out_o1")
    v["out_o2"] = named(v["net_o2"].sigmoid(), "out_o2")
    t1, t2 = (Scalar(value, label=f"t{k}") for k, value in enumerate(TARGETS, start=1))
    v["E_o1"] = named(Scalar(0.5, label="1/2") * (t1 - v["out_o1"]) ** 2, "E_o1")
    v["E_o2"] = named(Scalar(0.5, label="1/2") * (t2 - v["out_o2"]) ** 2, "E_o2")
    total = named(v["E_o1"] + v["E_o2"], "E_total")
    return total, {**p, **v}


E_total, values = forward_pass()
compare("out_h1", values["out_h1"].data, "0.593269992")
compare("out_h2", values["out_h2"].data, "0.596884378")
compare("out_o1", values["out_o1"].data, "0.75136507")
compare("out_o2", values["out_o2"].data, "0.772928465")
compare("E_total", E_total.data, "0.298371109")

# %% [markdown]
# The graph: labelled boxes are values (data and grad), circles are ops. Nothing has
# been differentiated yet, so every grad is 0.

# %%
draw_graph(E_total)

# %% [markdown]
# ## Backward, one node at a time
#
# `backward_steps` runs the backward pass one node at a time, in exactly the order
# `E_total.backward()` takes. Each step shows the node's **upstream gradient**
# (d E_total / d node, complete: every path into the node has contributed), its **local
# derivatives** (d node / d input, recorded by the op in the forward pass) and what each
# input **received**: upstream times local, the chain rule.
#
# Step through all 43 with the buttons or the slider: the current node is orange, the
# edges that carry its gradient to its inputs are drawn in dark orange, and a node's
# `grad` appears once backward has reached it (`grad ·` before). The page needs no
# kernel: it also works in an exported HTML file, or saved with `steps.save_html(path)`.
# (In a notebook opened from a file, Jupyter runs no scripts in outputs until the
# notebook is trusted or the cell is run again; the graph and the table still show.)

# %%
steps = backward_steps(E_total).run()
steps

# %% [markdown]
# The same steps from code: `next()` takes one step and returns it. A fresh forward pass
# gives a graph of its own to step through:

# %%
E_by_hand, _ = forward_pass()
by_hand = backward_steps(E_by_hand)
first = by_hand.next()
print(by_hand)

# %% [markdown]
# A few more steps: the squared errors pass `-(t - out)` down to the outputs, then
# the sigmoids multiply by `out (1 - out)`.

# %%
for _ in range(5):
    by_hand.next()
print(by_hand)

# %% [markdown]
# The graph as it stands after these six steps, drawn as a picture of its own
# (`steps.draw()`): the gradient each node sent is written on its edges.

# %%
by_hand.draw()

# %% [markdown]
# The rest of the pass. `w5` receives d E_total / d net_o1 times out_h1; `w1` is reached
# last, through both outputs.

# %%
print(by_hand.run())

# %% [markdown]
# The gradients the steps accumulated into `.grad` are those of a plain `backward()`
# (the last cell checks them all, bit for bit), and the two the worked example
# publishes agree:

# %%
compare("dE/dw5", values["w5"].grad, "0.082167041")
compare("dE/dw1", values["w1"].grad, "0.000438568")

# %% [markdown]
# With `ipywidgets` installed, `steps.widget()` is another view of the same steps: a
# slider that redraws the graph in the running kernel.

# %% [markdown]
# ## One gradient-descent step
#
# `w <- w - 0.5 * dE/dw` for the eight weights, as the worked example does:

# %%
PUBLISHED_UPDATES = {
    "w1": "0.149780716", "w2": "0.19956143", "w3": "0.24975114", "w4": "0.29950229",
    "w5": "0.35891648", "w6": "0.408666186", "w7": "0.511301270", "w8": "0.561370121",
}
updated = {name: values[name].data - LEARNING_RATE * values[name].grad for name in WEIGHTS}
for name, published in PUBLISHED_UPDATES.items():
    compare(f"{name}+", updated[name], published)

# %% [markdown]
# ## The same network with Tensors
#
# Two matrices, two bias scalars (broadcast over the units), float64. The Tensor engine
# walks its graph with the same traversal; its gradients match the Scalars' to float64
# rounding (twelve significant digits and more).

# %%
W1 = ag.tensor([[WEIGHTS["w1"], WEIGHTS["w2"]], [WEIGHTS["w3"], WEIGHTS["w4"]]], dtype=ag.float64, requires_grad=True)
W2 = ag.tensor([[WEIGHTS["w5"], WEIGHTS["w6"]], [WEIGHTS["w7"], WEIGHTS["w8"]]], dtype=ag.float64, requires_grad=True)
b1 = ag.tensor(BIASES["b1"], dtype=ag.float64, requires_grad=True)
b2 = ag.tensor(BIASES["b2"], dtype=ag.float64, requires_grad=True)
x = ag.tensor(INPUTS, dtype=ag.float64)
target = ag.tensor(TARGETS, dtype=ag.float64)

hidden = (W1 @ x + b1).sigmoid()
output = (W2 @ hidden + b2).sigmoid()
E_tensor = 0.5 * ((target - output) ** 2).sum()
print(f"E_total = {E_tensor.item():.9f}")

tensor_steps = backward_steps(E_tensor, params={"W1": W1, "b1": b1, "W2": W2, "b2": b2})
print(tensor_steps.run())
print("dE/dW1 =", W1.grad.array.round(9).tolist())
print("dE/dW2 =", W2.grad.array.round(9).tolist())

# %% [markdown]
# The Tensor graph, with the parameters named and the (small) values and gradients
# shown. The inputs `x` and `target` do not require grad, so they are not drawn; the
# `0.5` is a Python number, held by the `Mul` node rather than drawn as a leaf.

# %%
draw_graph(E_tensor, params={"W1": W1, "b1": b1, "W2": W2, "b2": b2}, show_data=True)

# %% [markdown]
# ## Checks
#
# What the test suite asserts about this notebook: every number agrees with the worked
# example, stepping gives exactly `backward()`'s gradients, and the Tensor engine agrees
# with the Scalar one.

# %%
for name, (value, published) in compared.items():
    assert agrees(value, published), f"{name} = {value!r}, but the worked example says {published}"
assert first.node is E_by_hand and first.upstream == 1.0 and first.input_grads == (1.0, 1.0)
assert steps.done and by_hand.done and steps.total == 43
E_again, values_again = forward_pass()
E_again.backward()
for name, value in values.items():
    assert value.grad == values_again[name].grad, (name, value.grad, values_again[name].grad)
scalar_grads = np.array([values[f"w{k}"].grad for k in range(1, 9)]).reshape(2, 2, 2)
np.testing.assert_allclose(W1.grad.array, scalar_grads[0], rtol=1e-12, atol=1e-15)
np.testing.assert_allclose(W2.grad.array, scalar_grads[1], rtol=1e-12, atol=1e-15)
assert abs(b1.grad.item() - values["b1"].grad) < 1e-15 and abs(b2.grad.item() - values["b2"].grad) < 1e-15
assert agrees(E_tensor.item(), "0.298371109") and agrees(W2.grad.array[0, 0], "0.082167041")
assert agrees(W1.grad.array[0, 0], "0.000438568")
