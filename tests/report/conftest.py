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


@pytest.fixture(scope="session")
def russia_rundata():
    """The bundled Russia case solved once (5 GW at about 18 sites)."""
    from pathlib import Path

    from siting.api import load_case

    case = load_case(Path(__file__).resolve().parents[2] / "models" / "russia.yaml")
    return from_result(solve_case(case))
