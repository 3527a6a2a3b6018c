"""Vectorised helpers on planar coordinates (metres in a local projection) and on runs of
samples along lines."""

from __future__ import annotations

import numpy as np


def firsts(sorted_keys: np.ndarray) -> np.ndarray:
    """Mask of the first element of each run of equal keys."""
    if len(sorted_keys) == 0:
        return np.zeros(0, bool)
    return np.append(True, sorted_keys[1:] != sorted_keys[:-1])


def runs(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """(start, stop) of maximal runs of equal ``values`` within equal ``group``."""
    n = len(values)
    if n == 0:
        return np.zeros((0, 2), int)
    change = np.append(True, (values[1:] != values[:-1]) | (group[1:] != group[:-1]))
    starts = np.flatnonzero(change)
    stops = np.append(starts[1:], n)
    return np.column_stack([starts, stops])


def tangents(xy: np.ndarray, part: np.ndarray) -> np.ndarray:
    """Unit direction of each line at each sample (central difference within its line)."""
    n = len(xy)
    prev = np.arange(n) - 1
    nxt = np.arange(n) + 1
    prev_ok = (prev >= 0) & (part[np.maximum(prev, 0)] == part)
    next_ok = (nxt < n) & (part[np.minimum(nxt, n - 1)] == part)
    a = np.where(prev_ok[:, None], xy[np.maximum(prev, 0)], xy)
    b = np.where(next_ok[:, None], xy[np.minimum(nxt, n - 1)], xy)
    d = b - a
    return d / np.maximum(np.linalg.norm(d, axis=1, keepdims=True), 1e-9)


def point_segment(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Planar distance from points p to segments a→b, and the parameter t ∈ [0, 1] of the
    nearest point."""
    ab = b - a
    denom = (ab * ab).sum(axis=1)
    t = np.where(denom > 0, ((p - a) * ab).sum(axis=1) / np.where(denom > 0, denom, 1.0), 0.0)
    t = np.clip(t, 0.0, 1.0)
    q = a + t[:, None] * ab
    return np.hypot(*(p - q).T), t


def intersection_params(
    a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Parameters (ta, tb) of the crossing point of segments a0→a1 and b0→b1."""
    r, s = a1 - a0, b1 - b0
    denom = r[:, 0] * s[:, 1] - r[:, 1] * s[:, 0]
    denom = np.where(np.abs(denom) < 1e-12, 1e-12, denom)
    qp = b0 - a0
    ta = (qp[:, 0] * s[:, 1] - qp[:, 1] * s[:, 0]) / denom
    tb = (qp[:, 0] * r[:, 1] - qp[:, 1] * r[:, 0]) / denom
    return np.clip(ta, 0.0, 1.0), np.clip(tb, 0.0, 1.0)


def along(xy: np.ndarray, a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The points at parameter ``t`` on segments between vertices ``a`` and ``b`` of ``xy``."""
    return xy[a] + t[:, None] * (xy[b] - xy[a])


def unique_pairs(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct pairs (lo, hi) of non-negative integers in lexicographic order, as an
    (n, 2) array, and the index of each input pair among them."""
    if len(lo) == 0:
        return np.zeros((0, 2), np.int64), np.zeros(0, np.int64)
    base = int(max(lo.max(), hi.max())) + 1
    keys, inverse = np.unique(lo.astype(np.int64) * base + hi, return_inverse=True)
    return np.column_stack([keys // base, keys % base]), inverse.ravel()
