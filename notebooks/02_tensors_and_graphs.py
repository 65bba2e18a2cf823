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
# # Tensors and their graphs
#
# Three things that trip people up when they move from one-number backprop to arrays:
#
# 1. **Broadcasting**: an input that was stretched to a bigger shape in the forward
#    pass gets its gradient *summed back* to its own shape.
# 2. **What a model's graph looks like**: ops, shapes and named parameters.
# 3. **Softmax and cross-entropy**: the famous gradient `softmax - one_hot`.

# %%
import numpy as np

import autograd_core as ag
from autograd_core.scalar import Scalar
from autograd_core.viz import backward_steps, draw_graph

# %% [markdown]
# ## 1. Broadcasting gradients
#
# `x` is a column (3, 1), `y` a row (4,), `bias` a single number. `x * y + bias` is a
# (3, 4) table: `x` was copied across 4 columns, `y` down 3 rows, `bias` everywhere.
# Each copy passes its gradient back, so the gradients add up: d(sum)/dx_i is the sum
# of the row `y`, d(sum)/dy_j the sum of the column `x`, and d(sum)/d bias counts the 12 cells.

# %%
x = ag.tensor([[1.0], [2.0], [3.0]], dtype=ag.float64, requires_grad=True)
y = ag.tensor([10.0, 20.0, 30.0, 40.0], dtype=ag.float64, requires_grad=True)
bias = ag.tensor(0.5, dtype=ag.float64, requires_grad=True)
table = x * y + bias
total = table.sum()
total.backward()

print("table shape:", table.shape)
print("x.grad    =", x.grad.array.ravel(), " (each = sum of y =", y.array.sum(), ")")
print("y.grad    =", y.grad.array, " (each = sum of x =", x.array.sum(), ")")
print("bias.grad =", bias.grad.item(), " (the number of cells)")

# %% [markdown]
# The engine sums a broadcast gradient back to the input's shape in one place; you
# can see it in the step table: the `Mul` node hands `x` a (3, 4) gradient, and what
# `x` receives is already its own (3, 1) shape. (Gradients accumulate, so we clear them
# first, as an optimizer's `zero_grad()` does; the steps then fill in the same ones.)

# %%
x.grad = y.grad = bias.grad = None
steps = backward_steps((x * y + bias).sum(), params={"x": x, "y": y, "bias": bias})
print(steps.run())
mul_step = next(step for step in steps if step.op == "Mul")
print("Mul's upstream gradient:", mul_step.upstream.shape, " what x received:", mul_step.input_grads[0].shape)

# %%
draw_graph(total, params={"x": x, "y": y, "bias": bias}, show_data=True)

# %% [markdown]
# ## 2. A small MLP's graph, parameters by name
#
# A 2-8-8-1 network on four points (XOR), built from `nn.Linear` layers in an
# `nn.Sequential`. Naming the layers (an `OrderedDict`) gives parameter names such as
# `layer1.weight`. `draw_graph(loss, params=model)` shows each parameter by name,
# groups a layer's parameters in one box, and shows every op with its output shape and
# dtype. Each `Linear` layer is one `LinearFunction` node: `x @ W.T + b`, fused.
# The activation is a layer too: a `Module` with no parameters, so it fits in the
# `Sequential`.

# %%
from collections import OrderedDict

import nn

ag.manual_seed(0)
model = nn.Sequential(OrderedDict([
    ("layer1", nn.Linear(2, 8)),
    ("relu1", nn.ReLU()),
    ("layer2", nn.Linear(8, 8)),
    ("relu2", nn.ReLU()),
    ("layer3", nn.Linear(8, 1)),
]))
print(model)
params = dict(model.named_parameters())

points = ag.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
labels = ag.tensor([[0.0], [1.0], [1.0], [0.0]])
loss = ((model(points) - labels) ** 2).mean()
graph = draw_graph(loss, params=model)
graph

# %% [markdown]
# One backward pass fills in every parameter's gradient, each of its parameter's shape:

# %%
loss.backward()
for name, parameter in params.items():
    print(f"{name:14s} {str(parameter.shape):8s} |grad| max {np.abs(parameter.grad.array).max():.4f}")

# %% [markdown]
# Big graphs stay readable: past `max_nodes` the rest is collapsed into one summary node.

# %%
draw_graph(loss, params=model, max_nodes=8, rankdir="TB")

# %% [markdown]
# ## 3. Softmax and cross-entropy
#
# Softmax turns scores into probabilities, `p_i = exp(z_i) / sum_j exp(z_j)`. For the
# scores [1.2, 5.1, 2.7] the middle class takes 90%:

# %%
logits = ag.tensor([1.2, 5.1, 2.7], dtype=ag.float64, requires_grad=True)
probabilities = logits.softmax(dim=0)
print("softmax:", probabilities.array.round(4))

# %% [markdown]
# Cross-entropy for the true class 1 is `-log p_1`. Its gradient with respect to the
# scores is simply `p - one_hot(1)`: push the true class up, the others down, each by
# how much probability it holds.

# %%
true_class = 1
cross_entropy = -logits.log_softmax(dim=0)[true_class]
cross_entropy.backward()
one_hot = np.eye(3)[true_class]
print("cross-entropy:", round(cross_entropy.item(), 6))
print("d loss / d logits:", logits.grad.array.round(5))
print("softmax - one_hot: ", (probabilities.array - one_hot).round(5))

# %% [markdown]
# The same computation from Scalars, written out op by op (`exp`, sum, divide, `log`):
# the gradients agree, and its graph shows where `softmax - one_hot` comes from.

# %%
scores = [Scalar(value, label=f"z{k}") for k, value in enumerate([1.2, 5.1, 2.7])]
exps = [score.exp() for score in scores]
normaliser = exps[0] + exps[1] + exps[2]
normaliser.label = "sum exp"
scalar_loss = -(exps[true_class] / normaliser).log()
scalar_loss.label = "loss"
scalar_loss.backward()
print("Scalar gradients:", np.round([score.grad for score in scores], 5))
draw_graph(scalar_loss)

# %% [markdown]
# ## Checks
#
# What the test suite asserts about this notebook.

# %%
assert x.grad.shape == (3, 1) and y.grad.shape == (4,) and bias.grad.shape == ()
np.testing.assert_array_equal(x.grad.array, np.full((3, 1), 100.0))
np.testing.assert_array_equal(y.grad.array, np.full(4, 6.0))
assert bias.grad.item() == 12.0
assert mul_step.upstream.shape == (3, 4) and mul_step.input_grads[0].shape == (3, 1)
assert list(params) == [f"layer{k}.{kind}" for k in (1, 2, 3) for kind in ("weight", "bias")]
for name, parameter in params.items():
    assert name in graph.source, f"{name} missing from the drawing"
    assert parameter.grad is not None and parameter.grad.shape == parameter.shape, name
assert graph.source.count("LinearFunction") == 3 and "cluster_layer2" in graph.source
np.testing.assert_allclose(probabilities.array, [0.018220, 0.900123, 0.081657], atol=5e-7)
assert abs(cross_entropy.item() - 0.1052244) < 1e-7
assert abs(cross_entropy.item() + np.log(probabilities.array[true_class])) < 1e-12
np.testing.assert_allclose(logits.grad.array, probabilities.array - one_hot, atol=1e-12)
np.testing.assert_allclose([score.grad for score in scores], logits.grad.array, atol=1e-12)
assert abs(scalar_loss.data - cross_entropy.item()) < 1e-12
