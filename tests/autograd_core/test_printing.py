"""``set_printoptions`` (``printing.py``): precision, sci_mode, threshold/edgeitems and the
profiles change how tensors print, and nothing else."""
from __future__ import annotations

import pytest

import autograd_core as ag


@pytest.fixture(autouse=True)
def default_options():
    yield
    ag.set_printoptions(profile="default")
    ag.printing._options.pop("threshold", None), ag.printing._options.pop("edgeitems", None)
    ag.printing._options.pop("linewidth", None)


def test_precision_and_sci_mode():
    x = ag.tensor([1.23456, 300.0])
    ag.set_printoptions(precision=2)
    assert repr(x) == "tensor([  1.23, 300.  ])"
    ag.set_printoptions(precision=1, sci_mode=True)
    assert repr(x) == "tensor([1.2e+00, 3.0e+02])"
    ag.set_printoptions(precision=3, sci_mode=False)
    assert repr(ag.tensor([1e-5, 2.0])) == "tensor([0.000, 2.000])"
    assert x.tolist() == pytest.approx([1.23456, 300.0])  # the values are untouched


def test_threshold_edgeitems_and_profiles():
    ag.set_printoptions(threshold=5, edgeitems=1)
    assert repr(ag.arange(10)) == "tensor([0, ..., 9])"
    ag.set_printoptions(profile="full")
    assert "..." not in repr(ag.arange(2000))
    with pytest.raises(ValueError, match="set_printoptions: profile must be one of default, short, full"):
        ag.set_printoptions(profile="long")
    with pytest.raises(ValueError, match="set_printoptions: precision must be a number >= 0"):
        ag.set_printoptions(precision=-1)
