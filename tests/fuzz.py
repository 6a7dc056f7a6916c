"""The fuzz tests' budget (Hypothesis): derandomized, so CI runs the same examples each time, no
deadline (a busy 2-core machine is slow now and then), no example database written.

CI runs `FUZZ_EXAMPLES` examples per property (all the fuzz tests together: well under two
minutes on 2 cores); `LLM_SSD_FUZZ_EXAMPLES=2000` runs more."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from llm_ssd.env import ENV_FUZZ_EXAMPLES, setting

FUZZ_EXAMPLES = 50
"""Examples per property in CI."""


def examples(default: int = FUZZ_EXAMPLES) -> int:
    """`LLM_SSD_FUZZ_EXAMPLES` when set to a whole number of at least 1, else `default`."""
    given = setting(ENV_FUZZ_EXAMPLES)
    return int(given) if given and given.isdigit() and int(given) > 0 else default


def fuzz(default: int = FUZZ_EXAMPLES) -> settings:
    """Hypothesis settings for one property: `examples(default)` of them, reproducibly."""
    return settings(
        max_examples=examples(default),
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
