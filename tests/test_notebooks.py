"""Every notebook in ``notebooks/`` runs top to bottom without a cell error.

Notebooks are picked up automatically (one test per ``notebooks/*.ipynb``). Each runs in
a fresh ``python3`` kernel with the notebooks folder as working directory and the Agg
matplotlib backend. The ``python3`` kernelspec is the one ipykernel installs into the
environment (``<sys.prefix>/share/jupyter/kernels/python3``, argv ``python``, which
jupyter_client launches as ``sys.executable``); the test checks that the kernel really ran
this interpreter, so a user-level kernelspec pointing elsewhere cannot pass silently.

The notebooks run through nbclient's client with its kernel waits cut into short polls
(``notebook_client.poll_kernel_waits_in_slices``): plain nbclient can sleep through a cell's
last messages (a lost socket wake-up, seen here on the quickstart's widget panel), and
then waits out the whole cell timeout.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL_NAME = "python3"
CELL_TIMEOUT_S = 900
#: Printed by the check cell appended to each notebook (in memory only).
PREFIX_MARKER = "riskmodel-test-kernel-prefix="


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path) -> None:
    # Imported here: nbformat's schema validation costs a second at import, and the
    # fast tier collects this module too.
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from notebook_client import poll_kernel_waits_in_slices

    nb = nbformat.read(path, as_version=4)
    n_cells = len(nb.cells)
    nb.cells.append(nbformat.v4.new_code_cell(f"import sys\nprint({PREFIX_MARKER!r} + sys.prefix)"))
    client = NotebookClient(
        nb,
        kernel_name=KERNEL_NAME,
        timeout=CELL_TIMEOUT_S,
        allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
    )
    poll_kernel_waits_in_slices(client)
    try:
        client.execute(env={**os.environ, "MPLBACKEND": "Agg"})
    except CellExecutionError as error:
        pytest.fail(f"{path.name} failed:\n{error}", pytrace=False)

    errors = [
        i
        for i, cell in enumerate(nb.cells[:n_cells])
        if any(out.get("output_type") == "error" for out in cell.get("outputs", []))
    ]
    assert not errors, f"{path.name}: cells {errors} produced errors"

    printed = "".join(
        out.get("text", "") for out in nb.cells[-1].outputs if out.get("output_type") == "stream"
    )
    assert printed.strip() == PREFIX_MARKER + sys.prefix, (
        f"kernel '{KERNEL_NAME}' ran another interpreter ({printed.strip()!r}); expected the "
        f"test's environment {sys.prefix}. Check `jupyter kernelspec list`."
    )


def test_notebooks_use_the_public_api_and_share_no_copied_helpers() -> None:
    """No notebook imports a private name of riskmodel (``_x``), and no function is
    defined in two notebooks: a helper two notebooks need belongs in the package."""
    import ast
    import re

    defined: dict[str, list[str]] = {}
    private = []
    for path in NOTEBOOKS:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:  # nbformat 4
            if cell["cell_type"] != "code":
                continue
            text = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            source = "\n".join(
                line for line in text.splitlines() if not line.lstrip().startswith(("%", "!"))
            )
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("riskmodel"):
                    private += [
                        f"{path.name}: {node.module}.{a.name}"
                        for a in node.names
                        if a.name.startswith("_") or re.search(r"\._", node.module or "")
                    ]
                if isinstance(node, ast.FunctionDef):
                    defined.setdefault(node.name, []).append(path.name)
    assert private == []
    assert {name: books for name, books in defined.items() if len(set(books)) > 1} == {}
