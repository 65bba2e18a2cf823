"""Datasets, random_split, default_collate and DataLoader (nn/data/dataset.py, collate.py, loader.py)."""
from __future__ import annotations

import warnings
from collections import namedtuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import nn.data as nn_data
from autograd_core import ShapeError, Tensor
from nn.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split
from tests.helpers import requires_torch, torch


def make_dataset(samples: int = 10) -> TensorDataset:
    inputs = np.arange(samples * 3, dtype=np.float32).reshape(samples, 3)
    return TensorDataset(ag.from_numpy(inputs), ag.arange(samples))


class CountingDataset(TensorDataset):
    """A TensorDataset that counts per-sample reads, to see which path the loader took."""

    def __init__(self, *tensors: Tensor) -> None:
        super().__init__(*tensors)
        self.reads = 0

    def __getitem__(self, index: int) -> tuple[Tensor, ...]:
        self.reads += 1
        return super().__getitem__(index)


class Squares:
    """Not a Dataset subclass: anything with __len__ and __getitem__ works."""

    def __len__(self) -> int:
        return 7

    def __getitem__(self, index: int) -> tuple[float, int]:
        return float(index * index), index


# -- Dataset / TensorDataset / Subset ----------------------------------------------------
def test_dataset_subclass_must_define_getitem_and_len() -> None:
    class NoLength(Dataset):
        def __getitem__(self, index: int) -> int:
            return index

    with pytest.raises(TypeError, match="abstract"):
        NoLength()


def test_tensor_dataset_rows_and_length() -> None:
    dataset = make_dataset(4)
    inputs, target = dataset[2]
    np.testing.assert_array_equal(inputs.array, [6, 7, 8])
    assert target.item() == 2 and len(dataset) == 4


def test_tensor_dataset_wraps_ndarrays_without_copy() -> None:
    array = np.zeros((3, 2), dtype=np.float32)
    dataset = TensorDataset(array)
    assert isinstance(dataset.tensors[0], Tensor) and np.shares_memory(dataset.tensors[0].array, array)


def test_tensor_dataset_errors() -> None:
    with pytest.raises(ShapeError, match=r"same first size.*\[3, 4\]"):
        TensorDataset(ag.zeros(3, 2), ag.zeros(4))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(TypeError, match="argument 1 is a list; expected a Tensor or ndarray"):
        TensorDataset(ag.zeros(3), [1, 2, 3])
    with pytest.raises(ShapeError, match="argument 0 is 0-d"):
        TensorDataset(ag.tensor(1.0))


def test_dataset_indexing_with_a_float_says_what_is_expected() -> None:
    dataset = make_dataset(4)
    with pytest.raises(IndexError, match=r"TensorDataset: sample indices must be ints .* got float 1.5; use int\(i\)"):
        dataset[1.5]
    with pytest.raises(IndexError, match="TensorDataset: .* got float64"):
        dataset[np.float64(2.0)]
    with pytest.raises(IndexError, match="TensorDataset: .* got Tensor"):
        dataset[ag.tensor([1.0, 2.0])]
    subset = Subset(dataset, [3, 1])
    with pytest.raises(IndexError, match=r"Subset: a sample index must be an int, got float 0.0"):
        subset[0.0]
    with pytest.raises(IndexError, match="Subset: index 2 is out of range for 2 samples"):
        subset[2]
    assert subset[ag.tensor(1)][1].item() == 1 and dataset[ag.tensor([0, 2])][1].tolist() == [0, 2]


def test_subset_maps_indices_including_negative_ones() -> None:
    subset = Subset(make_dataset(5), [4, -5, 2])
    assert len(subset) == 3
    assert [subset[i][1].item() for i in range(3)] == [4, 0, 2]


def test_subset_errors() -> None:
    with pytest.raises(IndexError, match=r"index 5 is out of range for a dataset of length 5.*\[-5, 5\)"):
        Subset(make_dataset(5), [0, 5])
    with pytest.raises(TypeError, match="1-D sequence of ints, got dtype float64"):
        Subset(make_dataset(5), [0.5])


# -- random_split ----------------------------------------------------------------------
def test_random_split_is_a_partition_and_reproducible() -> None:
    dataset = make_dataset(10)
    parts = random_split(dataset, [3, 7], seed=1)
    assert [len(part) for part in parts] == [3, 7]
    indices = np.concatenate([part.indices for part in parts])
    np.testing.assert_array_equal(np.sort(indices), np.arange(10))
    again = random_split(dataset, [3, 7], generator=np.random.default_rng(1))
    np.testing.assert_array_equal(again[0].indices, parts[0].indices)
    assert not np.array_equal(random_split(dataset, [3, 7], seed=2)[1].indices, parts[1].indices)


def test_random_split_default_follows_manual_seed() -> None:
    ag.manual_seed(5)
    first = random_split(make_dataset(10), [5, 5])[0].indices
    ag.manual_seed(5)
    np.testing.assert_array_equal(random_split(make_dataset(10), [5, 5])[0].indices, first)


@given(st.integers(0, 200), st.lists(st.integers(1, 10), min_size=1, max_size=5))
def test_random_split_fractions_match_torch_lengths(samples: int, weights: list[int]) -> None:
    fractions = [weight / sum(weights) for weight in weights]
    fractions[-1] = 1.0 - sum(fractions[:-1])
    lengths = [len(part) for part in random_split(list(range(samples)), fractions, seed=0)]
    assert sum(lengths) == samples
    if torch is not None:
        with warnings.catch_warnings():  # torch warns about empty splits
            warnings.simplefilter("ignore")
            expected = torch.utils.data.random_split(range(samples), fractions, torch.Generator().manual_seed(0))
        assert lengths == [len(part) for part in expected]


def test_random_split_errors() -> None:
    dataset = make_dataset(10)
    message = r"lengths \[3, 3\] must be non-negative ints summing to the dataset's length \(10\)"
    with pytest.raises(ValueError, match=message):
        random_split(dataset, [3, 3])
    with pytest.raises(ValueError, match="non-negative ints"):
        random_split(dataset, [12, -2])
    with pytest.raises(ValueError, match=r"fraction 1.5 at index 0 is not between 0 and 1"):
        random_split(dataset, [1.5, -0.5])
    with pytest.raises(ValueError, match="or fractions summing to 1"):
        random_split(dataset, [0.5, 0.2])
    with pytest.raises(ValueError, match="random_split: pass generator= or seed=, not both"):
        random_split(dataset, [5, 5], np.random.default_rng(0), seed=0)
    with pytest.raises(TypeError, match="generator must be an autograd_core.Generator or a np.random.Generator.*int"):
        random_split(dataset, [5, 5], 0)
    with pytest.raises(ValueError, match="seed must be a non-negative int, got -1"):
        random_split(dataset, [5, 5], seed=-1)


# -- default_collate ---------------------------------------------------------------------
def test_collate_stacks_tuples_field_by_field() -> None:
    inputs, labels = default_collate([(np.ones(2, np.float32), 1), (np.zeros(2, np.float32), 2)])
    assert inputs.shape == (2, 2) and inputs.dtype == np.float32
    assert labels.dtype == np.int64 and labels.tolist() == [1, 2]


def test_collate_numbers_dicts_named_tuples_and_strings() -> None:
    assert default_collate([0.5, 1.5]).dtype == np.float32
    assert default_collate([1, 2.5]).tolist() == [1.0, 2.5]  # one float makes the batch float
    assert default_collate([True, False]).dtype == np.bool_
    assert default_collate([np.float64(1), np.float64(2)]).dtype == np.float64
    batch = default_collate([{"x": 1, "name": "a"}, {"x": 2, "name": "b"}])
    assert batch["x"].tolist() == [1, 2] and batch["name"] == ["a", "b"]
    Pair = namedtuple("Pair", "image label")
    pair = default_collate([Pair(ag.zeros(3), 0), Pair(ag.ones(3), 1)])
    assert isinstance(pair, Pair) and pair.image.shape == (2, 3)
    assert isinstance(default_collate([[1, 2], [3, 4]]), list)


def test_collate_keeps_the_graph_of_samples_that_require_grad() -> None:
    weight = ag.ones(2, requires_grad=True)
    batch = default_collate([weight * 2, weight * 3])
    batch.sum().backward()
    np.testing.assert_allclose(weight.grad.array, [5, 5])


def test_collate_errors() -> None:
    with pytest.raises(ShapeError, match=r"sample 1 has shape \(3,\) but sample 0 has shape \(2,\).*pads them"):
        default_collate([ag.zeros(2), ag.zeros(3)])
    with pytest.raises(ShapeError, match="sample 1 has 1 fields but sample 0 has 2"):
        default_collate([(1, 2), (3,)])
    with pytest.raises(TypeError, match="cannot batch samples of type object.*Pass a collate_fn"):
        default_collate([object(), object()])
    with pytest.raises(ValueError, match="empty list of samples"):
        default_collate([])


# -- DataLoader ------------------------------------------------------------------------
def test_loader_batches_in_order_without_shuffle() -> None:
    batches = list(DataLoader(make_dataset(10), batch_size=4))
    assert [labels.tolist() for _, labels in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[0][0].shape == (4, 3) and batches[0][0].dtype == np.float32


@given(st.integers(0, 50), st.integers(1, 12), st.booleans())
def test_loader_length_counts_batches(samples: int, batch_size: int, drop_last: bool) -> None:
    loader = DataLoader(make_dataset(samples), batch_size=batch_size, drop_last=drop_last)
    sizes = [len(labels) for _, labels in loader]
    assert len(sizes) == len(loader)
    assert all(size == batch_size for size in sizes[:-1])
    assert sum(sizes) == (samples - samples % batch_size if drop_last else samples)
    if torch is not None:
        reference = torch.utils.data.DataLoader(range(samples), batch_size=batch_size, drop_last=drop_last)
        assert len(loader) == len(reference)


def test_shuffle_is_a_new_permutation_each_epoch_and_reproducible() -> None:
    def epochs(loader: DataLoader) -> list[list[int]]:
        return [np.concatenate([labels.array for _, labels in loader]).tolist() for _ in range(2)]

    first = epochs(DataLoader(make_dataset(20), batch_size=3, shuffle=True, seed=0))
    assert sorted(first[0]) == list(range(20)) and first[0] != first[1]
    assert epochs(DataLoader(make_dataset(20), batch_size=3, shuffle=True, seed=0)) == first
    assert epochs(DataLoader(make_dataset(20), batch_size=3, shuffle=True, generator=np.random.default_rng(0))) == first
    ag.manual_seed(1)
    default = epochs(DataLoader(make_dataset(20), batch_size=3, shuffle=True))
    ag.manual_seed(1)
    assert epochs(DataLoader(make_dataset(20), batch_size=3, shuffle=True)) == default


def test_tensor_dataset_fast_path_matches_per_sample_collation() -> None:
    dataset = CountingDataset(*make_dataset(23).tensors)
    fast = list(DataLoader(dataset, batch_size=5, shuffle=True, seed=3))
    assert dataset.reads == 0  # batches came from fancy indexing, not dataset[i]
    slow = list(DataLoader(dataset, batch_size=5, shuffle=True, seed=3, collate_fn=default_collate))
    assert dataset.reads == 23
    for fast_batch, slow_batch in zip(fast, slow):
        for fast_part, slow_part in zip(fast_batch, slow_batch):
            assert fast_part.dtype == slow_part.dtype
            np.testing.assert_array_equal(fast_part.array, slow_part.array)


def test_subset_of_tensor_dataset_batches_without_per_sample_reads() -> None:
    dataset = CountingDataset(*make_dataset(10).tensors)
    subset = Subset(dataset, [9, 1, 4])
    _, labels = next(iter(DataLoader(subset, batch_size=3)))
    assert labels.tolist() == [9, 1, 4] and dataset.reads == 0


def test_loader_accepts_any_map_style_object_and_a_collate_fn() -> None:
    values, indices = next(iter(DataLoader(Squares(), batch_size=7)))
    assert values.tolist() == [0, 1, 4, 9, 16, 25, 36] and indices.dtype == np.int64
    assert next(iter(DataLoader(Squares(), batch_size=2, collate_fn=len))) == 2


def test_loader_batch_keeps_autograd_of_tensors_that_require_grad() -> None:
    weights = ag.ones(4, 2, requires_grad=True)
    (batch,) = next(iter(DataLoader(TensorDataset(weights), batch_size=4)))
    batch.sum().backward()
    np.testing.assert_array_equal(weights.grad.array, np.ones((4, 2)))


@requires_torch
def test_loader_values_match_torch() -> None:
    dataset = make_dataset(11)
    ours = list(DataLoader(dataset, batch_size=4))
    inputs, labels = (torch.from_numpy(tensor.array) for tensor in dataset.tensors)
    theirs = list(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(inputs, labels), batch_size=4))
    for (our_inputs, our_labels), (their_inputs, their_labels) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(our_inputs.array, their_inputs.numpy())
        np.testing.assert_array_equal(our_labels.array, their_labels.numpy())


def test_loader_errors() -> None:
    with pytest.raises(ValueError, match="batch_size must be a positive int, got 0"):
        DataLoader(make_dataset(), batch_size=0)
    with pytest.raises(ValueError, match="batch_size must be a positive int, got 2.5"):
        DataLoader(make_dataset(), batch_size=2.5)
    with pytest.raises(TypeError, match=r"dataset must have __len__ and __getitem__.*got list_iterator"):
        DataLoader(iter([1, 2]))
    with pytest.raises(TypeError, match="collate_fn must be callable, got str"):
        DataLoader(make_dataset(), collate_fn="stack")
    with pytest.raises(ValueError, match="DataLoader: pass generator= or seed=, not both"):
        DataLoader(make_dataset(), generator=np.random.default_rng(0), seed=0)


def test_loader_repr() -> None:
    assert repr(DataLoader(make_dataset(10), batch_size=4)) == (
        "DataLoader(TensorDataset of 10, batch_size=4, shuffle=False, drop_last=False)"
    )


# -- PyTorch's other DataLoader arguments ------------------------------------------------------------------
def test_worker_and_memory_arguments_are_accepted_and_loading_stays_in_process() -> None:
    calls = []
    loader = DataLoader(make_dataset(10), batch_size=4, shuffle=True, num_workers=2, pin_memory=True,
                        persistent_workers=True, prefetch_factor=2, worker_init_fn=calls.append, timeout=5,
                        generator=ag.Generator().manual_seed(0))
    batches = list(loader)
    assert [len(b[1]) for b in batches] == [4, 4, 2] and calls == []  # in-process, as num_workers=0
    assert sorted(np.concatenate([b[1].array for b in batches]).tolist()) == list(range(10))
    assert loader.num_workers == 2 and loader.pin_memory and isinstance(loader.sampler, nn_data.RandomSampler)
    assert nn_data.get_worker_info() is None


def test_an_autograd_core_generator_drives_the_shuffling() -> None:
    def order(seed):
        loader = DataLoader(make_dataset(12), batch_size=12, shuffle=True, generator=ag.Generator().manual_seed(seed))
        return next(iter(loader))[1].tolist()

    assert order(3) == order(3) and order(3) != order(4)


@requires_torch
@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_workers": -1},
        {"prefetch_factor": 2},
        {"persistent_workers": True},
        {"sampler": [0, 1], "shuffle": True},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_sampler": [[0]], "drop_last": True},
        {"batch_size": None, "drop_last": True},
        {"timeout": -1},
    ],
)
def test_argument_clashes_raise_where_pytorch_raises(kwargs) -> None:
    with pytest.raises(ValueError):
        torch.utils.data.DataLoader(range(4), **kwargs)
    with pytest.raises(ValueError):
        DataLoader(make_dataset(4), **kwargs)


def test_batch_size_none_yields_samples_without_a_batch_dim() -> None:
    samples = list(DataLoader(make_dataset(3), batch_size=None))
    assert len(samples) == 3 and samples[1][0].shape == (3,) and samples[1][1].item() == 1
    assert list(DataLoader(Squares(), batch_size=None, collate_fn=lambda s: s[1]))[:3] == [0, 1, 2]


def test_positional_arguments_follow_pytorchs_order() -> None:
    loader = DataLoader(make_dataset(5), 2, False, None, None, 0, None, False, True)
    assert len(loader) == 2 and loader.drop_last and loader.batch_size == 2


# -- IterableDataset: batches in the stream's order, no sampler, no shuffle --------------------
class _Stream(nn_data.IterableDataset):
    def __init__(self, samples: int) -> None:
        self.samples = samples

    def __iter__(self):
        for index in range(self.samples):
            yield ag.tensor([float(index), -float(index)]), index


class _SizedStream(_Stream):
    def __len__(self) -> int:
        return self.samples


@pytest.mark.parametrize("batch_size, drop_last", [(3, False), (3, True), (7, False), (1, False)])
def test_loader_batches_an_iterable_dataset_in_iteration_order(batch_size: int, drop_last: bool) -> None:
    loader = DataLoader(_SizedStream(7), batch_size=batch_size, drop_last=drop_last)
    batches = list(loader)
    expected = [list(range(start, min(start + batch_size, 7))) for start in range(0, 7, batch_size)]
    if drop_last and len(expected[-1]) < batch_size:
        expected = expected[:-1]
    assert [batch[1].tolist() for batch in batches] == expected
    assert all(batch[0].shape == (len(rows), 2) for batch, rows in zip(batches, expected))
    assert len(loader) == len(expected)
    assert [batch[1].tolist() for batch in loader] == expected  # a second epoch iterates again


def test_loader_over_an_iterable_dataset_without_batching_or_length() -> None:
    samples = list(DataLoader(_Stream(3), batch_size=None))
    assert [index for _, index in samples] == [0, 1, 2]
    merged = list(DataLoader(_Stream(4), batch_size=2, collate_fn=lambda batch: [index for _, index in batch]))
    assert merged == [[0, 1], [2, 3]]
    with pytest.raises(TypeError, match="has no len"):
        len(DataLoader(_Stream(3)))
    assert "of a stream" in repr(DataLoader(_Stream(3)))


@pytest.mark.parametrize(
    "option, value", [("shuffle", True), ("sampler", [0, 1]), ("batch_sampler", [[0]])]
)
def test_loader_refuses_order_options_for_an_iterable_dataset(option: str, value: object) -> None:
    with pytest.raises(ValueError, match=f"DataLoader with IterableDataset: expected unspecified {option} option"):
        DataLoader(_Stream(3), **{option: value})
    DataLoader(_Stream(3), shuffle=False)  # an explicit False is fine, as in PyTorch


@requires_torch
def test_iterable_dataset_batches_match_pytorch() -> None:
    class TorchStream(torch.utils.data.IterableDataset):
        def __iter__(self):
            for index in range(7):
                yield torch.tensor([float(index), -float(index)]), index

    for batch_size, drop_last in [(3, False), (3, True), (2, False)]:
        ours = list(DataLoader(_SizedStream(7), batch_size=batch_size, drop_last=drop_last))
        theirs = list(torch.utils.data.DataLoader(TorchStream(), batch_size=batch_size, drop_last=drop_last))
        assert len(ours) == len(theirs)
        for (x, y), (x_t, y_t) in zip(ours, theirs):
            np.testing.assert_array_equal(x.numpy(), x_t.numpy())
            np.testing.assert_array_equal(y.numpy(), y_t.numpy())
            assert str(x.dtype) == str(x_t.dtype).replace("torch.", "")
