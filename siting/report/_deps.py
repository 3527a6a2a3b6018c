"""Lazy imports of the plotting libraries, with an install hint instead of a traceback."""

from __future__ import annotations

import importlib
from types import ModuleType

from siting.errors import MissingDependencyError

INSTALL_HINT = "pip install 'siting[maps]'"
#: import name → distribution name of the ``maps`` extra
MAPS_PACKAGES = {
    "matplotlib": "matplotlib",
    "matplotlib_scalebar": "matplotlib-scalebar",
    "folium": "folium",
    "xstatic.pkg.leaflet": "xstatic-leaflet",
}


def require(module: str, purpose: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        package = MAPS_PACKAGES.get(module, module.split(".")[0])
        raise MissingDependencyError(
            f"{purpose} needs the Python package {package!r}, which is not installed: "
            f"{INSTALL_HINT}"
        ) from exc


def missing_maps_dependencies() -> list[str]:
    """The packages of the ``maps`` extra that cannot be imported (empty when all can)."""
    missing = []
    for module, package in MAPS_PACKAGES.items():
        try:
            importlib.import_module(module)
        except ImportError:
            missing.append(package)
    return missing
