"""Run a benchmark script's ``--child`` case in a fresh interpreter and read its JSON line.

Each case of ``benchmarks/memory.py`` and ``benchmarks/threads.py`` runs in its own process,
so that peak memory and thread pools start clean.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_child(script: str, payload: Any, timeout: float | None = None) -> Any:
    """``python SCRIPT --child JSON(payload)`` from the repository root; the last line of its
    output, parsed as JSON."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, script, "--child", json.dumps(payload)],
                         capture_output=True, text=True, env=env, cwd=ROOT, check=True,
                         timeout=timeout)
    return json.loads(out.stdout.strip().splitlines()[-1])
