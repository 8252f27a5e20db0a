#!/usr/bin/env python3
"""Compatibility entry point: ``.venv/bin/python scripts/build_data.py [ARGS]``.

The builder lives in the package ``scripts/build_data/`` (one module per source, curated maps
as TOML data); this file only forwards to it, so the command documented before the split keeps
working. Equivalent: ``.venv/bin/python scripts/build_data [ARGS]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_data.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
