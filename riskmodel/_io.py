"""Where the toolkit reads and writes by default: light, imported by the command line.

:func:`data_dir`
    The folder of the shipped tables, ``$RISKMODEL_DATA_DIR`` if set.
:data:`DEFAULT_FIT_PATH`
    The capability fit the commands read and write unless told otherwise.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DATA_DIR_VARIABLE", "DEFAULT_FIT_PATH", "data_dir"]

#: Environment variable naming another folder of shipped tables.
DATA_DIR_VARIABLE = "RISKMODEL_DATA_DIR"
#: Default capability fit file (relative to the working folder).
DEFAULT_FIT_PATH = Path("results") / "capability_fit.nc"


def data_dir() -> Path:
    """Directory of the shipped tables.

    Returns
    -------
    pathlib.Path
        ``$RISKMODEL_DATA_DIR`` if set, else ``<repository>/data`` (``riskmodel/../data``).
    """
    env = os.environ.get(DATA_DIR_VARIABLE, "").strip()
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parent.parent / "data"
