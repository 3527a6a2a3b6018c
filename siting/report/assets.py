"""Leaflet's script and stylesheet, read from the ``xstatic-leaflet`` package and inlined
into the interactive map so that it works with no network at all.

Leaflet is BSD-2-Clause licensed; the script keeps its copyright header, and the map's
attribution line links to it. The stylesheet's images become data URIs.
"""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from siting.report._deps import require

LEAFLET_NOTICE = (
    "Leaflet {version} (c) 2010-2022 Vladimir Agafonkin, (c) 2010-2011 CloudMade; "
    "BSD 2-Clause License"
)

#: tags that would make a browser fetch something: a script, stylesheet, image or frame
_FETCHING = re.compile(
    r"<(?:script|link|img|iframe|source|embed)\b[^>]*?\b(?:src|href)\s*=\s*[\"']?"
    r"(?P<url>(?:https?:)?//[^\"'\s>]+)",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"url\(\s*[\"']?(?P<url>(?:https?:)?//[^\"')]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Leaflet:
    version: str
    js: str
    css: str


@functools.cache
def leaflet() -> Leaflet:
    """Leaflet's minified script and its stylesheet with images inlined."""
    pkg = require("xstatic.pkg.leaflet", "The offline interactive map")
    base = Path(pkg.BASE_DIR)
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    js = re.sub(r"//# sourceMappingURL=\S+\s*$", "", js).replace("</script", "<\\/script")
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def data_uri(match: re.Match[str]) -> str:
        path = base / match.group("path")
        if not path.is_file():
            return match.group(0)
        encoded = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    css = re.sub(r"url\((?P<path>images/[\w.-]+\.png)\)", data_uri, css)
    return Leaflet(version=str(pkg.VERSION), js=js, css=css)


def external_references(html: str) -> list[str]:
    """URLs that the page would fetch from the network (scripts, styles, images, frames)."""
    return [m.group("url") for m in _FETCHING.finditer(html)] + [
        m.group("url") for m in _CSS_URL.finditer(html)
    ]
