"""Run the benchmark suite of issue 2 and print the table (``make bench``).

    python benchmarks/run.py                 # the full run, about a minute or two
    python benchmarks/run.py --quick         # a smoke run: few rounds, shorter chains
    python benchmarks/run.py --cases 1,5     # only some cases
    python benchmarks/run.py --json out.json # also save the results

Ratios are to the hand-written numpy step (= 1.0). See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

# Run as a script, so make the repository importable (``benchmarks`` and ``tinygrad_edu``).
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from benchmarks import cases  # noqa: E402
from benchmarks.problems import CHAIN_OPS, MakemoreSpec, MLPSpec, NeuronSpec  # noqa: E402
from benchmarks.report import format_table, save_json  # noqa: E402
from benchmarks.timing import numpy_thread_count, set_numpy_thread_count  # noqa: E402

XOR = MLPSpec((2, 3, 1), "sigmoid", "sigmoid", "half_sse", batch=4, dtype="float64")
TANH = MLPSpec((2, 16, 16, 1), "tanh", "identity", "mse", batch=64, dtype="float32")
MNIST = MLPSpec((784, 256, 256, 10), "relu", "identity", "cross_entropy", batch=128,
                dtype="float32")
WIDE = MLPSpec((1024, 2048, 2048, 10), "relu", "identity", "cross_entropy", batch=512,
               dtype="float32")
MAKEMORE = MakemoreSpec()  # case 9: 27×10 embedding, context 3, 200 tanh + BatchNorm1d
NEURON = NeuronSpec()  # case 10: seed 000: one sigmoid neuron, Iris, minibatches of 32, float64

# (rounds, steps per round) for cases 1-5; case 6: (short chain, long chain, rounds of each);
# case 7: the steps after which memory is read (warm-up, peak, settled, last).
FULL = {"1": (21, 200), "2": (21, 100), "3": (21, 10), "4": (5, 1), "5": (21, 5),
        "9": (21, 40), "10": (21, 200),
        "chain": (200_000, 1_000_000, 3, 1), "memory": (50, 200, 400, 600),
        "random": (1_000_000, 11)}
QUICK = {"1": (3, 20), "2": (3, 10), "3": (3, 2), "4": (1, 1), "5": (3, 1),
         "9": (3, 5), "10": (3, 20),
         "chain": (20_000, 100_000, 1, 1), "memory": (10, 40, 60, 80),
         "random": (100_000, 3)}


def run_cases(selected: set[str], settings: dict) -> list[cases.Row]:
    rows: list[cases.Row] = []
    mlp_cases = {"1": (XOR, 2.5), "2": (TANH, 2.5), "3": (MNIST, 1.05), "4": (WIDE, 1.05)}
    compiled_targets = {"1": 1.5, "2": 1.5, "3": 1.05}  # issue 16: tg.compile vs numpy
    for case, (spec, target) in mlp_cases.items():
        if case in selected:
            rounds, repeats = settings[case]
            rows += _timed(case, lambda s=spec, c=case, t=target, r=rounds, n=repeats:
                           cases.run_mlp_case(c, s, t, r, n, with_nn=(c == "3"),
                                              compiled_target=compiled_targets.get(c)))
    if "5" in selected:
        rounds, repeats = settings["5"]
        rows += _timed("5", lambda: cases.run_elementwise_chain(16, 1000, 3.0, rounds, repeats))
    if "6" in selected:
        short_ops, long_ops, short_rounds, long_rounds = settings["chain"]
        rows += _timed("6", lambda: cases.run_scalar_chains(short_ops, long_ops, short_rounds,
                                                           long_rounds))
    if "7" in selected:
        rows += _timed("7", lambda: cases.run_memory_case(MNIST, settings["memory"]))
    if "8" in selected:
        n_values, rounds = settings["random"]
        rows += _timed("8", lambda: cases.run_random_draws(n_values, 2.0, rounds))
    # issue 16's compiled targets: makemore ≤ 0.5× PyTorch eager, the neuron ≤ 1.5× numpy
    for case, spec, compiled in (("9", MAKEMORE, ("torch", 0.5)), ("10", NEURON, ("numpy", 1.5))):
        if case in selected:
            rounds, repeats = settings[case]
            rows += _timed(case, lambda s=spec, c=case, r=rounds, n=repeats, t=compiled:
                           cases.run_script_case(c, s, r, n, compiled=t))
    return rows


def _timed(case: str, run: object) -> list[cases.Row]:
    start = time.perf_counter()
    rows = run()
    print(f"  case {case} done in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return rows


def environment(threads_wanted: int | None) -> dict:
    """What the numbers depend on; PyTorch is pinned to numpy's BLAS thread count.

    ``threads_wanted`` (``--threads``) first sets numpy's OpenBLAS thread count.
    """
    if threads_wanted is not None and not set_numpy_thread_count(threads_wanted):
        print("--threads: numpy's BLAS is not OpenBLAS here; set OMP_NUM_THREADS instead",
              file=sys.stderr)
    threads, source = numpy_thread_count()
    env = {"python": platform.python_version(), "numpy": np.__version__,
           "machine": platform.machine(), "cpus": os.cpu_count(), "numpy_threads": threads,
           "numpy_threads_from": source, "torch": None}
    if cases.models_torch is not None:
        import torch

        torch.set_num_threads(threads)
        env["torch"] = torch.__version__
        env["torch_threads"] = torch.get_num_threads()
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds, shorter chains")
    parser.add_argument("--json", metavar="PATH", help="also save the results as JSON")
    parser.add_argument("--cases", default="1,2,3,4,5,6,7,8,9,10",
                        help="comma-separated, e.g. 1,3,5")
    parser.add_argument("--threads", type=int, metavar="N",
                        help="BLAS threads for numpy (and so PyTorch); default: numpy's own")
    args = parser.parse_args(argv)

    env = environment(args.threads)
    env["mode"] = "quick" if args.quick else "full"
    torch_note = (f"torch {env['torch']} with {env['torch_threads']} threads"
                  if env["torch"] else "torch not installed: its columns are empty")
    print(f"numpy {env['numpy']} with {env['numpy_threads']} BLAS threads "
          f"({env['numpy_threads_from']}); {torch_note}; python {env['python']}, "
          f"{env['cpus']} CPUs; {env['mode']} run")
    print(f"chain ops (cases 5, 6), op i = {CHAIN_OPS} [i % 3], float32, then sum and backward")

    rows = run_cases(set(args.cases.split(",")), QUICK if args.quick else FULL)
    print("all implementations agree on the first step's loss and weights, and on the chains")
    print()
    print(format_table(rows))
    if args.json:
        save_json(args.json, rows, env)
        print(f"\nsaved {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
