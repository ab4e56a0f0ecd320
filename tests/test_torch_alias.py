"""``python -m tinygrad_edu SCRIPT.py`` and ``install_as_torch()``: torch resolves to tinygrad_edu.

Each test runs a fresh interpreter (a subprocess): the alias changes ``sys.modules``
for good, and the PyTorch-oracle tests of this process import the real torch.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

MAPPED = ["torch", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.optim",
          "torch.optim.lr_scheduler", "torch.utils", "torch.utils.data", "torch.autograd",
          "torch.cuda", "torch.accelerator",
          "torch.backends", "torch.backends.mps", "torch.backends.cudnn"]


def run(tmp_path: Path, source: str, *args: str,
        runner: bool = True) -> subprocess.CompletedProcess:
    """Write ``source`` to script.py and run it, through the runner or as plain python."""
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(source))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "tinygrad_edu"] if runner else [sys.executable]
    return subprocess.run([*command, "script.py", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_every_mapped_submodule_is_the_tinygrad_edu_module(tmp_path):
    result = run(tmp_path, f"""
        import importlib
        import tinygrad_edu
        for name in {MAPPED!r}:
            module = importlib.import_module(name)
            target = "tinygrad_edu" + name[len("torch"):]
            assert module is importlib.import_module(target), name
            assert module.__spec__.name == target, (name, module.__spec__.name)
        import torch.nn as nn
        import torch.nn.functional as F
        from torch.utils.data import DataLoader
        from torch import optim
        assert nn.Linear is tinygrad_edu.nn.Linear and F.relu is tinygrad_edu.nn.functional.relu
        assert DataLoader is tinygrad_edu.utils.data.DataLoader
        assert optim.SGD is tinygrad_edu.optim.SGD
        print("ok")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"


def test_argv_main_name_and_exit_code(tmp_path):
    result = run(tmp_path, """
        import sys
        print(sys.argv, __name__, __file__)
        sys.exit(int(sys.argv[2]))
    """, "--epochs", "7")
    assert result.returncode == 7, result.stderr
    assert result.stdout == "['script.py', '--epochs', '7'] __main__ script.py\n"
    assert run(tmp_path, "raise SystemExit('bad arguments')").returncode == 1
    assert run(tmp_path, "print('done')").returncode == 0


def test_a_script_can_import_its_own_modules(tmp_path):
    (tmp_path / "helpers.py").write_text("ANSWER = 42\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    script = sub / "script.py"
    script.write_text("import helpers\nprint(helpers.ANSWER)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "tinygrad_edu", str(script)], cwd=sub.parent,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "No module named 'helpers'" in result.stderr
    (sub / "helpers.py").write_text("ANSWER = 42\n")
    result = subprocess.run([sys.executable, "-m", "tinygrad_edu", str(script)], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stdout == "42\n", result.stderr


def test_traceback_points_at_the_scripts_lines(tmp_path):
    result = run(tmp_path, """
        import torch

        def step(x):
            return x @ torch.ones(4, 2)

        step(torch.ones(2, 3))
    """)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1] == '  File "script.py", line 7, in <module>'  # the runner's frames left out
    assert '  File "script.py", line 5, in step' in lines
    assert lines[-1].startswith("RuntimeError: matmul: shapes (2, 3) and (4, 2) cannot be")
    assert "runpy" not in result.stderr and "__main__.py" not in result.stderr


def test_missing_names_fail_naming_them_and_are_import_errors(tmp_path):
    result = run(tmp_path, """
        import torch
        for name in ["torch.distributed", "torchvision", "torch.nn.quantized"]:
            try:
                __import__(name)
            except ImportError as error:
                print(type(error).__name__, isinstance(error, ModuleNotFoundError), error)
        try:
            torch.nn.Transformer
        except AttributeError as error:
            print(type(error).__name__, error)
        print(hasattr(torch, "no_such_function"), getattr(torch.nn, "Nope", "default"))
        from torch.nn import Bilinear
    """)
    outside = ("is outside the subset of PyTorch that tinygrad_edu covers "
               "(see docs/running-pytorch-scripts.md)")
    assert result.stdout.splitlines() == [
        f"NotCoveredModuleError True No module named 'torch.distributed': torch.distributed "
        f"{outside}",
        f"NotCoveredModuleError True No module named 'torchvision' here: torchvision builds on "
        f"real PyTorch, and it {outside}",
        f"NotCoveredModuleError True No module named 'torch.nn.quantized': torch.nn.quantized "
        f"{outside}",
        f"NotCoveredAttributeError module 'torch.nn' has no attribute 'Transformer': "
        f"torch.nn.Transformer {outside}",
        "False default",
    ]
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == f"torch.nn.Bilinear {outside}"


def test_printing_reads_as_pytorch_under_the_alias(tmp_path):
    result = run(tmp_path, """
        import torch
        x = torch.ones(2, 3, requires_grad=True)
        print(x.shape, x.dtype, torch.float64, x.mean())
    """)
    assert result.stdout == (
        "torch.Size([2, 3]) torch.float32 torch.float64 tensor(1., grad_fn=<MeanBackward0>)\n"
    ), result.stderr
    plain = run(tmp_path, """
        import tinygrad_edu as torch
        print(torch.ones(2, 3).shape, torch.float32)
    """, runner=False)
    assert plain.stdout == "tinygrad_edu.Size([2, 3]) tinygrad_edu.float32\n", plain.stderr


def test_install_as_torch_inside_a_running_interpreter(tmp_path):
    result = run(tmp_path, """
        import sys
        import tinygrad_edu
        assert "torch" not in sys.modules
        tinygrad_edu.install_as_torch()
        tinygrad_edu.install_as_torch()  # a second call changes nothing
        import torch
        import torch.optim as optim
        print(torch is tinygrad_edu, optim is tinygrad_edu.optim,
              sum(type(f).__name__ == "_TorchFinder" for f in sys.meta_path))
    """, runner=False)
    assert result.stdout == "True True 1\n", result.stderr


def test_real_torch_already_imported_is_refused(tmp_path):
    pytest.importorskip("torch")
    result = run(tmp_path, """
        import torch
        import tinygrad_edu
        try:
            tinygrad_edu.install_as_torch()
        except RuntimeError as error:
            print(error)
        print(torch.__name__, type(torch.ones(1)).__module__)
    """, runner=False)
    first, second = result.stdout.splitlines()
    assert first.startswith("real PyTorch is already imported in this interpreter")
    assert "Restart the interpreter (or the notebook kernel)" in first
    assert second == "torch torch"  # nothing was changed


def test_runner_usage_and_missing_script(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    bare = subprocess.run([sys.executable, "-m", "tinygrad_edu"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert bare.returncode == 2 and bare.stderr.startswith("usage: python -m tinygrad_edu")
    missing = subprocess.run([sys.executable, "-m", "tinygrad_edu", "nope.py"], cwd=tmp_path,
                             env=env, capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2
    assert missing.stderr == "python -m tinygrad_edu: can't open file 'nope.py': no such file\n"


def test_an_uncaught_missing_name_points_at_the_script_only(tmp_path):
    result = run(tmp_path, """
        import torch
        layer = torch.nn.Transformer()
    """)
    assert result.returncode == 1
    assert result.stderr.splitlines()[:3] == [
        "Traceback (most recent call last):",
        '  File "script.py", line 3, in <module>',
        "    layer = torch.nn.Transformer()",
    ]
    assert "torch_alias.py" not in result.stderr
    assert "torch.nn.Transformer is outside the subset" in result.stderr.splitlines()[-1]
    result = run(tmp_path, "import torch.utils.tensorboard\n")
    assert result.stderr.splitlines() == [
        "Traceback (most recent call last):",
        '  File "script.py", line 1, in <module>',
        "    import torch.utils.tensorboard",
        "tinygrad_edu.torch_alias.NotCoveredModuleError: No module named "
        "'torch.utils.tensorboard': torch.utils.tensorboard is outside the subset of PyTorch "
        "that tinygrad_edu covers (see docs/running-pytorch-scripts.md)",
    ]
