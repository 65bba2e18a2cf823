"""The main job: train an MLP or LeNet-5 on the MNIST digits that ship with the package.

    python -m nn.train_mnist                 # MLP, 8,000 training / 2,000 held-out images
    python -m nn.train_mnist --model lenet --augment   # LeNet-5 on randomly shifted/rotated digits
    python -m nn.train_mnist --limit 500 --epochs 2 --out /tmp/run   # a quick look

Steps: take the shipped 10,000-image MNIST test set, split it (seeded) into 80%
training and 20% held-out images, normalise with the training pixels' mean and std,
train the model (``--model mlp``: a 784-256-128-10 ReLU MLP; ``--model lenet``:
``nn.models.LeNet5`` on 1x28x28 images) with Adam (learning rate annealed along a
cosine) and cross-entropy, report the held-out accuracy, and write into ``--out``:

- ``curves.png``: loss and accuracy per epoch, training and held-out;
- ``graph.svg``: the graph of one forward pass and its loss, parameters named
  (``graph.gv``, the DOT text, when no Graphviz renderer is installed);
- ``checkpoint.npz``: model, optimizer and RNG state after the last epoch
  (``--resume`` continues from it).

``--augment`` draws a fresh random rotation (up to 10 degrees), shift (up to 2 pixels)
and zoom (0.9-1.1) of every training image in every epoch (``nn.data.transforms.
RandomAffine``); the held-out images are left as they are.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from . import functional as F
from .data import Dataset, load_mnist
from .data.transforms import RandomAffine
from .linear import Linear
from .metrics import accuracy, confusion_matrix
from .models import LeNet5
from .module import Module
from .optim import Adam
from .optim.lr_scheduler import CosineAnnealingLR
from .plots import plot_history
from .training import fit

HELD_OUT_FRACTION = 0.2
MODELS = ("mlp", "lenet")


class MLP(Module):
    """784 -> 256 -> 128 -> 10 with ReLU between the layers.

    Shape:
        input (N, 784) flattened images -> output (N, 10) logits.
    """

    def __init__(self, sizes: Sequence[int] = (784, 256, 128, 10)) -> None:
        super().__init__()
        self.fc1 = Linear(sizes[0], sizes[1])
        self.fc2 = Linear(sizes[1], sizes[2])
        self.fc3 = Linear(sizes[2], sizes[3])

    def forward(self, x: Tensor) -> Tensor:
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


class AugmentedImages(Dataset):
    """Images and labels whose batches go through ``transform`` each time they are drawn.

    Shape:
        images (N, 1, 28, 28) float32, labels (N,) -> batches (B, 1, 28, 28), or (B, 784)
        with ``flatten=True``, and (B,).
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray, transform: Any, flatten: bool = False) -> None:
        self.images, self.labels, self.transform, self.flatten = images, labels, transform, flatten

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        images, labels = self.get_batch(np.array([index]))
        return images[0], labels[0]

    def get_batch(self, indices: np.ndarray) -> tuple[Tensor, Tensor]:
        images = self.transform(self.images[indices]).astype(np.float32, copy=False)
        if self.flatten:
            images = images.reshape(len(indices), -1)
        return ag.from_numpy(images), ag.from_numpy(self.labels[indices])


def augmentation(background: float, seed: int) -> RandomAffine:
    """Rotate up to 10 degrees, shift up to 2 pixels (0.07 of 28), zoom 0.9-1.1; new pixels get ``background``."""
    return RandomAffine(degrees=10, translate=(0.07, 0.07), scale=(0.9, 1.1), interpolation="bilinear",
                        fill=background, seed=seed)


def build_model(name: str) -> Module:
    """A fresh ``mlp`` (inputs (N, 784)) or ``lenet`` (inputs (N, 1, 28, 28))."""
    return LeNet5() if name == "lenet" else MLP()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m nn.train_mnist", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", choices=MODELS, default="mlp",
                        help="mlp: 784-256-128-10 MLP (default); lenet: LeNet-5 convolutional network")
    parser.add_argument("--augment", action="store_true",
                        help="randomly rotate, shift and zoom the training images in every epoch")
    parser.add_argument("--epochs", type=int, default=10, help="passes over the training images (default 10)")
    parser.add_argument("--batch-size", type=int, default=128, help="images per step (default 128)")
    parser.add_argument("--lr", type=float, default=2e-3, help="Adam's initial learning rate (default 2e-3)")
    parser.add_argument("--limit", type=int, default=None,
                        help="use only this many of the 10,000 images (e.g. 500 for a quick test)")
    parser.add_argument("--out", type=Path, default=Path("outputs"), help="folder for the files (default outputs/)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the split, the initial weights and the shuffling")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument("--resume", action="store_true", help="continue from OUT/checkpoint.npz if it exists")
    args = parser.parse_args(argv)
    if args.limit is not None and not 10 <= args.limit <= 10_000:
        parser.error(f"--limit must be between 10 and 10000, got {args.limit}")
    for name in ("epochs", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    return args


def split_and_normalise(
    seed: int, limit: int | None
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Shuffled (seeded) 80/20 split of the shipped images, standardised by the training pixels.

    Shape:
        images (N, 784) float32, labels (N,) int64, for each of (train, held_out).
    """
    images, labels = load_mnist(flatten=True)
    order = np.random.default_rng(seed).permutation(len(labels))[:limit]
    held_out = int(round(len(order) * HELD_OUT_FRACTION))
    train_index, test_index = order[held_out:], order[:held_out]
    train_images, test_images = images.array[train_index], images.array[test_index]
    mean, std = train_images.mean(), train_images.std()  # one mean and std over all training pixels
    train_images = ((train_images - mean) / std).astype(np.float32)
    test_images = ((test_images - mean) / std).astype(np.float32)
    return (train_images, labels.array[train_index]), (test_images, labels.array[test_index])


def draw_forward_pass(model: Module, images: np.ndarray, labels: np.ndarray, out: Path) -> tuple[Path, str]:
    """Draw the graph of one forward pass (4 images) and its loss; SVG, or DOT text without a renderer."""
    from autograd_core.viz.render import RendererNotFoundError

    loss = F.cross_entropy(model(ag.from_numpy(images[:4])), ag.from_numpy(labels[:4]))
    name = type(model).__name__
    graph = ag.draw_graph(loss, params=model, title=f"one forward pass of the {name} (4 images) and its loss")
    try:
        return Path(graph.render(outfile=out / "graph.svg", cleanup=True)), ""
    except RendererNotFoundError as error:  # the DOT text was saved beside it
        return out / "graph.gv", f" ({error.args[0].split(':', 1)[1].strip()})"
    except Exception as error:  # a renderer that failed: keep the DOT text, say why
        source = out / "graph.gv"
        source.write_text(graph.source)
        return source, f" (the renderer failed: {type(error).__name__}: {error}; the DOT text is kept)"


def main(argv: Sequence[str] | None = None) -> float:
    """Run the job; returns the held-out accuracy."""
    args = parse_args(argv)
    started = time.perf_counter()
    (train_x, train_y), (test_x, test_y) = split_and_normalise(args.seed, args.limit)
    print(f"MNIST (shipped test set): {len(train_y)} training images, {len(test_y)} held out")
    if args.model == "lenet":  # the convolutions want images, not rows of pixels
        train_x, test_x = train_x.reshape(-1, 1, 28, 28), test_x.reshape(-1, 1, 28, 28)
    train_data: Any = (train_x, train_y)
    if args.augment:
        background = float(train_x.min())  # a blank pixel, after normalisation
        train_data = AugmentedImages(train_x.reshape(-1, 1, 28, 28), train_y, augmentation(background, args.seed),
                                     flatten=args.model == "mlp")
    ag.manual_seed(args.seed)
    model = build_model(args.model)
    optimizer = Adam(model.parameters(), lr=args.lr)
    scheduler = CosineAnnealingLR(optimizer, T_max=args.epochs)
    args.out.mkdir(parents=True, exist_ok=True)
    checkpoint = args.out / "checkpoint.npz"
    trained_epochs: list[int] = []
    history = fit(model, F.cross_entropy, optimizer, train_data, (test_x, test_y), epochs=args.epochs,
                  batch_size=args.batch_size, metrics=["accuracy"], scheduler=scheduler, checkpoint_path=checkpoint,
                  resume=args.resume, progress=not args.no_progress, seed=args.seed,
                  callbacks=[lambda epoch, logs: trained_epochs.append(epoch)])
    if args.resume and not trained_epochs:
        print(f"nothing left to do: {checkpoint} already holds {_epochs(len(history))} (--epochs {args.epochs}); "
              "evaluating it as it is (raise --epochs to train on)")
    model.eval()
    with ag.no_grad():
        predictions = model(ag.from_numpy(test_x)).array.argmax(1)
    test_accuracy = accuracy(test_y, predictions)
    trained = time.perf_counter() - started
    name = type(model).__name__ + (", augmented" if args.augment else "")
    curves = plot_history(history, args.out / "curves.png", title=f"{name} on MNIST: {len(train_y)} training images")
    graph, note = draw_forward_pass(model, test_x, test_y, args.out)
    errors = confusion_matrix(test_y, predictions, num_classes=10)
    np.fill_diagonal(errors, 0)
    true_digit, predicted_digit = np.unravel_index(errors.argmax(), errors.shape)
    print(f"held-out accuracy: {test_accuracy:.2%} after {_epochs(len(history))} "
          f"({trained:.1f} s of loading and training)")
    print(f"most frequent mistake: {true_digit} read as {predicted_digit} ({errors.max()} times)")
    print(f"curves:     {curves}")
    print(f"graph:      {graph}{note}")
    home = "nn.train_mnist" if isinstance(model, MLP) else type(model).__module__  # not __main__ under -m
    name = type(model).__name__
    print(f"checkpoint: {checkpoint}  (load it with: from {home} import {name}; nn.load_checkpoint(path, {name}()))")
    return test_accuracy


def _epochs(count: int) -> str:
    return f"{count} epoch" if count == 1 else f"{count} epochs"


if __name__ == "__main__":
    main(sys.argv[1:])
