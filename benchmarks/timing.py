"""How the suite measures: interleaved rounds, medians, and the BLAS thread count.

Machines drift (other processes, CPU frequency, caches), so no implementation is
timed in one block: every round runs each implementation once, the order rotating
from round to round, and the median over the rounds is reported. Python's cyclic
garbage collector stays on, as in a real training script.
"""

from __future__ import annotations

import ctypes
import os
import statistics
import time
from collections.abc import Callable

# Names of the thread-count functions in the OpenBLAS builds numpy ships (scipy-openblas with
# 64-bit ints) and in plain OpenBLAS builds: (getter, setter).
_OPENBLAS_FUNCTIONS = (
    ("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
    ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
    ("openblas_get_num_threads", "openblas_set_num_threads"),
)


def _openblas() -> tuple | None:
    """(path, getter, setter) of the OpenBLAS loaded by numpy, or None if there is none."""
    for path in _loaded_libraries("openblas"):
        try:
            library = ctypes.CDLL(path)
        except OSError:
            continue
        for getter, setter in _OPENBLAS_FUNCTIONS:
            if hasattr(library, getter) and hasattr(library, setter):
                return path, getattr(library, getter), getattr(library, setter)
    return None


def numpy_thread_count() -> tuple[int, str]:
    """The number of threads numpy's BLAS uses, and how it was found out."""
    found = _openblas()
    if found is not None:
        path, getter, _ = found
        return int(getter()), f"OpenBLAS {os.path.basename(path)}"
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(variable, "").isdigit():
            return int(os.environ[variable]), f"${variable}"
    return os.cpu_count() or 1, "os.cpu_count(), BLAS not identified"


def set_numpy_thread_count(threads: int) -> bool:
    """Make numpy's OpenBLAS use ``threads`` threads; False if its BLAS was not found."""
    found = _openblas()
    if found is None:
        return False
    found[2](ctypes.c_int(threads))  # void openblas_set_num_threads(int)
    return True


def _loaded_libraries(fragment: str) -> list[str]:
    """Paths of the shared libraries loaded into this process whose name contains ``fragment``."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if fragment in line and "/" in line}
    except OSError:  # not Linux
        return []
    return sorted(paths)


def interleaved_medians(
    runners: dict[str, Callable[[], None]], rounds: int, repeats: int, warmup_rounds: int = 1
) -> dict[str, float]:
    """Median seconds per call of each runner, over ``rounds`` rounds of ``repeats`` calls.

    Round r runs the runners in turn, starting with a different one each round;
    the first ``warmup_rounds`` rounds are run but not counted.
    """
    names = list(runners)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for r in range(warmup_rounds + rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            run = runners[name]
            start = time.perf_counter()
            for _ in range(repeats):
                run()
            elapsed = (time.perf_counter() - start) / repeats
            if r >= warmup_rounds:
                samples[name].append(elapsed)
    return {name: statistics.median(values) for name, values in samples.items()}
