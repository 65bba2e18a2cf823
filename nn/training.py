"""``fit``: the training loop most models need, with ``History`` and ``EarlyStopping``.

    >>> history = fit(model, F.cross_entropy, nn.optim.Adam(model.parameters()), (x_train, y_train),
    ...               val_data=(x_val, y_val), epochs=10, batch_size=64, seed=0,
    ...               early_stopping=EarlyStopping(patience=3), checkpoint_path="run.npz")
    >>> history["val_accuracy"][-1]

Each epoch: the model in train mode runs every shuffled batch (zero_grad, forward, loss,
backward, step); then, in eval mode without a graph, the validation data; then the
scheduler steps, early stopping looks at the monitored value and a checkpoint is
written. ``resume=True`` continues from that checkpoint and reaches exactly the weights
and history an uninterrupted run with the same seed reaches: the checkpoint holds the
model, optimizer, scheduler, history, early-stopping state and both random generators
(the shuffling one and ``autograd_core``'s, which dropout and friends draw from).

The only output is a tqdm progress bar on stderr, shown when ``progress=True`` and
stderr is a terminal.
"""
from __future__ import annotations

import inspect
import math
import os
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.creation import generator as global_generator

from . import metrics as metric_functions
from .checkpoint import load_checkpoint, save_checkpoint
from .data import DataLoader, TensorDataset

SHUFFLE_RNG = "shuffle"
NAMED_METRICS: dict[str, Callable[[np.ndarray, np.ndarray], float]] = {
    "accuracy": metric_functions.accuracy,
    "precision": lambda y_true, y_pred: metric_functions.precision(y_true, y_pred, average="macro", zero_division=0.0),
    "recall": lambda y_true, y_pred: metric_functions.recall(y_true, y_pred, average="macro", zero_division=0.0),
    "f1": lambda y_true, y_pred: metric_functions.f1(y_true, y_pred, average="macro", zero_division=0.0),
}


class History:
    """Per-epoch values by name: ``history["loss"]``, ``history["val_accuracy"]`` (lists of floats).

    Training values are plain names (``loss``, ``accuracy``); validation ones start with ``val_``.
    """

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}

    def append(self, logs: Mapping[str, float]) -> None:
        """Record one epoch's values."""
        epoch = len(self)
        for name, value in logs.items():
            self.history.setdefault(name, [math.nan] * epoch).append(float(value))

    def __getitem__(self, name: str) -> list[float]:
        if name not in self.history:
            raise KeyError(f"History has no {name!r}; it holds {sorted(self.history)}.")
        return self.history[name]

    def __contains__(self, name: str) -> bool:
        return name in self.history

    def __len__(self) -> int:
        """The number of epochs recorded."""
        return max((len(values) for values in self.history.values()), default=0)

    def state_dict(self) -> dict[str, list[float]]:
        return {name: list(values) for name, values in self.history.items()}

    def load_state_dict(self, state: Mapping[str, Sequence[float]]) -> None:
        self.history = {name: [float(value) for value in values] for name, values in state.items()}

    def __repr__(self) -> str:
        last = ", ".join(f"{name}={values[-1]:.4g}" for name, values in self.history.items())
        return f"History({len(self)} epochs{': last ' + last if last else ''})"


class EarlyStopping:
    """Stop when ``monitor`` has not improved for ``patience`` epochs; keep the best weights.

    Args:
        monitor: a ``History`` name, e.g. ``"val_loss"`` (default) or ``"val_accuracy"``.
        patience: epochs without improvement before stopping (default 5).
        min_delta: the smallest change that counts as an improvement (default 0).
        mode: ``"min"``, ``"max"`` or ``"auto"`` (min for names containing "loss", else max).
        restore_best_weights: when training ends, load the weights of the best epoch.
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0,
                 mode: str = "auto", restore_best_weights: bool = True) -> None:
        if not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be a non-negative int, got {patience!r}")
        if min_delta < 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0, got {min_delta}")
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.monitor, self.patience, self.min_delta = monitor, patience, min_delta
        self.mode = ("min" if "loss" in monitor else "max") if mode == "auto" else mode
        self.restore_best_weights = restore_best_weights
        self.best: float | None = None
        self.best_epoch: int | None = None
        self.best_weights: dict[str, np.ndarray] | None = None
        self.wait = 0
        self.stopped_epoch: int | None = None

    def update(self, epoch: int, logs: Mapping[str, float], model: Any) -> bool:
        """Look at epoch ``epoch``'s ``logs``; True when training should stop."""
        if self.monitor not in logs:
            raise KeyError(
                f"EarlyStopping: monitor {self.monitor!r} is not among this epoch's values {sorted(logs)}; "
                "pass val_data to fit for val_* names, or monitor one of those."
            )
        value = float(logs[self.monitor])
        if self.best is None or self._improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights:
                self.best_weights = {name: tensor.array.copy() for name, tensor in model.state_dict().items()}
            return False
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            return True
        return False

    def _improved(self, value: float) -> bool:
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def restore(self, model: Any) -> None:
        """Load the best epoch's weights into ``model`` (when they were kept)."""
        if self.restore_best_weights and self.best_weights is not None:
            model.load_state_dict(self.best_weights)

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                "stopped_epoch": self.stopped_epoch, "best_weights": self.best_weights}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        self.best, self.best_epoch, self.wait = state["best"], state["best_epoch"], state["wait"]
        self.stopped_epoch, self.best_weights = state["stopped_epoch"], state["best_weights"]


def fit(
    model: Any,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    optimizer: Any,
    train_data: Any,
    val_data: Any = None,
    *,
    epochs: int = 10,
    batch_size: int = 32,
    metrics: Sequence[str] | Mapping[str, Callable] = ("accuracy",),
    predict: Callable[[np.ndarray], np.ndarray] | None = None,
    early_stopping: EarlyStopping | None = None,
    callbacks: Iterable[Callable[[int, dict], Any]] = (),
    scheduler: Any = None,
    checkpoint_path: str | os.PathLike | None = None,
    resume: bool = False,
    progress: bool = True,
    seed: int | None = None,
) -> History:
    """Train ``model`` for ``epochs`` epochs and return the ``History``.

    Args:
        model: a Module; loss_fn: ``loss_fn(outputs, targets)`` -> mean loss (e.g. ``F.cross_entropy``).
        optimizer: e.g. ``nn.optim.Adam(model.parameters())``.
        train_data / val_data: a Dataset yielding ``(inputs, targets)``, or an ``(inputs, targets)``
            pair of Tensors/arrays; ``fit`` batches them (training batches shuffled each epoch).
        metrics: names among accuracy, precision, recall, f1 (the last three macro-averaged), or
            ``{name: fn(y_true, y_pred)}``; computed over the whole epoch from ``predict(outputs)``.
            Pass ``metrics=()`` for regression (only the loss is recorded).
        predict: outputs (ndarray) -> predicted labels; default: argmax over the last dim, or
            ``outputs > 0`` for one output per sample (logits of a binary classifier).
        early_stopping: an ``EarlyStopping``; callbacks: ``fn(epoch, logs)`` after each epoch.
        scheduler: stepped after each epoch; one whose ``step`` needs a value (ReduceLROnPlateau)
            gets ``val_loss`` (``loss`` without val_data).
        checkpoint_path: write a checkpoint there after every epoch (atomically).
        resume: continue from ``checkpoint_path`` when that file exists (else start afresh).
        progress: show a progress bar (only when stderr is a terminal).
        seed: seeds the shuffling; None draws the seed from ``autograd_core.manual_seed``'s generator.
    """
    if resume and checkpoint_path is None:
        raise ValueError("fit: resume=True needs checkpoint_path= (the checkpoint to continue from).")
    if early_stopping is not None and early_stopping.monitor.startswith("val_") and val_data is None:
        raise ValueError(
            f"fit: EarlyStopping monitors {early_stopping.monitor!r} but no val_data was given; pass "
            "val_data or monitor a training value (e.g. EarlyStopping(monitor='loss'))."
        )
    metric_fns = _metric_functions(metrics)
    predict = predict or default_predict
    shuffle_rng = np.random.default_rng(seed if seed is not None else global_generator().integers(2**63))
    train_loader = DataLoader(_as_dataset(train_data, "train_data"), batch_size, shuffle=True, generator=shuffle_rng)
    val_loader = None if val_data is None else DataLoader(_as_dataset(val_data, "val_data"), batch_size)
    history, start_epoch = History(), 0
    if resume and os.path.exists(checkpoint_path):
        content = load_checkpoint(checkpoint_path, model, optimizer, scheduler, generators={SHUFFLE_RNG: shuffle_rng})
        start_epoch = int(content["epoch"])
        history.load_state_dict(content["extra"]["history"])
        if early_stopping is not None and content["extra"].get("early_stopping") is not None:
            early_stopping.load_state_dict(content["extra"]["early_stopping"])
    was_training = model.training
    already_stopped = early_stopping is not None and early_stopping.stopped_epoch is not None
    for epoch in range(start_epoch, start_epoch if already_stopped else epochs):
        model.train()
        bar = _progress_bar(len(train_loader), f"epoch {epoch + 1}/{epochs}") if progress else None
        logs = _run_epoch(model, loss_fn, train_loader, metric_fns, predict, optimizer, bar)
        if val_loader is not None:
            model.eval()
            with ag.no_grad():
                val_logs = _run_epoch(model, loss_fn, val_loader, metric_fns, predict)
            logs.update({f"val_{name}": value for name, value in val_logs.items()})
        if bar is not None:
            bar.set_postfix({name: f"{value:.4f}" for name, value in logs.items()})
            bar.close()
        history.append(logs)
        if scheduler is not None:
            _step_scheduler(scheduler, logs["val_loss" if val_loader is not None else "loss"])
        stop = early_stopping is not None and early_stopping.update(epoch, logs, model)
        if checkpoint_path is not None:
            extra = {"history": history.state_dict(),
                     "early_stopping": None if early_stopping is None else early_stopping.state_dict()}
            save_checkpoint(checkpoint_path, model, optimizer, scheduler, epoch=epoch + 1, extra=extra,
                            generators={SHUFFLE_RNG: shuffle_rng})
        for callback in callbacks:
            callback(epoch, dict(logs))
        if stop:
            break
    if early_stopping is not None:
        early_stopping.restore(model)
    model.train(was_training)
    return history


def default_predict(outputs: np.ndarray) -> np.ndarray:
    """Predicted labels: argmax over the last dim, or ``outputs > 0`` when there is one output per sample."""
    if outputs.ndim == 1 or outputs.shape[-1] == 1:
        return (outputs.reshape(len(outputs)) > 0).astype(np.int64)
    return outputs.argmax(-1)


def _run_epoch(model: Any, loss_fn: Callable, loader: DataLoader, metric_fns: dict[str, Callable],
               predict: Callable, optimizer: Any = None, bar: Any = None) -> dict[str, float]:
    """One pass over ``loader`` (a training pass when ``optimizer`` is given); the epoch's mean loss and metrics."""
    total_loss, seen = 0.0, 0
    targets_seen, predictions = [], []
    for inputs, targets in loader:
        if optimizer is not None:
            optimizer.zero_grad()
        outputs = model(inputs)
        loss = loss_fn(outputs, targets)
        if optimizer is not None:
            loss.backward()
            optimizer.step()
        count = len(targets)
        total_loss += float(loss.item()) * count
        seen += count
        if metric_fns:
            targets_seen.append(np.asarray(targets.array if isinstance(targets, Tensor) else targets))
            predictions.append(predict(outputs.array))
        if bar is not None:
            bar.set_postfix(loss=f"{total_loss / seen:.4f}", refresh=False)
            bar.update()
    logs = {"loss": total_loss / max(seen, 1)}
    if metric_fns:
        y_true, y_pred = np.concatenate(targets_seen), np.concatenate(predictions)
        logs.update({name: float(function(y_true, y_pred)) for name, function in metric_fns.items()})
    return logs


def _progress_bar(batches: int, description: str) -> Any:
    """A tqdm bar counting an epoch's batches (closed with the epoch's values).

    None when stderr is not a terminal.
    """
    from tqdm.auto import tqdm  # imported here: most imports of nn never train

    bar = tqdm(total=batches, desc=description, unit="batch", leave=True, disable=None, dynamic_ncols=True)
    return None if bar.disable else bar


def _metric_functions(metrics: Sequence[str] | Mapping[str, Callable]) -> dict[str, Callable]:
    if isinstance(metrics, Mapping):
        for name, function in metrics.items():
            if not callable(function):
                raise TypeError(f"fit: metrics[{name!r}] must be a function fn(y_true, y_pred), "
                                f"got {type(function).__name__}")
        return dict(metrics)
    if isinstance(metrics, str):
        metrics = (metrics,)
    unknown = [name for name in metrics if name not in NAMED_METRICS]
    if unknown:
        raise ValueError(
            f"fit: unknown metric(s) {unknown}; choose among {sorted(NAMED_METRICS)} or pass "
            "{name: fn(y_true, y_pred)}."
        )
    return {name: NAMED_METRICS[name] for name in metrics}


def _as_dataset(data: Any, name: str) -> Any:
    if isinstance(data, DataLoader):
        raise TypeError(
            f"fit: {name} is a DataLoader; pass its dataset (loader.dataset) and batch_size= instead, so "
            "fit can own the shuffling and restore it when resuming."
        )
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return TensorDataset(*data)
    if hasattr(data, "__len__") and hasattr(data, "__getitem__"):
        return data
    raise TypeError(f"fit: {name} must be a Dataset or an (inputs, targets) pair, got {type(data).__name__}.")


def _step_scheduler(scheduler: Any, monitored: float) -> None:
    """``scheduler.step()``, or ``scheduler.step(monitored)`` for one that needs a value (ReduceLROnPlateau)."""
    parameters = inspect.signature(scheduler.step).parameters.values()
    needs_value = any(p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                      for p in parameters)
    if needs_value:
        scheduler.step(monitored)
    else:
        scheduler.step()
