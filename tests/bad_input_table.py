"""The row of the bad-input tables (tests/test_bad_inputs*.py) and its two checks.

A row is one bad call, written once for both libraries: ``call(L)`` is given
``tinygrad_edu`` or ``torch``. It names the exception type we raise and a pattern
our message must match (the pattern names what was wrong, and usually what was
expected). The oracle check runs the same call in PyTorch and requires that our
type is PyTorch's, or a subclass of it, so an ``except`` clause written for PyTorch
catches ours. A row whose ``torch`` is a string is not compared: the string says why
(PyTorch accepts the call, or raises an accidental type such as AssertionError).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import pytest

import tinygrad_edu as tg


class Row(NamedTuple):
    call: Callable[[Any], Any]
    error: type
    message: str
    torch: bool | str = True  # True: compared with PyTorch; a str: why it is not


def check_ours(row: Row) -> None:
    with pytest.raises(row.error, match=row.message):
        row.call(tg)


def check_pytorchs(row: Row, torch: Any) -> None:
    with pytest.raises(Exception) as raised:  # noqa: PT011 - any type: compared below
        row.call(torch)
    assert issubclass(row.error, raised.type), (
        f"PyTorch raises {raised.type.__name__}, we raise {row.error.__name__}"
    )


def compared(rows: dict) -> list:
    """The names of the rows that are compared with PyTorch."""
    return [name for name, row in rows.items() if row.torch is True]
