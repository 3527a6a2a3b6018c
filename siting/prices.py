"""Regional prices as factors on the case's price."""

from __future__ import annotations

import numpy as np


def price_factor(regional_usd_per_mwh: np.ndarray, layer_usd_per_mwh: np.ndarray) -> np.ndarray:
    """Regional prices relative to the cheapest price in their layer (1 where none is given).

    The case's price (``costs.gas_price``, ``costs.grid_price``) is the price in the cheapest
    region; every other region keeps its ratio to it, so changing or sweeping the case's price
    moves all regions in proportion, whether the model is rebuilt or re-solved.
    """
    layer = np.asarray(layer_usd_per_mwh, float)
    layer = layer[np.isfinite(layer) & (layer > 0)]
    if len(layer) == 0:
        return np.ones(len(regional_usd_per_mwh))
    values = np.asarray(regional_usd_per_mwh, float) / layer.min()
    return np.where(np.isfinite(values), values, 1.0)
