"""The main job, ``python -m nn.train_mnist``, end to end on a small subset."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd_core.viz.render as render
from nn.checkpoint import load_checkpoint
from nn.models import LeNet5
from nn.train_mnist import MLP, AugmentedImages, augmentation, main, split_and_normalise

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_command_runs_end_to_end(tmp_path):
    out = tmp_path / "run"
    command = [sys.executable, "-m", "nn.train_mnist", "--limit", "300", "--epochs", "2", "--batch-size", "64",
               "--out", str(out), "--no-progress", "--seed", "1"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert "240 training images, 60 held out" in result.stdout
    assert "held-out accuracy:" in result.stdout and "after 2 epochs" in result.stdout
    assert result.stderr == ""  # --no-progress: no bar
    assert (out / "curves.png").read_bytes()[:8] == PNG_SIGNATURE
    graph = out / "graph.svg" if (out / "graph.svg").exists() else out / "graph.gv"
    assert str(graph) in result.stdout and "fc1.weight" in graph.read_text()
    model = MLP()
    content = load_checkpoint(out / "checkpoint.npz", model)
    assert content["epoch"] == 2 and len(content["extra"]["history"]["val_accuracy"]) == 2


def test_without_a_renderer_the_dot_text_is_kept(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(render, "find_renderer", lambda: None)
    accuracy = main(["--limit", "200", "--epochs", "1", "--out", str(tmp_path), "--no-progress"])
    assert 0.0 <= accuracy <= 1.0
    printed = capsys.readouterr().out
    assert "after 1 epoch (" in printed  # not "1 epochs"
    assert "from nn.train_mnist import MLP; nn.load_checkpoint(path, MLP())" in printed  # where MLP lives
    assert f"graph:      {tmp_path / 'graph.gv'} (no Graphviz renderer found" in printed
    assert "pip install graphviz-pure" in printed
    assert "digraph" in (tmp_path / "graph.gv").read_text()
    assert not (tmp_path / "graph.svg").exists()


def test_resuming_a_finished_run_says_there_is_nothing_left_to_do(tmp_path, capsys):
    flags = ["--limit", "100", "--epochs", "1", "--out", str(tmp_path), "--no-progress", "--resume"]
    main(flags)
    assert "nothing left to do" not in capsys.readouterr().out  # no checkpoint yet: it trains
    main(flags)
    printed = capsys.readouterr().out
    assert f"nothing left to do: {tmp_path / 'checkpoint.npz'} already holds 1 epoch (--epochs 1)" in printed
    assert "raise --epochs to train on" in printed


def test_split_is_seeded_and_standardised():
    (train_x, train_y), (test_x, test_y) = split_and_normalise(seed=3, limit=1000)
    assert train_x.shape == (800, 784) and test_x.shape == (200, 784) and train_x.dtype == np.float32
    assert abs(float(train_x.mean())) < 1e-4 and abs(float(train_x.std()) - 1) < 1e-3
    (again_x, _), _ = split_and_normalise(seed=3, limit=1000)
    np.testing.assert_array_equal(train_x, again_x)
    assert set(np.unique(test_y)) <= set(range(10))


@pytest.mark.parametrize("flags, message", [(["--limit", "5"], "--limit must be between 10 and 10000"),
                                            (["--epochs", "0"], "--epochs must be at least 1")])
def test_bad_flags_are_refused(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(flags)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_lenet_with_augmentation_learns_on_a_small_subset(tmp_path, capsys):
    accuracy = main(["--model", "lenet", "--augment", "--limit", "600", "--epochs", "3", "--batch-size", "32",
                     "--out", str(tmp_path), "--no-progress", "--seed", "0"])
    printed = capsys.readouterr().out
    assert "480 training images, 120 held out" in printed and "after 3 epochs" in printed
    assert accuracy >= 0.6  # chance is 0.1; 3 epochs on 480 augmented digits
    model = LeNet5()
    content = load_checkpoint(tmp_path / "checkpoint.npz", model)
    assert content["epoch"] == 3 and model.conv1.weight.shape == (6, 1, 5, 5)
    graph = tmp_path / "graph.svg" if (tmp_path / "graph.svg").exists() else tmp_path / "graph.gv"
    assert "conv1.weight" in graph.read_text()


def test_augmented_batches_are_fresh_each_draw_and_keep_their_labels():
    images = np.random.default_rng(0).standard_normal((8, 1, 28, 28)).astype(np.float32)
    labels = np.arange(8)
    data = AugmentedImages(images, labels, augmentation(float(images.min()), seed=0))
    first, first_labels = data.get_batch(np.array([1, 5]))
    second, _ = data.get_batch(np.array([1, 5]))
    assert first.shape == (2, 1, 28, 28) and first.dtype == np.float32
    np.testing.assert_array_equal(first_labels.array, [1, 5])
    assert not np.array_equal(first.array, second.array)  # a new random warp per draw
    flat = AugmentedImages(images, labels, augmentation(0.0, seed=0), flatten=True)
    image, label = flat[3]
    assert image.shape == (784,) and int(label.item()) == 3
