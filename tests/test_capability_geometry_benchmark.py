"""The arithmetic of ``benchmarks/capability_geometry.py``: which evidence each block
keeps, and the ESS per gradient the 90-second target would need (the benchmark's fits
themselves are MCMC and run only when the benchmark is run)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import load_script

from riskmodel.evidence import Evidence

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "capability_geometry.py"


geometry = load_script(BENCHMARK)


def test_blocks_empty_one_table_and_keep_the_others(small_evidence: Evidence) -> None:
    for label, emptied in geometry.BLOCKS:
        kept = geometry._without(small_evidence, emptied)
        for name, table in small_evidence.to_tables().items():
            after = kept.to_tables()[name]
            assert list(after.columns) == list(table.columns), (label, name)
            assert len(after) == (0 if name == emptied else len(table)), (label, name)


def test_needed_rate_spends_the_budget_left_after_compiling() -> None:
    # 90 s - 10 s compile = 80 s at 0.25 ms per gradient: 320,000 gradients, of which
    # 1,000 / 1,400 in the sampling phase; ESS 1,000 needs 1e6 / 228,571 per 1,000
    measured = {"compile_s": 10.0, "ms_per_gradient": 0.25}
    needed = geometry._needed_rate(measured, draws=1000, tune=400)
    assert needed == pytest.approx(1000.0 * 1000.0 / (320_000 * 1000 / 1400))
    # twice the cost per gradient needs twice the efficiency
    slower = geometry._needed_rate({**measured, "ms_per_gradient": 0.5}, draws=1000, tune=400)
    assert slower == pytest.approx(2 * needed)
    assert geometry._needed_rate({**measured, "compile_s": 95.0}, draws=1000, tune=400) == float(
        "inf"
    )
