"""`make test` ends with one line saying whether the PyTorch oracle ran (tests/conftest.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HIDE_TORCH = """
import importlib.abc, sys
class HideTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError("No module named 'torch' (hidden by the test)")
sys.meta_path.insert(0, HideTorch())
"""


def run_pytest(tmp_path, hide_torch: bool) -> list:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(tmp_path), str(REPO), os.environ.get("PYTHONPATH", "")]))
    if hide_torch:
        (tmp_path / "sitecustomize.py").write_text(HIDE_TORCH)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
               "-k", "matmul or sigmoid or pairs_rows",  # a few oracle tests, one without
               "tests/test_ops_torch.py", "tests/test_data.py"]
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=300)
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return lines


def test_without_torch_the_last_line_says_the_oracle_was_skipped_and_how_to_get_it(tmp_path):
    last = run_pytest(tmp_path, hide_torch=True)[-1]
    assert last.startswith("PyTorch oracle: SKIPPED (1 test files need torch, which is not")
    assert "make torch" in last and 'pip install "torch==2.13.0+cpu"' in last


def test_with_torch_the_last_line_counts_the_oracle_tests(tmp_path):
    pytest.importorskip("torch")
    lines = run_pytest(tmp_path, hide_torch=False)
    last = lines[-1]
    assert last.startswith("PyTorch oracle: ran ") and "against torch 2.13" in last
    assert int(last.split()[3]) >= 2
    assert "passed" in lines[-2]  # after pytest's own summary
