"""Backtests of the capability and world models at several cutoffs; writes the tables,
figures and ``docs/validation.md``.

Same as ``riskmodel backtest`` (see ``riskmodel backtest --help``)::

    .venv/bin/python scripts/validation_report.py [--cutoffs 2023-01-01 2023-07-01 ...]
        [--draws 500] [--tune 700] [--chains 2] [--seed 0] [--no-docs] [--refit]

Training fits are cached in ``results/validation/fits/`` and reused while the config and
the training evidence are unchanged (``--refit`` ignores the cache).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from riskmodel.cli import main

if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parents[1])  # default paths are repository-relative
    raise SystemExit(main(["backtest", *sys.argv[1:]]))
