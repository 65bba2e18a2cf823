"""PyTorch-style programs (``programs/``), each written once against the torch API, run twice:
under PyTorch and under autograd-core through the import mapping alone (``runner.rewrite``).
What they print must agree: the same text, and the same numbers to float32 training tolerance.

A program that needs an API this project does not have yet is an expected failure naming
that API (strict: once the API lands, the test must pass and the mark must go).
"""
from __future__ import annotations

import re

import numpy as np
import pytest

import autograd_core as ag
from tests.compat.runner import PROGRAMS, numbers, rewrite, run
from tests.helpers import torch

# the APIs a program uses that may still be missing here, as "module.name" or "Tensor.method"
NEEDS = {
    "char_rnn_classification": ["Tensor.topk"],
    "word_language_model": ["Tensor.narrow", "Tensor.t", "Tensor.new_zeros"],
    "small_gpt": ["autograd_core.tril", "Tensor.masked_fill", "autograd_core.topk"],
    "save_load_resume": ["autograd_core.save", "autograd_core.load"],
}
TOLERANCES = {}  # program -> (rtol, atol) where the default is too tight
RTOL, ATOL = 1e-4, 1e-5
ALL = sorted(path.stem for path in PROGRAMS.glob("*.py") if path.stem != "fixed")


def _missing(program: str) -> list[str]:
    missing = []
    for need in NEEDS.get(program, []):
        owner, name = need.split(".")
        if not hasattr(ag.Tensor if owner == "Tensor" else ag, name):
            missing.append(need)
    return missing


def _marks(program: str) -> list:
    missing = _missing(program)
    if not missing:
        return []
    return [pytest.mark.xfail(strict=True, reason=f"needs {', '.join(missing)}, not in autograd-core yet")]


def _skeleton(text: str) -> str:
    """The printed text with numbers blanked and PyTorch's dtype prefix dropped (torch.int64 -> int64)."""
    return re.sub(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?", "#", text.replace("torch.", ""))


@pytest.mark.skipif(torch is None, reason="PyTorch is not installed: nothing to compare with")
@pytest.mark.parametrize("program", [pytest.param(name, marks=_marks(name)) for name in ALL])
def test_program_prints_what_it_prints_under_pytorch(program):
    theirs = run(program, "torch")
    ours = run(program, "ours")
    assert theirs.strip(), f"{program} printed nothing under PyTorch"
    assert _skeleton(ours) == _skeleton(theirs), f"the printed text differs:\n--- ours\n{ours}\n--- PyTorch\n{theirs}"
    rtol, atol = TOLERANCES.get(program, (RTOL, ATOL))
    ours_numbers, theirs_numbers = np.array(numbers(ours)), np.array(numbers(theirs))
    close = np.isclose(ours_numbers, theirs_numbers, rtol=rtol, atol=atol, equal_nan=True)
    assert close.all(), f"numbers differ at {np.flatnonzero(~close)[:10]}:\n--- ours\n{ours}\n--- PyTorch\n{theirs}"


def test_there_are_at_least_ten_programs():
    assert len(ALL) >= 10, ALL


def test_every_needed_api_is_named_the_way_the_check_reads_it():
    for program, needs in NEEDS.items():
        assert program in ALL, program
        for need in needs:
            assert need.split(".")[0] in ("Tensor", "autograd_core"), need


def test_rewrite_applies_exactly_the_five_mappings_to_code_only():
    source = (
        "import torch\n"
        "import torch.nn as nn\n"
        "import torch.nn.functional as F\n"
        "import torch.optim as optim\n"
        "from torch.utils.data import DataLoader\n"
        "from torch import nn, optim as opt, zeros\n"
        "x = torch.nn.functional.relu(torch.zeros(2))  # torch.nn in a comment\n"
        "s = 'torch.nn in a string'\n"
        "class Net(torch.nn.Module): pass\n"
        "y = other.torch.nn\n"
        "opt = torch.optim.SGD\n"
    )
    assert rewrite(source) == (
        "import autograd_core\n"
        "import nn as nn\n"
        "import nn.functional as F\n"
        "import nn.optim as optim\n"
        "from nn.data import DataLoader\n"
        "from autograd_core import zeros; import nn as nn; import nn.optim as opt\n"
        "x = nn.functional.relu(autograd_core.zeros(2))  # torch.nn in a comment\n"
        "s = 'torch.nn in a string'\n"
        "class Net(nn.Module): pass\n"
        "y = other.torch.nn\n"
        "opt = nn.optim.SGD\n"
    )
