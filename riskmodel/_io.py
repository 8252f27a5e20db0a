"""Reading and locating the toolkit's files: light, imported by the command line.

:func:`data_dir`, :data:`DEFAULT_FIT_PATH`
    The folder of the shipped tables (``$RISKMODEL_DATA_DIR`` if set) and the capability
    fit the commands read and write unless told otherwise.
:func:`read_data_file` (and :func:`read_toml`)
    The one reader of configuration and elicitation files: TOML (or JSON where allowed)
    parsed as data, never executed; every failure a :class:`~riskmodel.errors.ConfigError`
    naming the file (and the line where the parser says).
:func:`read_table`, :func:`read_scalar`, :func:`read_date`
    Typed access to parsed tables, errors naming the file and the dotted key.
:func:`validation_problems`
    The one formatter of pydantic validation errors: ``'dotted.key': message`` in plain
    words (``unknown key``, ``missing key``), unknown keys first.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from riskmodel._time import parse_date
from riskmodel.errors import ConfigError

if TYPE_CHECKING:
    from pydantic import ValidationError

__all__ = [
    "DATA_DIR_VARIABLE",
    "DEFAULT_FIT_PATH",
    "data_dir",
    "read_data_file",
    "read_date",
    "read_scalar",
    "read_table",
    "read_toml",
    "validation_problems",
]

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


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON object hook: a key given twice is ambiguous (TOML refuses it too)."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"key '{key}' appears twice in one object")
        data[key] = value
    return data


def read_data_file(
    path: str | Path, what: str, *, suffixes: Sequence[str] = (".toml",)
) -> dict[str, Any]:
    """Parse a configuration or elicitation file as data (never executed).

    Parameters
    ----------
    path
        The file.
    what
        What it is, for messages (``"config"``, ``"hazard bars"``, ``"variant"``).
    suffixes
        Accepted suffixes; ``.json`` files are read as JSON (a key given twice refused),
        everything else as TOML. With one suffix, any file name is read as that format.

    Returns
    -------
    dict
        The top-level table.

    Raises
    ------
    ConfigError
        Unreadable, another suffix, not UTF-8 (byte and line named), unparsable (the
        parser's line and column; a key given twice, an integer of thousands of digits,
        absurd nesting), or not a table at top level.
    """
    path = Path(path)
    if len(suffixes) > 1 and path.suffix not in suffixes:
        raise ConfigError(f"{what} file {path} must end in {' or '.join(suffixes)}")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {what} file {path}: {exc.strerror}") from None
    as_json = path.suffix == ".json" and ".json" in suffixes
    try:
        text = raw.decode("utf-8")
        if as_json:
            data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
        else:
            data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{what} file {path} is not UTF-8 (byte 0x{raw[exc.start]:02x} at byte offset "
            f"{exc.start}, line {line})"
        ) from None
    except ValueError as exc:  # TOMLDecodeError, JSONDecodeError, huge integers
        raise ConfigError(f"{what} file {path} does not parse: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{what} file {path} does not parse: nested too deeply") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{what} file {path} must hold a table/object at top level")
    return data


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """:func:`read_data_file` for a TOML file (any file name)."""
    return read_data_file(path, what)


def read_table(data: Mapping[str, Any], key: str, origin: str) -> Mapping[str, Any]:
    """The sub-table at dotted ``key`` or a ConfigError naming it."""
    node: Any = data
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise ConfigError(f"{origin}: missing table '{key}'")
        node = node[part]
    if not isinstance(node, Mapping):
        raise ConfigError(f"{origin}: '{key}' must be a table")
    return node


def read_scalar(table: Mapping[str, Any], key: str, origin: str, kind: type) -> Any:
    """The value at the last part of dotted ``key`` in ``table``, of type ``kind`` (an
    integer is accepted as a float; floats must be finite), or a ConfigError naming it."""
    leaf = key.rpartition(".")[2]
    if leaf not in table:
        raise ConfigError(f"{origin}: missing key '{key}'")
    value = table[leaf]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        try:
            value = float(value)
        except OverflowError:
            raise ConfigError(
                f"{origin}: '{key}' is too large ({len(str(value))}-digit integer)"
            ) from None
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ConfigError(f"{origin}: '{key}' must be a {kind.__name__}, got {value!r}")
    if kind is float and not math.isfinite(value):
        raise ConfigError(f"{origin}: '{key}' must be finite, got {value!r}")
    return value


def read_date(table: Mapping[str, Any], key: str, origin: str) -> str:
    """A YYYY-MM-DD string (:func:`riskmodel._time.parse_date`) or TOML date at ``key``,
    as an ISO string."""
    if key not in table:
        raise ConfigError(f"{origin}: missing key '{key}'")
    value = table[key]
    if isinstance(value, dt.date):
        return value.isoformat()
    return parse_date(value, what=f"{origin}: '{key}'", error=ConfigError).isoformat()


def validation_problems(
    exc: ValidationError, *, prefix: str = "", limit: int | None = None, root: str = "(file)"
) -> list[str]:
    """One ``'dotted.key': message`` per problem of a pydantic validation error.

    Unknown keys come first (a misspelt key also shows up as the missing correct one);
    pydantic's codes are put in plain words (``unknown key``, ``missing key``).

    Parameters
    ----------
    exc
        The validation error.
    prefix
        Dotted key of the validated table within its file (``"bars.raised"``).
    limit
        At most this many problems (default all).
    root
        The name of a problem of the whole table (no key).
    """
    errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
    plain = {"extra_forbidden": "unknown key", "missing": "missing key"}
    problems = []
    for err in errors[:limit]:
        key = ".".join(str(part) for part in err["loc"])
        key = ".".join(part for part in (prefix, key) if part) or root
        problems.append(f"'{key}': {plain.get(err['type'], err['msg'])}")
    return problems
