#!/usr/bin/env bash
# Create (or reuse) the project's virtual environment in .venv with Python 3.12 and
# install riskmodel with its test extras. Idempotent; prints where it installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${RISKMODEL_PYTHON:-}"
if [ -z "$PY" ]; then
  for candidate in python3.12 "$(command -v pyenv >/dev/null 2>&1 && pyenv which python3.12 2>/dev/null || true)" python3; do
    if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1 \
       && "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 12) else 1)' 2>/dev/null; then
      PY="$candidate"; break
    fi
  done
fi
if [ -z "$PY" ]; then
  echo "riskmodel needs Python >= 3.12 (set RISKMODEL_PYTHON to its path)" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 12) else 1)'; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"
echo "environment ready: .venv ($(.venv/bin/python --version))" >&2
