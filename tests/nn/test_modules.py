"""``nn.modules`` (PyTorch's ``torch.nn.modules`` import paths): each layer where PyTorch keeps it."""
from __future__ import annotations

import importlib

import pytest

import nn
from tests.helpers import requires_torch, torch


def _layers():
    return {name: value for name, value in vars(nn).items()
            if isinstance(value, type) and issubclass(value, nn.Module) and not name.startswith("_")}


def test_the_usual_imports_work():
    from nn.modules.activation import ReLU
    from nn.modules.batchnorm import BatchNorm1d
    from nn.modules.container import Sequential
    from nn.modules.loss import CrossEntropyLoss, MSELoss
    from nn.modules.module import Module as ModuleToo
    from nn.modules.sparse import Embedding

    from nn.modules import Linear, Module

    assert Module is ModuleToo is nn.Module and Linear is nn.Linear and ReLU is nn.ReLU
    assert (CrossEntropyLoss, MSELoss, Sequential, BatchNorm1d, Embedding) == (
        nn.CrossEntropyLoss, nn.MSELoss, nn.Sequential, nn.BatchNorm1d, nn.Embedding)
    assert importlib.import_module("nn.modules.conv").Conv2d is nn.Conv2d
    assert nn.modules.rnn.LSTM is nn.LSTM


def test_every_layer_nn_exports_is_in_nn_modules():
    for name, layer in _layers().items():
        assert getattr(nn.modules, name) is layer
        homes = [sub for sub, module in nn.modules.SUBMODULES.items() if getattr(module, name, None) is layer]
        assert len(homes) == 1, (name, homes)


@requires_torch
def test_each_layer_sits_in_the_submodule_pytorch_has_it_in():
    for name, layer in _layers().items():
        theirs = getattr(torch.nn, name, None)
        if theirs is None or not theirs.__module__.startswith("torch.nn.modules."):
            continue  # a layer PyTorch does not have (Sign, Step, GaussianNoise, HingeLoss ...)
        torch_file = theirs.__module__.rsplit(".", 1)[-1]
        assert getattr(nn.modules.SUBMODULES.get(torch_file), name, None) is layer, (name, torch_file)


def test_unknown_submodule_names_fail_as_usual():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("nn.modules.nothing_here")
