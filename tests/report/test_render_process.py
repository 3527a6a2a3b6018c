"""Maps and report drawn in a second process are the files drawn in this one, and a drawing
that fails there still leaves a complete run folder."""

from __future__ import annotations

import filecmp
import re

import pytest

from siting.api import write_result
from siting.errors import DataError
from siting.output.artefacts import render_artefacts
from siting.output.render_process import RenderProcess

#: ids that folium and matplotlib's SVG writer draw at random for each rendering, and times
RANDOM_IDS = re.compile(
    r"[0-9a-f]{32}|\b(?:id|href)=\"#?[^\"]*\"|url\(#[^)]*\)|<dc:date>[^<]*"
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+\d:]*"
)


def _same_page(a: bytes, b: bytes) -> bool:
    return RANDOM_IDS.sub("", a.decode()) == RANDOM_IDS.sub("", b.decode())


@pytest.fixture(params=[True, False], ids=["fork", "fresh interpreter"])
def fork(request):
    return request.param


def test_drawn_in_a_process_equals_drawn_here(example_rundata, fork):
    here = render_artefacts(example_rundata)
    with RenderProcess(fork=fork) as renderer:
        there = renderer.draw(example_rundata)()
    assert renderer.missing == []
    assert (
        set(there)
        == set(here)
        == {
            "map.png",
            "map.html",
            "cost_breakdown.svg",
            "report.md",
            "report.html",
        }
    )
    assert there["map.png"] == here["map.png"]  # Agg output is deterministic
    assert there["report.md"] == here["report.md"]
    for name in ("map.html", "cost_breakdown.svg", "report.html"):
        assert _same_page(there[name], here[name]), name


def test_run_folder_written_with_a_process_equals_one_written_here(example_result, tmp_path, fork):
    write_result(example_result, tmp_path / "here")
    with RenderProcess(fork=fork) as renderer:
        write_result(example_result, tmp_path / "there", renderer=renderer)
    here, there = tmp_path / "here", tmp_path / "there"
    files = sorted(p.relative_to(here) for p in here.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(there) for p in there.rglob("*") if p.is_file())
    for rel in files:
        if rel.parts[0] == "tables" or rel.name in ("report.md", "map.png", "summary.json"):
            assert filecmp.cmp(here / rel, there / rel, shallow=False), rel


class _BadFormat(RenderProcess):
    """Asks for a map format that does not exist: drawing fails in the process."""

    def draw(self, run, formats=("png",)):
        return super().draw(run, formats=("bmp",))


def test_an_error_in_the_process_is_raised_here(example_rundata, fork):
    with _BadFormat(fork=fork) as renderer:
        result = renderer.draw(example_rundata)
        with pytest.raises(DataError, match="map format 'bmp': allowed png, svg, pdf"):
            result()


def test_a_failed_drawing_still_writes_the_run(example_result, tmp_path):
    with (
        _BadFormat() as renderer,
        pytest.warns(UserWarning, match=r"were not written \(map format 'bmp'"),
    ):
        write_result(example_result, tmp_path, renderer=renderer)
    assert (tmp_path / "manifest.json").exists() and (tmp_path / "sites.gpkg").exists()
    assert not (tmp_path / "map.png").exists() and not (tmp_path / "report.md").exists()


def test_a_process_that_draws_nothing_stops(fork):
    renderer = RenderProcess(fork=fork)
    assert renderer.running
    renderer.close()
    assert not renderer.running
    assert renderer.missing is None


def _warn_and_return() -> int:
    import warnings

    warnings.warn("drawn with care", UserWarning, stacklevel=1)
    return 42


def _fail_with(exc: Exception):
    def fail():
        raise exc

    return fail


def test_the_forked_half_returns_warns_and_raises_here():
    from siting.output.render_process import RemoteError, _forked

    with pytest.warns(UserWarning, match="drawn with care"):
        assert _forked(_warn_and_return)() == 42
    with pytest.raises(DataError, match="no layer"):
        _forked(_fail_with(DataError("no layer")))()
    with pytest.raises(RemoteError, match="ZeroDivisionError: boom"):
        _forked(_fail_with(ZeroDivisionError("boom")))()
