"""``nn.models``: LeNet-5 and SmallVGG shapes, PyTorch parity, and LeNet-5 learning MNIST."""

from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core.errors import ShapeError
from benchmarks.common import torch_lenet5
from nn.data.mnist import load_mnist
from nn.models import LeNet5, SmallVGG
from tests.helpers import requires_torch, torch


def test_lenet5_shapes_and_parameter_count():
    model = LeNet5()
    assert model.features(ag.zeros(2, 1, 28, 28)).shape == (2, 16, 5, 5)
    assert model(ag.zeros(2, 1, 28, 28)).shape == (2, 10)
    assert sum(p.numel() for p in model.parameters()) == 61706  # the classic LeNet-5 count with 10 classes


def test_small_vgg_shapes():
    assert SmallVGG()(ag.zeros(2, 1, 28, 28)).shape == (2, 10)
    assert SmallVGG(in_channels=3, num_classes=5, image_size=32, channels=(8, 16, 32))(
        ag.zeros(1, 3, 32, 32)
    ).shape == (1, 5)
    with pytest.raises(ValueError, match="image_size 30 must be divisible by 2\\*\\*2"):
        SmallVGG(image_size=30)


def test_wrong_input_shapes_name_the_model():
    with pytest.raises(ShapeError, match=r"LeNet5: expected input of shape \(N, 1, 28, 28\), got \(2, 784\)"):
        LeNet5()(ag.zeros(2, 784))
    with pytest.raises(ShapeError, match=r"SmallVGG: expected input of shape \(N, 3, 32, 32\), got \(2, 1, 28, 28\)"):
        SmallVGG(in_channels=3, image_size=32)(ag.zeros(2, 1, 28, 28))


@requires_torch
def test_lenet5_matches_the_same_network_in_torch():
    ag.manual_seed(0)
    model = LeNet5()
    reference = torch_lenet5(torch, weights_from=model)
    images = np.random.default_rng(0).uniform(0, 1, (4, 1, 28, 28)).astype(np.float32)
    labels = np.array([0, 3, 7, 9])
    loss = nn.functional.cross_entropy(model(ag.tensor(images)), ag.tensor(labels))
    torch_loss = torch.nn.functional.cross_entropy(reference(torch.tensor(images)), torch.tensor(labels))
    loss.backward()
    torch_loss.backward()
    np.testing.assert_allclose(loss.item(), torch_loss.item(), rtol=1e-5)
    np.testing.assert_allclose(model.conv1.weight.grad.array, reference[0].weight.grad.numpy(), rtol=1e-3, atol=1e-5)


def test_lenet5_learns_mnist():
    """Three epochs of Adam on 2,000 shipped MNIST images; accuracy on 1,000 others.
    (The issue's full figure, 98% with 8,000/2,000 images, is the main job's.)
    Adam, not plain SGD: SGD at this size swung between 0.84 and 0.92 with the seed and
    with the BLAS thread count (float32 summation order); Adam gave 0.92-0.93 for seeds 0-2."""
    images, labels = load_mnist()
    images = (images.array - 0.1307) / 0.3081  # the usual MNIST normalisation
    train_x, train_y = images[:2000], labels.array[:2000]
    test_x, test_y = images[2000:3000], labels.array[2000:3000]
    ag.manual_seed(0)
    model = LeNet5()
    optimizer = nn.optim.Adam(model.parameters(), lr=2e-3)
    rng = np.random.default_rng(0)
    for _ in range(3):
        order = rng.permutation(len(train_x))
        for start in range(0, len(order), 32):
            batch = order[start : start + 32]
            optimizer.zero_grad()
            nn.functional.cross_entropy(model(ag.tensor(train_x[batch])), ag.tensor(train_y[batch])).backward()
            optimizer.step()
    with ag.no_grad():
        accuracy = (model(ag.tensor(test_x)).array.argmax(1) == test_y).mean()
    assert accuracy > 0.9  # 0.931 measured with this seed (1 or 2 BLAS threads)
