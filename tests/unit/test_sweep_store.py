"""The sweep folder: one commit per run, nothing lost or duplicated across interruptions."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from siting.errors import SitingError
from siting.output.sweep_store import PENDING, RUNS, SITES, SweepStore, read_tables, runs_frame


def row(run_id: str, point: int, status: str = "optimal", **extra) -> dict:
    return {
        "run_id": run_id,
        "point": point,
        "step": 0,
        "chain": "c1",
        "status": status,
        "objective": None if status != "optimal" else float(point),
        "message": "",
        **extra,
    }


def sites(*ids: str) -> pd.DataFrame:
    return pd.DataFrame({"site_id": list(ids), "it_mw": [50.0] * len(ids)})


def test_runs_are_readable_as_soon_as_they_are_written(tmp_path):
    with SweepStore(tmp_path, compact_every=100) as store:
        store.add(row("a", 0), sites("s1", "s2"), sites("s1", "s2", "s3"))
        store.add(row("b", 1, status="infeasible"), None)
        tables = read_tables(tmp_path)
        assert list(tables.runs["run_id"]) == ["a", "b"]
        assert list(tables.sites["site_id"]) == ["s1", "s2"]
        assert set(tables.candidates["site_id"]) == {"s1", "s2", "s3"}
        assert tables.runs["objective"].dtype == float
    # closing compacts: the tables are plain Parquet files pandas reads directly
    assert not list((tmp_path / PENDING).glob("*.parquet"))
    assert list(pd.read_parquet(tmp_path / RUNS)["run_id"]) == ["a", "b"]
    assert len(pd.read_parquet(tmp_path / SITES)) == 2


def test_an_interrupted_write_leaves_no_trace(tmp_path):
    store = SweepStore(tmp_path)
    store.add(row("a", 0), sites("s1"))
    # a crash between the sites file and the run row, and a half-written temporary file
    pending = tmp_path / PENDING
    sites("s9").assign(run_id="x").to_parquet(pending / "x-0001.sites.parquet")
    (pending / ".x-0001.run.abc.partial.parquet").write_bytes(b"PAR1 half")
    store._lock.release()  # the process died
    reopened = SweepStore(tmp_path)
    tables = reopened.tables()
    assert list(tables.runs["run_id"]) == ["a"]
    assert list(tables.sites["run_id"]) == ["a"]
    assert not [p for p in pending.iterdir()]
    reopened.close()


def test_an_interrupted_compaction_neither_loses_nor_duplicates(tmp_path):
    with SweepStore(tmp_path) as store:
        store.add(row("a", 0), sites("s1"))
    with SweepStore(tmp_path, compact_every=100) as store:
        store.add(row("b", 1), sites("s1", "s2"))
        saved = tmp_path / "saved"
        shutil.copytree(tmp_path / PENDING, saved)
        store.compact()
        # the compaction wrote the tables but died before deleting the merged files
        for part in saved.iterdir():
            shutil.copy(part, tmp_path / PENDING / part.name)
        store._lock.release()
        store._lock = None
    tables = read_tables(tmp_path)
    assert list(tables.runs["run_id"]) == ["a", "b"]
    assert len(tables.sites) == 3
    with SweepStore(tmp_path) as store:
        assert set(store.done()) == {"a", "b"}
    assert len(pd.read_parquet(tmp_path / SITES)) == 3


def test_a_retried_run_replaces_its_failed_row(tmp_path):
    with SweepStore(tmp_path) as store:
        store.add(row("a", 0, status="error", message="boom"), None)
    with SweepStore(tmp_path) as store:
        store.add(row("a", 0), sites("s1"))
    runs = read_tables(tmp_path).runs
    assert list(runs["status"]) == ["optimal"]


def test_a_second_writer_is_refused(tmp_path):
    pytest.importorskip("fcntl")
    with SweepStore(tmp_path), pytest.raises(SitingError, match="another sweep"):
        SweepStore(tmp_path)


def test_reading_a_folder_that_is_not_there(tmp_path):
    with pytest.raises(SitingError, match="no such sweep folder"):
        read_tables(tmp_path / "nope")


def test_run_rows_keep_their_column_types_whatever_a_row_holds():
    frame = runs_frame(
        [
            row("a", 0, nodes=3, reused=True, gap="n/a", label=None),
            row("b", 1, status="error", nodes=None),
            {"run_id": "c", "point": 2.0, "objective": True, "extra": 5},
        ]
    )
    assert list(frame["run_id"]) == ["a", "b", "c"]
    assert frame["objective"].tolist()[::2] == [0.0, 1.0] and pd.isna(frame["objective"][1])
    assert frame["gap"].dtype == float and frame["gap"].isna().all()
    assert str(frame["nodes"].dtype) == "Int64" and frame["nodes"].isna().tolist() == [
        False,
        True,
        True,
    ]
    assert frame["point"].tolist() == [0, 1, 2] and str(frame["point"].dtype) == "Int64"
    assert frame["reused"].tolist() == [True, False, False]
    assert frame["label"].tolist() == ["", "", ""] and frame["status"].tolist()[2] == ""


def test_compaction_from_memory_equals_reading_the_parts_back(tmp_path):
    with SweepStore(tmp_path / "kept", compact_every=100) as store:
        for i in range(3):
            store.add(row(f"r{i}", i, it_mw=float(i)), sites(f"s{i}"), sites("s0", "s1", "s2"))
        shutil.copytree(
            tmp_path / "kept", tmp_path / "copy", ignore=shutil.ignore_patterns("*.lock")
        )
    with SweepStore(tmp_path / "copy") as reread:  # compacts what it finds on disk
        pass
    kept, copied = read_tables(tmp_path / "kept"), read_tables(reread.out)
    pd.testing.assert_frame_equal(kept.runs, copied.runs)
    pd.testing.assert_frame_equal(kept.sites, copied.sites)
    pd.testing.assert_frame_equal(kept.candidates, copied.candidates)
