"""Generators (``random.py``): ``Generator``, the default generator behind ``manual_seed``,
seeds and states, and that nn's own draws (init, dropout, shuffling) follow them."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
from autograd_core.creation import generator as library_generator


def test_manual_seed_returns_the_default_generator_as_pytorch():
    generator = ag.manual_seed(5)
    assert generator is ag.default_generator and isinstance(generator, ag.Generator)
    assert ag.initial_seed() == 5 == generator.initial_seed()


@settings(max_examples=10)
@given(seed=st.integers(0, 2**64 - 1))
def test_a_generator_repeats_its_sequence_from_a_seed(seed):
    generator = ag.Generator().manual_seed(seed)
    first = ag.randn(5, generator=generator)
    generator.manual_seed(seed)
    np.testing.assert_array_equal(ag.randn(5, generator=generator).array, first.array)


def test_generators_are_independent_of_each_other_and_of_the_default():
    ag.manual_seed(0)
    expected = ag.rand(4)
    ag.manual_seed(0)
    private = ag.Generator().manual_seed(0)
    ag.rand(3, generator=private)  # does not advance the default generator
    np.testing.assert_array_equal(ag.rand(4).array, expected.array)
    assert private.device == ag.device("cpu")


def test_seed_draws_a_fresh_seed_and_reports_it():
    generator = ag.Generator()
    seed = generator.seed()
    assert generator.initial_seed() == seed and 0 <= seed < 2**64
    values = ag.rand(3, generator=generator)
    np.testing.assert_array_equal(ag.rand(3, generator=ag.Generator().manual_seed(seed)).array, values.array)
    assert ag.seed() == ag.initial_seed()
    assert ag.Generator().initial_seed() != ag.Generator().initial_seed()  # unseeded: random, as in PyTorch


def test_negative_seeds_wrap_as_in_pytorch_and_bad_seeds_are_refused():
    assert ag.Generator().manual_seed(-1).initial_seed() == 2**64 - 1
    assert ag.Generator().manual_seed(3.0).initial_seed() == 3
    with pytest.raises(TypeError, match="the seed must be an int, got str"):
        ag.manual_seed("0")
    with pytest.raises(RuntimeError, match=r"the seed must be in \[-2\*\*63, 2\*\*64\)"):
        ag.manual_seed(2**64)


def test_state_round_trips_and_restores_the_sequence():
    generator = ag.Generator().manual_seed(1)
    ag.randn(7, generator=generator)
    state = generator.get_state()
    assert isinstance(state, ag.Tensor) and state.dtype == np.uint8 and state.ndim == 1
    after = ag.randn(6, generator=generator)
    other = ag.Generator().set_state(state)
    np.testing.assert_array_equal(ag.randn(6, generator=other).array, after.array)
    assert other.initial_seed() == 1


def test_rng_state_functions_drive_the_default_generator():
    ag.manual_seed(3)
    state = ag.get_rng_state()
    first = ag.randn(4)
    ag.randn(10)
    ag.set_rng_state(state)
    np.testing.assert_array_equal(ag.randn(4).array, first.array)


@pytest.mark.parametrize(
    "state, error, message",
    [
        (np.zeros(3, dtype=np.uint8), TypeError, "expected the uint8 tensor that get_state"),
        (ag.zeros(3), TypeError, "of dtype float32"),
        (ag.tensor(np.frombuffer(b"not json", dtype=np.uint8).copy()), RuntimeError, "is not a generator state"),
        (ag.tensor(np.frombuffer(b'{"a": 1}', dtype=np.uint8).copy()), RuntimeError, "is not a generator state"),
    ],
)
def test_bad_states_are_refused(state, error, message):
    with pytest.raises(error, match=message):
        ag.Generator().set_state(state)


def test_library_draws_follow_the_default_generator():
    # nn's init, dropout and shuffling use creation.generator(): the default generator's stream
    assert library_generator() is ag.default_generator.numpy
    held = library_generator()
    ag.manual_seed(11)
    first = nn.Linear(3, 4).weight.array.copy()
    ag.manual_seed(11)
    np.testing.assert_array_equal(nn.Linear(3, 4).weight.array, first)
    assert library_generator() is held  # reseeded in place: a held reference stays in step
    ag.manual_seed(2)
    mask = nn.functional.dropout(ag.ones(50), 0.5).array
    ag.manual_seed(2)
    np.testing.assert_array_equal(nn.functional.dropout(ag.ones(50), 0.5).array, mask)


def test_generator_arguments_are_checked():
    with pytest.raises(TypeError, match="randn: generator must be an autograd_core.Generator .*got int"):
        ag.randn(2, generator=0)
    assert ag.randn(2, generator=np.random.default_rng(0)).shape == (2,)  # a NumPy generator works too
    with pytest.raises(ag.DeviceError, match="Generator: .*CPU only"):
        ag.Generator("cuda")
