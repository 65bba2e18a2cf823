"""PyTorch names this project does not have, each with what to use instead: the one list.

``autograd_core``, ``autograd_core.cuda``, ``autograd_core.linalg``, ``nn``, ``nn.functional``, ``nn.optim`` and
``nn.utils`` look a missing attribute up here (their module ``__getattr__``), so
``autograd_core.compile`` fails with a message that names it and says what to do,
instead of a bare AttributeError or a misleading "did you mean". Names not listed give
Python's usual AttributeError. A name that gets implemented must leave the list (a test
checks that no listed name exists).
"""
from __future__ import annotations

import sys

_CPU_ONLY = "this build runs on the CPU only; use device='cpu' (tensors are already there)."
_NO_COMPLEX = "complex tensors are not supported; keep real and imaginary parts as two real tensors."
_DENSE = "every tensor here is a dense NumPy array; drop the argument (or the call)."
_GAMMA = ("the gamma-function family is not available; scipy.special on x.numpy() computes the values "
          "(not differentiable).")
_DECOMPOSITION = ("matrix decompositions are not available (linalg has inv, det, slogdet, solve, norms); "
                  "numpy.linalg on x.numpy() computes them without gradients.")
_EAGER = "this project runs eagerly; call the model or function itself (drop the compile/script/trace step)."

UNSUPPORTED: dict[str, dict[str, str]] = {
    "autograd_core": {
        "nn": "PyTorch's torch.nn is the top-level package nn here: `import nn` (and nn.functional, nn.optim).",
        "optim": "PyTorch's torch.optim is nn.optim here: `import nn.optim as optim`.",
        "utils": "PyTorch's torch.utils.data is nn.data here (`from nn.data import DataLoader`); the rest of "
        "torch.utils (checkpoint, tensorboard, cpp_extension) is not available.",
        "compile": _EAGER,
        "jit": "TorchScript is not available; " + _EAGER + " Save weights with the model's state_dict().",
        "export": _EAGER,
        "fx": "graph tracing is not available; autograd_core.draw_graph(output) shows the recorded graph.",
        "onnx": "ONNX export is not available; save the state_dict() and rebuild the model in code.",
        "distributed": "multi-process (distributed) training is not available; train in one process.",
        "multiprocessing": "torch.multiprocessing is not available; use Python's multiprocessing "
        "(DataLoader's workers run in-process here).",
        "fft": "FFTs are not available; use numpy.fft on x.numpy() (not differentiable).",
        "sparse": "sparse tensors are not available; " + _DENSE,
        "sparse_coo_tensor": "sparse tensors are not available; build a dense one (autograd_core.zeros, then index).",
        "nested": "nested (ragged) tensors are not available; pad to one shape (nn.functional.pad) and mask.",
        "distributions": "torch.distributions is not available; sample with autograd_core.normal, bernoulli, "
        "multinomial or randn, and write log-probabilities with tensor ops (log, softmax, log_softmax).",
        "func": "torch.func is not available; autograd_core.autograd.functional has jacobian, hessian, vjp, jvp, "
        "hvp and vhp, and autograd_core.grad computes gradients functionally.",
        "vmap": "vmap is not available; compute on the whole batch (ops broadcast) or loop over it.",
        "quantization": "quantization is not available; train and run in float32.",
        "ao": "torch.ao (quantization, pruning) is not available; train and run in float32.",
        "amp": "mixed precision is not available; compute in float32 (drop the autocast context and GradScaler).",
        "autocast": "mixed precision is not available; compute in float32 (drop the autocast context).",
        "hub": "torch.hub is not available (nothing is downloaded); build the model in code and load_state_dict.",
        "profiler": "torch.profiler is not available; time with time.perf_counter or profile with cProfile.",
        "testing": "torch.testing is not available; use numpy.testing.assert_allclose(a.numpy(), b.numpy()).",
        "mps": _CPU_ONLY,
        "xpu": _CPU_ONLY,
        "mtia": _CPU_ONLY,
        "set_num_threads": "the thread count is NumPy's BLAS's: set OPENBLAS_NUM_THREADS / OMP_NUM_THREADS in the "
        "environment before starting Python.",
        "get_num_threads": "the thread count is NumPy's BLAS's, set by OPENBLAS_NUM_THREADS / OMP_NUM_THREADS.",
        "set_num_interop_threads": "there are no inter-op threads; ops run one after another in the caller's thread.",
        "bfloat16": "NumPy has no bfloat16; use float32 (or float16, autograd_core.half).",
        "complex64": _NO_COMPLEX,
        "complex128": _NO_COMPLEX,
        "cfloat": _NO_COMPLEX,
        "cdouble": _NO_COMPLEX,
        "complex": _NO_COMPLEX,
        "view_as_complex": _NO_COMPLEX,
        "view_as_real": _NO_COMPLEX,
        "channels_last": "memory formats are not available; tensors are row-major NumPy arrays: " + _DENSE,
        "contiguous_format": "memory formats are not available; tensors are row-major NumPy arrays: " + _DENSE,
        "preserve_format": "memory formats are not available; tensors are row-major NumPy arrays: " + _DENSE,
        "strided": "layouts are not available; " + _DENSE,
        "sparse_coo": "layouts are not available; " + _DENSE,
        "real": _NO_COMPLEX,
        "imag": _NO_COMPLEX,
        "conj": _NO_COMPLEX + " (for real tensors conj is the tensor itself)",
        "angle": _NO_COMPLEX,
        "polar": _NO_COMPLEX,
        "lgamma": _GAMMA,
        "digamma": _GAMMA,
        "polygamma": _GAMMA,
        "mvlgamma": _GAMMA,
        "igamma": _GAMMA,
        "igammac": _GAMMA,
        "pinverse": _DECOMPOSITION,
        "svd": _DECOMPOSITION,
        "qr": _DECOMPOSITION,
        "cholesky": _DECOMPOSITION,
        "lu": _DECOMPOSITION,
        "lstsq": _DECOMPOSITION,
        "chain_matmul": "deprecated in PyTorch too; use autograd_core.linalg.multi_dot([a, b, c]) or a @ b @ c.",
        "cosine_similarity": "it lives in nn.functional here: nn.functional.cosine_similarity(x1, x2, dim).",
        "pairwise_distance": "it lives in nn.functional here: nn.functional.pairwise_distance(x1, x2).",
        "narrow_copy": "use x.narrow(dim, start, length).clone().",
        "scatter_reduce": "use scatter_add (reduce='sum'), or scatter_add of the values and of ones for a mean; "
        "amax/amin/prod reductions into positions are not available.",
        "nextafter": "use numpy.nextafter on x.numpy() (not differentiable).",
    },
    "autograd_core.linalg": {
        **{name: _DECOMPOSITION for name in (
            "svd", "svdvals", "qr", "eig", "eigh", "eigvals", "eigvalsh", "cholesky", "cholesky_ex", "lu",
            "lu_factor", "lu_solve", "lstsq", "pinv", "matrix_rank", "matrix_exp", "ldl_factor",
            "householder_product", "tensorinv", "tensorsolve", "solve_triangular", "inv_ex", "solve_ex",
        )},
        "cond": "the condition number needs an SVD; " + _DECOMPOSITION,
    },
    "autograd_core.cuda": {
        "amp": "mixed precision is not available; compute in float32 (drop autocast and GradScaler).",
        "Event": "CUDA events are not available: " + _CPU_ONLY + " Time with time.perf_counter.",
        "Stream": "CUDA streams are not available: " + _CPU_ONLY,
        "graphs": "CUDA graphs are not available: " + _CPU_ONLY,
        "nccl": "NCCL is not available: " + _CPU_ONLY,
    },
    "nn": {
        "DataParallel": "multi-device training is not available; use the model itself (it runs on the CPU).",
        "DistributedDataParallel": "distributed training is not available; use the model itself in one process.",
        "parallel": "multi-device training is not available; use the model itself (it runs on the CPU).",
        "SyncBatchNorm": "there is one process and one device: use nn.BatchNorm1d / nn.BatchNorm2d.",
        "Conv3d": "3-D convolution is not available; nn.Conv1d and nn.Conv2d are.",
        "ConvTranspose3d": "3-D convolution is not available; nn.ConvTranspose2d is.",
        "MaxPool3d": "3-D pooling is not available; nn.MaxPool1d and nn.MaxPool2d are.",
        "AvgPool3d": "3-D pooling is not available; nn.AvgPool1d and nn.AvgPool2d are.",
        "BatchNorm3d": "3-D batch norm is not available; nn.BatchNorm1d and nn.BatchNorm2d are.",
        "LazyLinear": "lazy modules are not available; give the input size: nn.Linear(in_features, out_features).",
        "LazyConv2d": "lazy modules are not available; give the input channels: nn.Conv2d(in_channels, ...).",
        "LazyConv1d": "lazy modules are not available; give the input channels: nn.Conv1d(in_channels, ...).",
        "EmbeddingBag": "EmbeddingBag is not available; use nn.Embedding and reduce (sum/mean) over the bag dim.",
        "CTCLoss": "CTC loss is not available.",
        "quantized": "quantized modules are not available; train and run in float32.",
        "qat": "quantization-aware training is not available; train and run in float32.",
    },
    "nn.utils": {
        "rnn": "packed sequences are not available; pad the sequences to one length (nn.functional.pad) and mask "
        "the padded steps, or run each sequence on its own.",
        "weight_norm": "weight_norm is not available; reparametrise in forward (w = g * v / v.norm()).",
        "spectral_norm": "spectral_norm is not available.",
        "prune": "pruning is not available; zero weights with a mask in forward.",
        "parametrize": "parametrizations are not available; compute the weight in forward.",
        "parametrizations": "parametrizations are not available; compute the weight in forward.",
    },
    "nn.functional": {
        "conv3d": "3-D convolution is not available; nn.functional.conv1d and conv2d are.",
        "max_pool3d": "3-D pooling is not available; nn.functional.max_pool1d and max_pool2d are.",
        "avg_pool3d": "3-D pooling is not available; nn.functional.avg_pool1d and avg_pool2d are.",
        "ctc_loss": "CTC loss is not available.",
        "grid_sample": "grid_sample is not available.",
        "affine_grid": "affine_grid is not available.",
        "embedding_bag": "embedding_bag is not available; use nn.functional.embedding and reduce over the bag dim.",
    },
    "nn.optim": {
        "SparseAdam": "sparse gradients are not available; use nn.optim.Adam.",
    },
}


def missing_attribute(namespace: str, name: str) -> AttributeError:
    """The error for ``namespace.name``: the listed hint, or Python's usual message."""
    hint = UNSUPPORTED.get(namespace, {}).get(name)
    if hint is None:
        module = sys.modules.get(namespace)
        return AttributeError(f"module {namespace!r} has no attribute {name!r}", name=name, obj=module)
    torch_name = f"{_torch_name(namespace)}.{name}"
    return AttributeError(f"{namespace}.{name} (PyTorch's {torch_name}) is not part of autograd-core: {hint}")


_TORCH_NAMES = {
    "autograd_core": "torch", "autograd_core.cuda": "torch.cuda", "autograd_core.linalg": "torch.linalg",
    "nn.optim": "torch.optim",
    "nn.data": "torch.utils.data",
}


def _torch_name(namespace: str) -> str:
    return _TORCH_NAMES.get(namespace, "torch." + namespace)
