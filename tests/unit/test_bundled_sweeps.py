"""The sweep files in models/sweeps validate against the cases they name."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from siting.sweep import load_sweep, make_plan

SWEEPS = sorted((Path(__file__).resolve().parents[2] / "models" / "sweeps").glob("*.yaml"))


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.name)
def test_bundled_sweep_is_valid(path: Path):
    case = (path.parent / yaml.safe_load(path.read_text())["case"]).resolve()
    if not case.exists():
        pytest.skip(f"{case.name} is not in this checkout")
    plan = make_plan(load_sweep(path))
    assert plan.total > 0


@pytest.mark.parametrize("path", SWEEPS, ids=lambda p: p.name)
def test_bundled_sweep_fits_the_example_case(path: Path, tmp_path: Path):
    """Key paths, units and design are well formed whatever case they are pointed at (the
    example, given the technology menu of the sweep's own case when the sweep varies one)."""
    from siting.examples import write_example
    from siting.sweep import sweep_from_dict

    case = write_example(tmp_path)
    raw = yaml.safe_load(path.read_text())
    raw.pop("scenario", None)  # a named scenario belongs to the sweep's own case
    own = path.parent / raw["case"]
    if own.exists() and any(k.startswith("technology.") for k in raw.get("parameters", {})):
        technology = yaml.safe_load(own.read_text()).get("technology", {})
        example = yaml.safe_load(case.read_text())
        for key in ("menu", "reliability"):
            if key in technology:
                example["technology"][key] = technology[key]
        case.write_text(yaml.safe_dump(example, sort_keys=False))
    plan = make_plan(sweep_from_dict(raw, case=case))
    assert plan.total > 0
