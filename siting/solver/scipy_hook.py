"""Pyomo's import hook for scipy, without the modules that siting never uses.

When ``pyomo.common.dependencies`` is imported it registers a hook that, the first time
anything imports scipy, loads scipy.stats and scipy.integrate as well (0.5–0.8 s on the
development machines, longer than HiGHS on the bundled case). siting uses scipy.sparse and
scipy.spatial only. :func:`drop_pyomo_scipy_hook` loads Pyomo's dependency registry and
removes that one callback; it must run before scipy is first imported (once scipy is
loaded, importing Pyomo resolves the hook at once), so the run order calls it first.
"""

from __future__ import annotations

import sys


def drop_pyomo_scipy_hook() -> bool:
    """Keep Pyomo from importing scipy.stats and scipy.integrate; False if it is too late
    (scipy was loaded before Pyomo's registry) or Pyomo's registry has changed shape."""
    if "scipy" in sys.modules and "pyomo.common.dependencies" not in sys.modules:
        return False
    from pyomo.common import dependencies

    indicator = dependencies.scipy_available
    if getattr(indicator, "_module", None) is not None or not hasattr(indicator, "_callback"):
        return False
    indicator._callback = None
    return True
