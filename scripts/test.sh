#!/usr/bin/env bash
# Set up the environment, lint, and run the whole test suite (slow tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check riskmodel tests scripts benchmarks
# Two workers (pytest-xdist): most tests are single-threaded and the CI machine has 2
# cores. RISKMODEL_TEST_WORKERS=0 runs everything in this process. --durations lists the
# 20 slowest tests, so a CI log shows where its time went.
.venv/bin/python -m pytest -n "${RISKMODEL_TEST_WORKERS:-2}" --durations=20 "$@"
