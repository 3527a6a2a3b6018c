"""The on-site technology menu as a plain table (model v2).

For each technology t of ``technology.menu``, with discount rate r, lifetime n_t, lead time
L_t and overnight capex X_t (MUSD per MW of electric capacity):

    cost_musd_per_mw_y[t] = CRF(r, n_t) · IDC_t · X_t + FOM_t
    IDC_t = ((1 + r)^L_t − 1) / (r · L_t)      (1 for L_t = 0 or r = 0)

where FOM_t is the fixed O&M per MW and year (a fraction of X_t, or given as money per
power per year; default ``costs.om_fraction`` · X_t). ``annual_cost_per_capex`` is
∂cost/∂X_t: CRF · IDC, plus the O&M fraction when FOM_t is a share of capex (break-even
capex, :mod:`siting.breakeven`, moves X_t along it). The model multiplies it by the site's
capex multiplier (remoteness, Arctic, permafrost). ``variable_om_musd_per_mw_y`` is the
variable O&M of a MW generated all year (USD/MWh · 8760 / 10⁶). A technology whose lead
time exceeds ``objective.online_within_years`` is kept in the table with
``available = False`` and a ``reason``; the model builds none of it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from siting.config import Case
from siting.units import HOURS_PER_YEAR, capital_recovery_factor

TECH_COLUMNS = [
    "unit_mw",
    "efficiency",
    "cost_musd_per_mw_y",
    "capex_musd_per_mw",
    "annual_cost_per_capex",
    "variable_om_musd_per_mw_y",
    "national_cap_mw",
    "lifetime_years",
    "lead_time_years",
    "available",
]


def interest_during_construction(rate: float, lead_years: float) -> float:
    """IDC factor: the overnight capex spent evenly over the lead time, compounded to the
    start of operation."""
    if lead_years <= 0 or rate <= 0:
        return 1.0
    return ((1.0 + rate) ** lead_years - 1.0) / (rate * lead_years)


def technology_table(case: Case) -> pd.DataFrame:
    """One row per technology of the menu (empty without a menu)."""
    conv, costs = case.conversions, case.costs
    rate = costs.discount_rate
    online = case.objective.online_within_years
    rows = []
    for name, t in case.technology.menu.items():
        capex = t.capex.to_internal(conv)
        life = t.lifetime_years if t.lifetime_years is not None else costs.lifetime_years.generation
        # fixed O&M as a share of capex (om_share) or as money per MW and year (fom_abs)
        om_share, fom_abs = costs.om_fraction, 0.0
        if isinstance(t.fixed_om, float):
            om_share = t.fixed_om
        elif t.fixed_om is not None:
            om_share, fom_abs = 0.0, t.fixed_om.to_internal(conv)
        fom = om_share * capex + fom_abs
        late = online is not None and t.lead_time_years > online
        # the yearly cost of one unit of overnight capex
        annuity = capital_recovery_factor(rate, life) * interest_during_construction(
            rate, t.lead_time_years
        )
        rows.append(
            {
                "tech_id": name,
                "unit_mw": t.unit_size.to_internal(conv),
                "efficiency": t.efficiency,
                "cost_musd_per_mw_y": annuity * capex + fom,
                "capex_musd_per_mw": capex,
                "annual_cost_per_capex": annuity + om_share,
                "variable_om_musd_per_mw_y": t.variable_om.to_internal(conv) * HOURS_PER_YEAR / 1e6,
                "national_cap_mw": t.national_cap.to_internal(conv)
                if t.national_cap is not None
                else np.nan,
                "lifetime_years": life,
                "lead_time_years": t.lead_time_years,
                "available": not late,
                "reason": (
                    f"lead time {t.lead_time_years:g} y exceeds objective.online_within_years "
                    f"({online:g} y)"
                    if late
                    else ""
                ),
            }
        )
    return pd.DataFrame(rows, columns=["tech_id", *TECH_COLUMNS, "reason"]).set_index("tech_id")
