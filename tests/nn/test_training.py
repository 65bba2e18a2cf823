"""nn.training.fit: learning, history, modes, early stopping, schedulers, progress, and exact resume
(also after a kill)."""
import io
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from nn.checkpoint import load_checkpoint
from nn.plots import plot_history
from nn.training import EarlyStopping, History, fit

ROOT = Path(__file__).resolve().parents[2]


class NoisyMLP(nn.Module):
    """A 2-16-2 MLP that adds Gaussian noise from autograd_core's generator in train mode (as dropout draws)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden, self.out = nn.Linear(2, 16), nn.Linear(16, 2)
        self.modes: list[bool] = []

    def forward(self, x):
        self.modes.append(self.training)
        hidden = F.relu(self.hidden(x))
        if self.training:
            hidden = hidden + 0.1 * ag.randn(*hidden.shape)
        return self.out(hidden)


def toy_data():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((120, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # XOR-like quadrants
    return (x[:96], y[:96]), (x[96:], y[96:])


def run(epochs, checkpoint_path=None, resume=False, init_seed=0, make_scheduler=None, **options):
    """(model, history, optimizer) of a seeded fit on the toy data."""
    ag.manual_seed(init_seed)
    model = NoisyMLP()
    optimizer = nn.optim.Adam(model.parameters(), lr=0.02)
    scheduler = make_scheduler(optimizer) if make_scheduler else None
    train, val = toy_data()
    history = fit(model, F.cross_entropy, optimizer, train, val, epochs=epochs, batch_size=16, seed=3,
                  metrics=["accuracy", "f1"], checkpoint_path=checkpoint_path, resume=resume, scheduler=scheduler,
                  **options)
    return model, history, optimizer


def assert_same_run(run_a, run_b):
    (model_a, history_a, _), (model_b, history_b, _) = run_a, run_b
    assert history_a.history == history_b.history
    state_b = model_b.state_dict()
    for name, tensor in model_a.state_dict().items():
        np.testing.assert_array_equal(tensor.array, state_b[name].array, err_msg=name)


def test_fit_learns_and_records_history(capsys):
    model, history, _ = run(epochs=8)
    assert len(history) == 8
    assert set(history.history) == {"loss", "accuracy", "f1", "val_loss", "val_accuracy", "val_f1"}
    assert history["loss"][-1] < 0.6 * history["loss"][0]
    assert history["val_accuracy"][-1] > 0.8
    assert capsys.readouterr() == ("", "")  # not a terminal: no bar, and the library never prints
    # training batches in train mode, validation in eval mode; the model ends in the mode it started in
    assert model.modes[:6] == [True] * 6 and model.modes[-2:] == [False, False] and model.training


def test_resume_matches_an_uninterrupted_run(tmp_path):
    straight = run(epochs=4)
    path = tmp_path / "run.npz"
    run(epochs=2, checkpoint_path=path)
    assert load_checkpoint(path)["epoch"] == 2
    # a fresh process would build the model from another seed: the checkpoint must override everything
    resumed = run(epochs=4, checkpoint_path=path, resume=True, init_seed=123)
    assert_same_run(straight, resumed)


def test_resume_after_a_kill(tmp_path):
    """A real process killed (SIGKILL) right after its epoch-2 checkpoint; resuming gives the uninterrupted result."""
    path = tmp_path / "killed.npz"
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from tests.nn.test_training import run
        def kill_after_second_epoch(epoch, logs):
            if epoch == 1:
                os.kill(os.getpid(), signal.SIGKILL)
        run(epochs=4, checkpoint_path={str(path)!r}, callbacks=[kill_after_second_epoch])
        print("not killed")
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == -signal.SIGKILL, result.stderr
    assert "not killed" not in result.stdout
    assert load_checkpoint(path)["epoch"] == 2
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]
    resumed = run(epochs=4, checkpoint_path=path, resume=True, init_seed=7)
    assert_same_run(run(epochs=4), resumed)


def test_resume_without_a_checkpoint_starts_afresh(tmp_path):
    assert_same_run(run(epochs=2, checkpoint_path=tmp_path / "new.npz", resume=True), run(epochs=2))


def test_early_stopping_restores_the_best_weights():
    ag.manual_seed(0)
    model = NoisyMLP()
    weights_after = []

    def remember(epoch, logs):
        weights_after.append({name: tensor.array.copy() for name, tensor in model.state_dict().items()})

    train, val = toy_data()
    # min_delta is so large that no epoch after the first counts as an improvement
    stopper = EarlyStopping(monitor="val_loss", patience=2, min_delta=1e9)
    history = fit(model, F.cross_entropy, nn.optim.Adam(model.parameters(), lr=0.02), train, val, epochs=10,
                  batch_size=16, seed=0, early_stopping=stopper, callbacks=[remember])
    assert len(history) == 3 and stopper.stopped_epoch == 2 and stopper.best_epoch == 0
    for name, tensor in model.state_dict().items():
        np.testing.assert_array_equal(tensor.array, weights_after[0][name])
        assert not np.array_equal(tensor.array, weights_after[-1][name])


def test_early_stopping_rule():
    model = nn.Linear(1, 1)
    stopper = EarlyStopping(monitor="val_accuracy", patience=2, min_delta=0.01)
    assert stopper.mode == "max"
    steps = [stopper.update(epoch, {"val_accuracy": value}, model)
             for epoch, value in enumerate([0.5, 0.7, 0.705, 0.709])]
    # 0.705 and 0.709 are within min_delta of 0.7: two epochs without improvement -> stop at epoch 3
    assert steps == [False, False, False, True]
    assert stopper.best == 0.7 and stopper.best_epoch == 1 and stopper.stopped_epoch == 3
    with pytest.raises(KeyError, match="monitor 'val_accuracy' is not among"):
        EarlyStopping(monitor="val_accuracy").update(0, {"loss": 1.0}, model)
    with pytest.raises(ValueError, match="patience"):
        EarlyStopping(patience=-1)


def test_a_stopped_run_stays_stopped_on_resume(tmp_path):
    path = tmp_path / "stopped.npz"
    options = dict(early_stopping=EarlyStopping(patience=1, min_delta=1e9))
    first = run(epochs=10, checkpoint_path=path, **options)
    assert len(first[1]) == 2
    again = run(epochs=10, checkpoint_path=path, resume=True, init_seed=5,
                early_stopping=EarlyStopping(patience=1, min_delta=1e9))
    assert_same_run(first, again)


def test_schedulers_step_each_epoch_and_resume(tmp_path):
    def halving(optimizer):
        return nn.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)

    _, _, optimizer = run(epochs=3, make_scheduler=halving)
    assert optimizer.param_groups[0]["lr"] == 0.02 / 8
    path = tmp_path / "scheduled.npz"
    run(epochs=2, checkpoint_path=path, make_scheduler=halving)
    resumed = run(epochs=4, checkpoint_path=path, resume=True, init_seed=9, make_scheduler=halving)
    assert resumed[2].param_groups[0]["lr"] == 0.02 / 16
    assert_same_run(run(epochs=4, make_scheduler=halving), resumed)


def test_plateau_scheduler_gets_the_validation_loss():
    seen = []

    class RecordingPlateau(nn.optim.lr_scheduler.ReduceLROnPlateau):
        def step(self, metrics, epoch=None):
            seen.append(metrics)
            super().step(metrics, epoch)

    _, history, _ = run(epochs=3, make_scheduler=lambda optimizer: RecordingPlateau(optimizer, patience=0))
    assert seen == history["val_loss"]


def test_progress_bar_on_a_terminal(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    run(epochs=2)
    shown = terminal.getvalue()
    assert "epoch 1/2" in shown and "epoch 2/2" in shown and "val_accuracy=" in shown
    quiet = Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    run(epochs=1, progress=False)
    assert quiet.getvalue() == ""


def test_regression_without_metrics():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((64, 3)).astype(np.float32)
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype=np.float32)
    ag.manual_seed(0)
    model = nn.Linear(3, 1)
    history = fit(model, F.mse_loss, nn.optim.SGD(model.parameters(), lr=0.1), (x, y), (x, y), epochs=15,
                  batch_size=16, metrics=(), seed=0)
    assert set(history.history) == {"loss", "val_loss"}
    assert history["val_loss"][-1] < 1e-3 < history["val_loss"][0]


def test_errors_say_what_to_do():
    train, val = toy_data()
    model = NoisyMLP()
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="resume=True needs checkpoint_path"):
        fit(model, F.cross_entropy, optimizer, train, resume=True)
    with pytest.raises(ValueError, match="monitors 'val_loss' but no val_data"):
        fit(model, F.cross_entropy, optimizer, train, early_stopping=EarlyStopping())
    with pytest.raises(ValueError, match=r"unknown metric\(s\) \['auc'\]"):
        fit(model, F.cross_entropy, optimizer, train, metrics=["auc"])
    loader = nn.data.DataLoader(nn.data.TensorDataset(*train), batch_size=8)
    with pytest.raises(TypeError, match="is a DataLoader; pass its dataset"):
        fit(model, F.cross_entropy, optimizer, loader)


def test_history_and_plot(tmp_path):
    history = History()
    history.append({"loss": 1.0, "accuracy": 0.5, "val_loss": 1.2, "val_accuracy": 0.4})
    history.append({"loss": 0.5, "accuracy": 0.8, "val_loss": 0.9, "val_accuracy": 0.6})
    assert len(history) == 2 and history["val_loss"] == [1.2, 0.9] and "accuracy" in history
    with pytest.raises(KeyError, match="History has no 'f1'"):
        history["f1"]
    image = plot_history(history, tmp_path / "curves.png", title="toy")
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="plot_history: expected a History"):
        plot_history({}, tmp_path / "empty.png")
