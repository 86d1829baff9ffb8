"""Engine speed against plain Mesa: now the benchmark suite (``benchmarks/suite.py``).

Kept so that ``make bench`` and older notes keep working; the same as ``cascade bench``.

    python benchmarks/engine_speed.py [--quick] [--json]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from suite import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main())
