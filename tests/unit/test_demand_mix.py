"""``network.demand_mix``: committed demand as a weighted sum of demand columns."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from siting.config import NetworkConfig
from siting.errors import DataError
from siting.examples import example_case, raw_layers
from siting.geodata import standardise_nodes

RUSSIA_NODES = Path(__file__).resolve().parents[2] / "geodata" / "russia" / "nodes.geojson"


def test_a_mix_weighs_the_columns():
    raw, conv = raw_layers()["nodes"], example_case().conversions
    whole = standardise_nodes(raw, NetworkConfig(demand_column="demand"), conv)
    half = standardise_nodes(raw, NetworkConfig(demand_mix={"demand": 0.5}), conv)
    assert whole["demand_mw"].sum() > 0
    np.testing.assert_allclose(half["demand_mw"], 0.5 * whole["demand_mw"])


def test_the_russia_partial_return_lies_halfway_between_2024_and_2019():
    raw, conv = gpd.read_file(RUSSIA_NODES), example_case().conversions
    frames = {
        year: standardise_nodes(raw, NetworkConfig(demand_column=f"demand_{year}"), conv)
        for year in (2024, 2019)
    }
    mix = standardise_nodes(
        raw, NetworkConfig(demand_mix={"demand_2024": 0.5, "demand_2019": 0.5}), conv
    )
    expected = 0.5 * (frames[2024]["demand_mw"] + frames[2019]["demand_mw"])
    np.testing.assert_allclose(mix["demand_mw"], expected)
    assert (
        frames[2024]["demand_mw"].sum() < mix["demand_mw"].sum() < frames[2019]["demand_mw"].sum()
    )


def test_a_missing_column_in_the_mix_is_one_line():
    raw, conv = raw_layers()["nodes"], example_case().conversions
    with pytest.raises(DataError, match="no column for 'demand_2030'") as err:
        standardise_nodes(raw, NetworkConfig(demand_mix={"demand_2030": 1.0}), conv)
    assert "\n" not in str(err.value)
