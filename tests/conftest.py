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
