"""Scripts written the way PyTorch tutorials write them (tests/scripts/*.py), run unchanged
through ``python -m tinygrad_edu``: their output must be exactly what PyTorch prints
(``*.expected``, recorded from PyTorch; the oracle test re-records it where torch is installed).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the scripts whose whole output is recorded from PyTorch (the others, compared with
# PyTorch number by number, are run by test_tutorial_scripts.py)
SCRIPTS = sorted(p for p in (ROOT / "tests" / "scripts").glob("*.py")
                 if p.with_suffix(".expected").exists())


def run(command: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, cwd=ROOT / "tests" / "scripts", env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_script_prints_what_pytorch_prints(script):
    result = run([sys.executable, "-m", "tinygrad_edu", script.name])
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == script.with_suffix(".expected").read_text()


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_expected_output_is_pytorchs(script):
    pytest.importorskip("torch")
    result = run([sys.executable, script.name])  # plain python: real PyTorch
    assert result.returncode == 0, result.stderr
    assert result.stdout == script.with_suffix(".expected").read_text()


def test_there_are_scripts():
    assert {p.stem for p in SCRIPTS} >= {"manual_sgd_regression", "device_agnostic_training",
                                         "legacy_variable"}
