"""Nothing is loaded with pickle or by executing code; configuration files are data.

An AST scan of ``riskmodel/`` and ``scripts/`` refuses:

* imports of ``pickle``, ``cPickle``, ``cloudpickle``, ``dill``, ``joblib``, ``marshal``,
  ``shelve``, ``runpy``, ``imp``, ``yaml``/``ruamel`` (YAML can construct objects),
  ``configparser`` and third-party ``toml``; of ``importlib`` anything but
  ``importlib.metadata`` (package versions);
* calls of ``eval``, ``exec``, ``compile``, ``__import__``, ``importlib.import_module``,
  ``runpy.run_path``/``run_module``, ``yaml.load`` without ``SafeLoader`` (and
  ``unsafe_load``/``full_load``), ``numpy.load(..., allow_pickle=True)``,
  ``pandas.read_pickle``/``to_pickle``, and pandas ``.query``/``.eval`` (they evaluate
  expression strings);

and checks that the readers of configuration files (settings, fit config, elicited
priors, hazard bars, variants, world assumptions) parse with :mod:`tomllib` or
:mod:`json` and nothing else.

dask.distributed (``simulate --scheduler``) pickles the project's own task objects
(:class:`riskmodel.simulation.run.ChunkTask`) to move them between the project's own
processes; that is its transport, not a loader: it never reads a user's file.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCANNED = ("riskmodel", "scripts")

FORBIDDEN_MODULES = {
    "pickle",
    "cPickle",
    "_pickle",
    "cloudpickle",
    "dill",
    "joblib",
    "marshal",
    "shelve",
    "runpy",
    "imp",
    "yaml",
    "ruamel",
    "configparser",
    "toml",
}
FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "__import__"}
FORBIDDEN_ATTRIBUTES = {
    "import_module",
    "run_path",
    "run_module",
    "read_pickle",
    "to_pickle",
    "unsafe_load",
    "full_load",
    "query",
    "eval",
}
#: Functions that read configuration files: (module path, function name).
CONFIG_READERS = (
    ("riskmodel/_io.py", "read_data_file"),
    ("scripts/build_data/curated.py", "load"),
    ("riskmodel/evidence/loaders.py", "read_declared_vintage"),
)
#: The one module allowed to import by name: the lazy public exports (PEP 562). The names
#: it imports are literal ``riskmodel.*`` module names in the packages' ``_EXPORTS``
#: tables (checked by :func:`test_lazy_exports_import_only_literal_package_modules`),
#: never user input.
LAZY_IMPORTER = "riskmodel/_lazy.py"
PARSERS = {("tomllib", "loads"), ("tomllib", "load"), ("json", "loads"), ("json", "load")}


def _python_files() -> list[Path]:
    return sorted(p for folder in SCANNED for p in (REPO / folder).rglob("*.py"))


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _is_true(node: ast.AST) -> bool:
    return not (isinstance(node, ast.Constant) and node.value in (False, None))


def violations(source: str, name: str = "<source>") -> list[str]:
    """Unsafe imports and calls in ``source`` (one line each: file, line, what)."""
    found = []
    for node in ast.walk(ast.parse(source, filename=name)):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                if root in FORBIDDEN_MODULES:
                    found.append(f"{where}: import {alias.name}")
                if root == "importlib" and alias.name != "importlib.metadata":
                    found.append(f"{where}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            if root in FORBIDDEN_MODULES:
                found.append(f"{where}: from {node.module} import ...")
            if root == "importlib" and not (
                node.module == "importlib.metadata"
                or all(alias.name == "metadata" for alias in node.names)
            ):
                found.append(f"{where}: from {node.module} import ...")
        elif isinstance(node, ast.Call):
            func = node.func
            keywords = {k.arg: k.value for k in node.keywords}
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_BUILTINS:
                found.append(f"{where}: {func.id}()")
            if isinstance(func, ast.Attribute):
                dotted = _dotted(func)
                if func.attr in FORBIDDEN_ATTRIBUTES:
                    found.append(f"{where}: {dotted}()")
                pickles = "allow_pickle" in keywords and _is_true(keywords["allow_pickle"])
                if func.attr == "load" and dotted.split(".")[0] in ("np", "numpy") and pickles:
                    found.append(f"{where}: {dotted}(allow_pickle=True)")
                if func.attr == "load" and dotted.split(".")[0] == "yaml":
                    loader = _dotted(keywords.get("Loader", ast.Constant(None)))
                    if not loader.endswith(("SafeLoader", "CSafeLoader")):
                        found.append(f"{where}: {dotted}() without SafeLoader")
    return found


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_no_unsafe_loading(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    name = str(path.relative_to(REPO))
    found = violations(source, name)
    if name == LAZY_IMPORTER:
        found = [v for v in found if not v.endswith(("import importlib", "import_module()"))]
    assert found == []


def test_lazy_exports_import_only_literal_package_modules() -> None:
    """Every ``_EXPORTS`` table handed to the lazy importer is a dict literal of string
    constants naming riskmodel modules, so nothing outside the package can be imported."""
    tables = 0
    for path in sorted((REPO / "riskmodel").rglob("__init__.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "_EXPORTS" for t in node.targets
            ):
                tables += 1
                assert isinstance(node.value, ast.Dict), path
                for key, value in zip(node.value.keys, node.value.values, strict=True):
                    assert isinstance(key, ast.Constant) and isinstance(key.value, str), path
                    assert isinstance(value, ast.Constant), path
                    assert str(value.value).startswith("riskmodel."), (path, value.value)
    assert tables >= 3


@pytest.mark.parametrize(
    "snippet",
    [
        "import pickle",
        "import cloudpickle as cp",
        "from dill import loads",
        "import marshal",
        "import shelve",
        "import yaml",
        "from importlib import import_module",
        "import importlib",
        "import runpy",
        "eval(text)",
        "exec(code)",
        "__import__(name)",
        "compile(src, 'f', 'exec')",
        "importlib.import_module(user_path)",
        "runpy.run_path(user_file)",
        "yaml.load(text)",
        "yaml.load(text, Loader=yaml.Loader)",
        "np.load(path, allow_pickle=True)",
        "numpy.load(path, allow_pickle=flag)",
        "pd.read_pickle(path)",
        "frame.query(user_text)",
        "pd.eval(user_text)",
    ],
)
def test_the_scan_catches_each_pattern(snippet: str) -> None:
    assert violations(snippet), snippet


@pytest.mark.parametrize(
    "snippet",
    [
        "from importlib import metadata",
        "import importlib.metadata",
        "yaml_text = 1",
        "yaml.load(text, Loader=yaml.SafeLoader)",
        "np.load(path)",
        "np.load(path, allow_pickle=False)",
        "re.compile(pattern)",
        "tomllib.loads(text)",
    ],
)
def test_the_scan_allows_safe_code(snippet: str) -> None:
    assert violations(snippet) == [], snippet


@pytest.mark.parametrize(("module", "function"), CONFIG_READERS)
def test_config_readers_parse_with_tomllib_or_json_only(module: str, function: str) -> None:
    tree = ast.parse((REPO / module).read_text(encoding="utf-8"))
    (reader,) = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == function
    ]
    calls = {
        tuple(_dotted(node.func).split(".")[-2:])
        for node in ast.walk(reader)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    }
    parsers = {call for call in calls if call[-1] in ("load", "loads")}
    assert parsers and parsers <= PARSERS, parsers


def test_every_config_file_reader_is_one_of_the_checked_ones() -> None:
    """tomllib and json parse only inside the checked readers (besides JSON the project
    wrote itself: provenance attributes of fits and simulations)."""
    checked = {(module, function) for module, function in CONFIG_READERS}
    toml_users = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            for node in ast.walk(func):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and _dotted(node.func) in ("tomllib.loads", "tomllib.load")
                ):
                    toml_users.append((str(path.relative_to(REPO)), func.name))
    assert set(toml_users) <= checked, sorted(set(toml_users) - checked)
