"""How one recurrent layer (one direction) runs a sequence: step compositions and fused nodes.

1. The whole layer-direction is ONE graph node (``RNNTanhSequence``, ``LSTMSequence``,
   ``GRUSequence``). Its forward first projects every step's input in one matmul,
   ``gates_x = x W_ih^T + b_ih`` (T, N, G), into a buffer it owns, then loops over the steps
   in NumPy (and small Numba kernels); its backward is backpropagation through time written
   out by hand, with the weight gradients as one GEMM over all steps. Python overhead per
   step and fresh large arrays are what cost time in an RNN, so this keeps both few.
2. Under ``create_graph=True`` (higher-order gradients) the backward instead
   differentiates the step-by-step composition of elementary Tensor ops (``rnn_step``,
   ``lstm_step``, ``gru_step``), so the fused node stays differentiable any number of times.

Setting ``layer.fused = False`` runs that composition in the forward pass too: one small
graph per step, the reference the fused nodes are tested against.

Gate order and parameter names follow PyTorch, so ``state_dict``s are interchangeable:
LSTM (i, f, g, o); GRU (r, z, n) with ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``.

Speed (``benchmarks/bench_rnn.py``, one thread, CPU time, busy 2-core machine, 2026-12): the
LSTM forward multiplies by W_hh^T copied once per sequence in 64-row blocks (a whole transposing
copy missed the TLB per element: 7.3 ms at h512), or from H = 256 on by W_hh's own rows into a
column-major product (h512: 69 -> 57 ms a forward); the -1/-2 gate scale is folded into the
small weights and biases; a float32 step's pointwise part is one kernel call, one vectorised pass
over each row, a column-major product added by blocks (per training step h128 0.90 -> 0.64 ms,
h512 10.3 -> 7.1 ms); from H = 256 on the backward's per-step product is column-major too (h512:
52.5 -> 49.7 ms for that loop); the step kernels are resolved once per sequence (``Kernel.resolve``:
~0.2 ms of type checks at h128); the buffers a backward is done with are handed to the next
forward (``_SpareArrays``: they were page-faulted in anew every step). The benchmark's ratio to
PyTorch, medians of three runs before -> after these kernels: h128 1.23 -> 1.20, h512 1.16 ->
1.12 (its per-run spread is about as large). What remains at h512 is the three GEMM kinds (per
step forward and backward, the weight gradient as one GEMM over all steps: ~44 + ~47 + ~30 of a
~160 ms step), which OpenBLAS runs at 80-140 GF/s with a batch of 32 rows where PyTorch's oneDNN
is faster per step; at h128 the GEMMs are ~4.9 of ~8 ms, the LSTM's pointwise kernels ~0.8 ms and
the Linear head, cross-entropy and SGD outside the LSTM node ~2 ms. PyTorch runs its CPU LSTM as
oneDNN's fused primitive (``mkldnn_rnn``); with ``torch.backends.mkldnn`` off its h128 step takes
~1.2x ours. Measured and not kept: H compiled into the step kernels as a constant (``literal``, as
Winograd's tile counts: no change in the step loop), the per-step product in column blocks.
Where the optional MKL is installed (``autograd_core.blas``), every per-step product of at
least ``blas.PACKED_FROM`` multiply-adds goes to MKL's packed GEMM instead (``_StepProduct``:
the weight packed once per sequence, row-major products), which reaches 116-139 GF/s at 32
rows: the LSTM step's ratio to PyTorch went h512 1.12 -> 0.91, h128 1.20 -> 1.17 (2026-12-04).
"""
from __future__ import annotations

import collections
import threading
from typing import Any, Callable, ClassVar, Iterable

import numpy as np

import autograd_core as ag
from autograd_core import Function, Tensor, blas
from autograd_core.kernels.gru import gru_step_backward, gru_step_pointwise
from autograd_core.kernels.recurrent import lstm_step_backward, lstm_step_pointwise

from .linear import LinearFunction


# -- one step from elementary ops (the reference composition) -----------------------------
def rnn_step(
    gates_x: Tensor, hidden: Tensor, weight_hh: Tensor, bias_hh: Tensor | None, nonlinearity: str = "tanh"
) -> Tensor:
    """``h' = act(gates_x + h W_hh^T + b_hh)``; gates_x (N, H) already holds ``x W_ih^T + b_ih``."""
    pre = gates_x + hidden @ weight_hh.T
    if bias_hh is not None:
        pre = pre + bias_hh
    return pre.tanh() if nonlinearity == "tanh" else pre.relu()


def lstm_step(
    gates_x: Tensor, hidden: Tensor, cell: Tensor, weight_hh: Tensor, bias_hh: Tensor | None
) -> tuple[Tensor, Tensor]:
    """``c' = f c + i g``, ``h' = o tanh(c')`` with gates (i, f, g, o) from (N, 4H) pre-activations."""
    gates = gates_x + hidden @ weight_hh.T
    if bias_hh is not None:
        gates = gates + bias_hh
    i, f, g, o = gates.chunk(4, 1)
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    cell = f * cell + i * g
    return o * cell.tanh(), cell


def gru_step(gates_x: Tensor, hidden: Tensor, weight_hh: Tensor, bias_hh: Tensor | None) -> Tensor:
    """``h' = (1 - z) n + z h`` with r, z = sigmoid(x-part + h-part), n = tanh(x_n + r (W_hn h + b_hn))."""
    gates_h = hidden @ weight_hh.T
    if bias_hh is not None:
        gates_h = gates_h + bias_hh
    x_r, x_z, x_n = gates_x.chunk(3, 1)
    h_r, h_z, h_n = gates_h.chunk(3, 1)
    r, z = (x_r + h_r).sigmoid(), (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return n + z * (hidden - n)


def _order(steps: int, reverse: bool) -> Iterable[int]:
    return range(steps - 1, -1, -1) if reverse else range(steps)


def unfused_sequence(
    mode: str, gates_x: Tensor, h0: Tensor, c0: Tensor | None, weight_hh: Tensor, bias_hh: Tensor | None, reverse: bool
) -> Tensor:
    """The same result as the fused ``*Sequence`` node, one step at a time from elementary ops.

    Returns the hidden states (T, N, H) at their time positions; for LSTM one more row
    holds the last cell state: (T + 1, N, H).
    """
    steps = gates_x.shape[0]
    hidden, cell = h0, c0
    outputs: list[Any] = [None] * steps
    for t in _order(steps, reverse):
        if mode == "LSTM":
            hidden, cell = lstm_step(gates_x[t], hidden, cell, weight_hh, bias_hh)
        elif mode == "GRU":
            hidden = gru_step(gates_x[t], hidden, weight_hh, bias_hh)
        else:
            hidden = rnn_step(gates_x[t], hidden, weight_hh, bias_hh, "tanh" if mode == "RNN_TANH" else "relu")
        outputs[t] = hidden
    if mode == "LSTM":
        outputs.append(cell)
    return ag.stack(outputs)


# -- the whole recurrence as one node --------------------------------------------------------
def _flat(array: np.ndarray) -> np.ndarray:
    return array.reshape(-1, array.shape[-1])


class _SpareArrays(threading.local):
    """Buffers a fused node's backward is done with, handed to the next forward that wants the same
    shape and dtype (per thread; the 16 most recent). A training step's fresh (T, N, 4H) arrays were
    page-faulted in anew every step (the allocator returns them to the system): ~1300 faults, ~1.5 ms
    of a 9 ms LSTM h128 step."""

    def __init__(self) -> None:
        self.arrays: collections.deque[np.ndarray] = collections.deque(maxlen=16)

    def take(self, shape: tuple, dtype: Any) -> np.ndarray:
        """An array of ``shape`` and ``dtype`` with arbitrary contents: a spare one, or a new one."""
        for index, array in enumerate(self.arrays):
            if array.shape == shape and array.dtype == dtype:
                del self.arrays[index]
                return array
        return np.empty(shape, dtype)

    def give(self, arrays: Iterable[np.ndarray]) -> None:
        self.arrays.extend(arrays)


_spare = _SpareArrays()
_COLUMN_MAJOR_PRODUCT_FROM = 256  # the hidden size from which the LSTM's step product is column-major


def _c_contiguous(matrix: np.ndarray) -> np.ndarray:
    """``matrix`` as a C-contiguous array; a transposed one is copied in blocks of 64 columns: a
    transposing copy of a whole (512, 2048) array misses the TLB at every element (7.3 -> 1.5 ms)."""
    if matrix.flags.c_contiguous:
        return matrix
    copy = np.empty(matrix.shape, dtype=matrix.dtype)
    for start in range(0, matrix.shape[1], 64):
        copy[:, start : start + 64] = matrix[:, start : start + 64]
    return copy


class _StepProduct:
    """``a @ matrix`` into ``out`` at every step of a recurrent loop, a (rows, K)::

        product = _StepProduct(matrix, rows)
        with product as multiply:
            for t in ...:
                multiply(a, out)

    With MKL (``autograd_core.blas``; ``product.packed`` True) the matrix is packed once, a and out
    must be C-contiguous, and inside ``with`` MKL runs on the calling thread; the packed copy is
    released at the end. Otherwise it is np.matmul by the matrix (first made C-contiguous by
    ``_c_contiguous`` where ``copy_for_numpy``), into out of any layout.
    """

    def __init__(self, matrix: np.ndarray, rows: int, copy_for_numpy: bool = False) -> None:
        self._packed = blas.packed_or_none(matrix, rows)
        self.packed = self._packed is not None
        self._threads = blas.calling_thread_only()
        if self._packed is not None:
            self.multiply: Callable[[np.ndarray, np.ndarray], np.ndarray] = self._packed.multiply
        else:
            numpy_matrix = _c_contiguous(matrix) if copy_for_numpy else matrix
            self.multiply = lambda a, out: np.matmul(a, numpy_matrix, out=out)

    def __enter__(self) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        self._threads.__enter__()
        return self.multiply

    def __exit__(self, *exception: Any) -> None:
        self._threads.__exit__(*exception)
        if self._packed is not None:
            self._packed.release()


def _output_beside_h0(h0: np.ndarray, steps: int, rows: int, reverse: bool, dtype: Any) -> tuple[np.ndarray, Any]:
    """A recurrent node's output (rows, N, H) (rows = T, or T + 1 for the LSTM's c_T), in one buffer with
    h0 in the row before the first step processed: then every step's previous state lies in one array
    and dL/dW_hh is one GEMM (not one over T - 1 steps plus one for the first: ~50 us for the LSTM
    at H = 128). Returns (output, previous), previous (T, N, H) the state step t started from, or None
    where h0 cannot sit beside the output (reverse with a row after the steps: the LSTM's c_T)."""
    if reverse and rows > steps:
        return np.empty((rows,) + h0.shape, dtype=dtype), None
    states = np.empty((rows + 1,) + h0.shape, dtype=dtype)
    if reverse:  # step t starts from states[t + 1]; the last position from h0
        states[steps] = h0
        return states[:steps], states[1:]
    states[0] = h0
    return states[1:], states[:steps]


def _recurrent_weight_grad(grad_pre: np.ndarray, previous: Any, output: np.ndarray, first: np.ndarray) -> np.ndarray:
    """dL/dW_hh = sum over steps of grad_pre[t]^T h_prev(t): one GEMM with ``previous`` from
    ``_output_beside_h0``; where that is None (the reverse LSTM), one over the steps whose previous
    state is in ``output`` (step t started from output[t + 1]: a view, no (T, N, H) copy) plus one for
    the last position, which started from ``first``."""
    if previous is not None:
        return _flat(grad_pre).T @ _flat(previous)
    return _flat(grad_pre[:-1]).T @ _flat(output[1 : len(grad_pre)]) + grad_pre[-1].T @ first


class _Sequence(Function):
    """One layer-direction over T steps: ``apply(x, weight_ih, bias_ih, h0, c0, weight_hh, bias_hh, reverse)``.

    x (T, N, I); weight_ih (G, I), weight_hh (G, H), biases (G,) or None; h0, c0 (N, H) (c0
    None except for LSTM). Output: hidden states (T, N, H) at their time positions, plus for
    LSTM a last row with the final cell state. ``run_forward`` gets the input projection
    ``x W_ih^T + b_ih`` (T, N, G) as a fresh array it may overwrite. ``run_backward`` returns
    dL/d(gates_x) and the gradients of h0, c0, weight_hh and bias_hh, the last None where it is
    that of b_ih (the sum of dL/d(gates_x) over steps and batch), which is then summed once for both.
    """

    saves_output = True
    mode: ClassVar[str]
    #: a function (gates, dtype) -> per gate row, the factor the input projection (weight_ih, b_ih, and
    #: b_hh) is multiplied by, the biases then passed to ``run_forward`` as one vector (b_ih + b_hh) for it to add
    #: at each step; None: the projection as it is, b_ih included, and b_hh passed alone
    input_scale: ClassVar[Any] = None
    #: run_backward overwrites ctx.arrays, recomputed if needed again; the first ``spare_arrays`` of them
    #: (the node's own buffers) then go to ``_spare`` for the next forward
    consumes_arrays: ClassVar[bool] = False
    spare_arrays: ClassVar[int] = 0
    fresh_gradients = (0, 1, 2, 3, 4, 5, 6)  # products, sums and copies made by the backward

    @staticmethod
    def forward(
        ctx: Function, x: Tensor, weight_ih: Tensor, bias_ih: Any, h0: Tensor, c0: Any, weight_hh: Tensor,
        bias_hh: Any, reverse: bool,
    ) -> np.ndarray:
        ctx.save_for_backward(x, weight_ih, bias_ih, h0, c0, weight_hh, bias_hh)
        ctx.reverse = reverse
        output, ctx.arrays = type(ctx).project_and_run(x, weight_ih, bias_ih, h0, c0, weight_hh, bias_hh, reverse)
        ctx.consumed = False
        return output

    @classmethod
    def project_and_run(
        cls, x: Tensor, weight_ih: Tensor, bias_ih: Any, h0: Tensor, c0: Any, weight_hh: Tensor, bias_hh: Any,
        reverse: bool,
    ) -> tuple:
        """``run_forward`` on the input projection: (output, arrays kept for the backward)."""
        steps, batch = x.shape[0], x.shape[1]
        cell = None if c0 is None else c0.array
        bias = None if bias_hh is None else bias_hh.array
        scale = cls.input_scale(weight_ih.shape[0], x.dtype) if cls.input_scale else None
        # a buffer an earlier backward was done with (``consumes_arrays``: fresh ones page-fault), else new
        gates_x = _spare.take((steps, batch, weight_ih.shape[0]), np.result_type(x.dtype, weight_ih.dtype))
        if scale is None:
            np.matmul(_flat(x.array), weight_ih.array.T, out=_flat(gates_x))  # one 2-D GEMM (a 3-D one is slower)
            if bias_ih is not None:
                gates_x += bias_ih.array
        else:  # the scale folded into the (small) weights and biases, not applied to the (T, N, G) result
            np.matmul(_flat(x.array), (weight_ih.array * scale[:, None]).T, out=_flat(gates_x))
            # the biases (b_ih + b_hh, scaled) go to run_forward as one vector, added at each step
            bias = sum((b.array * scale for b in (bias_ih, bias_hh) if b is not None), np.zeros_like(scale))
        with np.errstate(over="ignore"):
            return cls.run_forward(gates_x.reshape(steps, batch, -1), h0.array, cell, weight_hh.array, bias, reverse)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        inputs = ctx.saved_tensors
        if ag.is_grad_enabled():  # create_graph=True: differentiate the step-by-step composition
            return _differentiable_backward(ctx, inputs, grad_output)
        x, weight_ih, _, h0, _, weight_hh, _ = inputs
        if ctx.consumed:  # a second backward (retain_graph=True) after one that overwrote ctx.arrays
            ctx.arrays = type(ctx).project_and_run(*inputs, ctx.reverse)[1]
        grad_gates_x, *grads = type(ctx).run_backward(
            ctx, grad_output.array, ctx.output.array, h0.array, weight_hh.array
        )
        ctx.consumed = type(ctx).consumes_arrays
        flat_grad, need_x, need_weight, need_bias = _flat(grad_gates_x), *ctx.needs_input_grad[:3]
        # the bias's sum over steps and batch as a product with ones: BLAS's, 26 against 38 us at (1024, 512)
        need_hh_sum = grads[-1] is None and ctx.needs_input_grad[6]  # b_hh enters as b_ih does: the same sum
        bias_sum = np.ones(len(flat_grad), flat_grad.dtype) @ flat_grad if need_bias or need_hh_sum else None
        grad_bias_ih = bias_sum if need_bias else None
        if need_hh_sum:  # made once, copied for the second
            grads[-1] = bias_sum if grad_bias_ih is None else bias_sum.copy()
        # gates_x = x W_ih^T + b_ih: d/dx = G W_ih, d/dW_ih = G^T x, d/db_ih = sum of G over steps and batch
        grads_ih = (
            (flat_grad @ weight_ih.array).reshape(x.shape) if need_x else None,
            flat_grad.T @ _flat(x.array) if need_weight else None,
            grad_bias_ih,
        )
        if ctx.consumed:  # nothing reads the node's buffers any more
            _spare.give(ctx.arrays[: type(ctx).spare_arrays])
            ctx.arrays = None
        return grads_ih + tuple(grad if need else None for grad, need in zip(grads, ctx.needs_input_grad[3:])) + (None,)


def _differentiable_backward(ctx: Function, inputs: tuple, grad_output: Tensor) -> tuple:
    """The vector-Jacobian product through ``unfused_sequence``, recorded for higher orders."""
    x, weight_ih, bias_ih, h0, c0, weight_hh, bias_hh = inputs
    with ag.enable_grad():
        gates_x = _input_projection(x, weight_ih, bias_ih)
        output = unfused_sequence(ctx.mode, gates_x, h0, c0, weight_hh, bias_hh, ctx.reverse)
    needs = ctx.needs_input_grad[:7]
    wanted = [tensor for tensor, need in zip(inputs, needs) if need]
    grads = iter(ag.grad(output, wanted, grad_output, create_graph=True, allow_unused=True))
    return tuple(next(grads) if need else None for need in needs) + (None,)


class RNNTanhSequence(_Sequence):
    """``h_t = tanh(gates_x[t] + h_{t-1} W_hh^T + b_hh)`` for every step (see ``_Sequence``)."""

    mode = "RNN_TANH"

    @classmethod
    def run_forward(
        cls, pre: np.ndarray, h0: np.ndarray, c0: Any, weight_hh: np.ndarray, bias_hh: Any, reverse: bool
    ) -> tuple:
        hidden, previous = _output_beside_h0(h0, pre.shape[0], pre.shape[0], reverse, pre.dtype)
        state, product = np.ascontiguousarray(h0), np.empty(h0.shape, dtype=pre.dtype)
        if bias_hh is not None:
            pre += bias_hh
        with _StepProduct(weight_hh.T, h0.shape[0], copy_for_numpy=True) as multiply:  # see LSTMSequence
            for t in _order(pre.shape[0], reverse):
                multiply(state, product)
                product += pre[t]
                state = cls.activate(product, hidden[t])
        return hidden, (previous,)

    @staticmethod
    def activate(pre: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.tanh(pre, out=out)

    @staticmethod
    def derivative(hidden: np.ndarray) -> np.ndarray:
        return 1 - hidden * hidden  # d tanh(a)/da = 1 - tanh(a)^2

    @classmethod
    def run_backward(
        cls, ctx: Function, grad: np.ndarray, hidden: np.ndarray, h0: np.ndarray, weight_hh: np.ndarray
    ) -> tuple:
        local = cls.derivative(hidden)
        grad_pre = np.empty_like(hidden)
        grad_h = np.zeros(h0.shape, dtype=h0.dtype)
        with _StepProduct(weight_hh, h0.shape[0]) as multiply:
            for t in _order(hidden.shape[0], not ctx.reverse):
                # dL/dpre_t = (dL/dh_t from the output + from step t+1) * act'(pre_t); dL/dh_{t-1} = dL/dpre_t W_hh
                np.multiply(grad[t] + grad_h, local[t], out=grad_pre[t])
                multiply(grad_pre[t], grad_h)
        (previous,) = ctx.arrays  # each step's previous state (a view of the output's buffer, h0 beside it)
        grad_weight = _recurrent_weight_grad(grad_pre, previous, hidden, h0)
        return grad_pre, grad_h, None, grad_weight, None


class RNNReluSequence(RNNTanhSequence):
    """``h_t = relu(gates_x[t] + h_{t-1} W_hh^T + b_hh)`` for every step (see ``_Sequence``)."""

    mode = "RNN_RELU"

    @staticmethod
    def activate(pre: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.maximum(pre, 0, out=out)

    @staticmethod
    def derivative(hidden: np.ndarray) -> np.ndarray:
        return (hidden > 0).astype(hidden.dtype)  # d relu(a)/da = [a > 0]


def _state_before(states: np.ndarray, first: np.ndarray, t: int, reverse: bool) -> np.ndarray:
    """The state step t started from: its predecessor in processing order, or the initial one."""
    before = t + 1 if reverse else t - 1
    return first if before < 0 or before == len(states) else states[before]


class LSTMSequence(_Sequence):
    """LSTM over every step (see ``_Sequence``); output (T + 1, N, H), the last row c_T.

    Forward, per step: one matmul, then one exp over all four gates (N, 4H), since
    ``tanh(x) = 2 sigmoid(2x) - 1``: the pre-activations are scaled by -1 (i, f, o) and -2 (g)
    (folded into W_ih, the biases and W_hh once; powers of two, so exact) and ``1 / (1 + exp(.))``
    gives every gate; tanh(c) likewise from exp(-2c). The pointwise part is one kernel call per
    step for float32 (``lstm_step_pointwise``: one pass over each row), with no per-step allocation.
    Backward: each step's pointwise part in one Numba kernel that turns the saved activations into
    dL/d(pre-activations) in place (a fresh (T, N, 4H) array costs page faults; a second backward
    recomputes the forward), the per-step matmul writes into one buffer (column-major from H = 256
    on, as the forward's product), and dL/dW_hh is one GEMM over all steps.
    """

    mode = "LSTM"
    consumes_arrays = True
    spare_arrays = 3  # gates, cells, tanh_cells

    @staticmethod
    def input_scale(gates: int, dtype: Any) -> np.ndarray:
        """-1 for the rows of i, f, o and -2 for g: the pre-activations as ``exp`` wants them."""
        scale = np.full(gates, -1, dtype=dtype)
        scale[gates // 2 : 3 * gates // 4] = -2
        return scale

    @classmethod
    def run_forward(
        cls, pre: np.ndarray, h0: np.ndarray, c0: np.ndarray, weight_hh: np.ndarray, bias_hh: Any, reverse: bool
    ) -> tuple:
        # pre: -x for i, f, o and -2x for g (``input_scale``, folded into the projection's weights),
        # overwritten step by step with the activations; bias_hh: b_ih + b_hh, scaled alike (4H,)
        steps, size = pre.shape[0], h0.shape[-1]
        gates = pre
        scale = cls.input_scale(4 * size, pre.dtype)
        # h W_hh^T of one step, (N, 4H). From H = 256 on, column-major (W_hh's rows as they are):
        # OpenBLAS's sgemm writes it that much faster that adding it by blocks in the kernel pays
        # (batch 32, per step: 877 vs 1020 us at H = 512, 248 vs 271 at 256); below, row-major
        # from a copy of W_hh^T (H = 128, GEMM and kernel: ~66 vs ~78 us). With MKL (``_StepProduct``)
        # the product is row-major, by W_hh^T packed once per sequence.
        step_product = _StepProduct(
            (weight_hh * scale[:, None]).T, h0.shape[0], copy_for_numpy=size < _COLUMN_MAJOR_PRODUCT_FROM
        )
        if step_product.packed or size < _COLUMN_MAJOR_PRODUCT_FROM:
            product = np.empty(pre.shape[1:], dtype=pre.dtype)
        else:
            product = np.empty(pre.shape[:0:-1], dtype=pre.dtype).T
        cells = _spare.take(pre.shape[:2] + (size,), pre.dtype)
        tanh_cells = _spare.take(cells.shape, pre.dtype)
        output, previous = _output_beside_h0(h0, steps, steps + 1, reverse, pre.dtype)  # the last row c_T
        c0 = np.array(c0, order="C")  # a copy: every step's arguments then have one type, resolved once
        bias = np.ascontiguousarray(bias_hh)
        step = lstm_step_pointwise(gates[0], product, bias, c0, cells[0], tanh_cells[0], output[0])
        hidden, cell = np.ascontiguousarray(h0), c0
        with step_product as multiply:
            for t in _order(steps, reverse):
                cell_prev = cell
                multiply(hidden, product)
                cell, hidden = cells[t], output[t]
                step(gates[t], product, bias, cell_prev, cell, tanh_cells[t], hidden)
        output[steps] = cell
        return output, (gates, cells, tanh_cells, c0, previous)

    @staticmethod
    def run_backward(
        ctx: Function, grad: np.ndarray, output: np.ndarray, h0: np.ndarray, weight_hh: np.ndarray
    ) -> tuple:
        grad_pre, cells, tanh_cells, c0, previous = ctx.arrays  # the gate activations, overwritten step by step
        c0 = np.ascontiguousarray(c0)
        grad = np.ascontiguousarray(grad)
        # dL/dh_t from step t+1, the product dL/dpre_{t+1} W_hh: from H = 256 on column-major, which
        # OpenBLAS writes faster (H = 512, batch 32: ~740 vs ~810 us a step; the kernel sums it by blocks)
        # (with MKL row-major, by W_hh packed once, as the forward's)
        step_product = _StepProduct(weight_hh, h0.shape[0])
        if not step_product.packed and h0.shape[-1] >= _COLUMN_MAJOR_PRODUCT_FROM:
            grad_h = np.zeros(h0.shape[::-1], dtype=h0.dtype).T
        else:
            grad_h = np.zeros(h0.shape, dtype=h0.dtype)
        grad_hidden = np.empty(h0.shape, dtype=h0.dtype)  # dL/dh_t, the kernel's scratch
        grad_c = grad[-1].copy()
        steps, need_h0 = grad_pre.shape[0], ctx.needs_input_grad[3]
        # resolved once (``Kernel.resolve``): c0 is the forward's C-contiguous copy, typed as every cells[t]
        step_backward = lstm_step_backward.resolve(grad[0], grad_h, grad_c, grad_pre[0], c0, tanh_cells[0], grad_hidden)
        with step_product as multiply:
            for t in _order(steps, not ctx.reverse):
                cell_prev = _state_before(cells, c0, t, ctx.reverse)
                step_backward(grad[t], grad_h, grad_c, grad_pre[t], cell_prev, tanh_cells[t], grad_hidden)
                if need_h0 or t != (steps - 1 if ctx.reverse else 0):  # dL/dh0 is the last product
                    multiply(grad_pre[t], grad_h)
        grad_weight = _recurrent_weight_grad(grad_pre, previous, output, h0)
        return grad_pre, np.ascontiguousarray(grad_h) if need_h0 else None, grad_c, grad_weight, None


class GRUSequence(_Sequence):
    """GRU over every step (see ``_Sequence``); b_hh stays inside ``r * (W_hn h + b_hn)``.

    Forward, per step: one matmul ``h W_hh^T`` (N, 3H), then the pointwise part in one call
    (``gru_step_pointwise``: for float32 one kernel, one pass over each row; b_hh added there), which
    overwrites the input projection with the activations r, z, n and saves ``W_hn h + b_hn``.
    Backward: per step one kernel (``gru_step_backward``) turns the activations into dL/d(gates_x) in
    place and writes dL/d(h W_hh^T + b_hh) (T, N, 3H), whose product with W_hh it adds at the next
    step; dL/dW_hh is one GEMM over all steps. A second backward recomputes the forward.

    Speed (h128, T 32, batch 32, float32, one thread, MKL's packed products, 2026-12): the pointwise
    part of a forward step ~43 -> ~9 us (a chain of ~12 NumPy ufuncs -> one kernel), of a backward step
    ~14 -> ~4 us, and the backward's whole-array local derivatives (several (T, N, H) temporaries) are
    gone; the input projection, the activations and the backward's buffers are ``_spare`` arrays, not
    fresh page-faulted ones. Forward 2.9 -> 1.8 ms (PyTorch 2.4), forward + backward 8.3 -> 4.5 ms
    (PyTorch 7.4); ``benchmarks/bench_rnn.py --only GRU``'s ratio to PyTorch 1.09 -> 0.63.
    """

    mode = "GRU"
    consumes_arrays = True
    spare_arrays = 2  # gates, hidden_n

    @staticmethod
    def run_forward(
        pre: np.ndarray, h0: np.ndarray, c0: Any, weight_hh: np.ndarray, bias_hh: Any, reverse: bool
    ) -> tuple:
        gates = pre  # x W_ih^T + b_ih, overwritten step by step with the activations r, z, n
        size = h0.shape[-1]
        hidden_n = _spare.take(pre.shape[:2] + (size,), pre.dtype)  # W_hn h + b_hn
        output, previous = _output_beside_h0(h0, pre.shape[0], pre.shape[0], reverse, pre.dtype)
        product = np.empty(pre.shape[1:], dtype=pre.dtype)  # h W_hh^T, C-contiguous (MKL's packed product)
        bias = np.full(pre.shape[-1], -0.0, pre.dtype) if bias_hh is None else np.ascontiguousarray(bias_hh)
        hidden = np.array(h0, order="C")  # a copy: every step's arguments then have one type, resolved once
        step = gru_step_pointwise(gates[0], product, bias, hidden, hidden_n[0], output[0])
        with _StepProduct(weight_hh.T, h0.shape[0], copy_for_numpy=True) as multiply:  # see LSTMSequence
            for t in _order(pre.shape[0], reverse):
                multiply(hidden, product)
                step(gates[t], product, bias, hidden, hidden_n[t], output[t])
                hidden = output[t]
        return output, (gates, hidden_n, previous)

    @staticmethod
    def run_backward(
        ctx: Function, grad: np.ndarray, output: np.ndarray, h0: np.ndarray, weight_hh: np.ndarray
    ) -> tuple:
        grad_x, hidden_n, previous = ctx.arrays  # the activations, overwritten step by step with dL/d(gates_x)
        h0, grad = np.array(h0, order="C"), np.ascontiguousarray(grad)  # h0 copied: typed as every output[t]
        grad_hidden = _spare.take(grad_x.shape, grad_x.dtype)  # dL/d(h W_hh^T + b_hh) of every step
        # dL/dh_t from step t+1 = carry (dL/dh_{t+1} z_{t+1}) + product (grad_hidden[t+1] W_hh)
        carry, product = np.zeros(h0.shape, dtype=h0.dtype), np.zeros(h0.shape, dtype=h0.dtype)
        steps, need_h0 = grad_x.shape[0], ctx.needs_input_grad[3]
        arguments = (grad[0], carry, product, grad_x[0], hidden_n[0], h0, grad_hidden[0])
        if grad_x.dtype == np.float32:
            step_backward = gru_step_backward.resolve(*arguments)
        else:
            step_backward = gru_step_backward.numpy
        with _StepProduct(weight_hh, h0.shape[0]) as multiply:
            for t in _order(steps, not ctx.reverse):
                hidden_prev = _state_before(output, h0, t, ctx.reverse)
                step_backward(grad[t], carry, product, grad_x[t], hidden_n[t], hidden_prev, grad_hidden[t])
                if need_h0 or t != (steps - 1 if ctx.reverse else 0):  # dL/dh0 is the last product
                    multiply(grad_hidden[t], product)
        grad_h0 = carry + product if need_h0 else None
        grad_weight = _recurrent_weight_grad(grad_hidden, previous, output, h0)
        flat_hidden = _flat(grad_hidden)
        grad_bias = np.ones(len(flat_hidden), flat_hidden.dtype) @ flat_hidden  # the sum over steps and batch, by BLAS
        _spare.give([grad_hidden])
        return grad_x, grad_h0, None, grad_weight, grad_bias


_SEQUENCES = {cls.mode: cls for cls in (RNNTanhSequence, RNNReluSequence, LSTMSequence, GRUSequence)}


def _input_projection(x: Tensor, weight_ih: Tensor, bias_ih: Tensor | None) -> Tensor:
    """``x W_ih^T + b_ih`` for every step as graph ops: (T, N, I) -> (T, N, G)."""
    steps, batch, features = x.shape
    gates = LinearFunction.apply(x.reshape(steps * batch, features), weight_ih, bias_ih)
    return gates.reshape(steps, batch, weight_ih.shape[0])


def run_sequence(
    mode: str, x: Tensor, weight_ih: Tensor, bias_ih: Tensor | None, h0: Tensor, c0: Tensor | None, weight_hh: Tensor,
    bias_hh: Tensor | None, reverse: bool = False, fused: bool = True,
) -> Tensor:
    """One layer-direction over all steps of x (T, N, I): the fused node, or the step-by-step composition
    (also for an empty input, which the fused nodes do not take: a batch of 0, an input_size of 0)."""
    if fused and x.array.size:
        return _SEQUENCES[mode].apply(x, weight_ih, bias_ih, h0, c0, weight_hh, bias_hh, reverse)
    return unfused_sequence(mode, _input_projection(x, weight_ih, bias_ih), h0, c0, weight_hh, bias_hh, reverse)
