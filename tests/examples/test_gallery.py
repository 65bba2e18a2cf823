"""Every example of the course gallery (examples/NN_*.py) runs in --quick mode, writes its
PNGs, prints its headline and shows what its lecture claims, on small sizes."""
from __future__ import annotations

import contextlib
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(EXAMPLES.glob("[0-9][0-9]_*.py"))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _one_blas_thread() -> contextlib.AbstractContextManager:
    """The quick examples multiply small matrices; on 2 shared cores, BLAS threads only contend
    (measured here: a (64, 784) @ (784, 64) product 200x slower with the default threads under load)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


@pytest.fixture
def run_example(monkeypatch, tmp_path, capsys):
    """Import an example (with examples/common.py as its ``common``), run ``main(--quick)``, check the files."""
    monkeypatch.setitem(sys.modules, "common", _load(EXAMPLES / "common.py", "common"))  # not benchmarks/common.py

    def run(stem: str) -> tuple[dict, str]:
        module = _load(EXAMPLES / f"{stem}.py", f"gallery_{stem}")
        with _one_blas_thread():
            result = module.main(["--quick", "--out", str(tmp_path), "--seed", "0"])
        printed = capsys.readouterr().out
        assert "headline:" in printed
        plots = sorted(tmp_path.glob("*.png"))
        assert plots, f"{stem} wrote no PNG"
        for plot in plots:
            assert plot.read_bytes()[:8] == PNG_SIGNATURE
            assert f"plot: {plot}" in printed
        return result, printed

    return run


def test_the_gallery_is_complete():
    assert [path.stem[:2] for path in SCRIPTS] == [f"{number:02d}" for number in range(1, 13)]
    listed = (EXAMPLES / "README.md").read_text()
    assert all(path.name in listed for path in SCRIPTS)


def test_an_example_runs_as_a_script(tmp_path):
    """As a user runs it: ``python examples/04_activations.py``, importing this checkout."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["OPENBLAS_NUM_THREADS"] = "1"  # as _one_blas_thread
    result = subprocess.run([sys.executable, str(EXAMPLES / "04_activations.py"), "--quick", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "headline: first/last layer gradient norm" in result.stdout
    assert (tmp_path / "activations.png").exists() and (tmp_path / "vanishing_gradients.png").exists()


def test_01_perceptron_converges_on_separable_data_not_on_xor_and_an_mlp_solves_xor(run_example):
    result, _ = run_example("01_perceptron_xor")
    assert result["separable_accuracy"] == 1.0 and result["separable_epochs"] < 20
    assert result["xor_perceptron_final_mistakes"] > 0 and result["xor_perceptron_accuracy"] <= 0.8
    assert result["xor_mlp_accuracy"] >= 0.97


def test_02_linear_classifiers_learn_digit_templates(run_example):
    result, _ = run_example("02_linear_classifiers")
    assert result["softmax_accuracy"] > 0.8 and result["svm_accuracy"] > 0.8
    assert result["template_class_match"] >= 0.8  # each weight row looks most like its own digit's mean image


def test_03_more_hidden_units_fit_better_and_depth_pays(run_example):
    result, _ = run_example("03_universal_approximation")
    errors = result["shallow_errors"]
    assert errors[16] < errors[2] / 2
    assert result["deep_error"] < errors[16]


def test_04_engine_derivatives_match_formulas_and_sigmoid_gradients_vanish(run_example):
    result, _ = run_example("04_activations")
    assert result["derivative_error"] < 1e-12
    assert result["sigmoid_ratio"] < 1e-3
    assert result["relu_ratio"] > 0.1


def test_05_every_optimiser_descends_and_momentum_beats_sgd_on_rosenbrock(run_example):
    result, _ = run_example("05_optimizers")
    for name, losses in result["mnist_losses"].items():
        assert losses[-1] < losses[0], name
    distances = result["rosenbrock_distances"]
    assert distances["momentum 0.9"] < distances["SGD"] and distances["Nesterov 0.9"] < distances["SGD"]
    batch_losses = result["batch_size_losses"]
    assert batch_losses["stochastic (1)"] < batch_losses["batch (all points)"]  # more steps per epoch


def test_06_each_regulariser_narrows_the_gap_and_early_stopping_restores_the_best_epoch(run_example):
    result, _ = run_example("06_regularization")
    results = result["results"]
    baseline = results.pop("no regularisation")
    for name, values in results.items():
        assert values["gap"] < baseline["gap"], name
    stopped = results["early stopping (3)"]
    # it stops exactly `patience` (3) epochs after the best one, unless the 25 epochs run out first
    assert stopped["epochs_run"] == 25 or stopped["epochs_run"] - stopped["best_epoch"] == 3
    assert stopped["val_loss"] == pytest.approx(stopped["val_loss_at_best_epoch"], abs=1e-4)
    assert 0.6 < result["test_accuracy"] <= 1.0


def test_07_initialisation_schemes(run_example):
    result, _ = run_example("07_initialization")
    variances = result["variances"]
    assert variances["Gaussian std 0.01"][-2] < 1e-8  # vanished
    assert all(abs(variance - 1.0) < 0.1 for variance in variances["LSUV"])
    assert all(0.05 < variance < 2.0 for variance in variances["He"])
    assert result["constant_units_identical"]  # symmetry never broken
    accuracy = result["val_accuracy"]
    assert accuracy["He"] > accuracy["constant 0.01"] + 0.1 and accuracy["LSUV"] > accuracy["Gaussian std 0.01"] + 0.1


def test_08_batch_norm_lets_the_deep_sigmoid_net_learn(run_example):
    result, _ = run_example("08_batch_norm")
    assert result["without_batch_norm"] < 0.2  # chance level
    assert result["with_batch_norm"] > result["without_batch_norm"] + 0.05


def test_09_autoencoder_beats_the_mean_image(run_example):
    result, _ = run_example("09_autoencoder")
    assert result["reconstruction_mse"] < 0.7 * result["baseline_mse"]


def test_10_hypernetwork_and_tied_weights_gradients_are_checked(run_example):
    result, _ = run_example("10_hypernetwork_tied_weights")
    assert result["hyper_gradcheck"] is True and result["tied_gradcheck"] is True
    assert result["tied_difference"] < 1e-12
    assert result["hyper_accuracy"] > 0.9
    assert result["untied_parameters"] - result["tied_parameters"] == 784 * 64


def test_11_augmentation_transforms_do_what_they_say(run_example):
    result, _ = run_example("11_augmentation")
    assert all(result["checks"].values()), result["checks"]
    assert 0.0 <= result["with augmentation"] <= 1.0 and 0.0 <= result["without augmentation"] <= 1.0


def test_12_metrics_match_hand_counted_cases(run_example):
    result, printed = run_example("12_evaluation")
    assert result["hand_checked"] is True and "MISMATCH" not in printed
    assert result["confusion_total"] == 500
    assert result["always_no"]["recall"] == 0.0 and result["binary"]["recall"] > 0.0
    assert np.isfinite(result["macro_f1"]) and result["macro_f1"] > 0.6
