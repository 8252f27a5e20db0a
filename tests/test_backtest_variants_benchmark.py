"""``benchmarks/backtest_variants.py``: the configuration each variant runs with and the
scores it reads from a backtest (the backtests themselves are MCMC and run only when the
benchmark is run)."""

from __future__ import annotations

import types
from pathlib import Path

import pandas as pd
import pytest
from helpers import load_script

from riskmodel.validation.scores import summarise_scores

BENCHMARK = Path(__file__).resolve().parent.parent / "benchmarks" / "backtest_variants.py"

backtest_variants = load_script(BENCHMARK)


def test_variant_needs_a_label() -> None:
    assert backtest_variants.parse_variant("default=") == ("default", None)
    assert backtest_variants.parse_variant("wide=a/b.toml") == ("wide", Path("a/b.toml"))
    for bad in ("default", "=a.toml"):
        with pytest.raises(SystemExit, match="LABEL=FILE"):
            backtest_variants.parse_variant(bad)


def test_variant_keeps_its_overrides_under_the_sampler_settings_and_scores_bayesian_rows(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    overrides = tmp_path / "wide.toml"
    overrides.write_text('[capability]\ndifficulty_pivot = "midpoint"\n', encoding="utf-8")
    seen = {}
    rows = pd.DataFrame(
        {
            "target": ["benchmark"] * 4 + ["counts"],
            "method": ["bayesian", "bayesian", "bayesian", "irt", "bayesian"],
            "benchmark": ["mmlu", "mmlu", "arc_c", "mmlu", None],
            "observed": [0.8, 0.7, 0.5, 0.8, 3.0],
            "q50": [0.7, 0.7, 0.6, 0.1, 9.0],
            "in_50": [False, True, False, False, False],
            "in_90": [False, True, True, False, False],
            "crps": [0.1, 0.0, 0.2, 9.0, 9.0],
            "abs_error": [0.1, 0.0, 0.1, 0.7, 6.0],
            "log_score": [-1.0] * 5,
        }
    )

    def fake_backtest(evidence, config, *, cutoff, seed):
        seen.update(evidence=evidence, config=config, cutoff=cutoff, seed=seed)
        return types.SimpleNamespace(
            rows=rows,
            summary=summarise_scores(rows),
            diagnostics={"max_rhat": 1.02, "min_ess_bulk": 90},
        )

    monkeypatch.setattr(backtest_variants.harness, "backtest", fake_backtest)
    row = backtest_variants.run_variant(
        "wide",
        overrides,
        "evidence",
        seed=9,
        draws=120,
        chains=2,
        tune=50,
        cutoff="2024-01-01",
    )
    assert seen["evidence"] == "evidence"
    config = seen["config"]
    assert config.capability.difficulty_pivot == "midpoint"
    assert (config.sampler.seed, config.sampler.draws, config.sampler.chains) == (9, 120, 2)
    assert config.sampler.tune == 50 and seen["cutoff"] == "2024-01-01" and seen["seed"] == 0
    assert row["n"] == 3
    assert row["coverage_90"] == pytest.approx(2 / 3)
    assert row["coverage_50"] == pytest.approx(1 / 3)
    assert row["crps"] == pytest.approx(0.1) and row["mae"] == pytest.approx(0.2 / 3)
    n, cover, bias = row["per_benchmark"]["mmlu"]
    assert (n, cover, bias) == (2, 0.5, pytest.approx(-0.05))
    other = dict(row, variant="default", coverage_90=1.0, crps=0.3)
    table = backtest_variants.markdown([row, other])
    assert "arc_c 1, 1.00, +0.100; mmlu 2, 0.50, -0.050" in table
    assert "wide: cover 90% 0.667, CRPS 0.1000; default: cover 90% 1.000, CRPS 0.3000" in table


def test_a_cutoff_without_benchmark_rows_is_refused_with_its_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At a cutoff after which the evidence has no benchmark-score row (the example
    subset at 2024-07-01), the run stops naming the cutoff and the way round it, not
    with a KeyError from the summary table."""
    rows = pd.DataFrame(
        {
            "target": ["counts"],
            "method": ["bayesian"],
            "benchmark": [None],
            "observed": [3.0],
            "q50": [9.0],
            "in_50": [False],
            "in_90": [False],
            "crps": [9.0],
            "abs_error": [6.0],
            "log_score": [-1.0],
        }
    )

    def fake_backtest(evidence, config, *, cutoff, seed):
        return types.SimpleNamespace(
            rows=rows,
            summary=summarise_scores(rows),
            diagnostics={"max_rhat": 1.0, "min_ess_bulk": 900},
        )

    monkeypatch.setattr(backtest_variants.harness, "backtest", fake_backtest)
    with pytest.raises(SystemExit, match="no benchmark-score rows.*2024-07-01.*earlier --cutoff"):
        backtest_variants.run_variant(
            "late", None, "evidence", seed=1, draws=20, chains=1, tune=20, cutoff="2024-07-01"
        )
