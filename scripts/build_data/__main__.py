"""Entry point: ``.venv/bin/python scripts/build_data [--vintage V] [--out-dir DIR]``.

Running the directory executes this file with ``scripts/build_data`` on ``sys.path``; the
package's parent is added so that ``build_data`` imports as a package.
"""

from __future__ import annotations

import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from build_data.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
