"""``einsum``: sums of products named by subscripts (``'bij,bjk->bik'``), as ``torch.einsum``.

The equation is first rewritten with explicit letters (``...`` becomes letters of its
own, the implicit output is spelled out) and size-1 dims are expanded, so the Function
sees one plain equation. The gradient of operand k is itself an einsum: the output's
gradient times every other operand, written to operand k's subscripts. A letter that
only operand k has gets a ones vector; a repeated letter (``'ii'``, a diagonal) gets an
identity matrix that puts the gradient back on the diagonal.
"""
from __future__ import annotations

import string
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..tensor import Tensor
from .linalg import check_same_dtype


class Einsum(Function):
    @staticmethod
    def forward(ctx: Function, *operands_and_equation: Any) -> np.ndarray:
        *operands, (inputs, output) = operands_and_equation
        ctx.inputs, ctx.output_letters = inputs, output
        ctx.save_for_backward(*operands)
        arrays = [operand.array for operand in operands]
        out = np.einsum(",".join(inputs) + "->" + output, *arrays, optimize=len(arrays) > 2)
        return out.copy() if any(np.may_share_memory(out, array) for array in arrays) else out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        operands = ctx.saved_tensors
        grads = []
        for position, need in enumerate(ctx.needs_input_grad[:-1]):
            grads.append(_operand_gradient(ctx, operands, position, grad_output) if need else None)
        return (*grads, None)


def _operand_gradient(ctx: Function, operands: tuple, position: int, grad_output: Tensor) -> Tensor:
    """``d out / d operands[position]`` contracted with ``grad_output``, as one more einsum."""
    target = ctx.inputs[position]
    others = [letters for index, letters in enumerate(ctx.inputs) if index != position]
    terms = [ctx.output_letters] + others
    factors = [grad_output] + [operand for index, operand in enumerate(operands) if index != position]
    used = set("".join(ctx.inputs) + ctx.output_letters)
    spare = iter(letter for letter in string.ascii_letters if letter not in used)
    sizes = dict(zip(target, operands[position].shape))
    written, seen = "", set()
    for letter in target:
        constant = None
        if letter in seen:  # a diagonal: the gradient goes where both letters agree
            fresh = next(spare)
            constant, term = np.eye(sizes[letter], dtype=grad_output.dtype), letter + fresh
            letter = fresh
        elif not any(letter in other for other in terms):  # summed only in this operand: broadcast back
            constant, term = np.ones(sizes[letter], dtype=grad_output.dtype), letter
        if constant is not None:
            terms.append(term)
            factors.append(Tensor._make(constant, False, None))
        seen.add(letter)
        written += letter
    return Einsum.apply(*factors, (tuple(terms), written))


def _parse(equation: str, operands: tuple) -> tuple[tuple[str, ...], str]:
    """The equation with explicit letters: ``...`` replaced, the output written out."""
    equation = equation.replace(" ", "")
    left, arrow, right = equation.partition("->")
    terms = left.split(",")
    if len(terms) != len(operands):
        raise ShapeError(f"einsum: {equation!r} names {len(terms)} operand(s) but {len(operands)} were given")
    letters = set(equation) - {",", "-", ">", "."}
    bad = [c for c in letters if c not in string.ascii_letters]
    if bad:
        raise ShapeError(f"einsum: subscripts must be letters (and '...'), got {sorted(bad)} in {equation!r}")
    spare = [letter for letter in string.ascii_letters if letter not in letters]
    ellipsis_dims = 0
    for term, operand in zip(terms, operands):
        named = len(term.replace("...", ""))
        if "..." in term:
            ellipsis_dims = max(ellipsis_dims, operand.ndim - named)
        if operand.ndim < named or ("..." not in term and operand.ndim != named) or term.count(".") not in (0, 3):
            raise ShapeError(
                f"einsum: subscripts {term!r} do not fit an operand of shape {operand.shape} "
                f"({operand.ndim} dims) in {equation!r}"
            )
    broadcast = "".join(spare[:ellipsis_dims])
    inputs = tuple(
        term.replace("...", broadcast[ellipsis_dims - (operand.ndim - len(term) + 3) :]) if "..." in term else term
        for term, operand in zip(terms, operands)
    )
    if arrow:
        output = right.replace("...", broadcast)
    else:  # implicit: the broadcast dims, then the letters used once, in alphabetical order
        counts = "".join(inputs)
        output = broadcast + "".join(sorted(c for c in set(counts) if counts.count(c) == 1 and c not in broadcast))
    unknown = [c for c in output if c not in "".join(inputs)]
    if unknown or len(set(output)) != len(output):
        raise ShapeError(f"einsum: the output {right!r} repeats a letter or names one no input has, in {equation!r}")
    return inputs, output


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sum of products over the subscripts of ``equation`` (``'ij,jk->ik'`` is a matrix product;
    ``'ii'`` a trace; ``'...ij->...ji'`` a batched transpose). Operands may also come as one list."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    operands = tuple(operand if isinstance(operand, Tensor) else Tensor(operand) for operand in operands)
    inputs, output = _parse(equation, operands)
    check_same_dtype("einsum", *operands)
    sizes: dict[str, int] = {}
    for term, operand in zip(inputs, operands):
        for letter, size in zip(term, operand.shape):
            if sizes.get(letter, 1) not in (1, size) and size != 1:
                raise ShapeError(
                    f"einsum: subscript {letter!r} has size {sizes[letter]} in one operand and {size} in another "
                    f"(shapes {[o.shape for o in operands]}) in {equation!r}"
                )
            sizes[letter] = max(sizes.get(letter, 1), size)
    expanded = []
    for term, operand in zip(inputs, operands):  # size-1 dims broadcast, as in PyTorch
        shape = tuple(sizes[letter] for letter in term)
        if len(set(term)) == len(term) and shape != operand.shape:
            operand = operand.expand(*shape)
        expanded.append(operand)
    return Einsum.apply(*expanded, (inputs, output))
