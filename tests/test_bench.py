"""``cascade bench --quick --json`` runs and its rows carry the documented fields.

No timing assertions: figures come from benchmark runs, not tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cli.bench import load_suite
from cli.main import main

suite = load_suite()
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def rows():
    """``cascade bench --quick --json`` in a fresh process, as the user runs it."""
    out = subprocess.run([sys.executable, "-m", "cli", "bench", "--quick", "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines() if line]


def test_quick_rows_have_documented_fields(rows):
    assert rows
    for r in rows:
        assert set(suite.FIELDS) <= set(r), r
    models = {r["model"] for r in rows}
    assert models == {"engine", "ensemble", "mesa-model", "plain-mesa", "numpy-scipy",
                      "startup"}


def test_engine_is_compared_with_the_numpy_baseline(rows):
    numpy_rows = [r for r in rows if r["model"] == "numpy-scipy"]
    matched = [r for r in rows if r["vs_numpy"] is not None]
    assert [r["n"] for r in numpy_rows] == [r["n"] for r in matched] == [1_000]
    assert matched[0]["vs_numpy"] == pytest.approx(matched[0]["rate"] / numpy_rows[0]["rate"])
    assert any("NumPy+SciPy" in line for line in suite.summary(rows))


def test_numpy_baseline_plays_the_engines_game():
    """Same game, different random numbers: the final cooperator shares agree roughly
    (n = 2000, 150 rounds; the benchmark's own check is n = 10^4, 300 rounds)."""
    baseline = suite.load_module("numpy_baseline")
    ours = [baseline.final_cooperators(n=2_000, rounds=150, seed=s) for s in (1, 2)]
    engine = [baseline.engine_cooperators(n=2_000, rounds=150, seed=s) for s in (1, 2)]
    assert abs(sum(ours) / 2 - sum(engine) / 2) < 0.08, (ours, engine)


def test_quick_rows_cover_the_matrix_and_measure(rows):
    engine = [r for r in rows if r["model"] == "engine" and r["peak_rss_mb"] is not None]
    assert {(r["groups"], r["rule"], r["update"]) for r in engine} >= {
        ("neighbourhood", "fermi", "synchronous"), ("partition", "conditional", "asynchronous")}
    for r in engine:
        assert r["rate"] > 0 and r["peak_rss_mb"] > 0 and r["bytes_per_agent"] is not None
        assert r["vs_plain_mesa"] == pytest.approx(
            r["rate"] / next(b["rate"] for b in rows if b["model"] == "plain-mesa"))
    mesa = [r for r in rows if r["model"] == "mesa-model"]
    assert {r["case"] for r in mesa} == {"step, agent reporters on", "step, agent reporters off"}
    assert all(r["build_s"] > 0 for r in rows if r["model"] == "startup")


def test_summary_and_table_name_the_targets(rows):
    text = suite.format_table(rows) + "\n" + "\n".join(suite.summary(rows))
    assert "x the bare engine" in text and "fresh process" in text
    assert len(suite.format_table(rows).splitlines()) == len(rows) + 1


def test_full_matrix_has_the_headline_cases():
    cases = suite.engine_cases(quick=False)
    assert suite.HEADLINE in cases
    assert dict(n=10_000_000, degree=10, groups="neighbourhood", rule="fermi",
                update="synchronous") in cases
    keys = {(c["degree"], c["groups"], c["rule"], c["update"]) for c in cases if c["n"] == 10**5}
    assert len(keys) == 16  # 2 degrees x 2 groups x 2 rules x 2 updates
    assert {c["n"] for c in cases} == {10**3, 10**4, 10**5, 10**6, 10**7}


def test_bench_rejects_unknown_options(capsys):
    assert main(["bench", "--fast"]) == 2
    assert "unrecognized arguments: --fast" in capsys.readouterr().err
