"""The matrix products of cases 3 and 4, numpy's BLAS beside PyTorch's, one at a time.

Cases 3 and 4 spend most of a step in eight matrix products (three forward, five
backward: the first layer's input needs no gradient). tinygrad_edu calls numpy's
``matmul``, which runs OpenBLAS; PyTorch's CPU build runs Intel's MKL. This script
times each product both ways, with the operands laid out as a training step has them
(``x @ W.T`` reads W transposed, ``∂ℓ/∂W = gᵀ x`` reads g transposed), so that the
eager rows 3t and 4t can be read against the part of a step no Python code changes.

    .venv/bin/python benchmarks/matmul_blas.py            # cases 3 and 4, one thread
    .venv/bin/python benchmarks/matmul_blas.py --cases 3
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

if __package__ in (None, ""):  # run as a script: make `benchmarks` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.timing import interleaved_medians, set_numpy_thread_count  # noqa: E402

# (name, rows of x, layer sizes): the products of one step of cases 3 and 4
CASES = {"3": (128, (784, 256, 256, 10)), "4": (512, (1024, 2048, 2048, 10))}


def products(batch: int, sizes: tuple, lib: object) -> list[tuple[str, Callable[[], object]]]:
    """Every product of one training step, as (name, a call that computes it) for ``lib``
    (numpy or torch), on random float32 operands of the step's shapes and layouts."""
    rng = np.random.default_rng(0)

    def tensor(*shape: int) -> object:
        array = rng.standard_normal(shape, dtype=np.float32)
        return array if lib is np else lib.from_numpy(array)

    calls = []
    for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        x, w, g = tensor(batch, n_in), tensor(n_out, n_in), tensor(batch, n_out)
        calls.append((f"layer {layer} forward  x @ W.T", lambda x=x, w=w: x @ w.T))
        calls.append((f"layer {layer} ∂ℓ/∂W    g.T @ x", lambda x=x, g=g: g.T @ x))
        if layer > 1:  # the input of the first layer needs no gradient
            calls.append((f"layer {layer} ∂ℓ/∂x    g @ W", lambda w=w, g=g: g @ w))
    return calls


def compare(case: str, rounds: int, torch: object | None) -> list[tuple[str, float, float | None]]:
    """(product, numpy seconds, PyTorch seconds or None) for every product of ``case``: the
    median of ``rounds`` calls, the two libraries taking turns (timing.interleaved_medians,
    after a warm-up round: BLAS buffers, page faults)."""
    batch, sizes = CASES[case]
    numpy_calls = products(batch, sizes, np)
    torch_calls = products(batch, sizes, torch) if torch is not None else None
    rows = []
    for i, (name, call) in enumerate(numpy_calls):
        runners = {"numpy": call}
        if torch_calls is not None:
            runners["torch"] = torch_calls[i][1]
        medians = interleaved_medians(runners, rounds, 1)
        rows.append((name, medians["numpy"], medians.get("torch")))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="3,4", help="comma-separated: 3, 4")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads on both sides")
    args = parser.parse_args(argv)
    set_numpy_thread_count(args.threads)
    try:
        import torch

        torch.set_num_threads(args.threads)
    except ImportError:
        torch = None
    for case in args.cases.split(","):
        rounds = 200 if case == "3" else 9
        rows = compare(case, rounds, torch)
        print(f"case {case}: ms per product (median of {rounds}), {args.threads} thread(s)")
        for name, numpy_time, torch_time in rows:
            versus = "" if torch_time is None else \
                f"  torch {torch_time * 1e3:8.3f}  numpy/torch {numpy_time / torch_time:5.2f}×"
            print(f"  {name:28s} numpy {numpy_time * 1e3:8.3f}{versus}")
        numpy_total = sum(row[1] for row in rows)
        if torch is not None:
            torch_total = sum(row[2] for row in rows)
            print(f"  {'all products of a step':28s} numpy {numpy_total * 1e3:8.3f}  torch "
                  f"{torch_total * 1e3:8.3f}  numpy/torch {numpy_total / torch_total:5.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
