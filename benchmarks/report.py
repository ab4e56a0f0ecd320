"""Printing the results table and saving it as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict

from benchmarks.cases import Row

HEADER = ("case", "what", "unit", "numpy", "tg", "tg/numpy", "torch", "torch/numpy", "target",
          "measured", "status")


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _ratio(value: float | None, reference: float | None) -> str:
    if value is None or not reference:
        return "—"
    return f"{value / reference:.2f}×"


def _status(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "—"}[met]


def format_table(rows: list[Row]) -> str:
    """The rows as an aligned plain-text table."""
    lines = [HEADER]
    for row in rows:
        reference = row.numpy if row.ratios else None
        lines.append((row.case, row.name, row.unit, _number(row.numpy), _number(row.tg),
                      _ratio(row.tg, reference), _number(row.torch),
                      _ratio(row.torch, reference), row.target, row.measured, _status(row.met)))
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADER))]
    right = {3, 4, 5, 6, 7}  # numbers align right
    text = []
    for n, line in enumerate(lines):
        cells = [cell.rjust(w) if i in right else cell.ljust(w)
                 for i, (cell, w) in enumerate(zip(line, widths))]
        text.append(" | ".join(cells).rstrip())
        if n == 0:
            text.append("-+-".join("-" * w for w in widths))
    return "\n".join(text)


def save_json(path: str, rows: list[Row], environment: dict) -> None:
    with open(path, "w") as file:
        json.dump({"environment": environment, "rows": [asdict(row) for row in rows]}, file,
                  indent=2, default=float)
