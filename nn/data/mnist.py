"""MNIST handwritten digits from IDX files: the ``read_idx`` parser, ``load_mnist`` and the ``MNIST`` Dataset.

The official 10,000-image test set ships in ``nn/data/mnist_files/``, so ``MNIST()``
works offline. For the 60,000-image training set, download the four official files and pass their folder as ``root=``.

IDX format (big-endian): a 4-byte magic number ``00 00 <type code> <number of dims>``,
then one 4-byte size per dim, then the values in row-major order. MNIST images are
magic 2051 (unsigned bytes, 3 dims: N, 28, 28), labels magic 2049 (unsigned bytes, 1 dim: N).
"""
from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path
from typing import Any, Callable

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from .collate import default_collate
from .dataset import Dataset, sample_index

SHIPPED_FOLDER = Path(__file__).parent / "mnist_files"
FILE_NAMES = {  # train -> (images, labels), each found gzipped (.gz) or not
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
IMAGES_MAGIC = 0x00000803  # 2051: unsigned bytes, 3 dims
LABELS_MAGIC = 0x00000801  # 2049: unsigned bytes, 1 dim
IDX_TYPES = {0x08: ("unsigned bytes", "u1"), 0x09: ("signed bytes", "i1"), 0x0B: ("int16", ">i2"),
             0x0C: ("int32", ">i4"), 0x0D: ("float32", ">f4"), 0x0E: ("float64", ">f8")}
NUM_CLASSES = 10
IMAGE_SIZE = (28, 28)


class DatasetFileError(ValueError):
    """A data file that is not what it should be: wrong magic number, truncated, corrupt, inconsistent."""


def read_idx(path: str | Path, expected_magic: int | None = None) -> np.ndarray:
    """The array stored in an IDX file (gzipped or not), with the dims its header gives.

    ``expected_magic`` (e.g. 2051 for MNIST images) is checked first. The file's length
    must match the header exactly. Raises ``DatasetFileError`` naming the file, what was
    expected and what was found.
    """
    path = Path(path)
    content = path.read_bytes()
    compressed = content[:2] == b"\x1f\x8b"  # the gzip signature, whatever the file's name
    if compressed:
        try:
            content = gzip.decompress(content)
        except (OSError, EOFError, zlib.error) as error:
            raise DatasetFileError(
                f"{path}: the gzip data is corrupt or truncated ({error}); download the file again."
            ) from None
    if len(content) < 4:
        raise DatasetFileError(f"{path}: truncated: {len(content)} bytes, too short for the 4-byte IDX magic number.")
    magic = int.from_bytes(content[:4], "big")
    if expected_magic is not None and magic != expected_magic:
        raise DatasetFileError(
            f"{path}: wrong magic number {magic} (0x{magic:08X}: {_describe_magic(magic)}); expected "
            f"{expected_magic} (0x{expected_magic:08X}: {_describe_magic(expected_magic)})."
            f"{_swap_hint(magic, expected_magic)}"
        )
    if content[:2] != b"\x00\x00" or content[2] not in IDX_TYPES:
        raise DatasetFileError(f"{path}: not an IDX file: its magic number 0x{magic:08X} is {_describe_magic(magic)}.")
    ndim = content[3]
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise DatasetFileError(
            f"{path}: truncated: the header announces {ndim} dims ({header_size} header bytes) "
            f"but the file holds only {len(content)} bytes."
        )
    dims = tuple(int.from_bytes(content[4 + 4 * axis:8 + 4 * axis], "big") for axis in range(ndim))
    type_name, dtype = IDX_TYPES[content[2]]
    dtype = np.dtype(dtype)
    count = math.prod(dims)
    expected_size = header_size + count * dtype.itemsize
    if len(content) != expected_size:
        problem = "truncated" if len(content) < expected_size else "longer than its header says"
        raise DatasetFileError(
            f"{path}: {problem}: the header announces {type_name} of shape {dims}, so the "
            f"{'decompressed ' if compressed else ''}file should hold {expected_size} bytes, "
            f"but it holds {len(content)}; download the file again."
        )
    values = np.frombuffer(content, dtype=dtype, count=count, offset=header_size)
    return values.reshape(dims).astype(dtype.newbyteorder("="))


def _describe_magic(magic: int) -> str:
    code, ndim = (magic >> 8) & 0xFF, magic & 0xFF
    if magic >> 16 or code not in IDX_TYPES:
        return "not an IDX header (it must be 00 00, a type code 08/09/0B/0C/0D/0E, a number of dims)"
    return f"IDX {IDX_TYPES[code][0]}, {ndim} dim{'s' if ndim != 1 else ''}"


def _swap_hint(found: int, expected: int) -> str:
    if {found, expected} == {IMAGES_MAGIC, LABELS_MAGIC}:
        kind = "labels" if found == LABELS_MAGIC else "images"
        return f" This is an MNIST {kind} file: are the images and labels files swapped?"
    return ""


def read_mnist(root: str | Path | None = None, train: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's raw arrays: images uint8 ``(N, 28, 28)`` and labels uint8 ``(N,)`` in 0-9.

    ``root=None`` reads the shipped test set (``train`` must be False); otherwise ``root``
    is a folder holding the official files (also looked for in ``root/MNIST/raw``, where
    torchvision puts them).
    """
    images_path, labels_path = _find_files(root, train)
    images = read_idx(images_path, IMAGES_MAGIC)
    labels = read_idx(labels_path, LABELS_MAGIC)
    if images.shape[1:] != IMAGE_SIZE or len(images) == 0:
        found = (
            f"no images (shape {images.shape})" if images.shape[1:] == IMAGE_SIZE
            else f"{len(images)} images of {images.shape[1]}x{images.shape[2]} pixels (shape {images.shape})"
        )
        raise DatasetFileError(
            f"MNIST: {images_path} holds {found}; MNIST images are {IMAGE_SIZE[0]}x{IMAGE_SIZE[1]} and a split "
            "holds at least one. This file is another dataset's (or a corrupt one); read it with read_idx()."
        )
    if len(images) != len(labels):
        raise DatasetFileError(
            f"MNIST: {images_path} holds {len(images)} images but {labels_path} holds {len(labels)} labels; "
            "the two files must come from the same split (train or t10k)."
        )
    out_of_range = np.flatnonzero(labels >= NUM_CLASSES)
    if out_of_range.size:
        first = int(out_of_range[0])
        raise DatasetFileError(
            f"MNIST: {labels_path} holds {out_of_range.size} labels outside 0-9 (the first, at index "
            f"{first}, is {int(labels[first])}); this is not an MNIST labels file or it is corrupt."
        )
    return images, labels


def _find_files(root: str | Path | None, train: bool) -> tuple[Path, Path]:
    if root is None:
        if train:
            raise ValueError(
                "MNIST: only the 10,000-image test set ships with this package (train=False). For the "
                "60,000-image training set, download the four official files "
                f"({', '.join(name + '.gz' for pair in FILE_NAMES.values() for name in pair)}) into a "
                "folder and pass root=<that folder>."
            )
        return tuple(SHIPPED_FOLDER / f"{name}.gz" for name in FILE_NAMES[False])
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"MNIST: root {str(root)!r} is not a folder; pass the folder holding the MNIST files.")
    folders = (root, root / "MNIST" / "raw")
    found = []
    for name in FILE_NAMES[train]:
        candidates = [folder / file for folder in folders for file in (f"{name}.gz", name)]
        path = next((candidate for candidate in candidates if candidate.is_file()), None)
        if path is None:
            all_names = ", ".join(f"{other}(.gz)" for pair in FILE_NAMES.values() for other in pair)
            raise FileNotFoundError(
                f"MNIST(train={train}): {name}.gz (or uncompressed {name}) is not in {root} "
                f"nor in {folders[1]}. The folder should hold the four official files: {all_names}."
            )
        found.append(path)
    return found[0], found[1]


def _as_float(images: np.ndarray) -> np.ndarray:
    """uint8 ``(N, H, W)`` -> float32 ``(N, 1, H, W)`` in [0, 1]."""
    return (images.astype(np.float32) / np.float32(255))[:, None]


def load_mnist(root: str | Path | None = None, train: bool = False, flatten: bool = False) -> tuple[Tensor, Tensor]:
    """MNIST as two Tensors: images float32 in [0, 1] and labels int64.

    Shape:
        images ``(N, 1, 28, 28)``, or ``(N, 784)`` with ``flatten=True``; labels ``(N,)``.
        N is 10,000 for the shipped test set, 60,000 for the training set.
    """
    images, labels = read_mnist(root, train)
    images = _as_float(images)
    if flatten:
        images = images.reshape(len(images), -1)
    return ag.from_numpy(images), ag.from_numpy(labels.astype(np.int64))


class MNIST(Dataset):
    """MNIST as a Dataset: ``dataset[i] == (image, label)``, as torchvision's ``MNIST``.

    Args:
        root: folder with the official files, or None for the shipped test set.
        train: the 60,000-image training split (needs ``root``) instead of the test split.
        transform: applied to each image (a float32 Tensor in [0, 1], ``(1, 28, 28)``); a
            ``DataLoader`` hands whole ``(N, 1, 28, 28)`` batches to transforms that
            support them (those of ``nn.data.transforms``).
        target_transform: applied to each label (an int).
        flatten: images as ``(784,)`` vectors, flattened after ``transform``.

    Attributes:
        data: the raw images, uint8 ``(N, 28, 28)``; targets: the labels, int64 ``(N,)``.
    """

    def __init__(self, root: str | Path | None = None, train: bool = False, transform: Callable | None = None,
                 target_transform: Callable | None = None, flatten: bool = False) -> None:
        self.data, labels = read_mnist(root, train)
        self.targets = labels.astype(np.int64)
        self.root, self.train, self.flatten = root, train, flatten
        self.transform, self.target_transform = transform, target_transform

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        index = sample_index("MNIST", index, len(self), "images")
        image = ag.from_numpy(_as_float(self.data[index][None])[0])
        if self.transform is not None:
            image = self.transform(image)
        if self.flatten:
            image = image.reshape(-1)
        label = int(self.targets[index])
        return image, (label if self.target_transform is None else self.target_transform(label))

    def get_batch(self, indices: np.ndarray) -> tuple[Any, Any]:
        """Images ``(B, 1, 28, 28)`` (or ``(B, 784)``) and labels ``(B,)``, built as whole arrays."""
        per_sample_transform = self.transform is not None and not getattr(self.transform, "supports_batches", False)
        if per_sample_transform or self.target_transform is not None:
            return default_collate([self[int(index)] for index in indices])
        images = ag.from_numpy(_as_float(self.data[indices]))
        if self.transform is not None:
            images = self.transform(images)
        if self.flatten:
            images = images.reshape(len(indices), -1)
        return images, ag.from_numpy(self.targets[indices])

    def __repr__(self) -> str:
        source = "shipped test set" if self.root is None else f"root={str(self.root)!r}"
        return f"MNIST({'train' if self.train else 'test'}, {len(self)} images, {source})"
