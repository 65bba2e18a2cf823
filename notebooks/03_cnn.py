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
# # Convolutional networks
#
# 1. **Convolution arithmetic**: how padding and stride decide the output size,
#    `out = (W - F + 2P) / S + 1`, on a 5x5 magic square and a 3x3 kernel.
# 2. **LeNet-5 on MNIST**: train it (a small run here; `python -m nn.train_mnist --model lenet
#    --augment` does the full one) and watch the loss and accuracy curves.
# 3. **What it learned**: the first layer's 5x5 filters and the feature maps they make.

# %%
import matplotlib.pyplot as plt
import numpy as np

import autograd_core as ag
import nn
from nn.models import LeNet5
from nn.train_mnist import split_and_normalise

# %% [markdown]
# ## 1. Valid, same and full padding
#
# The input is the 5x5 magic square (every row, column and diagonal adds up to 65) and
# the kernel is a 3x3 block of ones, so every output number is the sum of the 3x3 window
# the kernel covers (zeros where it hangs over the edge). With W = 5, F = 3, S = 1:
#
# | padding | P | out = (5 - 3 + 2P)/1 + 1 |
# |---|---|---|
# | `'valid'`: only windows fully inside | 0 | 3 |
# | `'same'`: the output keeps the input's size | 1 | 5 |
# | `'full'`: every window that overlaps at all | 2 | 7 |

# %%
magic = np.array(
    [
        [17, 24, 1, 8, 15],
        [23, 5, 7, 14, 16],
        [4, 6, 13, 20, 22],
        [10, 12, 19, 21, 3],
        [11, 18, 25, 2, 9],
    ],
    dtype=np.float64,
)
image = ag.tensor(magic.reshape(1, 1, 5, 5))  # (N, C, H, W)
ones = ag.ones((1, 1, 3, 3), dtype=ag.float64)  # (C_out, C_in, kH, kW)

outputs = {mode: ag.conv2d(image, ones, padding=mode).array[0, 0] for mode in ("valid", "same", "full")}
for mode, out in outputs.items():
    print(f"padding={mode!r}: {out.shape[0]}x{out.shape[1]}\n{out.astype(int)}\n")

# %% [markdown]
# Reading the numbers: the top-left `'valid'` window covers `magic[:3, :3]`, which adds up
# to 100; the top-left `'same'` window hangs over two edges, so only `magic[:2, :2]` (69)
# is under it; the top-left `'full'` window sees one number, 17. And `'same'` is the
# centre of `'full'`:

# %%
print("valid[0, 0] =", outputs["valid"][0, 0], "= sum of magic[:3, :3] =", magic[:3, :3].sum())
print("same[0, 0]  =", outputs["same"][0, 0], " = sum of magic[:2, :2] =", magic[:2, :2].sum())
print("full[0, 0]  =", outputs["full"][0, 0], " = magic[0, 0] =", magic[0, 0])
print("'same' is the centre of 'full':", np.array_equal(outputs["same"], outputs["full"][1:-1, 1:-1]))

# %% [markdown]
# **Stride.** With stride S the kernel jumps S pixels, so `(W - F + 2P)` should be a
# multiple of S. On a 5x5 input, a 3x3 kernel with stride 2 fits exactly: (5 - 3)/2 + 1 = 2.
# On a 7x7 input with stride 3 it does not: (7 - 3)/3 + 1 = 2.33. PyTorch (and this engine)
# floor that to 2 and silently ignore the last column and row; a kernel that does not fit
# at all is an error that names the sizes.

# %%
strided = ag.conv2d(image, ones, stride=2).array[0, 0]
print("stride 2 on 5x5:\n", strided.astype(int))

seven = ag.ones((1, 1, 7, 7), dtype=ag.float64)
print("stride 3 on 7x7 (floored):", ag.conv2d(seven, ones, stride=3).shape)
try:
    ag.conv2d(ag.ones((1, 1, 2, 2), dtype=ag.float64), ones)
except ag.ShapeError as error:
    print("ShapeError:", error)

# %% [markdown]
# ## 2. Training LeNet-5
#
# LeNet-5: two 5x5 convolutions, each followed by ReLU and a 2x2 max pool, then three
# linear layers: (N, 1, 28, 28) -> (N, 6, 28, 28) -> (N, 6, 14, 14) -> (N, 16, 10, 10)
# -> (N, 16, 5, 5) -> 400 -> 120 -> 84 -> 10. A small run so the notebook stays quick:
# 1,600 of the shipped digits for training, 400 held out, three epochs. On 8,000 / 2,000
# images and ten epochs, `python -m nn.train_mnist --model lenet --augment` reaches about
# 98% (randomly rotated, shifted and zoomed training digits; 97.9% without `--augment`).

# %%
(train_x, train_y), (test_x, test_y) = split_and_normalise(seed=0, limit=2000)
train_x, test_x = train_x.reshape(-1, 1, 28, 28), test_x.reshape(-1, 1, 28, 28)
ag.manual_seed(0)
model = LeNet5()
print(model)
print("parameters:", sum(parameter.array.size for parameter in model.parameters()))

optimizer = nn.optim.Adam(model.parameters(), lr=2e-3)
history = nn.fit(
    model,
    nn.functional.cross_entropy,
    optimizer,
    (train_x, train_y),
    (test_x, test_y),
    epochs=3,
    batch_size=32,
    progress=False,
    seed=0,
)
print({name: [round(value, 3) for value in values] for name, values in history.history.items()})

# %%
figure, (loss_axes, accuracy_axes) = plt.subplots(1, 2, figsize=(9, 3))
epochs = np.arange(1, len(history) + 1)
for name, axes in (("loss", loss_axes), ("accuracy", accuracy_axes)):
    axes.plot(epochs, history[name], "o-", label="training")
    axes.plot(epochs, history[f"val_{name}"], "o-", label="held out")
    axes.set_xlabel("epoch")
    axes.set_title(name)
    axes.legend()
plt.show()

# %% [markdown]
# ## 3. Learned filters and feature maps
#
# The six 5x5 filters of the first layer, and what each one makes of a held-out digit:
# bright where the digit has the pattern the filter looks for (strokes at a given angle,
# edges on one side). After only three epochs they are still rough; longer runs give
# cleaner stroke detectors.

# %%
filters = model.conv1.weight.array[:, 0]  # (6, 5, 5)
digit = ag.from_numpy(test_x[:1])  # (1, 1, 28, 28)
with ag.no_grad():
    feature_maps = ag.relu(model.conv1(digit)).array[0]  # (6, 28, 28)

figure, axes = plt.subplots(2, 7, figsize=(12, 3.6))
axes[0, 0].imshow(test_x[0, 0], cmap="gray")
axes[0, 0].set_title(f"digit {test_y[0]}")
axes[1, 0].axis("off")
for channel in range(6):
    axes[0, channel + 1].imshow(filters[channel], cmap="RdBu_r")
    axes[0, channel + 1].set_title(f"filter {channel}")
    axes[1, channel + 1].imshow(feature_maps[channel], cmap="viridis")
    axes[1, channel + 1].set_title(f"map {channel}")
for axis in axes.ravel():
    axis.set_xticks([])
    axis.set_yticks([])
plt.tight_layout()
plt.show()

# %% [markdown]
# The second layer sees 6 such maps (pooled to 14x14) and makes 16 of its own, 10x10;
# pooled again, these 16 x 5 x 5 = 400 numbers are what the linear layers classify.

# %%
with ag.no_grad():
    deep = model.features(digit)
print("features of one digit:", deep.shape)

# %% [markdown]
# ## Checks
#
# What the test suite asserts about this notebook.

# %%
assert (magic.sum(0) == 65).all() and (magic.sum(1) == 65).all() and np.trace(magic) == 65
assert [out.shape for out in outputs.values()] == [(3, 3), (5, 5), (7, 7)]
assert outputs["valid"][0, 0] == magic[:3, :3].sum() == 100
assert outputs["same"][0, 0] == magic[:2, :2].sum() == 69
assert outputs["full"][0, 0] == magic[0, 0] == 17
assert outputs["valid"][1, 1] == magic[1:4, 1:4].sum() == 117
np.testing.assert_array_equal(outputs["same"], outputs["full"][1:-1, 1:-1])
assert strided.shape == (2, 2) and strided[1, 1] == magic[2:5, 2:5].sum()
assert ag.conv2d(seven, ones, stride=3).shape == (1, 1, 2, 2)
assert history["val_accuracy"][-1] > 0.85, history["val_accuracy"]
assert history["loss"][-1] < history["loss"][0]
assert filters.shape == (6, 5, 5) and feature_maps.shape == (6, 28, 28)
assert deep.shape == (1, 16, 5, 5)
