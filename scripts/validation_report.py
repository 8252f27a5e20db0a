"""Backtests of the capability and world models at several cutoffs; writes the tables,
figures and ``docs/validation.md``.

Same as ``riskmodel backtest`` (every option; see ``riskmodel backtest --help``)::

    .venv/bin/python scripts/validation_report.py [--cutoffs 2023-07-01 2024-01-01 ...]
        [--config FILE] [--draws N] [--tune N] [--target-accept P] [--chains N] [--seed 0]
        [--out results/validation]
        [--docs docs/validation.md] [--no-docs] [--refit] [--known-only]
        [--scheduler ADDRESS]

Default cutoffs: ``riskmodel.cli.BACKTEST_CUTOFFS`` (2023-07-01, 2024-01-01, 2024-07-01,
2025-03-01). Each cutoff's capability fit uses the fit config (``--config``, else the
defaults) with the backtest's sampler settings on top
(``riskmodel.validation.fits.BACKTEST_SAMPLER``: 24,000 draws, 1,000 tuning steps, target
accept 0.99), and the flags on top of those; ``--seed`` seeds the
predictive and baseline draws, not the sampler. Scored targets: benchmark scores at
known FLOP, the best score per window, and runs above compute thresholds.
``--scheduler`` runs the cutoffs in parallel on a dask.distributed cluster.

Training fits are cached in ``OUT/fits/`` (default ``results/validation/fits/``) and
reused while the config, the training evidence and the capability model's source code
(``riskmodel/capability/model.py`` and ``data.py``) are unchanged (``--refit`` ignores the
cache).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from riskmodel.cli import main

if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parents[1])  # default paths are repository-relative
    raise SystemExit(main(["backtest", *sys.argv[1:]]))
