"""The corridors' drawings as flat vertex arrays with their geodesic segment lengths."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import shapely

from siting import geo


@dataclass(frozen=True)
class Drawings:
    """Every corridor's drawing as flat lon/lat vertices with their geodesic segment
    lengths, measured once for placing the points along corridors and cutting there."""

    edges: list[dict[str, Any]]  # edge attributes, in graph order
    position: dict[tuple[object, object], int]  # (u, v) of an edge → its place in ``edges``
    coords: np.ndarray  # (n, 2) lon/lat, drawing by drawing
    owner: np.ndarray  # the drawing of each vertex
    segment_km: np.ndarray  # from each vertex to the next of the same drawing (0 at the last)

    @classmethod
    def of(
        cls, graph: nx.Graph, lengths: Mapping[tuple[str, str], np.ndarray] | None = None
    ) -> Drawings:
        """The graph's edges' drawings; ``lengths`` may give each edge's segment lengths
        (by its (u, v)) where they are known already (a geodesic's length does not depend
        on the direction it is measured in)."""
        edges = [d for _, _, d in graph.edges(data=True)]
        coords, owner = shapely.get_coordinates(
            np.array([d["geometry"] for d in edges], dtype=object), return_index=True
        )
        same = owner[1:] == owner[:-1]
        segment_km = np.zeros(max(len(coords) - 1, 0))
        known = [(lengths or {}).get((str(d["u"]), str(d["v"]))) for d in edges]
        found = [k for k in known if k is not None]
        sizes = np.bincount(owner, minlength=len(edges))
        if (
            edges
            and len(found) == len(known)
            and all(len(k) == n - 1 for k, n in zip(found, sizes, strict=True))
        ):
            segment_km[same] = np.concatenate(found)
        else:
            segment_km[same] = geo.geodesic_km(
                coords[:-1][same, 0], coords[:-1][same, 1], coords[1:][same, 0], coords[1:][same, 1]
            )
        position = {(d["u"], d["v"]): k for k, d in enumerate(edges)}
        return cls(edges, position, coords, owner, segment_km)

    def first_vertex(self) -> np.ndarray:
        """Where each drawing's vertices start in ``coords`` (one entry more than drawings)."""
        return np.searchsorted(self.owner, np.arange(len(self.edges) + 1))
