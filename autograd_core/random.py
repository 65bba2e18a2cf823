"""Random number generators: ``Generator`` and the default one behind ``manual_seed``.

    >>> import autograd_core as ag
    >>> g = ag.Generator().manual_seed(0)
    >>> a = ag.randn(3, generator=g)          # from g; ag.randn(3) draws from the default

A ``Generator`` wraps a NumPy ``np.random.Generator`` (PCG64), so the numbers differ
from PyTorch's for the same seed while the API is PyTorch's: ``manual_seed`` (returns the
generator), ``seed``, ``initial_seed``, ``get_state``/``set_state`` (a uint8 tensor).
Without a seed a generator starts from a fresh random seed, as PyTorch's does. Every
function or method that takes ``generator=`` also takes a ``np.random.Generator``.
"""
from __future__ import annotations

import json
from typing import Any

import numpy as np

from .devices import DeviceLike, check_device

_SEED_RANGE = 2**64


def _seed_value(seed: Any, op: str) -> int:
    """PyTorch's seed rule: an int in [-2^63, 2^64); negative ones wrap to 2^64 + seed."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        if isinstance(seed, float) and seed.is_integer():
            seed = int(seed)
        else:
            raise TypeError(f"{op}: the seed must be an int, got {type(seed).__name__} {seed!r}")
    seed = int(seed)
    if not -(2**63) <= seed < _SEED_RANGE:
        raise RuntimeError(f"{op}: the seed must be in [-2**63, 2**64), got {seed}")
    return seed % _SEED_RANGE


def _fresh_seed() -> int:
    return int(np.random.SeedSequence().entropy) % _SEED_RANGE


class Generator:
    """A random number generator; pass it as ``generator=`` to draw from it.

    Args:
        device: ``"cpu"`` (the only device of this build).

    Attributes:
        device: ``device(type='cpu')``.
        numpy: the ``np.random.Generator`` it draws from (the library's own draws use it).
    """

    def __init__(self, device: DeviceLike = "cpu") -> None:
        check_device(device, "Generator")
        self._initial_seed = _fresh_seed()
        self.numpy = np.random.default_rng(self._initial_seed)

    @property
    def device(self) -> Any:
        from .devices import CPU

        return CPU

    def manual_seed(self, seed: int) -> "Generator":
        """Restart from ``seed``; returns this generator (so ``Generator().manual_seed(0)`` chains)."""
        self._initial_seed = _seed_value(seed, "manual_seed")
        # in place, so that whoever holds ``self.numpy`` draws the new sequence too
        self.numpy.bit_generator.state = np.random.PCG64(self._initial_seed).state
        return self

    def seed(self) -> int:
        """Restart from a fresh non-deterministic seed and return it."""
        seed = _fresh_seed()
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed this generator last started from."""
        return self._initial_seed

    def get_state(self) -> Any:
        """The full state as a uint8 tensor, for ``set_state`` (as PyTorch's ByteTensor)."""
        from .tensor import Tensor

        state = {"bit_generator": self.numpy.bit_generator.state, "initial_seed": self._initial_seed}
        encoded = np.frombuffer(json.dumps(state).encode("ascii"), dtype=np.uint8).copy()
        return Tensor._make(encoded, False, None)

    def set_state(self, new_state: Any) -> "Generator":
        """Restore a state from ``get_state``; returns this generator."""
        from .tensor import Tensor

        if not isinstance(new_state, Tensor) or new_state.array.dtype != np.uint8 or new_state.array.ndim != 1:
            raise TypeError(
                "set_state: expected the uint8 tensor that get_state() / get_rng_state() returned, got "
                f"{type(new_state).__name__}"
                + (f" of dtype {new_state.dtype}" if isinstance(new_state, Tensor) else "")
            )
        try:
            state = json.loads(new_state.array.tobytes().decode("ascii"))
            bit_state, seed = state["bit_generator"], int(state["initial_seed"])
            if bit_state.get("bit_generator") != type(self.numpy.bit_generator).__name__:
                raise ValueError(f"the state is of a {bit_state.get('bit_generator')} generator")
            self.numpy.bit_generator.state = bit_state
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as error:
            raise RuntimeError(
                f"set_state: this tensor is not a generator state from get_state() ({error}); "
                "pass the tensor get_state() or get_rng_state() returned, unchanged."
            ) from None
        self._initial_seed = seed
        return self

    def __repr__(self) -> str:
        return f"<autograd_core.Generator on cpu, initial_seed={self._initial_seed}>"


default_generator = Generator()


def numpy_generator(generator: Any, op: str) -> np.random.Generator:
    """The ``np.random.Generator`` a ``generator=`` argument stands for (the default one for None)."""
    if generator is None:
        return default_generator.numpy
    if isinstance(generator, Generator):
        return generator.numpy
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(
        f"{op}: generator must be an autograd_core.Generator (or a np.random.Generator), "
        f"got {type(generator).__name__}"
    )


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (``randn``, ``rand``, init, dropout, shuffling); returns it."""
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator from a fresh non-deterministic seed and return that seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator last started from."""
    return default_generator.initial_seed()


def get_rng_state() -> Any:
    """The default generator's state (a uint8 tensor), for ``set_rng_state``."""
    return default_generator.get_state()


def set_rng_state(new_state: Any) -> None:
    """Restore the default generator's state from ``get_rng_state()``."""
    default_generator.set_state(new_state)
