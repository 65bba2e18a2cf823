"""Norm layers against their PyTorch twins through the shared ``compare_module_with_torch``."""
import numpy as np

from tests.helpers import compare_module_with_torch, torch


def assert_module_matches_torch(ours, theirs, shape, dtype, seed=0):
    """Parameters drawn away from their init (weights in [0.5, 2]) and copied to torch, then the
    shared checker: outputs, input and parameter gradients; the reprs agree too."""
    torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
    ours, theirs = ours.to(dtype), theirs.to(torch_dtype)
    rng = np.random.default_rng(seed)
    for parameter in ours.parameters():
        parameter.array[...] = rng.uniform(0.5, 2.0, parameter.shape)
    assert repr(ours) == repr(theirs)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    tolerance = {} if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12, grad_rtol=1e-10, grad_atol=1e-12)
    (out,) = compare_module_with_torch(ours, theirs, [x], load="ours_into_theirs", **tolerance)
    assert out.dtype == dtype
