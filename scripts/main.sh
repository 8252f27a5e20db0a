#!/usr/bin/env bash
# Set up the environment and run the main job on the shipped data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/riskmodel report "$@"
