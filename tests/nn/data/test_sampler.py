"""Samplers (``nn/data/sampler.py``): orders, lengths and reproducibility, against PyTorch where it is deterministic."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from nn.data import (
    BatchSampler,
    DataLoader,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
)
from tests.helpers import requires_torch, torch


@requires_torch
@pytest.mark.parametrize("size, batch_size, drop_last", [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, False)])
def test_sequential_and_batch_samplers_match_pytorch(size, batch_size, drop_last):
    ours = BatchSampler(SequentialSampler(range(size)), batch_size, drop_last)
    theirs = torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(size)), batch_size, drop_last)
    assert list(ours) == list(theirs) and len(ours) == len(theirs)
    theirs = torch.utils.data.BatchSampler([4, 2, 0, 1], 3, drop_last)
    assert list(BatchSampler([4, 2, 0, 1], 3, drop_last)) == list(theirs)


def test_random_sampler_is_a_new_permutation_each_epoch_and_reproducible():
    sampler = RandomSampler(range(20), generator=ag.Generator().manual_seed(0))
    first, second = list(sampler), list(sampler)
    assert sorted(first) == list(range(20)) and first != second and len(sampler) == 20
    assert list(RandomSampler(range(20), generator=ag.Generator().manual_seed(0))) == first
    assert list(RandomSampler(range(20), seed=4)) == list(RandomSampler(range(20), seed=4))


def test_random_sampler_with_replacement_and_num_samples():
    draws = list(RandomSampler(range(3), replacement=True, num_samples=300, seed=0))
    assert len(draws) == 300 and set(draws) == {0, 1, 2}
    repeated = list(RandomSampler(range(4), num_samples=10, seed=1))  # whole permutations, then a part of one
    assert len(repeated) == 10 and sorted(repeated[:4]) == sorted(repeated[4:8]) == [0, 1, 2, 3]
    with pytest.raises(ValueError, match="num_samples must be a positive int, got 0"):
        RandomSampler(range(3), num_samples=0)
    with pytest.raises(TypeError, match="replacement must be a bool"):
        RandomSampler(range(3), replacement=1)


def test_subset_random_sampler_permutes_the_given_indices():
    order = list(SubsetRandomSampler([10, 20, 30, 40], seed=0))
    assert sorted(order) == [10, 20, 30, 40] and len(SubsetRandomSampler([1, 2])) == 2


def test_weighted_random_sampler_follows_the_weights():
    draws = np.array(list(WeightedRandomSampler([1.0, 0.0, 3.0], 4000, seed=0)))
    np.testing.assert_allclose(np.bincount(draws, minlength=3) / 4000, [0.25, 0.0, 0.75], atol=0.03)
    assert sorted(WeightedRandomSampler([1.0, 1.0, 1.0], 3, replacement=False, seed=0)) == [0, 1, 2]
    with pytest.raises(ValueError, match="weights must be a 1-D sequence"):
        WeightedRandomSampler([[1.0]], 1)


def test_loader_takes_samplers_and_batch_samplers():
    dataset = TensorDataset(ag.arange(10))
    (batch,) = next(iter(DataLoader(dataset, batch_size=4, sampler=[9, 8, 7, 6, 5])))
    assert batch.tolist() == [9, 8, 7, 6]
    loader = DataLoader(dataset, batch_sampler=[[0, 1], [5], [2, 3, 4]])
    assert [b[0].tolist() for b in loader] == [[0, 1], [5], [2, 3, 4]] and len(loader) == 3
    weighted = DataLoader(dataset, batch_size=5, sampler=WeightedRandomSampler(ag.ones(10), 10, seed=0))
    assert len(weighted) == 2 and sum(len(b[0]) for b in weighted) == 10


class Evens(Sampler):
    """A user-written sampler, as PyTorch programs subclass Sampler."""

    def __init__(self, data_source):
        self.data_source = data_source

    def __iter__(self):
        return iter(range(0, len(self.data_source), 2))

    def __len__(self):
        return (len(self.data_source) + 1) // 2


def test_a_user_sampler_works_in_a_loader():
    loader = DataLoader(TensorDataset(ag.arange(7)), batch_size=3, sampler=Evens(range(7)))
    assert [b[0].tolist() for b in loader] == [[0, 2, 4], [6]] and len(loader) == 2
