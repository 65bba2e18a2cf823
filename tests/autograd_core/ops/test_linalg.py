"""``ops/linalg.py``: ``matmul`` / ``@`` (1-D and 2-D operands and broadcast batches), the fixed-rank
products mm/bmm/mv/dot/outer/addmm/baddbmm/addmv, and the norms ``norm`` / ``dist``."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch, torch_function

SHAPE_PAIRS = [
    ((3,), (3,)),  # dot product -> 0-d
    ((2, 3), (3,)),  # matrix @ vector
    ((3,), (3, 4)),  # vector @ matrix
    ((2, 3), (3, 4)),
    ((2, 1, 3, 4), (5, 4, 2)),  # batch dims broadcast: (2, 5, 3, 2)
    ((4,), (2, 4, 3)),  # vector @ batch of matrices
    ((2, 3, 4), (4,)),  # batch of matrices @ vector
    ((1, 2, 3), (3, 3, 2)),
]


@pytest.mark.parametrize("shape_a, shape_b", SHAPE_PAIRS)
@settings(max_examples=3)
@given(data=st.data())
def test_matmul_shapes(shape_a, shape_b, data):
    first, second = data.draw(float_arrays(shape_a)), data.draw(float_arrays(shape_b))
    assert (ag.from_numpy(first) @ ag.from_numpy(second)).shape == np.matmul(first, second).shape
    check_op(lambda a, b: a @ b, (first, second), lambda a, b: a @ b)


@st.composite
def matmul_operands(draw: Any) -> tuple[np.ndarray, np.ndarray]:
    """Operands of any matmul-compatible shapes: 1-D or not, batch dims broadcasting."""
    shapes = draw(hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2, max_side=3))
    first, second = shapes.input_shapes
    return draw(float_arrays(first)), draw(float_arrays(second))


@settings(max_examples=12)
@given(operands=matmul_operands())
def test_matmul_drawn_shapes(operands):
    check_op(ag.matmul, operands, lambda a, b: a @ b)


def test_matmul_with_an_array_on_either_side():
    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    weights = np.ones((3, 2))
    np.testing.assert_array_equal((x @ weights).array, x.array @ weights)
    np.testing.assert_array_equal((np.ones((4, 2)) @ x).array, np.ones((4, 2)) @ x.array)
    (np.ones((4, 2)) @ x @ weights).sum().backward()
    np.testing.assert_array_equal(x.grad.array, np.full((2, 3), 8.0))


def test_matmul_keeps_float32():
    assert (ag.ones(2, 3) @ ag.ones(3)).dtype == np.float32


def test_matmul_inner_mismatch_names_both_shapes():
    with pytest.raises(ag.ShapeError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) cannot be multiplied.*\(3\).*\(4\)"):
        ag.ones(2, 3) @ ag.ones(4, 5)
    with pytest.raises(ag.ShapeError, match=r"matmul: shapes \(3,\) and \(2,\) cannot be multiplied"):
        ag.ones(3) @ ag.ones(2)


def test_matmul_batch_mismatch_names_both_shapes():
    with pytest.raises(
        ag.ShapeError, match=r"matmul: batch dims \(2,\) and \(3,\) \(of shapes \(2, 1, 4\) and \(3, 4, 2\)\)"
    ):
        ag.ones(2, 1, 4) @ ag.ones(3, 4, 2)


def test_matmul_of_a_0d_tensor_says_to_use_mul():
    with pytest.raises(
        ag.ShapeError, match=r"matmul: both operands need at least 1 dim, got shapes \(\) and \(3,\); use \*"
    ):
        ag.matmul(ag.tensor(2.0), ag.ones(3))


# -- fixed-rank products ---------------------------------------------------------------
PRODUCTS = {  # name: (ours, PyTorch's, operand shapes)
    "mm": (ag.mm, lambda a, b: torch.mm(a, b), [(2, 3), (3, 4)]),
    "Tensor.mm": (lambda a, b: a.mm(b), lambda a, b: a.mm(b), [(1, 3), (3, 2)]),
    "bmm": (ag.bmm, lambda a, b: torch.bmm(a, b), [(2, 2, 3), (2, 3, 2)]),
    "mv": (lambda a, b: a.mv(b), lambda a, b: a.mv(b), [(2, 3), (3,)]),
    "dot": (ag.dot, lambda a, b: torch.dot(a, b), [(4,), (4,)]),
    "inner": (lambda a, b: a.inner(b), lambda a, b: a.inner(b), [(3,), (3,)]),
    "outer": (ag.outer, lambda a, b: torch.outer(a, b), [(3,), (2,)]),
    "addmm": (
        lambda c, a, b: ag.addmm(c, a, b, beta=0.5, alpha=2.0),
        lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=2.0),
        [(4,), (2, 3), (3, 4)],
    ),
    "Tensor.addmm": (lambda c, a, b: c.addmm(a, b), lambda c, a, b: c.addmm(a, b), [(2, 4), (2, 3), (3, 4)]),
    "baddbmm": (
        lambda c, a, b: ag.baddbmm(c, a, b, alpha=-1.5),
        lambda c, a, b: torch.baddbmm(c, a, b, alpha=-1.5),
        [(1, 2, 2), (3, 2, 3), (3, 3, 2)],
    ),
    "addmv": (
        lambda c, a, b: ag.addmv(c, a, b, beta=2), lambda c, a, b: torch.addmv(c, a, b, beta=2), [(2,), (2, 3), (3,)]
    ),
}


@pytest.mark.parametrize("name", sorted(PRODUCTS))
@settings(max_examples=3)
@given(data=st.data())
def test_fixed_rank_products(name, data):
    ours, theirs, operand_shapes = PRODUCTS[name]
    check_op(ours, [data.draw(float_arrays(shape)) for shape in operand_shapes], theirs)


@requires_torch
def test_addmm_with_beta_zero_ignores_nan_in_the_input_as_pytorch():
    operands = [np.full((2, 2), np.nan), np.eye(2), np.ones((2, 2))]
    call = lambda c, a, b: ag.addmm(c, a, b, beta=0)  # noqa: E731
    compare_with_torch(call, lambda c, a, b: torch.addmm(c, a, b, beta=0), operands, [True, True, True])
    assert not np.isnan(call(*[ag.tensor(o) for o in operands]).array).any()


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: ag.mm(ag.ones(2, 3), ag.ones(3)), r"mm: mat2 must be a 2-D matrix, got shape \(3,\)"),
        (lambda: ag.bmm(ag.ones(2, 2, 3), ag.ones(3, 3, 2)), r"bmm: batch sizes differ"),
        (lambda: ag.mv(ag.ones(2, 3), ag.ones(3, 1)), r"mv: vec must be a 1-D vector"),
        (lambda: ag.dot(ag.ones(3), ag.ones(3, dtype=ag.float64)), r"dot: operands must have the same dtype"),
        (lambda: ag.outer(ag.ones(2), ag.ones(3, 1)), r"outer: vec2 must be a 1-D vector, got shape \(3, 1\)"),
        (lambda: ag.dot(ag.ones(3), ag.ones(2)), r"matmul: shapes \(3,\) and \(2,\) cannot be multiplied"),
    ],
)
def test_product_errors_name_the_operand_and_its_shape(call, message):
    with pytest.raises((ag.ShapeError, ag.DtypeError), match=message):
        call()


# -- norms -----------------------------------------------------------------------------
@st.composite
def norm_case(draw: Any) -> tuple[np.ndarray, Any]:
    array = draw(shapes(max_dims=3, max_side=3).flatmap(lambda s: float_arrays(s, away_from=(0.0,), margin=0.1)))
    if not array.ndim or draw(st.booleans()):
        return array, None
    dims = draw(st.lists(st.integers(-array.ndim, array.ndim - 1), min_size=1, max_size=array.ndim,
                         unique_by=lambda d: d % array.ndim))
    return array, dims[0] if len(dims) == 1 else tuple(dims)


@pytest.mark.parametrize("p", ["fro", 2, 1, 3, 0.5, float("inf"), float("-inf"), 0])
@pytest.mark.parametrize("keepdim", [False, True])
@settings(max_examples=6)
@given(case=norm_case())
def test_norm(p, keepdim, case):
    array, dim = case
    if p == "fro" and isinstance(dim, tuple) and len(dim) > 2:
        with pytest.raises(ag.ShapeError, match="norm: p='fro' takes one or two dims"):
            ag.norm(ag.from_numpy(array), p, dim)
        return
    if p in (float("inf"), float("-inf")):
        array = array + np.arange(array.size).reshape(array.shape) * 1e-3  # distinct magnitudes: no ties
    check_op(lambda x: ag.norm(x, p, dim, keepdim), [array], lambda x: torch.norm(x, p, dim, keepdim))
    call = lambda x: x.norm(p, dim, keepdim)  # noqa: E731  (the method, same call in both engines)
    compare_with_torch(call, call, [array], [True])


@requires_torch
@pytest.mark.parametrize("p", [2, 1, 3, 0.5, float("inf"), 0])
def test_norm_at_zero_has_zero_gradient_as_pytorch(p):
    for values in (np.zeros(3), np.array([1.0, 0.0, -2.0])):
        compare_with_torch(lambda x: x.norm(p), lambda x: x.norm(p), [values], [True])


@settings(max_examples=10)
@given(pair=st.tuples(st.just((2, 3)), st.sampled_from([(2, 3), (3,), ()])).flatmap(
    lambda shapes_: st.tuples(float_arrays(shapes_[0]), float_arrays(shapes_[1]))
))
def test_dist(pair):
    pair = (pair[0], pair[1] * 0.5 + 3.0)  # no element of the difference at 0, where |.| has a kink
    check_op(lambda a, b: ag.dist(a, b), pair, lambda a, b: torch.dist(a, b))
    check_op(lambda a, b: a.dist(b, 1), pair, lambda a, b: a.dist(b, 1))


def test_norm_errors():
    with pytest.raises(ValueError, match="norm: p must be a number, inf, -inf or 'fro', got 'nuc'"):
        ag.ones(2, 2).norm("nuc")
    with pytest.raises(ag.DtypeError, match="norm: needs a float tensor, got int64"):
        ag.arange(3).norm()
    assert ag.ones(3).norm(dtype=ag.float64).dtype == ag.float64


@pytest.mark.parametrize(
    "call",
    [lambda a, b: a @ b, lambda a, b: ag.matmul(a, b), lambda a, b: ag.mm(a, b),
     lambda a, b: ag.einsum("ij,jk->ik", a, b)],
)
@pytest.mark.parametrize("other", [ag.float64, ag.int64])
def test_products_do_not_promote_dtypes_as_pytorch(call, other):
    with pytest.raises(ag.DtypeError, match=r"operands must have the same dtype \(as in PyTorch\), got float32, "):
        call(ag.ones(2, 3), ag.ones(3, 2, dtype=other))


def test_outer_promotes_as_pytorch():
    assert ag.outer(ag.arange(3), ag.ones(2)).dtype == np.float32


# -- inv, det, solve, cdist ---------------------------------------------------------------------
def well_conditioned(shape: tuple) -> st.SearchStrategy:
    """Square matrices (batch..., n, n) near 2 * identity, so inverses and solves are tame."""
    return float_arrays(shape, low=-0.5, high=0.5).map(lambda a: a + 2 * np.eye(shape[-1]))


BATCHED_SQUARE = st.tuples(st.lists(st.integers(1, 2), max_size=2), st.integers(1, 3)).map(
    lambda p: (*p[0], p[1], p[1])
)


@settings(max_examples=10)
@given(shape=BATCHED_SQUARE, data=st.data())
def test_inv_det_and_their_second_derivatives(shape, data):
    a = data.draw(well_conditioned(shape))
    check_op(ag.inv, [a], torch_function("linalg.inv"))
    check_op(lambda x: x.inverse(), [a], lambda x: x.inverse())
    check_op(ag.det, [a], torch_function("det"))
    check_op(ag.linalg.det, [a], torch_function("linalg.det"))


@settings(max_examples=10)
@given(shape=BATCHED_SQUARE, k=st.integers(1, 3), vector=st.booleans(), data=st.data())
def test_solve_for_matrices_and_vectors(shape, k, vector, data):
    a = data.draw(well_conditioned(shape))
    b = data.draw(float_arrays(shape[:-1] if vector else shape[:-1] + (k,)))
    check_op(ag.linalg.solve, [a, b], torch_function("linalg.solve"))
    if not vector:
        right = data.draw(float_arrays(shape[:-2] + (k, shape[-1])))
        check_op(lambda x, y: ag.linalg.solve(x, y, left=False), [a, right],
                 lambda x, y: torch.linalg.solve(x, y, left=False))


@settings(max_examples=10)
@given(p=st.sampled_from([1.0, 2.0, 3.0]), data=st.data())
def test_cdist(p, data):
    x1, x2 = data.draw(float_arrays((2, 3, 2))), data.draw(float_arrays((2, 4, 2)))
    check_op(lambda a, b: ag.cdist(a, b, p), [x1, x2], lambda a, b: torch.cdist(a, b, p), gradgrad=False)


def test_singular_and_misshapen_matrices_are_named():
    with pytest.raises(ValueError, match=r"inv: a matrix of shape \(2, 2\) is singular"):
        ag.inv(ag.zeros(2, 2))
    with pytest.raises(ag.ShapeError, match=r"det: needs square matrices \(\.\.\., n, n\), got shape \(2, 3\)"):
        ag.det(ag.zeros(2, 3))
    with pytest.raises(ag.ShapeError, match="solve: A has shape"):
        ag.solve(ag.eye(2), ag.zeros(3, 1))
    singular = ag.tensor([[1.0, 2.0], [2.0, 4.0]], requires_grad=True)
    assert ag.det(singular).item() == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(ValueError, match="det: the gradient at a singular matrix"):
        ag.det(singular).backward()
    with pytest.raises(ag.ShapeError, match="cdist: x1 and x2 need shapes"):
        ag.cdist(ag.zeros(2, 3), ag.zeros(2, 4))


@settings(max_examples=10)
@given(case=st.sampled_from([((2, 3, 4), (4, 2), 1), ((2, 3, 4), (4, 3, 2), ([1, 2], [1, 0])),
                             ((3, 4), (4,), ([1], [0])), ((2, 2), (2, 2), 0)]), data=st.data())
def test_tensordot(case, data):
    a, b = data.draw(float_arrays(case[0])), data.draw(float_arrays(case[1]))
    check_op(lambda x, y: ag.tensordot(x, y, case[2]), [a, b], lambda x, y: torch.tensordot(x, y, case[2]))


@settings(max_examples=10)
@given(shape=BATCHED_SQUARE, n=st.integers(-2, 4), data=st.data())
def test_matrix_power(shape, n, data):
    a = data.draw(well_conditioned(shape))
    check_op(lambda x: ag.matrix_power(x, n), [a], lambda x: torch.linalg.matrix_power(x, n))
    check_op(lambda x: x.matrix_power(n), [a], lambda x: x.matrix_power(n))


@settings(max_examples=10)
@given(pair=st.sampled_from([((4, 3), (4, 3)), ((3, 2), (3, 1)), ((2, 3, 5), (1, 3, 5))]), data=st.data())
def test_cross_and_pdist(pair, data):
    a, b = data.draw(float_arrays(pair[0])), data.draw(float_arrays(pair[1]))
    check_op(ag.cross, [a, b], lambda x, y: torch.cross(x, y, dim=[i for i, s in enumerate(x.shape) if s == 3][0]))
    if a.shape[-1] == 3:
        check_op(lambda x, y: ag.linalg.cross(x, y), [a, b], torch_function("linalg.cross"))
    check_op(ag.pdist, [data.draw(float_arrays((4, 2)))], torch_function("pdist"), gradgrad=False)


@settings(max_examples=10)
@given(shape=BATCHED_SQUARE, data=st.data())
def test_slogdet_and_logdet(shape, data):
    a = data.draw(well_conditioned(shape))
    check_op(lambda x: ag.linalg.slogdet(x).logabsdet, [a], lambda x: torch.linalg.slogdet(x).logabsdet)
    check_op(lambda x: x.logdet(), [a], lambda x: x.logdet())
    flipped = a.copy()
    flipped[..., 0, :] *= -1  # a negative determinant: logdet is NaN, as PyTorch
    ours = ag.slogdet(ag.tensor(flipped))
    np.testing.assert_allclose(ours.sign.numpy(), np.linalg.slogdet(flipped)[0])
    if torch is not None:
        np.testing.assert_allclose(ours.sign.numpy(), torch.slogdet(torch.tensor(flipped)).sign.numpy())
    assert np.isnan(ag.logdet(ag.tensor(flipped)).numpy()).all()


@settings(max_examples=10)
@given(array=float_arrays((3, 4)), p=st.sampled_from([1.0, 2.0]), dim=st.integers(0, 1), maxnorm=st.floats(0.5, 2.0))
def test_renorm_and_multi_dot(array, p, dim, maxnorm):
    check_op(lambda x: ag.renorm(x, p, dim, maxnorm), [array], lambda x: torch.renorm(x, p, dim, maxnorm),
             gradgrad=False)
    b = array.T.copy()
    check_op(lambda x, y, v: ag.linalg.multi_dot([v, x, y]), [array, b, array[:, 0].copy()],
             lambda x, y, v: torch.linalg.multi_dot([v, x, y]))


@settings(max_examples=10)
@given(data=st.data())
def test_addbmm_and_addr(data):
    m, b1, b2 = (data.draw(float_arrays(s)) for s in ((2, 4), (3, 2, 5), (3, 5, 4)))
    check_op(lambda x, y, z: ag.addbmm(x, y, z, beta=0.5, alpha=2), [m, b1, b2],
             lambda x, y, z: torch.addbmm(x, y, z, beta=0.5, alpha=2))
    v1, v2 = data.draw(float_arrays((2,))), data.draw(float_arrays((4,)))
    check_op(lambda x, y, z: x.addr(y, z, alpha=-1), [m, v1, v2], lambda x, y, z: x.addr(y, z, alpha=-1))
