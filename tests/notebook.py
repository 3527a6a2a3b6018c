"""Execute a notebook in a fresh kernel that imports this checkout of ``siting``."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def outputs_of(path: Path) -> list[str]:
    """Cells that hold outputs or execution counts (notebooks are committed without them)."""
    nb = nbformat.read(path, as_version=4)
    return [
        str(i)
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]


def execute_notebook(path: Path, timeout: int = 900) -> nbformat.NotebookNode:
    """Run every cell of ``path`` (working directory: its folder); raise on the first error
    with the cell's traceback."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env_path = os.environ.get("PYTHONPATH", "")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env_path) if p)
    try:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        client.execute()
    finally:
        if env_path:
            os.environ["PYTHONPATH"] = env_path
        else:
            os.environ.pop("PYTHONPATH", None)
    return nb
