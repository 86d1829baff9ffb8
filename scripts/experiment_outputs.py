"""Capture every experiment's ``--json`` output for fixed seeds, and diff two captures.

Used to show that a refactoring changed no result: capture on the old tree, capture on the
new one, diff. Timings (keys ``seconds``, ``study_seconds``, ``timing``) are left out, since
they differ from run to run; everything else must be identical.

    python scripts/experiment_outputs.py capture OUT_DIR [--root TREE]
    python scripts/experiment_outputs.py diff OLD_DIR NEW_DIR

``--root`` runs the experiments of another checkout (its directory goes first on
``PYTHONPATH``), so the old tree can be captured from a ``git worktree`` beside this one.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TIMING_KEYS = {"seconds", "study_seconds", "timing"}

TIES_PARAMS = (Path(__file__).resolve().parents[1] / "tests" / "data"
               / "ties_tiny.toml").read_text(encoding="utf-8")

#: name -> argv after ``cascade experiment``; TIES is replaced by the parameter file above
CASES: dict[str, list[str]] = {
    "fowler-christakis": ["fowler-christakis", "--sessions", "2", "--pairs", "30", "--seed",
                          "3", "--no-sensitivity"],
    "fowler-christakis-dyadic": ["fowler-christakis", "--sessions", "2", "--pairs", "30",
                                 "--seed", "4", "--spec", "dyadic", "--no-sensitivity"],
    "policies": ["policies", "--replicates", "3", "--n", "40", "--rounds", "5", "--seed", "7"],
    "policies-two-workers": ["policies", "--replicates", "2", "--n", "60", "--rounds", "6",
                             "--networks", "silos,scale-free", "--workers", "2"],
    "ties": ["ties", "--params", "TIES"],
    "ties-two-workers": ["ties", "--params", "TIES", "--workers", "2", "--seed", "11"],
    "validation": ["validation", "--quick", "--seed", "3"],
}


def capture(out: Path, root: Path | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if root is not None:
        env["PYTHONPATH"] = str(root.resolve()) + os.pathsep + env.get("PYTHONPATH", "")
    with tempfile.TemporaryDirectory() as tmp:
        ties = Path(tmp) / "ties.toml"
        ties.write_text(TIES_PARAMS, encoding="utf-8")
        for name, argv in CASES.items():
            argv = [str(ties) if a == "TIES" else a for a in argv]
            command = [sys.executable, "-m", "cli", "experiment", *argv, "--json"]
            done = subprocess.run(command, env=env, capture_output=True, text=True,
                                  cwd=root or None)
            if done.returncode != 0:
                raise SystemExit(f"{name}: exit {done.returncode}\n{done.stderr}")
            document = strip(json.loads(done.stdout))
            (out / f"{name}.json").write_text(json.dumps(document, indent=1, sort_keys=True),
                                              encoding="utf-8")
            print(f"{name}: captured")


def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def diff(old: Path, new: Path) -> int:
    status = 0
    for name in CASES:
        a = json.loads((old / f"{name}.json").read_text(encoding="utf-8"))
        b = json.loads((new / f"{name}.json").read_text(encoding="utf-8"))
        differences = list(compare(a, b, name))
        print(f"{name}: {'identical' if not differences else f'{len(differences)} differences'}")
        for line in differences[:20]:
            print(f"  {line}")
        status |= bool(differences)
    return status


def compare(a, b, path: str):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                yield f"{path}.{key}: only in {'new' if key in b else 'old'}"
            else:
                yield from compare(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            yield from compare(x, y, f"{path}[{i}]")
    elif a != b:
        yield f"{path}: {str(a)[:60]} != {str(b)[:60]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    cap = commands.add_parser("capture")
    cap.add_argument("out", type=Path)
    cap.add_argument("--root", type=Path, default=None)
    dif = commands.add_parser("diff")
    dif.add_argument("old", type=Path)
    dif.add_argument("new", type=Path)
    args = parser.parse_args()
    if args.command == "capture":
        capture(args.out, args.root)
        return 0
    return diff(args.old, args.new)


if __name__ == "__main__":
    sys.exit(main())
