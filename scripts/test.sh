#!/usr/bin/env bash
# Set up the environment, lint, and run the whole test suite (slow tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check riskmodel tests scripts benchmarks
.venv/bin/python -m pytest "$@"
