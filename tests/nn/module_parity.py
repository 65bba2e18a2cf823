"""A norm layer against its PyTorch twin with non-trivial parameters (``tests.helpers.compare_module_with_torch``)."""
import numpy as np

from tests.helpers import compare_module_with_torch, torch


def assert_module_matches_torch(ours, theirs, shape, dtype, seed=0):
    """Parameters drawn in [0.5, 2], the same repr, then ``compare_module_with_torch`` on one input."""
    torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
    ours, theirs = ours.to(dtype), theirs.to(torch_dtype)
    rng = np.random.default_rng(seed)
    for parameter in ours.parameters():
        parameter.array[...] = rng.uniform(0.5, 2.0, parameter.shape)
    assert repr(ours) == repr(theirs)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    rtol, atol = (1e-4, 1e-5) if dtype == np.float32 else (1e-10, 1e-12)
    compare_module_with_torch(
        ours, theirs, [x], load="ours_into_theirs", rtol=rtol, atol=atol, grad_rtol=rtol, grad_atol=atol, seed=seed
    )
