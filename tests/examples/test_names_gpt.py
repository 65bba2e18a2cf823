"""examples/names_gpt.py: the GPT on Scalars and the same GPT on Tensors agree step by step (in
--quick mode), learn, and the example prints its comparison and writes its plot."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.examples.test_gallery import EXAMPLES, PNG_SIGNATURE, _load, _one_blas_thread


@pytest.fixture
def example(monkeypatch):
    monkeypatch.setitem(sys.modules, "common", _load(EXAMPLES / "common.py", "common"))
    spec = importlib.util.spec_from_file_location("names_gpt", EXAMPLES / "names_gpt.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "names_gpt", module)  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_scalar_and_tensor_gpts_give_the_same_losses_in_quick_mode(example, tmp_path, capsys):
    with _one_blas_thread():
        result = example.main(["--quick", "--out", str(tmp_path), "--seed", "0"])
    printed = capsys.readouterr().out
    assert result["difference"] < 1e-10  # float64 on both sides: only the order of sums differs
    assert result["scalar_losses"][0] == pytest.approx(np.log(27), abs=0.3)  # near uniform at the start
    assert np.mean(result["tensor_losses"][-5:]) < np.mean(result["tensor_losses"][:5])
    assert result["scalar_seconds"] > 0 and result["tensor_seconds"] > 0  # speed: benchmarks, not tests
    assert "headline:" in printed
    assert all(set(name) <= set("abcdefghijklmnopqrstuvwxyz") for name in result["samples"])
    plot = Path(tmp_path) / "names_gpt_losses.png"
    assert plot.read_bytes()[:8] == PNG_SIGNATURE and f"plot: {plot}" in printed


def test_names_are_generated_repeatably_and_encoded_with_one_boundary_token(example):
    names = example.make_names(50, seed=3)
    assert names == example.make_names(50, seed=3) and len(set(names)) == 50
    assert all(3 <= len(name) <= 12 and name.isalpha() for name in names)
    tokens = example.Tokens()
    encoded = tokens.encode("anna")
    assert encoded == [26, 0, 13, 13, 0, 26] and tokens.decode(encoded) == "anna"


def test_the_two_models_compute_the_same_loss_and_gradients_before_training(example):
    config = example.Config()
    weights = example.init_weights(config, seed=1)
    document = example.Tokens().encode("kalimar")
    scalar_model, tensor_model = example.ScalarGPT(weights, config), example.TensorGPT(weights, config)
    scalar_loss, tensor_loss = scalar_model.loss(document), tensor_model.loss(document)
    scalar_loss.backward()
    tensor_loss.backward()
    assert scalar_loss.data == pytest.approx(tensor_loss.item(), rel=1e-12)
    for name, matrix in scalar_model.weights.items():
        grads = np.array([[number.grad for number in row] for row in matrix])
        np.testing.assert_allclose(grads, getattr(tensor_model, name).grad.array, rtol=1e-9, atol=1e-13, err_msg=name)
