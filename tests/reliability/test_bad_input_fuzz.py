"""Differential bad-input fuzz against PyTorch: the same call, with shapes, dtypes, dims,
indices and values drawn to be wrong as often as right (empty tensors, 0-d, NaN, out of
range), runs under PyTorch and under this project (the same code, through the import
mapping). Where PyTorch raises, we must raise one of our named errors (``ShapeError``,
``DtypeError``, ``DimError``, ``GraphError``, ``DeviceError``, or a ``TypeError`` /
``ValueError`` / ``IndexError`` / ``RuntimeError`` raised by a ``raise`` statement of ours),
never a NumPy or Python internal (an IndexError from inside NumPy, an AttributeError, an
assert); where PyTorch succeeds, we must give the same values, shape and dtype.

The cases are drawn from a fixed seed, so every run checks the same two thousand calls:
the op families below, then every dtype (bool and 8- to 64-bit integers too) through every
elementwise op, and the families of ``autograd_core/ops/`` (sorting, cumulative, indexing,
einsum, rearranging, padding). The few differences kept on purpose are marked
``xfail(strict=True)`` in ``KNOWN`` with the op and the reason, so a fix shows up as an
XPASS to remove from the list.
"""
from __future__ import annotations

import linecache
import math
import traceback
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable, Iterator

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import torch

pytestmark = pytest.mark.skipif(torch is None, reason="the fuzz compares with PyTorch")

SEED = 2024
PACKAGES = tuple(str(Path(module.__file__).parent) for module in (ag, nn))
NAMED = (ag.ShapeError, ag.DtypeError, ag.DimError, ag.GraphError, ag.DeviceError, ag.CheckpointError)
PLAIN = (TypeError, ValueError, IndexError, RuntimeError, ZeroDivisionError)

SHAPES = [(), (3,), (2, 3), (0,), (2, 0), (1, 3), (3, 1), (2, 3, 4), (4, 1, 2)]
DTYPES = ["float32", "float64", "int64", "bool"]


def libraries() -> dict[str, SimpleNamespace]:
    ours = SimpleNamespace(M=ag, nn=nn, F=F, name="ours")
    theirs = SimpleNamespace(M=torch, nn=torch.nn, F=torch.nn.functional, name="torch")
    for lib in (ours, theirs):
        lib.t = (lambda M: lambda array: M.tensor(np.array(array)))(lib.M)
    return {"ours": ours, "torch": theirs}


def array(rng: np.random.Generator, shape: tuple, dtype: str, special: bool = False) -> np.ndarray:
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype == "int64":
        return rng.integers(-3, 6, shape).astype(np.int64)
    values = rng.standard_normal(shape).astype(dtype)
    if special and values.size:
        values.reshape(-1)[rng.integers(values.size)] = rng.choice([np.nan, np.inf, -np.inf])
    return values


class Case:
    def __init__(self, name: str, call: Callable[[SimpleNamespace], Any], compare: str = "value") -> None:
        self.name, self.call, self.compare = name, call, compare


# -- the cases ------------------------------------------------------------------------------
UNARY = ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "abs", "neg", "sin", "floor", "ceil", "round", "sign",
         "reciprocal", "log1p", "expm1", "rsqrt", "square", "erf", "isnan", "logical_not"]
BINARY = ["add", "sub", "mul", "div", "pow", "maximum", "minimum", "remainder", "atan2", "eq", "lt", "logical_and"]
SHAPE_PAIRS = [((2, 3), (3,)), ((2, 3), (3, 2)), ((2, 3), (2, 1)), ((0, 3), (1, 3)), ((), (2,)), ((4, 1), (1, 5)),
               ((2, 3), (4, 3)), ((3,), (0,))]
REDUCTIONS = ["sum", "mean", "prod", "max", "min", "amax", "amin", "argmax", "argmin", "std", "var", "logsumexp",
              "softmax", "log_softmax", "cumsum", "cumprod", "norm", "all", "any"]


def elementwise_cases(rng: np.random.Generator) -> Iterator[Case]:
    for op in UNARY:
        for _ in range(3):
            shape, dtype = SHAPES[rng.integers(len(SHAPES))], DTYPES[rng.integers(len(DTYPES))]
            x = array(rng, shape, dtype, special=rng.random() < 0.3)
            yield Case(f"{op}({dtype}{list(shape)})", lambda L, op=op, x=x: getattr(L.M, op)(L.t(x)))
    for op in BINARY:
        for _ in range(4):
            shapes = SHAPE_PAIRS[rng.integers(len(SHAPE_PAIRS))]
            dtypes = [DTYPES[rng.integers(len(DTYPES))] for _ in range(2)]
            a, b = (array(rng, shape, dtype) for shape, dtype in zip(shapes, dtypes))
            yield Case(f"{op}({dtypes[0]}{list(shapes[0])}, {dtypes[1]}{list(shapes[1])})",
                       lambda L, op=op, a=a, b=b: getattr(L.M, op)(L.t(a), L.t(b)))
        scalar = [2, 0.5, True, -1][rng.integers(4)]
        x = array(rng, (2, 3), DTYPES[rng.integers(len(DTYPES))])
        yield Case(f"{op}({x.dtype}[2, 3], {scalar!r})", lambda L, op=op, x=x, s=scalar: getattr(L.M, op)(L.t(x), s))
    for _ in range(6):
        shapes = SHAPE_PAIRS[rng.integers(len(SHAPE_PAIRS))]
        condition, value = array(rng, shapes[0], "bool"), array(rng, shapes[1], DTYPES[rng.integers(3)])
        condition_dtype = ["bool", "int64", "float32"][rng.integers(3)]
        yield Case(f"where({condition_dtype}{list(shapes[0])}, x{list(shapes[1])}, 0.0)",
                   lambda L, c=condition.astype(condition_dtype), v=value: L.M.where(L.t(c), L.t(v), 0.0))
    for _ in range(6):
        low, high = [None, -1.0, 0.5, 2][rng.integers(4)], [None, -2.0, 1.0][rng.integers(3)]
        x = array(rng, (2, 3), DTYPES[rng.integers(3)], special=True)
        yield Case(f"clamp({x.dtype}, min={low}, max={high})",
                   lambda L, x=x, lo=low, hi=high: L.M.clamp(L.t(x), lo, hi))


def reduction_cases(rng: np.random.Generator) -> Iterator[Case]:
    for op in REDUCTIONS:
        for _ in range(5):
            shape, dtype = SHAPES[rng.integers(len(SHAPES))], DTYPES[rng.integers(len(DTYPES))]
            x = array(rng, shape, dtype, special=rng.random() < 0.2)
            needs_dim = op in ("softmax", "log_softmax", "cumsum", "cumprod", "logsumexp")
            dim = int(rng.integers(-len(shape) - 2, len(shape) + 2)) if needs_dim or rng.random() < 0.7 else None
            keepdim = bool(rng.random() < 0.3) and op not in ("softmax", "log_softmax", "cumsum", "cumprod")
            kwargs = {} if dim is None else {"dim": dim}
            if keepdim and dim is not None:
                kwargs["keepdim"] = True
            yield Case(f"{op}({dtype}{list(shape)}, {kwargs})",
                       lambda L, op=op, x=x, kw=kwargs: getattr(L.M, op)(L.t(x), **kw))


def shape_cases(rng: np.random.Generator) -> Iterator[Case]:
    x = array(rng, (2, 3, 4), "float32")
    for sizes in [(6, 4), (-1, 4), (-1, -1), (5, 5), (0, -1), (24,), (2, -1, 0), (-2, 12), ()]:
        yield Case(f"reshape{sizes}", lambda L, s=sizes: L.t(x).reshape(*s) if s else L.t(x).reshape(()))
        yield Case(f"view{sizes}", lambda L, s=sizes: L.t(x).view(*s) if s else L.t(x).view(()))
    for dims in [(0, 1), (0, 3), (-1, -3), (-4, 0), (2, 2)]:
        yield Case(f"transpose{dims}", lambda L, d=dims: L.t(x).transpose(*d))
    for perm in [(2, 0, 1), (0, 1), (0, 0, 1), (0, 1, 3), (-1, 0, 1)]:
        yield Case(f"permute{perm}", lambda L, p=perm: L.t(x).permute(*p))
    for dim in [0, 1, 3, -4, 4]:
        yield Case(f"squeeze({dim})", lambda L, d=dim: L.t(x[:1]).squeeze(d))
        yield Case(f"unsqueeze({dim})", lambda L, d=dim: L.t(x).unsqueeze(d))
    for start, end in [(0, -1), (1, 0), (0, 5), (-4, -1), (2, 2)]:
        yield Case(f"flatten({start}, {end})", lambda L, s=start, e=end: L.t(x).flatten(s, e))
    for sizes in [(3, 2, 3, 4), (2, 3, 4), (-1, 3, 4), (2, 5, 4), (2, 3)]:
        yield Case(f"expand{sizes}", lambda L, s=sizes: L.t(x[:, :1]).expand(*s))
    yield Case("t() of a 3-D tensor", lambda L: L.t(x).t())
    for dim, start, length in [(0, 0, 1), (1, 2, 2), (2, 3, 2), (3, 0, 1), (0, -1, 1), (1, 0, -1)]:
        yield Case(f"narrow({dim}, {start}, {length})", lambda L, a=(dim, start, length): L.t(x).narrow(*a))
    for dims in [(0,), (0, 2), (3,), (0, 0), (-1,)]:
        yield Case(f"flip{dims}", lambda L, d=dims: L.t(x).flip(d))
    for shifts, dims in [(1, 0), (2, 3), ((1, 2), (0,)), (-5, -1)]:
        yield Case(f"roll({shifts}, {dims})", lambda L, s=shifts, d=dims: L.t(x).roll(s, d))
    for source, destination in [(0, 2), (0, 3), ((0, 1), (1,)), (-1, 0)]:
        yield Case(f"movedim({source}, {destination})", lambda L, s=source, d=destination: L.t(x).movedim(s, d))
    for reps in [(2,), (1, 2, 1), (2, 1, 1, 1), (-1, 1, 1), (0, 1, 1)]:
        yield Case(f"repeat{reps}", lambda L, r=reps: L.t(x).repeat(*r))
    for argument, dim in [(1, 0), (2, 1), (0, 1), (-1, 0), ([1, 2], 1), ([2, 2], 1), ([1, 1], 5), (5, 2)]:
        yield Case(f"split({argument}, {dim})", lambda L, a=argument, d=dim: L.t(x).split(a, d))
    for chunks, dim in [(2, 1), (0, 1), (-1, 0), (5, 2), (2, 3)]:
        yield Case(f"chunk({chunks}, {dim})", lambda L, c=chunks, d=dim: L.t(x).chunk(c, d))
    for dim in [0, 2, 3, -4]:
        yield Case(f"unbind({dim})", lambda L, d=dim: L.t(x).unbind(d))
    parts = {"same": [(2, 3), (2, 3)], "rows differ": [(2, 3), (4, 3)], "cols differ": [(2, 3), (2, 4)],
             "ranks differ": [(2, 3), (3,)], "one": [(2, 3)], "empty piece": [(0, 3), (2, 3)], "0-d": [(), ()]}
    for label, shapes in parts.items():
        pieces = [array(rng, shape, "float32") for shape in shapes]
        for dim in [0, 1, 2, -3]:
            yield Case(f"cat({label}, dim={dim})", lambda L, p=pieces, d=dim: L.M.cat([L.t(v) for v in p], dim=d))
            yield Case(f"stack({label}, dim={dim})", lambda L, p=pieces, d=dim: L.M.stack([L.t(v) for v in p], dim=d))
    mixed = [array(rng, (2, 3), "float32"), array(rng, (2, 3), "int64")]
    yield Case("cat(float32, int64)", lambda L: L.M.cat([L.t(v) for v in mixed]))
    yield Case("cat([])", lambda L: L.M.cat([]))
    yield Case("stack([])", lambda L: L.M.stack([]))


def indexing_cases(rng: np.random.Generator) -> Iterator[Case]:
    x = array(rng, (3, 4), "float32")
    indices = [1, -1, 3, -4, 4, (1, 2), (1, 4), (0, 0, 0), slice(0, 2), slice(None, None, 2), slice(None, None, 0),
               slice(None, None, -1), None, Ellipsis, (Ellipsis, 1), (None, 1), 1.5, True, [0, 2], [0, 5], [[0, 1]]]
    for index in indices:
        yield Case(f"x[{index!r}]", lambda L, i=index: L.t(x)[i])
    for mask_shape in [(3, 4), (3,), (4,), (2, 4), (3, 4, 1)]:
        mask = rng.random(mask_shape) < 0.5
        yield Case(f"x[bool mask {list(mask_shape)}]", lambda L, m=mask: L.t(x)[L.t(m)])
    for position in [np.array([0, 2]), np.array([0, 3]), np.array([-1]), np.array([1.0, 2.0]), np.array([[0, 1]])]:
        yield Case(f"x[tensor {position.tolist()}]", lambda L, p=position: L.t(x)[L.t(p)])
        for dim in [0, 1, 2]:
            yield Case(f"index_select({dim}, {position.tolist()})",
                       lambda L, d=dim, p=position: L.M.index_select(L.t(x), d, L.t(p)))
    for index_shape, high, dim in [((3, 2), 4, 1), ((3, 2), 5, 1), ((2, 4), 3, 0), ((3,), 4, 1), ((3, 2), 4, 2),
                                   ((4, 4), 3, 0)]:
        where = rng.integers(0, high, index_shape)
        yield Case(f"gather(dim={dim}, index{list(index_shape)} < {high})",
                   lambda L, d=dim, w=where: L.M.gather(L.t(x), d, L.t(w)))
    for mask_shape, mask_dtype in [((3, 4), "bool"), ((4,), "bool"), ((3,), "bool"), ((3, 4), "int64"),
                                   ((3, 4), "float32")]:
        mask = (rng.random(mask_shape) < 0.5).astype(mask_dtype)
        yield Case(f"masked_fill({mask_dtype}{list(mask_shape)})",
                   lambda L, m=mask: L.t(x).masked_fill(L.t(m), 0.0))


def linalg_cases(rng: np.random.Generator) -> Iterator[Case]:
    pairs = [((2, 3), (3, 4)), ((2, 3), (2, 4)), ((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((5, 2, 3), (3, 4)),
             ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (4, 3, 4)), ((), (3,)), ((0, 3), (3, 2)), ((2, 0), (0, 3))]
    for op in ["matmul", "mm", "bmm", "mv", "dot", "outer"]:
        for shapes in pairs:
            other = "float32" if rng.random() < 0.7 else ["float64", "int64"][rng.integers(2)]
            dtypes = ("float32", other)
            a, b = (array(rng, shape, dtype) for shape, dtype in zip(shapes, dtypes))
            yield Case(f"{op}({dtypes[0]}{list(shapes[0])}, {dtypes[1]}{list(shapes[1])})",
                       lambda L, op=op, a=a, b=b: getattr(L.M, op)(L.t(a), L.t(b)))


def creation_cases(rng: np.random.Generator) -> Iterator[Case]:
    for shape in [(2, 3), (0,), (-1,), (2, -3), ()]:
        for op in ["zeros", "ones"]:
            yield Case(f"{op}{shape}", lambda L, op=op, s=shape: getattr(L.M, op)(*s) if s else getattr(L.M, op)(()))
        yield Case(f"full({shape}, 2.5)", lambda L, s=shape: L.M.full(s, 2.5))
        yield Case(f"randn{shape}", lambda L, s=shape: L.M.randn(*s) if s else L.M.randn(()), compare="shape")
    for arguments in [(5,), (0, 5, 2), (5, 0, -1), (0, 5, 0), (0, 5, -1), (1.0, 2.0, 0.25), (3, 3)]:
        yield Case(f"arange{arguments}", lambda L, a=arguments: L.M.arange(*a))
    for steps in [5, 1, 0, -1]:
        yield Case(f"linspace(0, 1, {steps})", lambda L, s=steps: L.M.linspace(0, 1, s))
    for size in [(3,), (2, 4), (0,), (-1,)]:
        yield Case(f"eye{size}", lambda L, s=size: L.M.eye(*s))


def layer(L: SimpleNamespace, build: Callable, seed: int) -> Any:
    """A layer built by ``build(L.nn)`` whose parameters come from ``seed`` in both libraries."""
    module = build(L.nn)
    rng = np.random.default_rng(seed)
    state = {name: L.M.tensor(rng.standard_normal(tuple(value.shape)).astype(np.float32) * 0.5)
             for name, value in module.state_dict().items() if value.dtype == (ag.float32 if L.name == "ours"
                                                                               else torch.float32)}
    module.load_state_dict(state, strict=False)
    return module


def tensors(L: SimpleNamespace, options: dict) -> dict:
    """``options`` with a class ``weight`` list made a float32 tensor of the library."""
    return {key: L.t(np.float32(value)) if key == "weight" else value for key, value in options.items()}


def functional_cases(rng: np.random.Generator) -> Iterator[Case]:
    x = array(rng, (2, 3), "float32")
    for weight_shape, bias_shape in [((4, 3), (4,)), ((3, 4), (4,)), ((4, 3), (3,)), ((4,), None), ((4, 3), ())]:
        w, b = array(rng, weight_shape, "float32"), None if bias_shape is None else array(rng, bias_shape, "float32")
        yield Case(f"linear(x[2, 3], w{list(weight_shape)}, b{bias_shape})",
                   lambda L, w=w, b=b: L.F.linear(L.t(x), L.t(w), None if b is None else L.t(b)))
    image = array(rng, (1, 2, 5, 5), "float32")
    for weight_shape, options in [((3, 2, 3, 3), {}), ((3, 1, 3, 3), {}), ((3, 2, 7, 7), {}),
                                  ((3, 2, 3, 3), {"stride": 0}),
                                  ((3, 2, 3, 3), {"padding": -1}), ((4, 1, 3, 3), {"groups": 2}),
                                  ((3, 1, 3, 3), {"groups": 2}), ((3, 2, 3), {}), ((3, 2, 3, 3), {"dilation": 3})]:
        w = array(rng, weight_shape, "float32")
        yield Case(f"conv2d(x[1, 2, 5, 5], w{list(weight_shape)}, {options})",
                   lambda L, w=w, o=options: L.F.conv2d(L.t(image), L.t(w), **o))
    w = array(rng, (3, 2, 3, 3), "float32")
    yield Case("conv2d(unbatched x[2, 5, 5])", lambda L: L.F.conv2d(L.t(image[0]), L.t(w)))
    yield Case("conv2d(x[5, 5])", lambda L: L.F.conv2d(L.t(image[0, 0]), L.t(w)))
    yield Case("conv2d(float64 x, float32 w)", lambda L: L.F.conv2d(L.t(image.astype(np.float64)), L.t(w)))
    for op in ["max_pool2d", "avg_pool2d"]:
        for kernel, options in [(2, {}), (0, {}), (6, {}), (3, {"padding": 2}), (2, {"stride": 0}), (5, {"padding": 1}),
                                (3, {"ceil_mode": True, "stride": 2})]:
            yield Case(f"{op}(x[1, 2, 5, 5], {kernel}, {options})",
                       lambda L, op=op, k=kernel, o=options: getattr(L.F, op)(L.t(image), k, **o))
    logits = array(rng, (4, 3), "float32")
    for targets, options in [([0, 2, 1, 1], {}), ([0, 3, 1, 1], {}), ([0, -1, 1, 1], {}), ([0, 2, 1], {}),
                             ([[0, 2, 1, 1]], {}), ([0, -100, 1, 1], {}), ([0, 5, 1, 1], {"ignore_index": 5}),
                             ([0, 1, 2, 0], {"weight": [1.0, 2.0]}), ([0, 1, 2, 0], {"reduction": "avg"})]:
        target = np.array(targets)
        for op in ["cross_entropy", "nll_loss"]:
            yield Case(f"{op}(logits[4, 3], {targets}, {options})",
                       lambda L, op=op, t=target, o=options: getattr(L.F, op)(L.t(logits), L.t(t), **tensors(L, o)))
    yield Case("cross_entropy(float targets of another shape)",
               lambda L: L.F.cross_entropy(L.t(logits), L.t(np.full((4, 2), 0.5, np.float32))))
    thirds = np.full((4, 3), 1 / 3, np.float32)
    yield Case("cross_entropy(float targets)", lambda L: L.F.cross_entropy(L.t(logits), L.t(thirds)))
    for op in ["mse_loss", "l1_loss", "binary_cross_entropy", "smooth_l1_loss"]:
        for shape in [(4, 3), (3,), (4, 1), (5, 3)]:
            target = rng.random(shape).astype(np.float32)
            prediction = rng.random((4, 3)).astype(np.float32) * (1.5 if rng.random() < 0.3 else 1.0)
            yield Case(f"{op}(x[4, 3], y{list(shape)})",
                       lambda L, op=op, p=prediction, y=target: getattr(L.F, op)(L.t(p), L.t(y)))
    table = array(rng, (5, 3), "float32")
    for ids in [np.array([0, 4]), np.array([0, 5]), np.array([-1]), np.array([0.0, 1.0]), np.array([[1, 2]])]:
        yield Case(f"embedding({ids.tolist()})", lambda L, i=ids: L.F.embedding(L.t(i), L.t(table)))
    for labels, classes in [([0, 2], 3), ([0, 3], 3), ([-1], 3), ([0, 2], -1), ([1.0], 3)]:
        yield Case(f"one_hot({labels}, {classes})",
                   lambda L, y=np.array(labels), c=classes: L.F.one_hot(L.t(y), c))
    for dim in [0, 1, 2, -3]:
        yield Case(f"F.softmax(x[2, 3], dim={dim})", lambda L, d=dim: L.F.softmax(L.t(x), dim=d))
    for p in [0.5, 1.0, 1.5, -0.1]:
        yield Case(f"dropout(p={p}, training=False)", lambda L, p=p: L.F.dropout(L.t(x), p=p, training=False))
    for padding in [(1, 1), (1,), (1, 1, 1, 1), (1, 1, 1, 1, 1, 1), (-1, 0)]:
        yield Case(f"F.pad(x[2, 3], {padding})", lambda L, p=padding: L.F.pad(L.t(x), p))
    for normalized in [(3,), (2, 3), (4,), (1, 3)]:
        yield Case(f"layer_norm(x[2, 3], {normalized})", lambda L, s=normalized: L.F.layer_norm(L.t(x), s))
    for slope in [0.1, -1.0]:
        yield Case(f"leaky_relu(x, {slope})", lambda L, s=slope: L.F.leaky_relu(L.t(x), s))


def layer_cases(rng: np.random.Generator) -> Iterator[Case]:
    inputs = {shape: array(rng, shape, "float32") for shape in [(2, 3), (2, 4), (3,), (2, 3, 3), (1, 3), (0, 3),
                                                                   (2, 3, 5, 5), (3, 5, 5), (2, 2, 5, 5), (2, 3, 2)]}
    builds = {
        "Linear(3, 4)": lambda n: n.Linear(3, 4),
        "Conv2d(3, 4, 3)": lambda n: n.Conv2d(3, 4, 3),
        "BatchNorm1d(3)": lambda n: n.BatchNorm1d(3),
        "LayerNorm(3)": lambda n: n.LayerNorm(3),
        "LSTM(3, 4)": lambda n: n.LSTM(3, 4),
        "GRU(3, 4, batch_first=True)": lambda n: n.GRU(3, 4, batch_first=True),
        "MaxPool2d(2)": lambda n: n.MaxPool2d(2),
        "Flatten()": lambda n: n.Flatten(),
        "Embedding(5, 2)": lambda n: n.Embedding(5, 2),
    }
    for label, build in builds.items():
        for shape, value in inputs.items():
            if rng.random() < 0.55:
                continue
            if label.startswith("Embedding"):
                value = rng.integers(0, 7, shape[:2])
            yield Case(f"{label}(x{list(value.shape)})",
                       lambda L, b=build, v=value: layer(L, b, 5)(L.t(v)))


# -- every dtype through every elementwise op, and the families of ops/ (indexing, sorting, ...) -------
MORE_DTYPES = DTYPES + ["int32", "int8", "uint8"]
MORE_UNARY = UNARY + ["cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "log2", "log10", "trunc", "frac", "erfc",
                      "erfinv", "isinf", "isfinite", "bitwise_not", "negative"]
MORE_BINARY = BINARY + ["fmod", "hypot", "floor_divide", "ne", "le", "gt", "ge", "logical_or", "logical_xor",
                        "bitwise_and", "bitwise_or", "bitwise_xor"]


def small_array(rng: np.random.Generator, shape: tuple, dtype: str) -> np.ndarray:
    """``array`` for the dtypes of MORE_DTYPES (non-negative for uint8)."""
    if dtype == "uint8":
        return rng.integers(0, 6, shape).astype(np.uint8)
    if dtype in ("int32", "int8"):
        return rng.integers(-3, 6, shape).astype(dtype)
    return array(rng, shape, dtype)


def dtype_cases(rng: np.random.Generator) -> Iterator[Case]:
    for op in MORE_UNARY:
        for dtype in MORE_DTYPES:
            x = small_array(rng, SHAPES[rng.integers(len(SHAPES))], dtype)
            yield Case(f"{op}(every dtype: {dtype}{list(x.shape)})", lambda L, op=op, x=x: getattr(L.M, op)(L.t(x)))
            if rng.random() < 0.3 and hasattr(torch.Tensor, op + "_"):
                yield Case(f"x.{op}_() of {dtype}", lambda L, op=op, x=x: getattr(L.t(x), op + "_")())
    for op in MORE_BINARY:
        for _ in range(8):
            dtypes = [MORE_DTYPES[rng.integers(len(MORE_DTYPES))] for _ in range(2)]
            shapes = SHAPE_PAIRS[rng.integers(len(SHAPE_PAIRS))]
            a, b = (small_array(rng, shape, dtype) for shape, dtype in zip(shapes, dtypes))
            yield Case(f"{op}(every dtype: {dtypes[0]}{list(shapes[0])}, {dtypes[1]}{list(shapes[1])})",
                       lambda L, op=op, a=a, b=b: getattr(L.M, op)(L.t(a), L.t(b)))
        for number in [3, 0.5, False, 0]:
            x = small_array(rng, (2, 3), MORE_DTYPES[rng.integers(len(MORE_DTYPES))])
            yield Case(f"{op}({x.dtype}[2, 3], {number!r})",
                       lambda L, op=op, x=x, n=number: getattr(L.M, op)(L.t(x), n))
    for base_dtype, exponent in [("int64", -2), ("int64", "int64 tensor"), ("int32", 0.5), ("bool", 2),
                                 ("float32", "int64 tensor")]:
        base = small_array(rng, (2, 3), base_dtype)
        power = small_array(rng, (3,), "int64") if exponent == "int64 tensor" else exponent
        yield Case(f"pow({base_dtype}, {exponent})",
                   lambda L, b=base, e=power: L.M.pow(L.t(b), L.t(e) if isinstance(e, np.ndarray) else e))
    for decimals in [0, 1, -1, 3]:
        for dtype in ["float32", "float64", "int64"]:
            x = small_array(rng, (2, 3), dtype) * (10 if dtype == "int64" else 7.3)
            yield Case(f"round({dtype}, decimals={decimals})", lambda L, x=x, d=decimals: L.M.round(L.t(x), decimals=d))
    for end, weight in [((2, 3), 0.3), ((3,), (2, 3)), ((2, 3), (3,)), ((4,), 0.5), ((2, 3), 1.5)]:
        x, y = small_array(rng, (2, 3), "float32"), small_array(rng, end, "float32")
        w = weight if isinstance(weight, float) else small_array(rng, weight, "float32")
        yield Case(f"lerp(x[2, 3], end{list(end)}, {weight})",
                   lambda L, x=x, y=y, w=w: L.M.lerp(L.t(x), L.t(y), w if isinstance(w, float) else L.t(w)))


def sorting_cases(rng: np.random.Generator) -> Iterator[Case]:
    for dtype in ["float32", "int64", "bool"]:
        for shape in [(3, 4), (5,), (), (0,), (2, 0)]:
            # distinct integers (which of tied elements PyTorch picks is not specified); a NaN among the floats
            x = rng.permutation(math.prod(shape)).reshape(shape) - 2 if dtype == "int64" else small_array(rng, shape,
                                                                                                           dtype)
            if dtype == "float32" and x.size:
                x.reshape(-1)[0] = np.nan
            label = f"{dtype}{list(shape)}"
            dim = int(rng.integers(-len(shape) - 1, len(shape) + 1))
            yield Case(f"sort({label}, dim={dim})", lambda L, x=x, d=dim: L.M.sort(L.t(x), dim=d))
            yield Case(f"sort({label}, descending)", lambda L, x=x: L.M.sort(L.t(x), descending=True, stable=True))
            yield Case(f"argsort({label}, dim={dim})", lambda L, x=x, d=dim: L.M.argsort(L.t(x), dim=d, stable=True))
            for k in [1, 3, 0, -1, 6]:
                yield Case(f"topk({label}, {k})", lambda L, x=x, k=k: L.M.topk(L.t(x), k))
                yield Case(f"kthvalue({label}, {k})", lambda L, x=x, k=k: L.M.kthvalue(L.t(x), k))
            yield Case(f"topk({label}, 2, largest=False)", lambda L, x=x: L.M.topk(L.t(x), 2, largest=False))
            yield Case(f"median({label})", lambda L, x=x: L.M.median(L.t(x)))
            yield Case(f"median({label}, dim={dim})", lambda L, x=x, d=dim: L.M.median(L.t(x), d))
            if dtype != "float32":  # the mode of values with NaN is not specified
                yield Case(f"mode({label})", lambda L, x=x: L.M.mode(L.t(x)))
            yield Case(f"msort({label})", lambda L, x=x: L.M.msort(L.t(x)))


def cumulative_and_reduction_cases(rng: np.random.Generator) -> Iterator[Case]:
    for dtype in DTYPES:
        for shape in [(2, 3), (0, 3), ()]:
            x = small_array(rng, shape, dtype)
            label = f"{dtype}{list(shape)}"
            for op in ["cumsum", "cumprod"]:
                for options in [{"dim": 1}, {"dim": 0, "dtype": ag.float64}, {"dim": -3}]:
                    yield Case(f"{op}({label}, {options})",
                               lambda L, op=op, x=x, o=options: getattr(L.M, op)(L.t(x), **_dtype_option(L, o)))
            for options in [{}, {"dim": 1, "keepdim": True}, {"dim": 0, "dtype": ag.float64}]:
                for op in ["prod", "sum"]:
                    yield Case(f"{op}({label}, {options})",
                               lambda L, op=op, x=x, o=options: getattr(L.M, op)(L.t(x), **_dtype_option(L, o)))
            for options in [{}, {"dim": 0}, {"dim": (0, 1)}, {"dim": 1, "keepdim": True}]:
                yield Case(f"mean({label}, {options})", lambda L, x=x, o=options: L.M.mean(L.t(x), **o))
                yield Case(f"logsumexp({label}, {options or {'dim': 0}})",
                           lambda L, x=x, o=options: L.M.logsumexp(L.t(x), **(o or {"dim": 0})))
                yield Case(f"aminmax({label}, {options})",
                           lambda L, x=x, o=options: L.M.aminmax(L.t(x), **{k: v for k, v in o.items()
                                                                             if not isinstance(v, tuple)}))


def _dtype_option(L: SimpleNamespace, options: dict) -> dict:
    """``options`` with ``dtype=ag.float64`` given as the library's own float64."""
    return {key: (L.M.float64 if key == "dtype" else value) for key, value in options.items()}


def more_indexing_cases(rng: np.random.Generator) -> Iterator[Case]:
    x = array(rng, (3, 4), "float32")
    for index_shape, high, dim, src_shape, src_dtype in [((2, 4), 3, 0, (2, 4), "float32"), ((3, 2), 4, 1, (3, 3),
                                                         "float32"), ((2, 4), 5, 0, (2, 4), "float32"),
                                                        ((3, 2), 4, 1, (3, 2), "float64"), ((3, 5), 4, 1, (3, 5),
                                                         "float32"), ((2, 4), 3, 2, (2, 4), "float32"),
                                                        ((3, 2), 4, 1, (2, 2), "float32")]:
        where, src = rng.integers(0, high, index_shape), array(rng, src_shape, src_dtype)
        label = f"dim={dim}, index{list(index_shape)} < {high}, src {src_dtype}{list(src_shape)}"
        yield Case(f"scatter({label})", lambda L, d=dim, w=where, s=src: L.M.scatter(L.t(x), d, L.t(w), L.t(s)))
        yield Case(f"scatter_add({label})",
                   lambda L, d=dim, w=where, s=src: L.M.scatter_add(L.t(x), d, L.t(w), L.t(s)))
        yield Case(f"scatter({label}, value=2.0)", lambda L, d=dim, w=where: L.M.scatter(L.t(x), d, L.t(w), value=2.0))
    for mask_shape in [(3, 4), (4,), (3, 1), (2, 4)]:
        mask = rng.random(mask_shape) < 0.5
        yield Case(f"masked_select(mask{list(mask_shape)})", lambda L, m=mask: L.M.masked_select(L.t(x), L.t(m)))
    for op in ["tril", "triu"]:
        for diagonal in [0, 1, -2, 5]:
            for shape in [(3, 4), (2, 3, 4), (4,)]:
                y = array(rng, shape, "float32")
                yield Case(f"{op}(x{list(shape)}, {diagonal})", lambda L, op=op, y=y, d=diagonal: getattr(L.M, op)(
                    L.t(y), d))
    for dtype in ["float32", "int64", "bool"]:
        for shape in [(3, 4), (), (0,), (5,)]:
            y = small_array(rng, shape, dtype)
            yield Case(f"nonzero({dtype}{list(shape)})", lambda L, y=y: L.M.nonzero(L.t(y)))
            yield Case(f"nonzero({dtype}{list(shape)}, as_tuple)", lambda L, y=y: L.M.nonzero(L.t(y), as_tuple=True))
            yield Case(f"argwhere({dtype}{list(shape)})", lambda L, y=y: L.M.argwhere(L.t(y)))
            yield Case(f"where({dtype}{list(shape)}) alone", lambda L, y=y: L.M.where(L.t(y) != 0))


def einsum_and_rearrange_cases(rng: np.random.Generator) -> Iterator[Case]:
    for equation, shapes in [("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk->ik", [(2, 3), (4, 4)]), ("ii", [(3, 3)]),
                             ("ii", [(3, 4)]), ("ij->ji", [(2, 3)]), ("...ij->...ji", [(5, 2, 3)]),
                             ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (1, 3, 4)]),
                             ("ij,j", [(2, 3), (3,)]), ("i,i->", [(3,), (4,)]), ("ij->k", [(2, 3)]),
                             ("ij,jk", [(2, 3)]), ("i,j->ij", [(2,), (3,)]), ("iij->j", [(2, 2, 3)]),
                             ("ij->ii", [(2, 3)]), ("i", [()])]:
        operands = [array(rng, shape, "float32") for shape in shapes]
        yield Case(f"einsum({equation!r}, {shapes})",
                   lambda L, e=equation, o=operands: L.M.einsum(e, *[L.t(v) for v in o]))
    mixed = [array(rng, (2, 3), "float32"), array(rng, (3, 2), "float64")]
    yield Case("einsum(float32, float64)", lambda L: L.M.einsum("ij,jk->ik", *[L.t(v) for v in mixed]))
    x = array(rng, (2, 3, 4), "float32")
    for reps in [(2,), (1, 2), (2, 1, 1, 1), (0, 1), ()]:
        yield Case(f"tile{reps}", lambda L, r=reps: L.M.tile(L.t(x), r))
    for dims in [(0, 2), (0, 3), (-1, -3), (1, 1)]:
        yield Case(f"swapaxes{dims}", lambda L, d=dims: L.M.swapaxes(L.t(x), *d))
    for dim, index in [(0, 1), (1, -1), (2, 4), (3, 0), (0, -3)]:
        yield Case(f"select({dim}, {index})", lambda L, d=dim, i=index: L.M.select(L.t(x), d, i))
    for dim, sizes in [(1, (3, 1)), (2, (2, 2)), (2, (-1, 2)), (1, (2, 2)), (0, (-1, -1)), (3, (2, 2)), (-1, (4,))]:
        yield Case(f"unflatten({dim}, {sizes})", lambda L, d=dim, s=sizes: L.M.unflatten(L.t(x), d, s))
    for shape in [(), (3,), (2, 3)]:
        y = array(rng, shape, "float32")
        yield Case(f"t() of {list(shape)}", lambda L, y=y: L.M.t(L.t(y)))
    for mode in ["reflect", "replicate", "circular"]:
        for shape, widths in [((1, 2, 5), (2, 1)), ((2, 5), (1, 1)), ((1, 2, 3, 4), (1, 1, 2, 0)), ((5,), (1, 1)),
                              ((1, 2, 3), (3, 0)), ((1, 2, 3), (-1, 2)), ((1, 1, 2, 2, 2), (1, 1, 1, 1, 1, 1)),
                              ((2, 3), (1, 1, 1, 1))]:
            y = array(rng, shape, "float32")
            yield Case(f"F.pad(x{list(shape)}, {widths}, mode={mode!r})",
                       lambda L, y=y, w=widths, m=mode: L.F.pad(L.t(y), w, mode=m))


def surface_cases(rng: np.random.Generator) -> Iterator[Case]:
    """The wider torch.* surface: matrices, counting, stacking and splitting, linear algebra,
    quantiles, index updates, windows and differences, with their bad arguments."""
    m = array(rng, (3, 4), "float32")
    square = array(rng, (3, 3), "float32") + 3 * np.eye(3, dtype=np.float32)
    singular = np.ones((2, 2), np.float32)
    v = array(rng, (4,), "float32")
    ints = rng.integers(0, 5, (6,))
    for offset, dims in [(0, (0, 1)), (1, (1, 0)), (-5, (0, 1)), (0, (0, 0)), (0, (0, 2)), (2, (-1, -2))]:
        yield Case(f"diagonal({offset}, {dims})", lambda L, o=offset, d=dims: L.M.diagonal(L.t(m), o, *d))
    for shape in [(), (3,), (2, 3), (2, 2, 2)]:
        y = array(rng, shape, "float32")
        yield Case(f"diag({list(shape)})", lambda L, y=y: L.M.diag(L.t(y)))
        yield Case(f"trace({list(shape)})", lambda L, y=y: L.M.trace(L.t(y)))
        yield Case(f"diag_embed({list(shape)})", lambda L, y=y: L.M.diag_embed(L.t(y)))
    yield Case("kron(matrix, vector)", lambda L: L.M.kron(L.t(m), L.t(v)))
    yield Case("block_diag(0-d, 1-d, 2-d)", lambda L: L.M.block_diag(L.t(v[0]), L.t(v), L.t(m)))
    yield Case("block_diag(3-d)", lambda L: L.M.block_diag(L.t(np.ones((2, 2, 2), np.float32))))
    for row, col, offset in [(3, 3, 0), (3, 5, -1), (0, 2, 0), (4, 2, 9)]:
        yield Case(f"tril_indices({row}, {col}, {offset})",
                   lambda L, r=row, c=col, o=offset: L.M.tril_indices(r, c, o))
    for dim in [None, 0, 1, 2, -3]:
        yield Case(f"unique(dim={dim})", lambda L, d=dim: L.M.unique(L.t(m > 0), dim=d))
        yield Case(f"count_nonzero(dim={dim})", lambda L, d=dim: L.M.count_nonzero(L.t(m > 0), dim=d))
    for values, minlength in [(ints, 0), (ints, 9), (np.array([1, -1]), 0), (np.array([[1, 2]]), 0),
                              (np.array([1.0, 2.0]), 0), (np.array([], np.int64), 3)]:
        yield Case(f"bincount({values.tolist()}, {minlength})",
                   lambda L, x=values, n=minlength: L.M.bincount(L.t(x), minlength=n))
    for bins, low, high in [(4, 0, 0), (3, -1, 1), (0, 0, 1), (4, 1, -1)]:
        yield Case(f"histc({bins}, {low}, {high})", lambda L, b=bins, lo=low, hi=high: L.M.histc(L.t(v), b, lo, hi))
    yield Case("histc(int64)", lambda L: L.M.histc(L.t(ints)))
    boundaries = np.array([0.0, 1.0, 2.0], np.float32)
    for right in (False, True):
        yield Case(f"bucketize(right={right})", lambda L, r=right: L.M.bucketize(L.t(v), L.t(boundaries), right=r))
        yield Case(f"searchsorted(right={right})",
                   lambda L, r=right: L.M.searchsorted(L.t(boundaries), L.t(v), right=r))
    yield Case("searchsorted(rows of another count)", lambda L: L.M.searchsorted(L.t(m), L.t(square)))
    yield Case("isin", lambda L: L.M.isin(L.t(ints), L.t(ints[:2])))
    for name in ("hstack", "vstack", "dstack", "column_stack"):
        for shapes in [[(3,), (3,)], [(2, 3), (2, 3)], [(2, 3), (3, 3)], [(2,), (3,)], [(), ()]]:
            parts = [array(rng, shape, "float32") for shape in shapes]
            yield Case(f"{name}({shapes})", lambda L, n=name, ps=parts: getattr(L.M, n)([L.t(q) for q in ps]))
    for sections in [2, 3, 5, [1, 3], [5], [-1]]:
        yield Case(f"tensor_split({sections})", lambda L, s=sections: L.M.tensor_split(L.t(m), s, dim=1))
    for name, shape in [("hsplit", (3, 4)), ("vsplit", (3, 4)), ("vsplit", (4,)), ("dsplit", (3, 4))]:
        y = array(rng, shape, "float32")
        yield Case(f"{name}({list(shape)}, 2)", lambda L, n=name, y=y: getattr(L.M, n)(L.t(y), 2))
    yield Case("meshgrid(ij)", lambda L: L.M.meshgrid(L.t(v), L.t(v[:2]), indexing="ij"))
    yield Case("meshgrid(xy)", lambda L: L.M.meshgrid(L.t(v), L.t(v[:2]), indexing="xy"))
    yield Case("meshgrid(2-D)", lambda L: L.M.meshgrid(L.t(m), indexing="ij"))
    yield Case("broadcast_tensors(3x4, 4)", lambda L: L.M.broadcast_tensors(L.t(m), L.t(v)))
    yield Case("broadcast_tensors(3x4, 3)", lambda L: L.M.broadcast_tensors(L.t(m), L.t(v[:3])))
    yield Case("cartesian_prod", lambda L: L.M.cartesian_prod(L.t(v[:2]), L.t(v[:3])))
    for name in ("inv", "det", "slogdet"):
        for label, a in [("square", square), ("3x4", m), ("singular", singular), ("int", np.eye(2, dtype=np.int64))]:
            yield Case(f"linalg.{name}({label})", lambda L, n=name, a=a: getattr(L.M.linalg, n)(L.t(a)))
    for label, b in [("vector", v[:3]), ("matrix", m), ("wrong rows", v), ("2x2", m[:2, :2])]:
        yield Case(f"linalg.solve({label})", lambda L, b=b: L.M.linalg.solve(L.t(square), L.t(b)))
    for power in [0, 1, 3, -1, -2]:
        yield Case(f"matrix_power({power})", lambda L, k=power: L.M.linalg.matrix_power(L.t(square), k))
    yield Case("matrix_power(3x4)", lambda L: L.M.linalg.matrix_power(L.t(m), 2))
    for ord_ in ["fro", 1, -1, math.inf, 2, "nuc"]:
        yield Case(f"linalg.matrix_norm({ord_!r})", lambda L, o=ord_: L.M.linalg.matrix_norm(L.t(m), o))
    for dims in [1, 2, 0, 3, ([1], [0]), ([0], [0]), ([5], [0]), ([-1], [-2])]:
        yield Case(f"tensordot(3x4, 4x3, {dims})", lambda L, d=dims: L.M.tensordot(L.t(m), L.t(m.T.copy()), d))
    for shapes, dim in [([(4, 3), (4, 3)], None), ([(4, 3), (4, 3)], 1), ([(4, 3), (4, 3)], 0),
                        ([(4, 2), (4, 2)], None), ([(4, 3), (1, 3)], -1), ([(2, 3), (4, 3)], None),
                        ([(4, 3), (4, 3)], 3), ([(4, 3), (4, 3)], -3)]:
        a, b = (array(rng, shape, "float32") for shape in shapes)
        yield Case(f"cross({shapes}, dim={dim})", lambda L, a=a, b=b, d=dim: L.M.cross(L.t(a), L.t(b), dim=d))
    yield Case("cdist(3x4, 2x4)", lambda L: L.M.cdist(L.t(m), L.t(m[:2])))
    yield Case("cdist(3x4, 4)", lambda L: L.M.cdist(L.t(m), L.t(v)))
    yield Case("pdist(3x4)", lambda L: L.M.pdist(L.t(m)))
    for q in [0.5, 1.5, -0.1, [0.1, 0.9], [[0.5]]]:
        for dim in [None, 0, 1]:
            yield Case(f"quantile({q}, dim={dim})", lambda L, q=q, d=dim: L.M.quantile(
                L.t(m), L.t(np.array(q, np.float32)) if isinstance(q, list) else q, dim=d))
    yield Case("quantile(int64)", lambda L: L.M.quantile(L.t(ints), 0.5))
    yield Case("quantile(interpolation='cubic')", lambda L: L.M.quantile(L.t(m), 0.5, interpolation="cubic"))
    for dim, index, source_shape in [(0, [0, 2], (2, 4)), (1, [3], (3, 1)), (0, [3], (1, 4)), (0, [0], (2, 4)),
                                     (1, [-1], (3, 1)), (2, [0], (3, 1))]:
        source = array(rng, source_shape, "float32")
        yield Case(f"index_add({dim}, {index}, {list(source_shape)})",
                   lambda L, d=dim, i=index, s=source: L.M.index_add(L.t(m), d, L.t(np.array(i)), L.t(s)))
        yield Case(f"index_copy({dim}, {index}, {list(source_shape)})",
                   lambda L, d=dim, i=index, s=source: L.t(m).index_copy(d, L.t(np.array(i)), L.t(s)))
        yield Case(f"index_fill({dim}, {index})",
                   lambda L, d=dim, i=index: L.t(m).index_fill(d, L.t(np.array(i)), -1.0))
    for index in [[0, 11], [12], [-12], [-13]]:
        yield Case(f"take({index})", lambda L, i=index: L.M.take(L.t(m), L.t(np.array(i))))
    for indices_shape, dim in [((3, 1), 1), ((1, 4), 0), ((2, 4), 0), ((3, 1, 1), 1), ((3, 2), None)]:
        indices = rng.integers(0, 3, indices_shape)
        yield Case(f"take_along_dim({list(indices_shape)}, {dim})",
                   lambda L, i=indices, d=dim: L.M.take_along_dim(L.t(m), L.t(i), d))
    for repeats, dim in [(2, None), (2, 1), ([1, 0, 2], 0), ([1, 2], 0), (-1, 0)]:
        yield Case(f"repeat_interleave({repeats}, {dim})", lambda L, r=repeats, d=dim: L.t(m).repeat_interleave(
            L.t(np.array(r)) if isinstance(r, list) else r, d))
    for dim, size, step in [(1, 2, 1), (0, 3, 2), (1, 5, 1), (1, 2, 0), (2, 1, 1), (1, 0, 1)]:
        yield Case(f"unfold({dim}, {size}, {step})", lambda L, d=dim, n=size, s=step: L.t(m).unfold(d, n, s))
    for n, dim in [(1, -1), (2, 0), (0, 1), (5, 1), (1, 2), (-1, 0)]:
        yield Case(f"diff(n={n}, dim={dim})", lambda L, n=n, d=dim: L.M.diff(L.t(m), n, d))
    for name in ("cummax", "cummin", "logcumsumexp"):
        for dim in [0, 1, 2, -3]:
            yield Case(f"{name}(dim={dim})", lambda L, n=name, d=dim: getattr(L.M, n)(L.t(m), d))
    for k, dims in [(1, (0, 1)), (2, (1, 0)), (-1, (0, 1)), (1, (0, 0)), (1, (0, 2)), (1, (0,))]:
        yield Case(f"rot90({k}, {dims})", lambda L, k=k, d=dims: L.M.rot90(L.t(m), k, d))
    for shape in [(3, 4), (4,), (2, 2, 2)]:
        y = array(rng, shape, "float32")
        yield Case(f"cov({list(shape)})", lambda L, y=y: L.M.cov(L.t(y)))
        yield Case(f"corrcoef({list(shape)})", lambda L, y=y: L.M.corrcoef(L.t(y)))
    yield Case("vander(4, N=3)", lambda L: L.M.vander(L.t(v), N=3))
    yield Case("vander(3x4)", lambda L: L.M.vander(L.t(m)))
    for y_shape, dim in [((4,), -1), ((3, 4), 0), ((3, 4), 2)]:
        y = array(rng, y_shape, "float32")
        yield Case(f"trapezoid({list(y_shape)}, dim={dim})", lambda L, y=y, d=dim: L.M.trapezoid(L.t(y), dim=d))


FAMILIES = [elementwise_cases, reduction_cases, shape_cases, indexing_cases, linalg_cases, creation_cases,
            functional_cases, layer_cases, dtype_cases, sorting_cases, cumulative_and_reduction_cases,
            more_indexing_cases, einsum_and_rearrange_cases, surface_cases]


def all_cases() -> list[Case]:
    rng = np.random.default_rng(SEED)
    cases = [case for family in FAMILIES for case in family(rng)]
    names = [case.name for case in cases]
    for position, case in enumerate(cases):  # unique, stable ids
        if names.count(case.name) > 1:
            case.name = f"{case.name} #{names[:position].count(case.name) + 1}"
    return cases


# -- running and comparing -------------------------------------------------------------------
def run(call: Callable, lib: SimpleNamespace) -> tuple[Any, BaseException | None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return call(lib), None
        except Exception as error:  # noqa: BLE001  (what the fuzz looks at)
            return None, error


def is_named(error: BaseException) -> bool:
    """One of our error classes, or a built-in type raised by a ``raise`` statement of ours."""
    if isinstance(error, NAMED):
        return True
    if type(error) not in PLAIN and not issubclass(type(error), NAMED):
        return False
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return False
    last = frames[-1]
    line = linecache.getline(last.filename, last.lineno).strip()
    return last.filename.startswith(PACKAGES) and line.startswith("raise")


def plain(value: Any) -> Any:
    """Outputs of either library as NumPy arrays, tuples of them, or Python numbers."""
    if isinstance(value, ag.Tensor):
        return value.array
    if torch is not None and isinstance(value, torch.Tensor):
        return value.detach().numpy()
    if isinstance(value, (tuple, list)):
        return tuple(plain(item) for item in value)
    if hasattr(value, "_fields") or type(value).__name__.startswith("torch.return_types"):
        return tuple(plain(item) for item in value)
    return value


def difference(ours: Any, theirs: Any, compare: str) -> str | None:
    if isinstance(theirs, tuple) or isinstance(ours, tuple):
        if not (isinstance(ours, tuple) and isinstance(theirs, tuple)) or len(ours) != len(theirs):
            return f"structure differs: {type(ours).__name__} vs {type(theirs).__name__}"
        for position, (mine, expected) in enumerate(zip(ours, theirs)):
            problem = difference(mine, expected, compare)
            if problem:
                return f"item {position}: {problem}"
        return None
    if not isinstance(theirs, np.ndarray):
        if isinstance(ours, np.ndarray) and ours.ndim == 0:
            ours = ours.item()
        same = ours == theirs or (isinstance(ours, float) and isinstance(theirs, float) and math.isnan(ours)
                                  and math.isnan(theirs))
        return None if same else f"{ours!r} vs {theirs!r}"
    if not isinstance(ours, np.ndarray):
        return f"a {type(ours).__name__} where PyTorch gives an array"
    if ours.shape != theirs.shape:
        return f"shape {ours.shape} vs {theirs.shape}"
    if ours.dtype != theirs.dtype:
        return f"dtype {ours.dtype} vs {theirs.dtype}"
    if compare == "shape":
        return None
    if ours.dtype.kind == "f":
        tolerance = 1e-5 if ours.dtype == np.float32 else 1e-10
        close = np.isclose(ours, theirs, rtol=tolerance, atol=tolerance, equal_nan=True)
        return None if close.all() else f"values differ at {np.argwhere(~close)[:3].tolist()}"
    return None if np.array_equal(ours, theirs) else "values differ"


def outcome(case: Case) -> str | None:
    """None when we behave as PyTorch does; otherwise what differs."""
    libs = libraries()
    theirs, their_error = run(case.call, libs["torch"])
    ours, our_error = run(case.call, libs["ours"])
    if their_error is not None:
        if our_error is None:
            return f"PyTorch raises {type(their_error).__name__} ({str(their_error)[:120]}) but we return a value"
        if not is_named(our_error):
            return f"we raise a bare {type(our_error).__name__}: {our_error}"
        return None
    if our_error is not None:
        return f"PyTorch succeeds but we raise {type(our_error).__name__}: {str(our_error)[:200]}"
    return difference(plain(ours), plain(theirs), case.compare)


# Differences kept on purpose (op, file and reason named); a fix turns its cases into XPASSes.
_KNOWN_BY_REASON = {
    "sub with one bool operand (ops/elementwise.py): PyTorch refuses it, we compute x - 1 or x - 0; not matched on "
    "purpose, since a dtype check would cost every subtraction (two bool tensors are refused)": [
        "sub(every dtype: bool[2, 3], int32[3])", "sub(every dtype: int64[], bool[2])", "sub(int32[2, 3], False)"],
    "median/kthvalue corner cases where PyTorch returns an arbitrary value (ops/sorting.py): the median of an empty "
    "integer or bool tensor (uninitialised memory), kthvalue of a 0-d bool (it refuses bools otherwise); we raise": [
        "median(int64[0])", "median(int64[2, 0])", "median(bool[0])", "median(bool[2, 0])", "kthvalue(bool[], 1)"],
}
_KNOWN_BY_REASON["the spectral and nuclear matrix norms need an SVD (autograd_core/linalg.py), which this project "
                 "does not provide: a ValueError says so"] = ["linalg.matrix_norm(2)", "linalg.matrix_norm('nuc')"]
KNOWN: dict[str, str] = {name: reason for reason, names in _KNOWN_BY_REASON.items() for name in names}

CASES = all_cases() if torch is not None else []


@pytest.mark.parametrize("case", [
    pytest.param(case, id=case.name, marks=[pytest.mark.xfail(strict=True, reason=KNOWN[case.name])]
                 if case.name in KNOWN else [])
    for case in CASES
])
def test_bad_input_behaves_as_in_pytorch(case):
    problem = outcome(case)
    assert problem is None, f"{case.name}: {problem}"


def test_the_fuzz_draws_a_few_hundred_cases():
    assert 300 <= len(CASES) <= 2500
    assert len({case.name for case in CASES}) == len(CASES)
