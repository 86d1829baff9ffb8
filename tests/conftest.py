"""Shared set-up for the engine's tests.

``tests/`` is on ``sys.path`` (pytest's default rootdir-relative import mode), so test modules
import the plain-Python twins with ``import reference as ref``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

#: the repository root, so that ``import sim`` works without installing the project
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240611)
