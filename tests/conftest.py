"""Shared test set-up: hypothesis profiles and the optional PyTorch oracle.

Profiles: ``ci`` (deterministic, bounded; chosen when CI is set) and ``dev``
(more examples, for local runs: ``HYPOTHESIS_PROFILE=dev pytest``).
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=25,
    derandomize=True,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "dev",
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# ----- did the PyTorch oracle run? ----------------------------------------------------------
# `make test` ends with one line that says so: without the CPU build of torch the oracle
# tests skip, and a green run would otherwise hide that PyTorch never checked a number.
ORACLE_HINT = 'get the CPU build with `make torch` (pip install "torch==2.13.0+cpu")'
_oracle = {"ran": 0, "skipped": 0, "skipped_files": 0}


def _uses_torch(item) -> bool:
    """A test of a module that imported torch, or one that asks for torch itself."""
    module = getattr(item, "module", None)
    if module is not None and getattr(getattr(module, "torch", None), "__name__", "") == "torch":
        return True
    code = getattr(getattr(item, "function", None), "__code__", None)
    return code is not None and "torch" in code.co_varnames + code.co_names


def _skipped_for_torch(report) -> bool:
    return report.skipped and "torch" in str(report.longrepr)


def pytest_collectreport(report):
    if _skipped_for_torch(report):  # a module-level importorskip("torch")
        _oracle["skipped_files"] += 1


def pytest_runtest_logreport(report):
    if report.when == "call" and not report.skipped and report.nodeid in _torch_tests:
        _oracle["ran"] += 1
    elif report.when in ("setup", "call") and _skipped_for_torch(report):
        _oracle["skipped"] += 1


_torch_tests: set = set()


def pytest_collection_modifyitems(items):
    _torch_tests.update(item.nodeid for item in items if _uses_torch(item))


def oracle_line(ran: int, skipped: int, skipped_files: int) -> str:
    """The closing line of a test run: whether PyTorch checked the numbers, and how many."""
    if skipped or skipped_files:
        what = []
        if skipped_files:
            what.append(f"{skipped_files} test files")
        if skipped:
            what.append(f"{skipped} tests")
        return (f"PyTorch oracle: SKIPPED ({' and '.join(what)} need torch, which is not "
                f"installed; {ran} ran) - {ORACLE_HINT}")
    if ran:
        import torch

        return f"PyTorch oracle: ran {ran} tests against torch {torch.__version__}"
    return f"PyTorch oracle: no test compared with PyTorch in this run - {ORACLE_HINT}"


def pytest_unconfigure(config):
    # after pytest's own "N passed" line, so that this is the last line printed
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and not hasattr(config, "workerinput"):
        reporter.write_line(oracle_line(**_oracle))
