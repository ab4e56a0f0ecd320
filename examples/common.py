"""What every example shares: its command line, the epoch progress bar, figures and the verdict.

Each example runs as ``python examples/NAME.py [--epochs N] [--seed S] [--out DIR] [--quick]``,
writes PNG figures into ``--out``, prints one ``outcome:`` line per claim of the
seed document it reproduces, and exits with status 1 when a claim is not reached.
The ``outcome:`` lines have a fixed form, so tests can read them::

    outcome: xor_2layer accuracy=1 (claim: >= 1) ok
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MISSING_EXTRA = (
    "This example needs {module}, which is not installed: it comes with the plots extra.\n"
    "    make demo, then run it with .venv/bin/python examples/NAME.py\n"
    '    or, in your own environment: pip install -e ".[plots]"   (from the clone)\n'
    '                                 pip install "tinygrad_edu[plots]"'
)

try:
    import matplotlib
    from tqdm import tqdm
except ModuleNotFoundError as missing:  # a plain `pip install`: say what to add, no traceback
    sys.exit(MISSING_EXTRA.format(module=missing.name))

matplotlib.use("Agg")  # files only, no window: works on servers and in CI

import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend
from cycler import cycler  # noqa: E402 - comes with matplotlib

from tinygrad_edu.viz.plots import OKABE_ITO  # noqa: E402

# One look for every example: the colour-blind-safe Okabe-Ito colours in turn
# (C0 blue, C1 orange, C2 green, ...), a colour-blind-safe colour map, and a
# layout that keeps labels, colour bars and ticks from overlapping.
plt.rcParams.update({
    "axes.prop_cycle": cycler(color=list(OKABE_ITO)),
    "image.cmap": "cividis",
    "figure.constrained_layout.use": True,
    "font.size": 10,
})

FIGURE_DPI = 150  # sharp on high-density screens, and text stays crisp when a page shrinks it


def parse_args(doc: str, name: str, epochs: int | None, quick_epochs: int | None,
               extra: Iterable[tuple[str, dict]] = ()) -> argparse.Namespace:
    """The common options; ``args.epochs`` is already the quick value under ``--quick``.

    ``epochs=None``: the example has several parts with their own epochs, and
    ``args.epochs`` stays None unless ``--epochs`` is given. ``extra`` adds
    options of one example: ``[("--lr", {"type": float, "default": 2.0})]``.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    default = f"default {epochs}; {quick_epochs} with --quick" if epochs else "default per part"
    parser.add_argument("--epochs", type=int, default=None, help=f"training epochs ({default})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", type=Path, default=Path("out") / name,
                        help=f"folder for the figures (default out/{name})")
    parser.add_argument("--quick", action="store_true",
                        help="a short run for tests; the claims still have to hold")
    for flag, options in extra:
        parser.add_argument(flag, **options)
    args = parser.parse_args()
    if args.epochs is None:
        args.epochs = quick_epochs if args.quick else epochs
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def epochs_bar(epochs: int, desc: str) -> tqdm:
    """A tqdm bar over ``range(epochs)``; silent when stderr is not a terminal (CI logs)."""
    return tqdm(range(epochs), desc=desc, disable=None, mininterval=0.5, leave=False)


def save_figure(fig: Any, out: Path, filename: str) -> Path:
    """Write ``fig`` to ``out/filename`` as PNG, close it, and say where it went."""
    path = out / filename
    fig.savefig(path, dpi=FIGURE_DPI, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {path}")
    return path


@dataclass
class Claim:
    """One outcome a seed document claims, and whether this run reached it."""

    name: str
    metric: str
    value: float
    needed: str  # e.g. ">= 1" or "< 0.35"
    ok: bool


def at_least(name: str, metric: str, value: float, bound: float) -> Claim:
    """The claim ``value >= bound``."""
    return Claim(name, metric, float(value), f">= {bound:g}", float(value) >= bound)


def at_most(name: str, metric: str, value: float, bound: float) -> Claim:
    """The claim ``value <= bound``."""
    return Claim(name, metric, float(value), f"<= {bound:g}", float(value) <= bound)


def below(name: str, metric: str, value: float, bound: float) -> Claim:
    """The claim ``value < bound``."""
    return Claim(name, metric, float(value), f"< {bound:g}", float(value) < bound)


def report(claims: list[Claim]) -> int:
    """Print one ``outcome:`` line per claim; the exit status: 0 if all hold, else 1."""
    for claim in claims:
        verdict = "ok" if claim.ok else "NOT REACHED"
        print(f"outcome: {claim.name} {claim.metric}={claim.value:.6g} "
              f"(claim: {claim.needed}) {verdict}")
    failed = [claim.name for claim in claims if not claim.ok]
    if failed:
        print(f"claims not reached: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0
