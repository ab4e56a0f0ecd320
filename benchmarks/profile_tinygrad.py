"""Where tinygrad_edu spends its time: cProfile of the benchmark's cases, sorted by tottime.

    python benchmarks/profile_tinygrad.py              # cases 1, 2 and 5, top 25 lines each
    python benchmarks/profile_tinygrad.py --cases 3 --lines 40 --calls 200
    python benchmarks/profile_tinygrad.py --cases 9,10   # issue 16's makemore step and neuron
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import cases, models_tinygrad  # noqa: E402
from benchmarks.problems import chain_start, init_weights, make_batches  # noqa: E402
from benchmarks.run import MAKEMORE, MNIST, NEURON, TANH, WIDE, XOR  # noqa: E402

SPECS = {"1": XOR, "2": TANH, "3": MNIST, "4": WIDE}


def workload(case: str, calls: int) -> tuple[str, object]:
    """A description and a no-argument function running ``calls`` steps (or chains) of a case."""
    if case in SPECS:
        spec = SPECS[case]
        model = models_tinygrad.TinygradMLP(spec, init_weights(spec), make_batches(spec))
        model.step(0)  # warm-up: lazy imports and first-call costs stay out of the profile

        def run() -> None:
            for k in range(1, calls + 1):
                model.step(k)

        return f"case {case}: {calls} training steps of {spec.label}", run
    if case in ("9", "10"):
        spec = MAKEMORE if case == "9" else NEURON
        model = cases.build_script_models(spec)["tg"]
        model.step(0)

        def run() -> None:
            for k in range(1, calls + 1):
                model.step(k)

        return f"case {case}: {calls} steps of {spec.label}", run
    if case == "5":
        x0 = chain_start(16)
        models_tinygrad.chain(x0, 1000)

        def run() -> None:
            for _ in range(calls):
                models_tinygrad.chain(x0, 1000)

        return f"case 5: {calls} chains of 1000 ops on 16 elements", run
    if case == "6":
        x0 = chain_start(0)
        return "case 6: one 200,000-op scalar chain", lambda: models_tinygrad.chain(x0, 200_000)
    raise ValueError(f"no profile for case {case!r}")


def profile(case: str, calls: int, lines: int) -> str:
    """The top ``lines`` lines of the case's profile, by time spent in the function itself."""
    title, run = workload(case, calls)
    profiler = cProfile.Profile()
    profiler.runcall(run)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime")
    stats.print_stats(lines)
    return f"===== {title} =====\n{out.getvalue()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="1,2,5", help="comma-separated, from 1-6, 9, 10")
    parser.add_argument("--calls", type=int, default=500, help="steps (or chains) per case")
    parser.add_argument("--lines", type=int, default=25)
    args = parser.parse_args(argv)
    for case in args.cases.split(","):
        calls = args.calls if case not in ("3", "4", "5") else max(args.calls // 10, 1)
        print(profile(case, calls, args.lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
