"""``backends.cuda``: settable flags with no effect (there is no CUDA in this build)."""
from __future__ import annotations


class _MatmulFlags:
    """``backends.cuda.matmul.allow_tf32 = True`` and friends: accepted, no effect."""

    allow_tf32 = False
    allow_fp16_reduced_precision_reduction = True
    allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()


def is_built() -> bool:
    return False
