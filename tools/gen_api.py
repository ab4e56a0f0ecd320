"""Write docs/api.md: the API reference, generated from the docstrings with ``inspect``.

    python tools/gen_api.py [docs/api.md]      # ``make docs`` runs this

One section per public module (the names it exports, in ``__all__`` order or
alphabetically), one entry per class or function: its signature and its
docstring. A class also lists its public methods and properties. The output
depends only on the source, so ``tests/test_docs.py`` can check that the
committed page is up to date.
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from pathlib import Path

MODULES = [  # (module, what the section is about)
    ("tinygrad_edu", "tensors, creation functions, math functions, dtypes, seeding, save/load"),
    ("tinygrad_edu.autograd", "gradients, grad modes, gradient checks"),
    ("tinygrad_edu.nn", "modules, layers, losses"),
    ("tinygrad_edu.nn.functional", "the layers and losses as functions"),
    ("tinygrad_edu.nn.init", "parameter initialisation"),
    ("tinygrad_edu.nn.utils", "gradient clipping"),
    ("tinygrad_edu.optim", "optimizers"),
    ("tinygrad_edu.optim.lr_scheduler", "learning-rate schedules"),
    ("tinygrad_edu.utils.data", "data sets and loaders"),
    ("tinygrad_edu.datasets", "the seed documents' data sets"),
    ("tinygrad_edu.viz", "graph drawings and training plots"),
    ("tinygrad_edu.testing", "gradient checks and test helpers"),
]


def public_names(module: types.ModuleType) -> list[str]:
    """``__all__`` if the module has one, else its public classes and functions, sorted."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [name for name, value in vars(module).items()
                 if not name.startswith("_") and (inspect.isclass(value)
                                                  or inspect.isfunction(value))]
    return sorted(names, key=str.lower)


def signature(obj: object) -> str:
    try:
        return str(inspect.signature(obj))
    except (TypeError, ValueError):
        return "(...)"


def docstring(obj: object) -> str:
    return inspect.cleandoc(obj.__doc__) if obj.__doc__ else "*(no docstring)*"


def indented_doc(obj: object) -> str:
    """The docstring as a Markdown block: prose kept, code-like lines left as they are."""
    return docstring(obj) + "\n"


def class_members(cls: type) -> list[str]:
    """Public methods and properties defined on ``cls`` itself (not inherited), in order."""
    lines = []
    for name, member in vars(cls).items():
        if name.startswith("_") and name not in ("__call__", "__init__"):
            continue
        if name == "__init__":
            continue  # the class signature already shows it
        if isinstance(member, property):
            first = docstring(member).splitlines()[0] if member.__doc__ else ""
            lines.append(f"- `{name}` (property){': ' + first if first else ''}")
        elif inspect.isfunction(member) or isinstance(member, (staticmethod, classmethod)):
            function = member.__func__ if isinstance(member, (staticmethod, classmethod)) \
                else member
            first = docstring(function).splitlines()[0] if function.__doc__ else ""
            lines.append(f"- `{name}{signature(function)}`{': ' + first if first else ''}")
    return lines


def entry(module_name: str, name: str, obj: object) -> list[str]:
    if inspect.ismodule(obj):
        first = docstring(obj).splitlines()[0]
        return [f"### `{module_name}.{name}`", "", f"Module: {first}", ""]
    kind = "class" if inspect.isclass(obj) else "function" if callable(obj) else "value"
    if kind == "value":
        return [f"### `{module_name}.{name}`", "", f"`{obj!r}`", ""]
    lines = [f"### `{module_name}.{name}`", "", f"```python\n{kind} {name}{signature(obj)}\n```",
             "", indented_doc(obj)]
    if inspect.isclass(obj):
        members = class_members(obj)
        if members:
            lines += ["", "Methods and properties:", "", *members, ""]
    return lines


def render() -> str:
    """The whole page, as a string."""
    lines = [
        "# API reference",
        "",
        "Generated from the docstrings by `tools/gen_api.py` (`make docs`); do not edit by "
        "hand. The names follow PyTorch's, so PyTorch's documentation describes what is not "
        "spelled out here. Tutorials: [index](index.md).",
        "",
    ]
    lines += [f"- [`{name}`](#{name.replace('.', '')}) — {about}" for name, about in MODULES]
    lines.append("")
    for module_name, about in MODULES:
        module = importlib.import_module(module_name)
        lines += [f"## {module_name}", "", f"{about[0].upper()}{about[1:]}.", ""]
        undocumented = []
        for name in public_names(module):
            obj = getattr(module, name, None)
            if obj is None or isinstance(obj, (str, int, float, tuple, list, dict)):
                continue
            if inspect.isfunction(obj) and not obj.__doc__:
                undocumented.append(f"`{name}{signature(obj)}`")
                continue
            lines += entry(module_name, name, obj)
        if undocumented:
            lines += [f"### Other functions in `{module_name}`", "",
                      "These behave as their PyTorch namesakes:", "",
                      *[f"- {text}" for text in undocumented], ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else Path("docs/api.md")
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
