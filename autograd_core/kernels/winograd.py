"""Winograd convolution F(2x2, 3x3): 3x3 kernels, stride 1, no dilation, NCHW.

A 3x3 correlation over a 4x4 input tile gives a 2x2 output tile. Winograd's minimal
filtering algorithm computes it with 16 multiplications instead of 36::

    Y = A^T [ (G g G^T) * (B^T d B) ] A          (* elementwise, per tile and channel pair)

    B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
    G   = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]]
    A^T = [[1, 1, 1, 0], [0, 1, -1, -1]]

Summed over input channels, the elementwise products become 16 matrix products, one per
transform point: ``M[p] = U[p] @ V[p]`` with U[p] (C_out, C_in) the transformed weights and
V[p] (C_in, tiles) the transformed input tiles (tiles of all images side by side). That is
2.25x fewer flops than im2col's one product (C_out, 9 C_in) @ (9 C_in, pixels), and V (16
values per 4 pixels: 4x the input) is less than half of im2col's columns (9x the input).
Measured on the CIFAR convnet's 64->64 layer at 32x32, batch 32, one thread (busy 2-core
machine, CPU time): forward 42 -> 22 ms; the whole convnet step 1.71x -> 1.03x PyTorch and
its peak memory 170 -> 66 MiB (``benchmarks/bench_conv.py --convnet``).

The passes work on blocks of whole images of about ``TILE_BLOCK`` tiles: a block's tiles
and products stay in the cache (forward of that layer: all tiles at once 33 ms, blocks of
1024 tiles 27 ms, of 256 22 ms), and nothing of the size of the whole batch's tiles is
allocated (a fresh 34 MB array page-faults for ~10 ms here) or kept for the backward: the
weight gradient makes the tiles again, block by block (6-8 ms on that layer).

Rounding: B and A hold only 0 and +-1 (the tile transforms add and subtract), G is
applied once per weight in float64; float32 results were as close to a float64 reference
as im2col's (max error 3.2e-7 vs 4.9e-7 of the largest output, 64->64 channels). The
larger F(4x4, 3x3) (4x fewer multiplications) was 15x less accurate (7e-6) and is not used.

The three passes of a convolution use it:

* forward: ``conv2d(x, weight)``;
* input gradient: the same correlation of the output gradient with the kernels flipped and
  the channel roles swapped (``flipped_weight``), padded by ``2 - padding``;
* weight gradient: ``dU[p] = dM[p] @ V[p]^T`` with ``dM = A dY A^T`` per tile (the adjoint
  of the output transform), then ``G^T dU G``.

The tile transforms are Numba loops, each with a NumPy twin giving the same bits (the same
additions in the same order); the weight transforms are small float64 NumPy products. The
tile counts (and the input's padding) are compiled in as constants (``literal=`` in
``jit.py``): with them known the compiler vectorises the short row loops it otherwise leaves
scalar; input tiles of the 64->64 layer 6.1 -> 1.6 ms a pass, output tiles 1.6 -> 0.8 ms, and
the CIFAR convnet step 1.07x -> 0.97x PyTorch (2026-12, with the BatchNorm kernels).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..types import Pair
from .jit import lazy_njit
from .scratch import scratch

#: Winograd runs when both channel counts (per group) are at least this; below it the
#: products are too thin for the transforms to pay (measured, see ``applies``).
MIN_CHANNELS = 16
#: Output tile side (F(2x2, 3x3)) and transform points per tile (4x4).
TILE, POINTS = 2, 16
#: The passes work on blocks of whole images of about this many tiles, so a block's tiles
#: and products (16 x channels x tiles values each) stay in the cache and in small scratch arrays.
TILE_BLOCK = 256

_G = np.array([[1.0, 0.0, 0.0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0.0, 0.0, 1.0]])
#: G (x) G (16, 9): row 4a + b, column 3i + j holds G[a, i] G[b, j], so that G g G^T of every kernel
#: is one product with the kernels as columns (4x faster than the einsum over (a, b, i, j))
_GG = np.kron(_G, _G)


class Input(NamedTuple):
    """What ``conv2d`` and ``weight_grad`` need of a convolution's input: the input itself,
    its padding and the output size. The tiles are made in blocks of images as they are
    needed (kept whole, the 64->64 layer's would be 34 MB more memory between forward and
    backward; remaking them costs 6 ms). ``nbytes`` is what keeping this costs: nothing."""

    x: np.ndarray
    padding: Pair
    out_size: Pair
    nbytes: int = 0


def applies(weight_shape: tuple, stride: Pair, dilation: Pair, groups: int, transposed: bool = False) -> bool:
    """Whether a convolution with this weight (C_out, C_in/groups, kh, kw) runs as Winograd:
    3x3, stride 1, no dilation, at least ``MIN_CHANNELS`` channels on both sides of each
    group. ``transposed``: for its input gradient (padding at most 2 is checked by the caller)."""
    if tuple(weight_shape[2:]) != (3, 3) or tuple(stride) != (1, 1) or tuple(dilation) != (1, 1):
        return False
    return min(weight_shape[0] // groups, weight_shape[1]) >= MIN_CHANNELS


def tile_counts(out_size: Pair) -> Pair:
    return (out_size[0] + 1) // 2, (out_size[1] + 1) // 2


@lazy_njit(literal=(2, 3, 4, 5))  # the tile counts and padding as constants: 3.7x faster (jit.py)
def _input_tiles(x, values, tiles_h, tiles_w, top, left):
    """values[4a + b, c, tile] = (B^T d B)[a, b] for the 4x4 patch d at padded[n, c, 2ty:, 2tx:],
    where padded is x (N, C, H, W) zero-padded by ``top`` rows and ``left`` columns before (negative:
    cropped) and as needed after. A whole plane at a time: copied into a small zero-bordered plane
    that stays in the cache (a padded copy of the whole block, filled with zeros first, was two more
    passes over memory: ~4 ms of the CIFAR convnet's step), then rows first (B^T d, along contiguous
    rows), then columns (every second value), each a long loop over the plane; indexing, not slices,
    in the loops (per-row slices cost more than the arithmetic: 0.75 -> 0.54 ms per block of 4 images
    x 64 channels x 16x16 tiles)."""
    batch, channels, height, width_in = x.shape
    width = 2 * tiles_w + 2
    plane = np.zeros((2 * tiles_h + 2, width), x.dtype)
    first_h, last_h = max(0, -top), min(height, 2 * tiles_h + 2 - top)  # the rows of x that land in the plane
    first_w, last_w = max(0, -left), min(width_in, width - left)
    rows = np.empty((4, tiles_h, width), x.dtype)
    r0, r1, r2, r3 = rows[0], rows[1], rows[2], rows[3]  # four arrays, not one written four ways: this vectorises
    per_image = tiles_h * tiles_w
    for n in range(batch):
        for c in range(channels):
            source = x[n, c]
            for h in range(first_h, last_h):
                line, padded_line = source[h], plane[h + top]
                for w in range(first_w, last_w):
                    padded_line[w + left] = line[w]
            for ty in range(tiles_h):
                for w in range(width):
                    d0, d1, d2, d3 = plane[2 * ty, w], plane[2 * ty + 1, w], plane[2 * ty + 2, w], plane[2 * ty + 3, w]
                    r0[ty, w] = d0 - d2
                    r1[ty, w] = d1 + d2
                    r2[ty, w] = d2 - d1
                    r3[ty, w] = d1 - d3
            for a in range(4):
                row = rows[a]
                v0, v1, v2, v3 = values[4 * a, c], values[4 * a + 1, c], values[4 * a + 2, c], values[4 * a + 3, c]
                for ty in range(tiles_h):
                    start = n * per_image + ty * tiles_w
                    for tx in range(tiles_w):
                        e0, e1, e2, e3 = row[ty, 2 * tx], row[ty, 2 * tx + 1], row[ty, 2 * tx + 2], row[ty, 2 * tx + 3]
                        v0[start + tx] = e0 - e2
                        v1[start + tx] = e1 + e2
                        v2[start + tx] = e2 - e1
                        v3[start + tx] = e1 - e3


@_input_tiles.twin
def _input_tiles_numpy(x, values, tiles_h, tiles_w, top, left):
    """``_input_tiles`` on a zero-padded copy and strided views: the same differences and sums."""
    batch, channels = x.shape[:2]
    padded = _padded(x, 2 * tiles_h + 2, 2 * tiles_w + 2, top, left)
    d0, d1, d2, d3 = (padded[:, :, k : k + 2 * tiles_h : 2, : 2 * tiles_w + 2] for k in range(4))
    for a, row in enumerate((d0 - d2, d1 + d2, d2 - d1, d1 - d3)):
        e0, e1, e2, e3 = (row[..., k : k + 2 * tiles_w : 2] for k in range(4))
        for b, value in enumerate((e0 - e2, e1 + e2, e2 - e1, e1 - e3)):
            values[4 * a + b].reshape(channels, batch, tiles_h, tiles_w)[...] = value.transpose(1, 0, 2, 3)


def _padded(x: np.ndarray, height: int, width: int, top: int, left: int) -> np.ndarray:
    """x (N, C, H, W) in a zero (N, C, height, width) array, x[h, w] at [h + top, w + left]
    (what falls outside is left out)."""
    padded = np.zeros(x.shape[:2] + (height, width), x.dtype)
    (first_h, last_h), (first_w, last_w) = (
        (max(0, -p), min(size, bound - p)) for p, size, bound in zip((top, left), x.shape[2:], (height, width))
    )
    if first_h < last_h and first_w < last_w:
        padded[:, :, first_h + top : last_h + top, first_w + left : last_w + left] = x[
            :, :, first_h:last_h, first_w:last_w
        ]
    return padded


@lazy_njit(literal=(2, 3))  # the tile counts as constants: 2x faster
def _output_tiles(products, out, tiles_h, tiles_w):
    """out[n, k, 2ty + r, 2tx + s] = (A^T m A)[r, s] for the 4x4 ``m`` of tile (n, ty, tx) in
    products (16, K, tiles); rows and columns past ``out``'s size are not written. A whole
    plane at a time, as ``_input_tiles``."""
    batch, channels, out_h, out_w = out.shape
    per_image = tiles_h * tiles_w
    sums = np.empty((2, 4, per_image), products.dtype)
    whole = out_w // 2
    for n in range(batch):
        start = n * per_image
        for k in range(channels):
            for b in range(4):  # A^T m: the 4 rows of every tile into 2
                m0, m1, m2, m3 = products[b, k], products[4 + b, k], products[8 + b, k], products[12 + b, k]
                for t in range(per_image):
                    sums[0, b, t] = m0[start + t] + m1[start + t] + m2[start + t]
                    sums[1, b, t] = m1[start + t] - m2[start + t] - m3[start + t]
            plane = out[n, k]
            for ty in range(tiles_h):  # (A^T m) A: the 4 columns into 2
                for r in range(2):
                    if 2 * ty + r < out_h:
                        for tx in range(whole):
                            t = ty * tiles_w + tx
                            plane[2 * ty + r, 2 * tx] = sums[r, 0, t] + sums[r, 1, t] + sums[r, 2, t]
                            plane[2 * ty + r, 2 * tx + 1] = sums[r, 1, t] - sums[r, 2, t] - sums[r, 3, t]
                        if out_w % 2:
                            t = ty * tiles_w + whole
                            plane[2 * ty + r, out_w - 1] = sums[r, 0, t] + sums[r, 1, t] + sums[r, 2, t]


@_output_tiles.twin
def _output_tiles_numpy(products, out, tiles_h, tiles_w):
    """``_output_tiles`` with whole-array sums in the kernel's order, cropped to ``out``."""
    batch, channels, out_h, out_w = out.shape
    m = products.reshape(4, 4, channels, batch, tiles_h, tiles_w)
    rows = (m[0] + m[1] + m[2], m[1] - m[2] - m[3])  # (4, K, N, th, tw) each
    full = np.empty((batch, channels, 2 * tiles_h, 2 * tiles_w), products.dtype)
    for r, s in enumerate(rows):
        full[:, :, r::2, 0::2] = (s[0] + s[1] + s[2]).transpose(1, 0, 2, 3)
        full[:, :, r::2, 1::2] = (s[1] - s[2] - s[3]).transpose(1, 0, 2, 3)
    out[...] = full[:, :, :out_h, :out_w]


@lazy_njit(literal=(2, 3))
def _output_tiles_adjoint(grad_out, products, tiles_h, tiles_w):
    """The adjoint of ``_output_tiles``: products[4a + b, k, tile] = (A y A^T)[a, b] for the
    2x2 gradient ``y`` of tile (n, ty, tx) (zero past grad_out's size). A's rows are
    (1, 0), (1, 1), (1, -1), (0, -1), so the rows give y0, y0 + y1, y0 - y1, -y1.
    A whole plane at a time, as ``_input_tiles``."""
    batch, channels, out_h, out_w = grad_out.shape
    width = 2 * tiles_w
    pair = np.zeros((tiles_h, 2, width), grad_out.dtype)  # the gradient, zero-extended to whole tiles
    rows = np.empty((4, tiles_h, width), grad_out.dtype)
    r0, r1, r2, r3 = rows[0], rows[1], rows[2], rows[3]  # four arrays, not one written four ways (vectorises)
    per_image = tiles_h * tiles_w
    for n in range(batch):
        for k in range(channels):
            plane = grad_out[n, k]
            for h in range(out_h):
                line, paired = plane[h], pair[h // 2, h % 2]
                for w in range(out_w):
                    paired[w] = line[w]
            for ty in range(tiles_h):
                for w in range(width):
                    y0, y1 = pair[ty, 0, w], pair[ty, 1, w]
                    r0[ty, w] = y0
                    r1[ty, w] = y0 + y1
                    r2[ty, w] = y0 - y1
                    r3[ty, w] = -y1
            for a in range(4):
                row = rows[a]
                p0, p1 = products[4 * a, k], products[4 * a + 1, k]
                p2, p3 = products[4 * a + 2, k], products[4 * a + 3, k]
                for ty in range(tiles_h):
                    start = n * per_image + ty * tiles_w
                    for tx in range(tiles_w):
                        e0, e1 = row[ty, 2 * tx], row[ty, 2 * tx + 1]
                        p0[start + tx] = e0
                        p1[start + tx] = e0 + e1
                        p2[start + tx] = e0 - e1
                        p3[start + tx] = -e1


@_output_tiles_adjoint.twin
def _output_tiles_adjoint_numpy(grad_out, products, tiles_h, tiles_w):
    """``_output_tiles_adjoint`` on a zero-extended copy, the same sums and negations."""
    batch, channels, out_h, out_w = grad_out.shape
    full = np.zeros((batch, channels, 2 * tiles_h, 2 * tiles_w), grad_out.dtype)
    full[:, :, :out_h, :out_w] = grad_out
    y0, y1 = full[:, :, 0::2], full[:, :, 1::2]
    for a, row in enumerate((y0, y0 + y1, y0 - y1, -y1)):
        e0, e1 = row[..., 0::2], row[..., 1::2]
        for b, value in enumerate((e0, e0 + e1, e0 - e1, -e1)):
            products[4 * a + b].reshape(channels, batch, tiles_h, tiles_w)[...] = value.transpose(1, 0, 2, 3)


class _Buffers(dict):
    """The scratch arrays of one pass, by role and shape: its blocks (all of one size but
    maybe the last) share them instead of asking the pool for each block."""

    def get(self, role: str, shape: tuple, dtype: np.dtype) -> np.ndarray:
        key = (role, shape)
        if key not in self:
            self[key] = scratch.empty(shape, dtype)
        return self[key]


def input_tiles(x: np.ndarray, padding: Pair, out_size: Pair, buffers: _Buffers | None = None) -> np.ndarray:
    """x (N, C, H, W), zero-padded by ``padding`` before each spatial dim (negative: cropped)
    and as needed after, as Winograd tiles for an output of ``out_size``: (16, C, N * th * tw),
    tile (n, ty, tx) in column ``(n * th + ty) * tw + tx``. A scratch array (see ``scratch``)."""
    batch, channels = x.shape[:2]
    tiles = tile_counts(out_size)
    buffers = _Buffers() if buffers is None else buffers
    values = buffers.get("values", (POINTS, channels, batch * tiles[0] * tiles[1]), x.dtype)
    _input_tiles(x, values, *tiles, *padding)
    return values


def _image_blocks(batch: int, out_size: Pair) -> range:
    """First images of the blocks the passes work in: about ``TILE_BLOCK`` tiles each."""
    tiles_h, tiles_w = tile_counts(out_size)
    return range(0, batch, max(1, TILE_BLOCK // (tiles_h * tiles_w)))


def weight_tiles(weight: np.ndarray) -> np.ndarray:
    """U = G g G^T per kernel: weight (K, C, 3, 3) -> (16, K, C), in float64 then rounded."""
    kernels = weight.reshape(-1, 9).astype(np.float64)  # (K C, 9): g[i, j] at 3i + j
    return (_GG @ kernels.T).reshape(POINTS, *weight.shape[:2]).astype(weight.dtype)


def flipped_weight(weight: np.ndarray, groups: int) -> np.ndarray:
    """The weight (C_out, C_in/g, 3, 3) of the input gradient's correlation: (C_in, C_out/g, 3, 3),
    the kernels turned by 180 degrees and the channel roles swapped within each group."""
    outs, ins = weight.shape[0] // groups, weight.shape[1]
    per_group = weight.reshape(groups, outs, ins, 3, 3).transpose(0, 2, 1, 3, 4)[..., ::-1, ::-1]
    return per_group.reshape(groups * ins, outs, 3, 3)


def conv2d(x: np.ndarray | Input, weight: np.ndarray, padding: Pair, groups: int, out_size: Pair) -> np.ndarray:
    """The correlation of x (N, C_in, H, W) with weight (C_out, C_in/g, 3, 3): (N, C_out, *out_size).
    In blocks of images: each block's tiles and products stay in the cache."""
    if isinstance(x, Input):
        x, padding, out_size = x
    batch, out_channels = x.shape[0], weight.shape[0]
    u = weight_tiles(weight)
    outs, ins = out_channels // groups, weight.shape[1]
    out = np.empty((batch, out_channels, *out_size), x.dtype)
    blocks, buffers = _image_blocks(batch, out_size), _Buffers()
    for first in blocks:
        images = slice(first, first + blocks.step)
        values = input_tiles(x[images], padding, out_size, buffers)
        products = buffers.get("products", (POINTS, out_channels, values.shape[2]), x.dtype)
        for g in range(groups):
            np.matmul(
                u[:, g * outs : (g + 1) * outs],
                values[:, g * ins : (g + 1) * ins],
                out=products[:, g * outs : (g + 1) * outs],
            )
        _output_tiles(products, out[images], *tile_counts(out_size))
    return out


def weight_grad(x: Input, grad_output: np.ndarray, groups: int) -> np.ndarray:
    """The weight gradient (C_out, C_in/g, 3, 3) of ``conv2d`` from its input and the output
    gradient (N, C_out, oh, ow): dU[p] = sum over tiles of (A dY A^T)[p] V[p]^T, then G^T dU G.
    In blocks of images, as ``conv2d``."""
    x, padding, out_size = x[:3]
    batch, out_channels = grad_output.shape[:2]
    outs, ins = out_channels // groups, x.shape[1] // groups
    grad_output = np.ascontiguousarray(grad_output)
    grad_u = np.zeros((POINTS, out_channels, ins), np.float64)
    block_grad_u = np.empty((POINTS, out_channels, ins), x.dtype)
    blocks, buffers = _image_blocks(batch, out_size), _Buffers()
    for first in blocks:
        images = slice(first, first + blocks.step)
        values = input_tiles(x[images], padding, out_size, buffers)
        grad_products = buffers.get("grad products", (POINTS, out_channels, values.shape[2]), x.dtype)
        _output_tiles_adjoint(grad_output[images], grad_products, *tile_counts(out_size))
        for g in range(groups):
            np.matmul(
                grad_products[:, g * outs : (g + 1) * outs],
                values[:, g * ins : (g + 1) * ins].transpose(0, 2, 1),
                out=block_grad_u[:, g * outs : (g + 1) * outs],
            )
        grad_u += block_grad_u
    # G^T dU G per kernel: the transpose of ``weight_tiles``'s product
    return (_GG.T @ grad_u.reshape(POINTS, -1)).T.reshape(out_channels, ins, 3, 3).astype(x.dtype)
