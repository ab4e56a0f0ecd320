"""Tutorial-style PyTorch scripts (tests/scripts/) run unchanged with torch mapped to tinygrad_edu.

Each script runs in a subprocess: through ``python -m tinygrad_edu`` where that
runner exists, otherwise through a bootstrap that puts tinygrad_edu (and its
submodules) in ``sys.modules`` as ``torch``. The printed output is checked, and,
with PyTorch installed, compared number by number with real PyTorch's.
"""

import contextlib
import importlib.util
import io
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = Path(__file__).resolve().parent / "scripts"

BOOTSTRAP = """
import importlib, runpy, sys
import tinygrad_edu
sys.modules["torch"] = tinygrad_edu
for name in ["nn", "nn.functional", "nn.init", "nn.utils", "optim", "optim.lr_scheduler",
             "utils", "utils.data"]:
    sys.modules["torch." + name] = importlib.import_module("tinygrad_edu." + name)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
assert sys.modules["torch"] is tinygrad_edu and "torch._C" not in sys.modules
"""


def has_runner():
    return (ROOT / "tinygrad_edu" / "__main__.py").exists()


@pytest.fixture
def run_as_torch():
    """Run a script of tests/scripts with torch = tinygrad_edu; its stdout."""

    def run(name):
        script = str(SCRIPTS / name)
        if has_runner():
            command = [sys.executable, "-m", "tinygrad_edu", script]
        else:
            command = [sys.executable, "-c", BOOTSTRAP, script]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120,
                              cwd=str(SCRIPTS))
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


@pytest.fixture(scope="module")
def torch_outputs():
    """Every script's output under real PyTorch, run in this process: torch is imported
    here anyway by the other oracle tests, and a fresh import costs seconds."""
    if importlib.util.find_spec("torch") is None:
        return None
    outputs = {}
    for name in ["makemore_mlp.py", "checkpoint_roundtrip.py", "dataloader_workers.py"]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            runpy.run_path(str(SCRIPTS / name), run_name="__main__")
        outputs[name] = out.getvalue()
    return outputs


NUMBER = re.compile(r"-?\d+\.\d+(?:e-?\d+)?|-?\d+")


def assert_same_output(ours, theirs, rtol):
    """The same lines, with every number equal to ``rtol``."""
    our_lines, their_lines = ours.splitlines(), theirs.splitlines()
    assert len(our_lines) == len(their_lines), (ours, theirs)
    for a, b in zip(our_lines, their_lines):
        assert NUMBER.sub("#", a) == NUMBER.sub("#", b), (a, b)
        for x, y in zip(NUMBER.findall(a), NUMBER.findall(b)):
            assert float(x) == pytest.approx(float(y), rel=rtol, abs=1e-5), (a, b)


def test_makemore_style_character_mlp(run_as_torch, torch_outputs):
    out = run_as_torch("makemore_mlp.py")
    lines = out.splitlines()
    assert lines[0] == "40 words, vocab 14, 214 examples, X (214, 3)"
    assert lines[1] == "parameters: 1458"
    assert lines[2] == ("state_dict keys: ['emb.weight', 'fc1.weight', 'bn.weight', 'bn.bias', "
                        "'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked', "
                        "'fc2.weight', 'fc2.bias']")
    losses = [float(line.split()[3]) for line in lines if line.startswith("step")]
    assert losses[0] == pytest.approx(3.23385, abs=1e-4)
    assert losses[-1] == pytest.approx(1.16949, abs=1e-3)
    assert lines[-1].startswith("greedy samples: ")
    if torch_outputs is not None:
        assert_same_output(out, torch_outputs["makemore_mlp.py"], rtol=1e-3)


def test_checkpoint_round_trip_with_optimizer_state(run_as_torch, torch_outputs):
    out = run_as_torch("checkpoint_roundtrip.py")
    assert "epoch: 5 note: halfway history: (1, 2.5)" in out
    assert "optimizer state keys: [0, 1, 2, 3, 4, 5]" in out
    assert "betas: (0.9, 0.99)" in out
    assert out.splitlines()[-1] == "same as uninterrupted: True"
    if torch_outputs is not None:
        assert_same_output(out, torch_outputs["checkpoint_roundtrip.py"], rtol=1e-4)


def test_dataloader_with_workers(run_as_torch, torch_outputs):
    out = run_as_torch("dataloader_workers.py")
    lines = out.splitlines()
    assert lines[:2] == ["batches: 7", "same batches: True"]
    assert lines[-1] == "done"
    assert len([line for line in lines if line.startswith("epoch")]) == 4
    if torch_outputs is not None:
        assert_same_output(out, torch_outputs["dataloader_workers.py"], rtol=1e-4)
