"""The IDX parser, MNIST loading and the shipped test set (nn/data/mnist.py)."""
from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

from nn.data import MNIST, DataLoader, DatasetFileError, load_mnist, read_idx, read_mnist
from nn.data.mnist import SHIPPED_FOLDER
from nn.data.transforms import Compose, Normalize, RandomCrop

SHIPPED_MD5 = {
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
TEST_SET_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]  # the official test split


def idx_bytes(array: np.ndarray, type_code: int = 0x08, magic: int | None = None) -> bytes:
    """An IDX file's bytes: magic, big-endian dims, big-endian values."""
    magic = (type_code << 8) | array.ndim if magic is None else magic
    header = magic.to_bytes(4, "big") + b"".join(size.to_bytes(4, "big") for size in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(path: Path, content: bytes, compress: bool = False) -> Path:
    path.write_bytes(gzip.compress(content) if compress else content)
    return path


def write_split(folder: Path, prefix: str, images: np.ndarray, labels: np.ndarray, compress: bool = True) -> None:
    suffix = ".gz" if compress else ""
    write(folder / f"{prefix}-images-idx3-ubyte{suffix}", idx_bytes(images), compress)
    write(folder / f"{prefix}-labels-idx1-ubyte{suffix}", idx_bytes(labels), compress)


def small_split(count: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (count, 28, 28), dtype=np.uint8), rng.integers(0, 10, count, dtype=np.uint8)


# -- read_idx ----------------------------------------------------------------------------
@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize(("type_code", "dtype"), [(0x08, np.uint8), (0x09, np.int8), (0x0B, np.int16),
                                                  (0x0C, np.int32), (0x0D, np.float32), (0x0E, np.float64)])
def test_read_idx_round_trips_every_type(tmp_path: Path, compress: bool, type_code: int, dtype: type) -> None:
    array = (np.arange(24) - 5).astype(dtype).reshape(2, 3, 4)
    result = read_idx(write(tmp_path / "values.idx", idx_bytes(array, type_code), compress))
    assert result.dtype == np.dtype(dtype) and result.dtype.isnative and result.flags.writeable
    np.testing.assert_array_equal(result, array)


def test_read_idx_checks_the_expected_magic_number(tmp_path: Path) -> None:
    path = write(tmp_path / "labels.idx", idx_bytes(np.zeros(3, np.uint8)))
    message = (r"labels.idx: wrong magic number 2049 \(0x00000801: IDX unsigned bytes, 1 dim\); expected 2051 "
               r"\(0x00000803: IDX unsigned bytes, 3 dims\)\. This is an MNIST labels file: are the images and "
               r"labels files swapped\?")
    with pytest.raises(DatasetFileError, match=message):
        read_idx(path, expected_magic=2051)


def test_read_idx_refuses_a_file_that_is_not_idx(tmp_path: Path) -> None:
    path = write(tmp_path / "page.html", b"<html>not found</html>")
    message = r"page.html: not an IDX file: its magic number 0x3C68746D is not an IDX header"
    with pytest.raises(DatasetFileError, match=message):
        read_idx(path)
    message = r"page.html: wrong magic number 1013478509 .*not an IDX header.*expected 2049"
    with pytest.raises(DatasetFileError, match=message):
        read_idx(path, expected_magic=2049)


@pytest.mark.parametrize("compress", [False, True])
def test_read_idx_detects_truncated_data(tmp_path: Path, compress: bool) -> None:
    content = idx_bytes(np.zeros((5, 28, 28), np.uint8))
    path = write(tmp_path / f"images{'.gz' if compress else ''}", content[:-100], compress)
    decompressed = "decompressed " if compress else ""
    message = (rf"images(\.gz)?: truncated: the header announces unsigned bytes of shape \(5, 28, 28\), so the "
               rf"{decompressed}file should hold 3936 bytes, but it holds 3836; download the file again")
    with pytest.raises(DatasetFileError, match=message):
        read_idx(path)


def test_read_idx_detects_extra_bytes_and_short_headers(tmp_path: Path) -> None:
    content = idx_bytes(np.zeros(4, np.uint8))
    with pytest.raises(DatasetFileError, match="longer than its header says.*should hold 12 bytes, but it holds 13"):
        read_idx(write(tmp_path / "long", content + b"\x00"))
    message = (r"short: truncated: the header announces 3 dims \(16 header bytes\) but the file holds "
               r"only 9 bytes")
    with pytest.raises(DatasetFileError, match=message):
        read_idx(write(tmp_path / "short", idx_bytes(np.zeros((1, 2, 3), np.uint8))[:9]))
    with pytest.raises(DatasetFileError, match="tiny: truncated: 2 bytes, too short for the 4-byte IDX magic number"):
        read_idx(write(tmp_path / "tiny", b"\x00\x00"))


def test_read_idx_detects_corrupt_and_cut_gzip_streams(tmp_path: Path) -> None:
    compressed = bytearray(gzip.compress(idx_bytes(np.arange(3000, dtype=np.int32), 0x0C)))
    cut = write(tmp_path / "cut.gz", bytes(compressed[: len(compressed) // 2]))
    message = r"cut.gz: the gzip data is corrupt or truncated \(.+\); download the file again"
    with pytest.raises(DatasetFileError, match=message):
        read_idx(cut)
    compressed[20:40] = b"\xff" * 20
    with pytest.raises(DatasetFileError, match=r"corrupt.gz: the gzip data is corrupt or truncated"):
        read_idx(write(tmp_path / "corrupt.gz", bytes(compressed)))


def test_read_idx_names_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="absent.idx"):
        read_idx(tmp_path / "absent.idx")


# -- read_mnist / load_mnist with root= -------------------------------------------------
@pytest.mark.parametrize("layout", ["flat", "torchvision", "uncompressed"])
def test_read_mnist_finds_the_official_file_names(tmp_path: Path, layout: str) -> None:
    folder = tmp_path / "MNIST" / "raw" if layout == "torchvision" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    images, labels = small_split(6)
    write_split(folder, "train", images, labels, compress=layout != "uncompressed")
    train_images, train_labels = read_mnist(tmp_path, train=True)
    np.testing.assert_array_equal(train_images, images)
    np.testing.assert_array_equal(train_labels, labels)


def test_load_mnist_with_root_returns_scaled_tensors(tmp_path: Path) -> None:
    images, labels = small_split(4)
    write_split(tmp_path, "t10k", images, labels)
    inputs, targets = load_mnist(tmp_path)
    assert inputs.shape == (4, 1, 28, 28) and inputs.dtype == np.float32
    np.testing.assert_allclose(inputs.array[:, 0] * 255, images, atol=1e-4)
    assert targets.dtype == np.int64 and targets.tolist() == labels.tolist()
    assert load_mnist(tmp_path, flatten=True)[0].shape == (4, 784)


def test_read_mnist_errors_for_mismatched_or_bad_files(tmp_path: Path) -> None:
    images, labels = small_split(5)
    write_split(tmp_path, "train", images, labels[:4])
    message = (r"train-images-idx3-ubyte.gz holds 5 images but .*train-labels-idx1-ubyte.gz holds 4 "
               r"labels; the two files must come from the same split")
    with pytest.raises(DatasetFileError, match=message):
        read_mnist(tmp_path, train=True)
    labels[2], labels[4] = 12, 200
    write_split(tmp_path, "train", images, labels)
    message = r"train-labels-idx1-ubyte.gz holds 2 labels outside 0-9 \(the first, at index 2, is 12\)"
    with pytest.raises(DatasetFileError, match=message):
        read_mnist(tmp_path, train=True)
    write(tmp_path / "train-images-idx3-ubyte.gz", idx_bytes(labels), compress=True)
    with pytest.raises(DatasetFileError, match="train-images-idx3-ubyte.gz: wrong magic number 2049.*swapped"):
        read_mnist(tmp_path, train=True)


@pytest.mark.parametrize(("shape", "found"), [
    ((4, 32, 32), r"holds 4 images of 32x32 pixels \(shape \(4, 32, 32\)\)"),
    ((3, 28, 0), r"holds 3 images of 28x0 pixels \(shape \(3, 28, 0\)\)"),
    ((0, 28, 28), r"holds no images \(shape \(0, 28, 28\)\)"),
])
def test_read_mnist_refuses_images_that_are_not_28x28_or_empty(tmp_path: Path, shape: tuple, found: str) -> None:
    write_split(tmp_path, "t10k", np.zeros(shape, dtype=np.uint8), np.zeros(shape[0], dtype=np.uint8))
    with pytest.raises(DatasetFileError, match=f"t10k-images-idx3-ubyte.gz {found}; MNIST images are 28x28"):
        read_mnist(tmp_path)
    with pytest.raises(DatasetFileError, match="MNIST images are 28x28"):
        MNIST(tmp_path)


def test_mnist_dataset_says_what_an_index_must_be() -> None:
    dataset = MNIST()
    with pytest.raises(IndexError, match=r"MNIST: a sample index must be an int, got float 1.5; use int\(i\)"):
        dataset[1.5]
    with pytest.raises(IndexError, match="MNIST: index -10001 is out of range for 10000 images"):
        dataset[-10001]
    assert dataset[np.int64(2)][1] == dataset[2][1] == dataset[-9998][1]


def test_read_mnist_lists_the_expected_files_when_missing(tmp_path: Path) -> None:
    images, labels = small_split(3)
    write_split(tmp_path, "t10k", images, labels)
    message = (r"MNIST\(train=True\): train-images-idx3-ubyte.gz \(or uncompressed train-images-idx3-ubyte\) "
               r"is not in .* The folder should hold the four official files: train-images-idx3-ubyte\(.gz\), "
               r"train-labels-idx1-ubyte\(.gz\), t10k-images-idx3-ubyte\(.gz\), t10k-labels-idx1-ubyte\(.gz\)")
    with pytest.raises(FileNotFoundError, match=message):
        read_mnist(tmp_path, train=True)
    with pytest.raises(FileNotFoundError, match="root .*nowhere' is not a folder"):
        read_mnist(tmp_path / "nowhere")


def test_training_set_needs_a_root() -> None:
    message = "only the 10,000-image test set ships.*train-images-idx3-ubyte.gz.*pass root="
    with pytest.raises(ValueError, match=message):
        load_mnist(train=True)


# -- the shipped test set ----------------------------------------------------------------
@pytest.mark.parametrize("name", SHIPPED_MD5)
def test_shipped_files_are_the_official_ones(name: str) -> None:
    assert hashlib.md5((SHIPPED_FOLDER / name).read_bytes(), usedforsecurity=False).hexdigest() == SHIPPED_MD5[name]
    assert (SHIPPED_FOLDER / "README.md").read_text().count("CC BY-SA 3.0") == 1


def test_shipped_test_set_loads() -> None:
    images, labels = load_mnist()
    assert images.shape == (10000, 1, 28, 28) and images.dtype == np.float32
    assert images.array.min() == 0.0 and images.array.max() == 1.0
    assert 0.1 < images.array.mean() < 0.15  # digits are thin strokes on black
    assert labels.dtype == np.int64 and np.bincount(labels.array).tolist() == TEST_SET_LABEL_COUNTS


def test_mnist_dataset_samples_and_batches() -> None:
    dataset = MNIST()
    assert len(dataset) == 10000 and repr(dataset) == "MNIST(test, 10000 images, shipped test set)"
    assert dataset.data.shape == (10000, 28, 28) and dataset.data.dtype == np.uint8
    image, label = dataset[3]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32 and label == int(dataset.targets[3])
    images, labels = next(iter(DataLoader(dataset, batch_size=6)))
    assert images.shape == (6, 1, 28, 28) and labels.tolist() == dataset.targets[:6].tolist()
    np.testing.assert_array_equal(images.array[3], image.array)
    with pytest.raises(IndexError, match="MNIST: index 10000 is out of range for 10000 images"):
        dataset[10000]


def test_mnist_transforms_give_the_same_batches_as_per_sample_loading(tmp_path: Path) -> None:
    images, labels = small_split(10)
    write_split(tmp_path, "t10k", images, labels)
    dataset = MNIST(tmp_path, transform=Normalize(0.5, 0.25), flatten=True)
    assert dataset.transform.supports_batches
    batch_images, batch_labels = dataset.get_batch(np.arange(10))
    per_sample = [dataset[index] for index in range(10)]
    assert batch_images.shape == (10, 784) and per_sample[0][0].shape == (784,)
    np.testing.assert_allclose(batch_images.array, np.stack([image.array for image, _ in per_sample]), rtol=1e-6)
    expected = (images / 255 - 0.5) / 0.25
    np.testing.assert_allclose(batch_images.array.reshape(10, 28, 28), expected, rtol=1e-5, atol=1e-5)


def test_mnist_runs_per_sample_callables_one_image_at_a_time(tmp_path: Path) -> None:
    images, labels = small_split(8)
    write_split(tmp_path, "train", images, labels)
    seen_shapes = set()

    def crop_centre(image):  # a user transform that only knows single images
        seen_shapes.add(image.shape)
        return image[:, 2:-2, 2:-2]

    dataset = MNIST(tmp_path, train=True, transform=Compose([crop_centre, RandomCrop(20, seed=0)]),
                    target_transform=lambda label: label + 100)
    batch_images, batch_labels = next(iter(DataLoader(dataset, batch_size=8)))
    assert seen_shapes == {(1, 28, 28)}
    assert batch_images.shape == (8, 1, 20, 20) and batch_labels.tolist() == (labels + 100).tolist()
