"""A layer against its PyTorch twin: the same parameters, then the same outputs and gradients."""
import numpy as np

import autograd_core as ag
from tests.helpers import torch


def assert_module_matches_torch(ours, theirs, shape, dtype, seed=0):
    """Same parameters, then outputs and input/parameter gradients agree; repr and state_dict keys too."""
    torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
    ours, theirs = ours.to(dtype), theirs.to(torch_dtype)
    rng = np.random.default_rng(seed)
    for name, parameter in ours.named_parameters():
        parameter.array[...] = rng.uniform(0.5, 2.0, parameter.shape)
        getattr(theirs, name).data = torch.tensor(parameter.array.copy())
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    upstream = rng.standard_normal(shape).astype(dtype)
    mine, reference = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(reference)
    out.backward(ag.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    tolerance = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    assert out.dtype == dtype
    np.testing.assert_allclose(out.array, expected.detach().numpy(), **tolerance)
    np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), **tolerance)
    for name, parameter in ours.named_parameters():
        np.testing.assert_allclose(parameter.grad.array, getattr(theirs, name).grad.numpy(), **tolerance, err_msg=name)
