"""``RunData``: what a run folder holds, in memory — the Solution, its GIS layers and the
resolved case. Reporting reads this and nothing else, so a report rendered straight after a
solve equals one re-rendered later from the folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from siting.solution import Solution

if TYPE_CHECKING:
    from siting.pipeline import RunResult


@dataclass(frozen=True)
class RunData:
    solution: Solution
    layers: dict[str, gpd.GeoDataFrame]
    case: dict[str, Any]
    label: str
    meta: dict[str, Any] = field(default_factory=dict)

    def layer(self, name: str) -> gpd.GeoDataFrame | None:
        """A layer, or None when the run has none (or an empty one)."""
        frame = self.layers.get(name)
        return frame if frame is not None and len(frame) else None

    @property
    def description(self) -> str:
        return str(self.case.get("description") or "")

    @property
    def chosen(self) -> pd.DataFrame:
        """Chosen sites with their distances and climate (the ``sites`` layer's attributes)."""
        sites = self.layers.get("sites")
        if sites is None:
            return self.solution.chosen
        return pd.DataFrame(sites.drop(columns="geometry")).set_index("site_id")


def run_names(a: RunData, b: RunData) -> tuple[str, str]:
    """Names that tell two runs apart: their case labels, plus the folder when those agree."""
    if a.label != b.label:
        return a.label, b.label
    folder_a = Path(str(a.meta.get("run_dir", "A"))).name
    folder_b = Path(str(b.meta.get("run_dir", "B"))).name
    if folder_a == folder_b:
        folder_a, folder_b = "A", "B"
    return f"{a.label} ({folder_a})", f"{b.label} ({folder_b})"


def from_result(result: RunResult) -> RunData:
    """The RunData of a solve, before (or without) writing it."""
    from siting.gis import run_layers
    from siting.network import edges_frame, nodes_frame

    prepared = result.prepared
    graph = prepared.candidates.graph
    layers = run_layers(
        result.solution,
        prepared.candidates.sites,
        edges_frame(graph),
        nodes_frame(graph),
        prepared.data,
    )
    case = prepared.case
    return RunData(
        solution=result.solution,
        layers=layers,
        case=case.model_dump(mode="json"),
        label=case.label,
    )
