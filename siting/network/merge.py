"""Corridor merging: parallel drawings of one corridor become one.

Step 3 of :mod:`siting.network`. Where a sample runs within ``parallel_km`` of a longer
line, in the same direction (within ``PARALLEL_MAX_ANGLE_DEG``), for at least
``parallel_min_km``, it is *covered*: it is replaced by the nearest sample of that line.
Each line then becomes a sequence of steps between samples, on its own drawing where it is
not covered and along the covering line where it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from siting import geo
from siting.config import NetworkConfig
from siting.network._planar import runs, tangents
from siting.network.clean import Samples

PARALLEL_MAX_ANGLE_DEG = 30.0


@dataclass(frozen=True)
class Merged:
    """The lines as steps between samples after merging parallel drawings."""

    steps: pd.DataFrame  # a, b (samples), part: one row per step of a line's sequence
    merged_km: float  # drawn length that was merged into another line's corridor


def merge_parallel(samples: Samples, cfg: NetworkConfig) -> Merged:
    """Cover parallel drawings (when ``parallel_km`` > 0) and turn every line into steps."""
    if cfg.parallel_km > 0:
        target, merged_km = cover(samples, cfg)
    else:
        target, merged_km = np.full(len(samples.ll), -1), 0.0
    return Merged(steps(target, samples.part), merged_km)


def cover(samples: Samples, cfg: NetworkConfig) -> tuple[np.ndarray, float]:
    """For each sample, the sample of a better-ranked line whose corridor it belongs to
    (−1 where it keeps its own geometry), and the length covered (km)."""
    xy, part = samples.xy, samples.part
    n = len(xy)
    seg_ok = np.append(part[1:] == part[:-1], False)  # sample i starts a segment i→i+1
    along = np.zeros(n)
    d = np.hypot(*(xy[1:] - xy[:-1]).T)
    along[1:] = np.cumsum(np.where(seg_ok[:-1], d, 0.0))
    part_len = np.bincount(part, weights=np.where(seg_ok, np.append(d, 0.0), 0.0))
    # longer drawings are kept; ties by order
    order = np.lexsort((np.arange(len(part_len)), -part_len))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    tangent = tangents(xy, part)
    tol_m = cfg.parallel_km * 1000.0
    radius = tol_m * samples.proj.max_scale + samples.step_km * 1000.0
    pairs = geo.kdtree(xy).query_pairs(radius, output_type="ndarray")
    pairs = pairs[part[pairs[:, 0]] != part[pairs[:, 1]]]  # a line never covers itself
    if len(pairs) == 0:
        return np.full(n, -1), 0.0
    # each pair once, i on the worse-ranked line (parts differ, so ranks do)
    line_rank = rank[part]
    p0, p1 = pairs[:, 0], pairs[:, 1]
    second_better = line_rank[p1] < line_rank[p0]
    i = np.concatenate([p0[second_better], p1[~second_better]])
    j = np.concatenate([p1[second_better], p0[~second_better]])
    best_d, best_t, cos = _nearest_on_line(xy, part, seg_ok, tangent, i, j)
    keep = (best_d <= tol_m) & (cos >= np.cos(np.radians(PARALLEL_MAX_ANGLE_DEG)))
    i, tgt, dist_k, r = i[keep], best_t[keep], best_d[keep], rank[part[best_t[keep]]]
    target = np.full(n, -1)
    if len(i):
        o = np.lexsort((dist_k, r, i))
        first = np.append(True, i[o][1:] != i[o][:-1])
        target[i[o][first]] = tgt[o][first]
    target = _smooth(target, along, part, cfg.parallel_min_km * 1000.0)
    # follow chains of covering to a kept sample
    for _ in range(64):
        nxt = np.where(target >= 0, target, -1)
        deeper = (nxt >= 0) & (target[np.maximum(nxt, 0)] >= 0)
        if not deeper.any():
            break
        target[deeper] = target[nxt[deeper]]
    covered = target >= 0
    merged_km = float(samples.segment_km[(covered[:-1] & covered[1:]) & seg_ok[:-1]].sum())
    return target, merged_km


def _nearest_on_line(
    xy: np.ndarray,
    part: np.ndarray,
    seg_ok: np.ndarray,
    tangent: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each pair of samples (i, j), the nearest point to i on j's line next to j (on the
    segment j→j+1 or j−1→j): its distance, the nearer end of that segment, and the |cos| of
    the angle between i's line and that segment."""
    x, y = xy[:, 0], xy[:, 1]
    # every segment k→k+1 once: its vector, squared length and unit direction
    sx, sy = x[1:] - x[:-1], y[1:] - y[:-1]
    sq = sx * sx + sy * sy
    length = np.maximum(np.sqrt(sq), 1e-9)
    ux, uy = sx / length, sy / length
    best_d = np.full(len(i), np.inf)
    best_t = j.copy()
    cos = np.zeros(len(i))
    for k in (j, j - 1):  # the segment k→k+1
        ok = (k >= 0) & (k + 1 < len(xy))
        ok[ok] &= seg_ok[k[ok]] & (part[k[ok]] == part[j[ok]])
        at, seg, pi = np.flatnonzero(ok), k[ok], i[ok]
        px, py = x[pi] - x[seg], y[pi] - y[seg]
        d2 = sq[seg]
        t = np.where(d2 > 0, (px * sx[seg] + py * sy[seg]) / np.where(d2 > 0, d2, 1.0), 0.0)
        t = np.clip(t, 0.0, 1.0)
        dist = np.hypot(x[pi] - (x[seg] + t * sx[seg]), y[pi] - (y[seg] + t * sy[seg]))
        c = np.abs(tangent[pi, 0] * ux[seg] + tangent[pi, 1] * uy[seg])
        closer = dist < best_d[at]
        idx = at[closer]
        best_d[idx] = dist[closer]
        best_t[idx] = np.where(t[closer] < 0.5, seg[closer], seg[closer] + 1)
        cos[idx] = c[closer]
    return best_d, best_t, cos


def _smooth(target: np.ndarray, along: np.ndarray, part: np.ndarray, min_m: float) -> np.ndarray:
    """Covered runs shorter than ``min_m`` are not duplicates; kept runs shorter than it
    between two covered runs are detours of the same corridor."""
    covered = target >= 0
    for pass_covered in (True, False):
        spans = runs(covered, part)
        length = along[spans[:, 1] - 1] - along[spans[:, 0]]
        value = covered[spans[:, 0]]
        if pass_covered:
            flip = value & (length < min_m)
        else:
            first = np.append(True, part[spans[1:, 0]] != part[spans[:-1, 0]])
            last = np.append(part[spans[:-1, 0]] != part[spans[1:, 0]], True)
            flip = ~value & (length < min_m) & ~first & ~last
        for s, e in spans[flip]:
            covered[s:e] = not pass_covered
    target = np.where(covered, target, -1)
    # samples covered by smoothing take the target of the nearest covered sample before
    gap = covered & (target < 0)
    if gap.any():
        idx = np.where(target >= 0, np.arange(len(target)), -1)
        prev = np.maximum.accumulate(idx)
        same = (prev >= 0) & (part[np.maximum(prev, 0)] == part)
        fill = gap & same
        target[fill] = target[prev[fill]]
        left = covered & (target < 0)
        if left.any():
            idx = np.where(target >= 0, np.arange(len(target)), len(target))
            nxt = np.minimum.accumulate(idx[::-1])[::-1]
            ok = left & (nxt < len(target))
            ok[ok] &= part[nxt[ok]] == part[ok]
            target[ok] = target[nxt[ok]]
            target[left & ~ok] = -1
    return target


def steps(target: np.ndarray, part: np.ndarray) -> pd.DataFrame:
    """Consecutive vertices of every line after mapping covered samples onto their
    corridor: (a, b, part), with jumps along a corridor filled in."""
    n = len(part)
    seq, seq_part = np.where(target >= 0, target, np.arange(n)), part
    for _ in range(3):
        seq, seq_part = _monotone(seq, seq_part, part)
        seq, seq_part = _expand(seq, seq_part, part)
        seq = np.where(target[seq] >= 0, target[seq], seq)
        keep = np.append(True, (seq[1:] != seq[:-1]) | (seq_part[1:] != seq_part[:-1]))
        seq, seq_part = seq[keep], seq_part[keep]
    same = seq_part[1:] == seq_part[:-1]
    a, b = seq[:-1][same], seq[1:][same]
    p = seq_part[:-1][same]
    keep = a != b
    return pd.DataFrame({"a": a[keep], "b": b[keep], "part": p[keep]})


def _monotone(
    seq: np.ndarray, seq_part: np.ndarray, part: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Within each stretch of a line's sequence that lies on one other line, keep the
    vertices in that line's order (no back-and-forth jitter)."""
    spans = runs(part[seq], seq_part)
    out = seq.copy()
    for s, e in spans[(spans[:, 1] - spans[:, 0]) > 2]:
        chunk = seq[s:e]
        out[s:e] = (
            np.maximum.accumulate(chunk) if chunk[-1] >= chunk[0] else np.minimum.accumulate(chunk)
        )
    return out, seq_part


def _expand(
    seq: np.ndarray, seq_part: np.ndarray, part: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Fill jumps between two vertices of the same line with that line's vertices between."""
    if len(seq) < 2:
        return seq, seq_part
    a, b = seq[:-1], seq[1:]
    same_line = (part[a] == part[b]) & (seq_part[:-1] == seq_part[1:])
    gap = np.maximum(np.where(same_line, np.abs(b - a), 1), 1)
    # each step a→b emits a, a±1, …, b∓1; the last vertex is appended at the end
    start = np.repeat(a, gap)
    offset = np.arange(gap.sum()) - np.repeat(np.cumsum(gap) - gap, gap)
    sign = np.repeat(np.where(same_line, np.sign(b - a), 0), gap)
    out = start + sign * offset
    out_part = np.repeat(seq_part[:-1], gap)
    return np.append(out, seq[-1]), np.append(out_part, seq_part[-1])
