"""``detect_anomaly()`` (``anomaly.py``): a backward producing NaN or inf names the
forward op and the user's source line that created it."""
from __future__ import annotations

import inspect
import os

import numpy as np
import pytest

import autograd_core as ag
from tests.helpers import requires_torch, torch

THIS_FILE = os.path.basename(__file__)


def current_line() -> int:
    return inspect.currentframe().f_back.f_lineno


def test_an_inf_gradient_names_the_op_and_the_line_that_created_it():
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    with ag.detect_anomaly():
        y = x.sqrt(); line = current_line()  # noqa: E702  (the op and its line number together)
        with pytest.raises(ag.GraphError) as error:
            y.sum().backward()
    message = str(error.value)
    assert "SqrtBackward returned inf values in its gradient for input 0" in message
    assert f'{THIS_FILE}", line {line}' in message and "y = x.sqrt()" in message


def test_a_nan_gradient_is_reported_as_nan():
    x = ag.tensor([0.0, 4.0], requires_grad=True)
    with ag.detect_anomaly():
        z = x.log() * 0.0; line = current_line()  # noqa: E702
        with pytest.raises(ag.GraphError, match=rf"(?s)LogBackward returned nan values.*{THIS_FILE}\", line {line}"):
            z.sum().backward()


def helper_that_divides(a: ag.Tensor) -> ag.Tensor:
    return 1.0 / a


def test_an_op_inside_a_helper_shows_the_helper_and_the_callers_line():
    x = ag.tensor([0.0, 2.0], requires_grad=True)
    with ag.detect_anomaly():
        y = helper_that_divides(x); line = current_line()  # noqa: E702
        with pytest.raises(ag.GraphError) as error:
            y.sum().backward()
    message = str(error.value)
    assert "DivBackward returned" in message
    assert f"line {line}, in test_an_op_inside_a_helper" in message
    assert "in helper_that_divides" in message and "return 1.0 / a" in message
    assert os.path.dirname(ag.__file__) not in message  # the engine's own frames are left out


def test_a_custom_function_with_a_bad_backward_is_named():
    class Leaky(ag.Function):
        @staticmethod
        def forward(ctx: ag.Function, a: ag.Tensor) -> np.ndarray:
            return a.array * 2

        @staticmethod
        def backward(ctx: ag.Function, grad_output: ag.Tensor) -> ag.Tensor:
            return grad_output * float("nan")

    x = ag.tensor([1.0], requires_grad=True)
    with ag.detect_anomaly():
        with pytest.raises(ag.GraphError, match=r"(?s)LeakyBackward returned nan values.*Leaky\.apply\(x\)"):
            Leaky.apply(x).sum().backward()


def test_an_op_created_before_anomaly_mode_is_still_caught_but_has_no_line():
    x = ag.tensor([0.0], requires_grad=True)
    y = x.sqrt()
    with ag.detect_anomaly():
        with pytest.raises(ag.GraphError, match=r"SqrtBackward returned inf.*\n"
                                                r".*unknown: the op was created outside detect_anomaly"):
            y.sum().backward()


def test_without_anomaly_mode_a_nan_gradient_passes_through_as_in_pytorch():
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        x.sqrt().sum().backward()
    assert np.isinf(x.grad.array[0]) and x.grad.array[1] == 0.5


def test_anomaly_mode_switches_off_after_the_block_even_on_error():
    with pytest.raises(ag.GraphError):
        with ag.detect_anomaly():
            with ag.detect_anomaly():
                pass
            x = ag.tensor([0.0], requires_grad=True)
            x.sqrt().sum().backward()
    y = ag.tensor([0.0], requires_grad=True)
    z = y.sqrt()
    assert z.grad_fn._trace is None  # no stack recorded outside the block
    with np.errstate(divide="ignore"):
        z.sum().backward()


def test_finite_gradients_raise_nothing():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with ag.detect_anomaly():
        (x.exp() * x).sum().backward()
    np.testing.assert_allclose(x.grad.array, np.exp([1.0, 2.0]) * [2.0, 3.0], rtol=1e-6)


@requires_torch
def test_pytorch_also_raises_for_the_same_graph():
    x_ref = torch.tensor([0.0, 1.0], requires_grad=True)
    with pytest.warns(UserWarning), torch.autograd.detect_anomaly():
        y_ref = x_ref.sqrt() * 0.0
        with pytest.raises(RuntimeError, match="SqrtBackward0. returned nan values"):
            y_ref.sum().backward()
    x = ag.tensor([0.0, 1.0], requires_grad=True)
    with ag.detect_anomaly():
        y = x.sqrt() * 0.0
        with pytest.raises(RuntimeError, match="SqrtBackward returned nan values"):
            y.sum().backward()
