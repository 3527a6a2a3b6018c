"""Every notebook in notebooks/ is committed without outputs and runs from top to bottom."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook import ROOT, execute_notebook, outputs_of

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs(path: Path):
    assert not outputs_of(path), f"{path.name}: clear the outputs of cells {outputs_of(path)}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path):
    nb = execute_notebook(path)
    assert all(
        out.get("output_type") != "error" for cell in nb.cells for out in cell.get("outputs", [])
    )
