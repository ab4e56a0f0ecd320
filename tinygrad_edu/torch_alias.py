"""``import torch`` that gives tinygrad_edu: how a PyTorch script runs here unchanged.

Python asks each *finder* on ``sys.meta_path`` in turn where a module comes
from. ``install_as_torch()`` puts one finder first that answers for ``torch``
and every ``torch.X.Y``: it imports ``tinygrad_edu.X.Y`` and hands over that
very module object, so ``import torch.nn as nn`` gives ``tinygrad_edu.nn``
(``torch.nn is tinygrad_edu.nn``). Nothing is copied or wrapped.

What tinygrad_edu does not have fails with an error that says so:

- a submodule (``import torch.distributed``): ``NotCoveredModuleError``, a
  ``ModuleNotFoundError``, so ``try: import X / except ImportError`` still works;
- a name (``torch.nn.Transformer``): ``NotCoveredAttributeError``, an
  ``AttributeError``, so ``hasattr`` and ``getattr(m, name, default)`` still work;
- libraries built on real PyTorch (``torchvision`` ...): ``NotCoveredModuleError``.

If real PyTorch is already imported, the alias refuses: mixing the two would
give tensors of two libraries in one program.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any

ALIAS = "torch"
TARGET = "tinygrad_edu"

# Libraries built on real PyTorch: under the alias they would find tinygrad_edu instead.
TORCH_LIBRARIES = ("torchvision", "torchaudio", "torchtext", "torchdata", "torchmetrics",
                   "functorch", "torchsummary", "torchinfo", "lightning", "pytorch_lightning")

OUTSIDE = ("is outside the subset of PyTorch that tinygrad_edu covers "
            "(see docs/running-pytorch-scripts.md)")


_ORIGINAL_SPECS: dict = {}  # tinygrad_edu module name -> its own spec


class NotCoveredModuleError(ModuleNotFoundError):
    """A ``torch`` submodule (or a library built on PyTorch) that tinygrad_edu lacks."""


class NotCoveredAttributeError(AttributeError):
    """A ``torch`` name that tinygrad_edu lacks."""


class _TorchFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch`` and ``torch.X.Y`` as ``tinygrad_edu`` and ``tinygrad_edu.X.Y``."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        top = fullname.partition(".")[0]
        if top in TORCH_LIBRARIES:
            raise NotCoveredModuleError(
                f"No module named '{fullname}' here: {top} builds on real PyTorch, and it "
                f"{OUTSIDE}", name=fullname)
        if top != ALIAS:
            return None  # not ours: the next finder on sys.meta_path looks
        module = _import_target(fullname)
        spec = importlib.machinery.ModuleSpec(fullname, self,
                                              is_package=hasattr(module, "__path__"))
        spec.loader_state = module
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return spec.loader_state  # the tinygrad_edu module itself, already imported

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run (the module ran when tinygrad_edu imported it). The import system
        has just stamped our spec on it: give it back its own, so it still says what it is."""
        module.__spec__ = _ORIGINAL_SPECS.get(module.__name__, module.__spec__)


def _import_target(alias_name: str) -> ModuleType:
    """``tinygrad_edu.X.Y`` for ``torch.X.Y``, or the error that says it is not covered."""
    target = TARGET + alias_name[len(ALIAS):]
    try:
        module = importlib.import_module(target)
    except ModuleNotFoundError as error:
        if error.name is None or not (target == error.name or target.startswith(error.name + ".")):
            raise  # something tinygrad_edu itself imports is missing: show that error
        raise NotCoveredModuleError(f"No module named '{alias_name}': {alias_name} {OUTSIDE}",
                                    name=alias_name) from None
    _ORIGINAL_SPECS.setdefault(target, module.__spec__)
    _report_missing_names(module, alias_name)
    return module


def _report_missing_names(module: ModuleType, alias_name: str) -> None:
    """Give the module a ``__getattr__`` (PEP 562) that names what is missing.

    Python calls a module's ``__getattr__`` only for names the module does not
    have, so nothing that exists is affected.
    """
    if "__getattr__" in vars(module):
        return

    def __getattr__(name: str) -> Any:  # noqa: N807 - the name Python looks for
        if name.startswith("__"):
            raise AttributeError(f"module '{alias_name}' has no attribute '{name}'")
        raise NotCoveredAttributeError(
            f"module '{alias_name}' has no attribute '{name}': {alias_name}.{name} {OUTSIDE}",
            name=name, obj=module)

    module.__getattr__ = __getattr__


_FINDER = _TorchFinder()


def is_installed() -> bool:
    """True once ``install_as_torch()`` has run in this interpreter."""
    return _FINDER in sys.meta_path


def install_as_torch() -> None:
    """Make ``import torch`` (and ``torch.nn``, ``torch.optim`` ...) give tinygrad_edu.

    For a running interpreter or a Jupyter notebook: after this call, ``import
    torch`` in the next line or cell gives tinygrad_edu, and what scripts print
    reads as PyTorch prints it (``torch.float32``, ``torch.Size([2, 3])``).
    ``python -m tinygrad_edu script.py`` calls it before running the script.
    Calling it twice does nothing more. Raises RuntimeError if real PyTorch is
    already imported (restart the interpreter or kernel first).
    """
    existing = sys.modules.get(ALIAS)
    if existing is not None and existing is not sys.modules.get(TARGET):
        raise RuntimeError(
            "real PyTorch is already imported in this interpreter (sys.modules['torch'] is "
            f"{existing.__name__} from {getattr(existing, '__file__', '?')}); tinygrad_edu cannot "
            "stand in for it now without mixing the two libraries. Restart the interpreter (or "
            "the notebook kernel) and call install_as_torch() before anything imports torch."
        )
    if is_installed():
        return
    for name in list(sys.modules):  # torch-based libraries imported before would mix too
        if name.partition(".")[0] in TORCH_LIBRARIES:
            raise RuntimeError(
                f"{name} is already imported and built on real PyTorch; restart the "
                f"interpreter and call install_as_torch() first")
    from tinygrad_edu import dtypes

    dtypes.DISPLAY_PREFIX = ALIAS  # torch.float32, torch.Size([2, 3])
    for name, module in list(sys.modules.items()):  # torch.nn.X is reached as an attribute too
        if module is not None and (name == TARGET or name.startswith(TARGET + ".")):
            _report_missing_names(module, ALIAS + name[len(TARGET):])
    sys.meta_path.insert(0, _FINDER)
