"""``cascade experiment fowler-christakis``: JSON keys, the report, bad input (exit 2, one line,
nothing written), the same numbers on any number of workers, the sweep metrics. Runs are small
(--sessions 2, --pairs 30, one worker unless the test is about workers) so the file stays
fast."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli.main import main
from experiments.calibrate import load, measure, score
from experiments.fowler_christakis import EXPERIMENT
from sim.behaviour.parameters import Behaviour
from sim.lab.design import LabDesign

SMALL = ["--sessions", "2", "--pairs", "30", "--seed", "3", "--workers", "1"]
TIMINGS = ("seconds",)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
TOML = Path(__file__).resolve().parents[1] / "experiments" / "fowler_christakis.toml"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["experiment", "fowler-christakis", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def small_params(tmp_path: Path, edit: tuple[str, str] | None = None) -> Path:
    """The shipped parameters with a 2 x 1 sensitivity grid of tiny runs; ``edit`` replaces
    one line (old, new) of the shipped file."""
    text = TOML.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert "sensitivity" in data
    if edit is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1])
    head, _, _ = text.partition("[sensitivity]")
    path = tmp_path / "params.toml"
    path.write_text(head + "[sensitivity]\nslopes = [0.7, 0.9]\n"
                    "free_rider_shares = [0.3]\nsessions = 3\npairs = 20\n", encoding="utf-8")
    return path


def without_timings(run: dict) -> dict:
    return {k: without_timings(v) if isinstance(v, dict) else v for k, v in run.items()
            if k not in TIMINGS}


def test_json_has_every_key(capsys):
    status, out, err = run(capsys, *SMALL, "--no-sensitivity", "--json")
    assert status == 0, err
    data = json.loads(out)
    for name in ("without_punishment", "with_punishment"):
        series = data["trajectory"][name]
        assert len(series) == 6 and all(0 <= v <= 20 for v in series)
        for degree in ("1", "2", "3"):
            cell = data["influence"][name][degree]
            assert isinstance(cell["estimate"], float)
            lo, hi = cell["ci"]
            assert lo <= cell["estimate"] <= hi
    m = data["multiplier"]
    assert m["ci"][0] <= m["estimate"] <= m["ci"][1] and m["pairs"] <= 30
    assert data["repeat_meetings"] == 0
    assert len(data["cascade"]["extra"]) == len(data["cascade"]["degrees"])
    assert data["targets"] and all("met" in row for row in data["targets"])
    assert data["cascade"]["unreached_max_change"] == 0.0


def test_same_seed_same_numbers(capsys):
    a = json.loads(run(capsys, *SMALL, "--no-sensitivity", "--json")[1])
    b = json.loads(run(capsys, *SMALL, "--no-sensitivity", "--json")[1])
    for part in ("trajectory", "influence", "multiplier", "cascade"):
        assert a[part] == b[part]


def test_table_and_report(capsys, tmp_path):
    out_dir = tmp_path / "report"
    status, out, err = run(capsys, *SMALL, "--params", str(small_params(tmp_path)),
                           "--out", str(out_dir))
    assert status == 0, err
    assert "simulated" in out and "published" in out and "causal multiplier" in out
    files = sorted(p.name for p in out_dir.iterdir())
    assert files == ["cascade.png", "influence.png", "lab.parquet", "network.parquet",
                     "report.md", "results.json", "trajectories.png"]
    for name in ("cascade.png", "influence.png", "trajectories.png"):
        assert (out_dir / name).read_bytes().startswith(PNG_MAGIC)
    report = (out_dir / "report.md").read_text(encoding="utf-8")
    for heading in ("Contribution trajectories", "Influence by degree", "The causal cascade",
                    "Sensitivity", "Parameters"):
        assert heading in report
    results = json.loads((out_dir / "results.json").read_text(encoding="utf-8"))
    assert len(results["sensitivity"]) == 2
    lab = pd.read_parquet(out_dir / "lab.parquet")
    assert len(lab) == 2 * 12 * 24
    assert list(lab.columns[:7]) == ["session", "period", "subject", "group", "contribution",
                                     "punishment_given", "punishment_received"]
    assert len(pd.read_parquet(out_dir / "network.parquet")) == 2 * 12 * 24 * 3
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_workers_do_not_change_the_numbers(capsys, tmp_path):
    """The laboratory, the paired runs and the grid cells on a local Dask cluster of two
    workers give the numbers of one worker in this process, to the last bit."""
    params = str(small_params(tmp_path))
    base = ["--sessions", "2", "--pairs", "30", "--seed", "5", "--params", params, "--json"]
    status, one, err = run(capsys, *base, "--workers", "1")
    assert status == 0, err
    status, two, err = run(capsys, *base, "--workers", "2")
    assert status == 0, err
    one, two = json.loads(one), json.loads(two)
    assert len(one["sensitivity"]) == 2
    assert without_timings(one) == without_timings(two)


def test_sweep_metrics():
    """A sweep plays the experiment in this process and records its headline numbers."""
    assert {"sessions", "pairs", "spec", "no_sensitivity", "experiment.extra"} <= set(
        EXPERIMENT.sweep_parameters())
    values = {"sessions": "2", "pairs": 30, "no_sensitivity": True}
    metrics = EXPERIMENT.sweep_run(values, np.random.SeedSequence(3, spawn_key=(1,)))
    names = [f"influence_{d}_{t}" for t in ("without_punishment", "with_punishment")
             for d in (1, 2, 3)]
    assert set(metrics) == {*names, "multiplier", "multiplier_first_block", "targets_met"}
    assert all(isinstance(v, float) for k, v in metrics.items() if k != "targets_met")
    assert 0 <= metrics["targets_met"] <= 13
    again = EXPERIMENT.sweep_run(values, np.random.SeedSequence(3, spawn_key=(1,)))
    assert again == metrics


@pytest.mark.parametrize(
    "argv,mentions",
    [
        (["--sessions", "0"], "--sessions"),
        (["--sessions", "abc"], "--sessions"),
        (["--sessions", "2.5"], "--sessions"),
        (["--pairs", "0"], "--pairs"),
        (["--pairs", "-4"], "--pairs"),
        (["--seed", "x"], "--seed"),
        (["--spec", "sum"], "--spec"),
        (["--params", "/nonexistent/params.toml"], "--params"),
        (["--bogus"], "--bogus"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(capsys, tmp_path, argv, mentions):
    out_dir = tmp_path / "out"
    status, out, err = run(capsys, *argv, "--out", str(out_dir))
    assert status == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cascade: error: ")
    assert mentions in lines[0] and "Traceback" not in err
    assert not out_dir.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "edit,mentions",
    [
        (('cluster = "session"', 'cluster = "group"'), "[experiment] cluster"),
        (("extra = 1.0", "extra = 0"), "[experiment] extra"),
        (('order = "counterbalanced"', 'order = "counterbalanced"\nrounds = 3'), "[design]"),
        (("session_size = 24", "session_size = 25"), "[design]"),
        (("[behaviour]\n", "[behaviour]\nshare_free_rider = 0.9\n"), "[behaviour]"),
        (("[behaviour]\n", "[behaviour]\npayoff_weight = 2.0\n"), "--payoff-weight"),
        (('spec = "dyadic"', 'spec = "sum"'), "--spec"),
        (("sessions = 10 ", "sessions = 0 "), "--sessions"),
    ],
)
def test_bad_parameter_file_is_one_line(capsys, tmp_path, edit, mentions):
    """A bad entry of the parameter file stops the run before any work, naming the entry."""
    params = small_params(tmp_path, edit)
    out_dir = tmp_path / "out"
    argv = ["--params", str(params), "--workers", "1", "--out", str(out_dir)]
    if mentions != "--sessions":
        argv = ["--sessions", "2", *argv]
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("cascade: error: "), err
    assert mentions in lines[0]
    assert not out_dir.exists()


def test_out_that_is_a_file_is_rejected(capsys, tmp_path):
    target = tmp_path / "file"
    target.write_text("x")
    status, out, err = run(capsys, *SMALL, "--no-sensitivity", "--out", str(target))
    assert status == 2 and out == "" and "--out" in err and len(err.splitlines()) == 1
    assert target.read_text() == "x"


def test_calibration_score_and_measure():
    targets = load()["targets"]
    inside = {"period1_share": 0.5, "decline_ratio": 0.5, "punishment_rise": 1.0,
              "punishment_peak": 0.8, "b1w": 0.19, "b1p": 0.19, "b2w": 0.065, "b2p": 0.065,
              "b3w": 0.0, "b3p": 0.055, "arithmetic": 3.0}
    total, met = score(inside, targets)
    assert all(met.values()) and total == pytest.approx(0.0, abs=1e-12)
    outside = dict(inside, arithmetic=1.5, b1p=0.34)
    total, met = score(outside, targets)
    assert not met["arithmetic"] and not met["influence_1_with"]
    assert sum(met.values()) == len(met) - 2
    # a quarter of the arithmetic's range below it, one width above b1's, plus the small pull
    # towards the middles (0.75 and 1.5 widths away)
    assert total == pytest.approx(0.25**2 + 1.0**2 + 0.01 * (0.75**2 + 1.5**2))
    figures = measure(LabDesign(), Behaviour(), sessions=3, pairs=10, seed=1)
    assert set(inside) <= set(figures) and 0 < figures["period1_share"] < 1
    assert figures["multiplier_low"] <= figures["multiplier"] <= figures["multiplier_high"]
