"""``IterableDataset`` and ``ConcatDataset`` (nn/data/dataset.py), against torch.utils.data's."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
from nn.data import ConcatDataset, Dataset, IterableDataset, TensorDataset
from tests.helpers import requires_torch, torch


class Countdown(IterableDataset):
    def __init__(self, start: int) -> None:
        self.start = start

    def __iter__(self):
        return iter(range(self.start, 0, -1))


def test_iterable_dataset_is_a_dataset_that_must_define_iter() -> None:
    assert list(Countdown(3)) == [3, 2, 1]
    assert isinstance(Countdown(3), Dataset) and not hasattr(Countdown(3), "__len__")
    with pytest.raises(TypeError, match="abstract"):
        IterableDataset()


def _parts():
    return [TensorDataset(ag.arange(3)), TensorDataset(ag.arange(10, 12)), TensorDataset(ag.arange(20, 24))]


def test_concat_dataset_indexes_across_its_parts() -> None:
    joined = ConcatDataset(_parts())
    assert len(joined) == 9 and joined.cumulative_sizes == [3, 5, 9]
    assert [int(joined[i][0].item()) for i in range(9)] == [0, 1, 2, 10, 11, 20, 21, 22, 23]
    assert int(joined[-1][0].item()) == 23 and int(joined[-9][0].item()) == 0
    added = TensorDataset(ag.arange(3)) + TensorDataset(ag.arange(10, 12))
    assert isinstance(added, ConcatDataset) and len(added) == 5


@requires_torch
def test_concat_dataset_matches_pytorch() -> None:
    ours = ConcatDataset(_parts())
    theirs = torch.utils.data.ConcatDataset([
        torch.utils.data.TensorDataset(torch.arange(3)), torch.utils.data.TensorDataset(torch.arange(10, 12)),
        torch.utils.data.TensorDataset(torch.arange(20, 24))])
    assert ours.cumulative_sizes == theirs.cumulative_sizes and len(ours) == len(theirs)
    for index in range(-9, 9):
        np.testing.assert_array_equal(ours[index][0].numpy(), theirs[index][0].numpy())


def test_concat_dataset_errors() -> None:
    joined = ConcatDataset(_parts())
    with pytest.raises(IndexError, match="ConcatDataset: index 9 is out of range for 9 samples"):
        joined[9]
    with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length, got -10"):
        joined[-10]
    with pytest.raises(ValueError, match="ConcatDataset: datasets should not be an empty iterable"):
        ConcatDataset([])
    with pytest.raises(TypeError, match="ConcatDataset does not support IterableDataset .*dataset 1 is a Countdown"):
        ConcatDataset([TensorDataset(ag.arange(2)), Countdown(2)])


# -- ChainDataset -------------------------------------------------------------------------
class Sized(Countdown):
    def __len__(self) -> int:
        return self.start


def test_chain_dataset_chains_streams_lazily_and_sums_lengths() -> None:
    from nn.data import ChainDataset, DataLoader

    chained = ChainDataset([Sized(3), Sized(2)])
    assert list(chained) == [3, 2, 1, 2, 1] and len(chained) == 5
    added = Sized(2) + Countdown(1)
    assert isinstance(added, ChainDataset) and list(added) == [2, 1, 1]
    batches = [batch.tolist() for batch in DataLoader(ChainDataset([Sized(3), Sized(2)]), batch_size=2)]
    assert batches == [[3, 2], [1, 2], [1]]


@requires_torch
def test_chain_dataset_matches_torch() -> None:
    from nn.data import ChainDataset

    class TorchCountdown(torch.utils.data.IterableDataset):
        def __init__(self, start):
            self.start = start

        def __iter__(self):
            return iter(range(self.start, 0, -1))

        def __len__(self):
            return self.start

    theirs = torch.utils.data.ChainDataset([TorchCountdown(4), TorchCountdown(2)])
    ours = ChainDataset([Sized(4), Sized(2)])
    assert list(ours) == list(theirs) and len(ours) == len(theirs)


def test_chain_dataset_refuses_a_map_style_dataset() -> None:
    from nn.data import ChainDataset

    chained = ChainDataset([Sized(2), TensorDataset(ag.arange(3))])
    with pytest.raises(TypeError, match="ChainDataset only supports IterableDataset: dataset 1 is a TensorDataset"):
        list(chained)
    with pytest.raises(TypeError, match="ChainDataset only supports IterableDataset"):
        len(chained)
