"""``python -m tinygrad_edu SCRIPT.py [args]``: run a PyTorch script with torch = tinygrad_edu.

The script runs as ``python SCRIPT.py [args]`` would run it: ``sys.argv`` is
``[SCRIPT.py, args...]``, its ``__name__`` is ``"__main__"``, its directory is
first on ``sys.path`` (so its own modules import), ``sys.exit(n)`` exits with
``n``, and an uncaught exception prints a traceback that starts at the
script's own lines (this runner's frames are left out) and exits with 1.
"""

from __future__ import annotations

import os
import re
import runpy
import sys
import traceback

from tinygrad_edu.torch_alias import (
    OUTSIDE,
    NotCoveredAttributeError,
    NotCoveredModuleError,
    install_as_torch,
)

USAGE = """usage: python -m tinygrad_edu SCRIPT.py [args ...]

Run a PyTorch script unchanged, with `torch` (and torch.nn, torch.optim, ...)
resolving to tinygrad_edu. Names outside the covered subset fail with an error
that names them. Inside Python or a notebook: tinygrad_edu.install_as_torch()."""


def main(argv: list[str] | None = None) -> int:
    """Run the script named by ``argv[0]`` with ``argv`` as its ``sys.argv``; the exit code."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    script = argv[0]
    if not os.path.isfile(script):
        print(f"python -m tinygrad_edu: can't open file {script!r}: no such file",
              file=sys.stderr)
        return 2
    install_as_torch()
    sys.argv = list(argv)
    sys.path[0] = os.path.dirname(os.path.abspath(script))  # as `python SCRIPT.py` does
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit:
        raise  # sys.exit(n) in the script: exit with n
    except Exception as error:  # noqa: BLE001 - printed, as Python prints an uncaught error
        _print_from_script(error, os.path.abspath(script))
        return 1
    return 0


def _print_from_script(error: BaseException, script: str) -> None:
    """The traceback from the script's first frame on, without runpy's and this file's."""
    tb = error.__traceback__
    frame_tb = tb
    while frame_tb is not None and os.path.abspath(frame_tb.tb_frame.f_code.co_filename) != script:
        frame_tb = frame_tb.tb_next
    missing = re.match(r"cannot import name '(\w+)' from 'tinygrad_edu([\w.]*)'", str(error))
    if isinstance(error, ImportError) and missing:  # `from torch.nn import Transformer`
        error.add_note(f"torch{missing[2]}.{missing[1]} {OUTSIDE}")
    if not isinstance(error, (NotCoveredAttributeError, NotCoveredModuleError)):
        traceback.print_exception(type(error), error, frame_tb or tb)
        return
    # A name outside the subset: leave out the alias's own frames (and the import system's).
    frames = [f for f in traceback.extract_tb(frame_tb or tb)
              if not f.filename.endswith("torch_alias.py") and "importlib" not in f.filename]
    print("Traceback (most recent call last):", file=sys.stderr)
    print("".join(traceback.StackSummary.from_list(frames).format()), end="", file=sys.stderr)
    print("".join(traceback.format_exception_only(type(error), error)), end="", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
