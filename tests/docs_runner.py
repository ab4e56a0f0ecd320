"""Run the ```python code blocks of a Markdown page, in order, in one namespace.

Blocks fenced as ```python run; any other fence (```text, ```bash) is shown
output or shell and is skipped. Line numbers in tracebacks are the page's own.
"""

from __future__ import annotations

import re
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
_PYTHON_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def python_blocks(page: Path) -> list:
    """``(first line number, code)`` of each ```python block of ``page``."""
    text = page.read_text(encoding="utf-8")
    return [(text.count("\n", 0, m.start(1)) + 1, m.group(1))
            for m in _PYTHON_BLOCK.finditer(text)]


def run_page(page: Path) -> dict:
    """Execute the page's python blocks in order; returns the namespace they shared."""
    namespace: dict = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    for first_line, code in python_blocks(page):
        padded = "\n" * (first_line - 1) + code  # so tracebacks point at the page's lines
        exec(compile(padded, str(page), "exec"), namespace)
    return namespace
