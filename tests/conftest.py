from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# the reference data sits beside the repository; SITING_SHARED_DATA points elsewhere
SHARED = Path(os.environ.get("SITING_SHARED_DATA") or ROOT.parent / "shared" / "data")
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The reference data in ../shared/data: skip without it, fail if CI requires it."""
    if not SHARED.is_dir():
        if os.environ.get("SITING_REQUIRE_SHARED") == "1":
            pytest.fail(f"SITING_REQUIRE_SHARED=1 but {SHARED} is missing")
        pytest.skip(f"reference data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
