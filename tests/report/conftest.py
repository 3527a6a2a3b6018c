from __future__ import annotations

import pytest

from siting.api import solve_case
from siting.examples import example_case, example_geodata
from siting.report import from_result


@pytest.fixture(scope="session")
def example_result():
    """The example solved once: 500 MW at ``hub`` (300 MW) and ``junction`` (200 MW)."""
    case = example_case()
    return solve_case(case, data=example_geodata(case))


@pytest.fixture(scope="session")
def example_rundata(example_result):
    return from_result(example_result)


@pytest.fixture(scope="session")
def example_folder(tmp_path_factory, example_result):
    """The example's run folder, with every artefact."""
    from siting.api import write_result

    out = tmp_path_factory.mktemp("example_run")
    write_result(example_result, out)
    return out
