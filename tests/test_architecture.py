"""ARCHITECTURE.md is true: its layers hold, there is no import cycle, and its inventory
of modules matches the code.

Imports are read from the source (``ast``), every ``import`` and ``from ... import``
statement counted, including those inside functions: a deferred import is still a
dependency.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "riskmodel"
ARCHITECTURE = REPO / "ARCHITECTURE.md"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(name: str, path: Path, modules: set[str]) -> set[str]:
    """The riskmodel modules ``name`` imports (a name imported from a module counts as
    the module; a submodule imported from a package counts as the submodule)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            targets = [f"{module}.{alias.name}" for alias in node.names] + [module]
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target.startswith("riskmodel") and target != name:
                found.add(target)
    # "from riskmodel.x import y" adds both riskmodel.x and (if a module) riskmodel.x.y;
    # keep the most specific of each chain
    return {t for t in found if not any(o != t and o.startswith(t + ".") for o in found)}


def _layers() -> list[list[str]]:
    """The numbered list under '## Layers' in ARCHITECTURE.md: module names per layer."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    layers = [
        re.findall(r"`(riskmodel[\w.]*)`", line)
        for line in section.splitlines()
        if re.match(r"^\d+\. ", line)
    ]
    assert len(layers) >= 10, "ARCHITECTURE.md lost its list of layers"
    return layers


def _layer_of(name: str, layers: list[list[str]]) -> int:
    best, length = -1, -1
    for index, names in enumerate(layers):
        for prefix in names:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > length:
                best, length = index, len(prefix)
    return best


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def test_every_module_has_a_layer(graph: dict[str, set[str]]) -> None:
    layers = _layers()
    assert [m for m in graph if _layer_of(m, layers) < 0] == []


def test_no_module_imports_from_a_later_layer(graph: dict[str, set[str]]) -> None:
    layers = _layers()
    upstream = [
        f"{module} (layer {_layer_of(module, layers) + 1}) imports {target} "
        f"(layer {_layer_of(target, layers) + 1})"
        for module, targets in graph.items()
        for target in sorted(targets)
        if _layer_of(target, layers) > _layer_of(module, layers)
    ]
    assert upstream == []


def test_no_import_cycles(graph: dict[str, set[str]]) -> None:
    """Tarjan's strongly connected components of the module graph: all of size one."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    assert cycles == []


def test_the_layer_checks_catch_an_upstream_import(tmp_path: Path) -> None:
    """The checks themselves: a made-up module importing the report is read as such."""
    layers = [["riskmodel.errors"], ["riskmodel.evidence"], ["riskmodel.report"]]
    assert _layer_of("riskmodel.evidence.loaders", layers) == 1
    assert _layer_of("riskmodel.report", layers) > _layer_of("riskmodel.evidence", layers)
    source = "from riskmodel.report import run_report\n"
    path = tmp_path / "loaders.py"
    path.write_text(source, encoding="utf-8")
    modules = {"riskmodel.report", "riskmodel.evidence.loaders"}
    assert _imports("riskmodel.evidence.loaders", path, modules) == {"riskmodel.report"}


def test_architecture_lists_every_module_and_only_modules_that_exist() -> None:
    """Each module file is named in ARCHITECTURE.md: by its path, or by its file name in
    the row of its package (``| `riskmodel/hazard/` | ... (`assess.py`) ...``)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `riskmodel/")]
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if path.name == "__init__.py" and path.parent != PACKAGE:
            continue  # a package is listed by its folder
        if f"`{relative}`" in text:
            continue
        folder = path.parent.relative_to(REPO).as_posix() + "/"
        listed = any(
            row.startswith(f"| `{folder}`") and f"`{path.name}`" in row for row in rows
        ) or any(f"`{folder}`" in row.split("|")[1] and f"`{path.name}`" in row for row in rows)
        if not listed:
            missing.append(relative)
    assert missing == [], "modules missing from ARCHITECTURE.md"
    named = set(re.findall(r"`(riskmodel/[\w/]+\.py)`", text))
    gone = sorted(p for p in named if not (REPO / p).exists())
    assert gone == [], "ARCHITECTURE.md names modules that do not exist"
    packages = set(re.findall(r"`(riskmodel/[\w/]+/)`", text))
    assert sorted(p for p in packages if not (REPO / p).is_dir()) == []


def test_architecture_diagram_names_no_issue_numbers() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    assert re.search(r"\(issue \d+\)", text) is None
