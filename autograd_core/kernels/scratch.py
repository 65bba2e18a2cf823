"""A pool of reusable scratch arrays for the kernels' temporaries (padded inputs, column
matrices, Winograd tiles, per-image products)."""

from __future__ import annotations

import sys
import threading

import numpy as np

#: Scratch arrays (padded inputs, column matrices, per-image products) kept for reuse:
#: unused ones are dropped, oldest first, while the pool holds more than this many bytes
#: (the newest array is always kept).
SCRATCH_BYTES = 64 * 2**20


class Scratch:
    """Reusable scratch arrays. A fresh multi-megabyte ``np.empty`` comes from the OS as
    untouched pages, and the first write to each page faults: for LeNet's column matrices
    (4-5 MB) that took 3-4 ms per im2col instead of 0.5-0.9 ms (measured, one thread).
    An array handed out here is reused once nothing else refers to it any more (no view,
    no ``ctx.columns``): its reference count is back to what the pool alone holds,
    measured on a probe array at start-up (the count differs between Python versions)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.lock = max_bytes, threading.Lock()
        self.arrays: list[np.ndarray] = [np.empty(0)]
        self.unused_count = self._references(0)  # held by the pool only
        self.arrays.clear()

    def _references(self, index: int) -> int:
        return sys.getrefcount(self.arrays[index])

    def _unused(self, index: int) -> bool:
        return self._references(index) == self.unused_count

    def empty(self, shape: tuple, dtype: np.dtype) -> np.ndarray:
        """An uninitialised array, reused when one of this shape and dtype is unused."""
        with self.lock:
            for index in range(len(self.arrays)):
                if self._unused(index) and self.arrays[index].shape == shape and self.arrays[index].dtype == dtype:
                    return self.arrays[index]
            self.arrays.append(np.empty(shape, dtype))
            total = sum(array.nbytes for array in self.arrays)
            index = 0
            while total > self.max_bytes and index < len(self.arrays) - 1:  # drop the oldest unused ones
                if self._unused(index):
                    total -= self.arrays.pop(index).nbytes
                else:
                    index += 1
            return self.arrays[-1]


#: The pool the convolution and Winograd kernels share.
scratch = Scratch(SCRATCH_BYTES)
