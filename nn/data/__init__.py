"""Data for training: datasets, a batching DataLoader, toy 2-D sets, MNIST and image transforms.

    >>> from nn.data import DataLoader, MNIST, transforms
    >>> loader = DataLoader(MNIST(), batch_size=64, shuffle=True, seed=0)
    >>> images, labels = next(iter(loader))  # (64, 1, 28, 28) float32, (64,) int64
"""
from . import transforms
from .collate import default_collate
from .dataset import ChainDataset, ConcatDataset, Dataset, IterableDataset, Subset, TensorDataset, random_split
from .loader import DataLoader, get_worker_info
from .mnist import MNIST, DatasetFileError, load_mnist, read_idx, read_mnist
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)
from .toy import blobs, circles, moons, spirals, xor

__all__ = [
    "Dataset", "IterableDataset", "TensorDataset", "Subset", "ConcatDataset", "random_split", "ChainDataset",
    "DataLoader", "default_collate",
    "MNIST", "load_mnist", "read_mnist", "read_idx", "DatasetFileError",
    "xor", "moons", "circles", "spirals", "blobs", "transforms",
    "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler", "WeightedRandomSampler", "BatchSampler",
    "get_worker_info",
]
