"""Every ```python block of README.md runs as written: in order, in one namespace, in an
empty folder (the files the snippets write land there). The README is what a newcomer
copies first, so it must not say things that are not so."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def python_blocks() -> list[str]:
    return PYTHON_BLOCK.findall(README.read_text(encoding="utf-8"))


def test_the_readme_has_python_blocks():
    assert len(python_blocks()) >= 3


def test_every_python_block_runs_in_order_in_one_namespace(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")  # snippets that plot write files; no window
    namespace: dict = {"__name__": "__readme__"}
    for number, block in enumerate(python_blocks(), start=1):
        code = compile(block, f"README.md python block {number}", "exec")
        exec(code, namespace)  # a failing block raises with its number in the traceback


def test_the_readme_speaks_to_users():
    text = README.read_text(encoding="utf-8").lower()
    for internal in ("the issue", "issue's"):
        assert internal not in text, f"README.md says {internal!r}: write for the people who use the project"
