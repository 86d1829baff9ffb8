"""Tests for the ``cascade`` command line (cli/): help, summary, --json, --out, bad input.

Runs are in-process through ``cli.main.main(argv)``, plus one end-to-end test of the installed
console script (skipped when it is not installed). In-process runs use only seeds 0 and 1
(see ``conftest.SEEDS``: all runs in one process must have run keys on the same side of 2**63).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cli.main import main
from sim import SimulationConfig
from sim.groups import GROUP_STRUCTURES
from sim.networks import NETWORKS
from sim.rules import RULES

SMALL = ["--n", "120", "--rounds", "6"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["run", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_clean_error(status: int, out: str, err: str, mentions: str = "") -> None:
    """Exit 2, nothing on stdout, exactly one stderr line 'cascade: error: ...', no traceback."""
    assert status == 2, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("cascade: error: "), err
    assert "Traceback" not in err
    assert mentions in lines[0]


def leftovers(directory: Path) -> list[str]:
    """Staging directories left behind by --out (there must be none)."""
    return [p.name for p in directory.iterdir() if ".partial-" in p.name]


# ----------------------------------------------------------------------------- help
def test_top_level_help_lists_commands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: cascade" in out
    assert "run" in out


def test_run_help_has_every_config_field_and_registry_name(capsys):
    assert main(["run", "--help"]) == 0
    out = capsys.readouterr().out
    for name in SimulationConfig.field_names():
        assert "--" + name.replace("_", "-") + " " in out, name
    for registry in (NETWORKS, RULES, GROUP_STRUCTURES):
        for name in registry:
            assert name in out, name
    for option in ("--seed", "--json", "--out", "--agents", "--quiet"):
        assert option in out
    assert "(default: 1000)" in out  # defaults are shown


def test_no_command_is_a_usage_error(capsys):
    status = main([])
    captured = capsys.readouterr()
    assert_clean_error(status, captured.out, captured.err, "run")


def test_unknown_command_is_a_usage_error(capsys):
    status = main(["jump"])
    captured = capsys.readouterr()
    assert_clean_error(status, captured.out, captured.err, "jump")


# ------------------------------------------------------------------------------ run
def test_run_prints_summary(capsys):
    status, out, err = run_cli(capsys, *SMALL, "--network", "small-world")
    assert status == 0, err
    assert err == ""
    for text in (
        "small-world",
        "n 120",
        "edges",
        "mean degree",
        "neighbourhood",
        "conditional",
        "6 rounds",
        "seed 0",
        "mean contribution",
        "% of endowment",
        "welfare",
        "Gini",
        "cooperators",
        "first",
        "final",
    ):
        assert text in out, text


def test_quiet_prints_nothing(capsys):
    status, out, err = run_cli(capsys, *SMALL, "--quiet")
    assert (status, out, err) == (0, "", "")


def test_json_is_one_object_with_every_series(capsys):
    status, out, err = run_cli(capsys, *SMALL, "--json", "--rule", "fermi", "--mpcr", "0.6")
    assert status == 0, err
    data = json.loads(out)  # the whole of stdout is one JSON document
    assert set(data) == {
        "config",
        "seed",
        "mean_contribution",
        "welfare",
        "gini",
        "cooperators",
        "summary",
    }
    assert set(data["config"]) == set(SimulationConfig.field_names())
    assert data["config"]["n"] == 120 and data["config"]["rule"] == "fermi"
    assert data["config"]["mpcr"] == 0.6
    assert data["seed"] == 0
    for metric in ("mean_contribution", "welfare", "gini", "cooperators"):
        assert len(data[metric]) == 6
    assert data["summary"]["rounds"] == 6
    assert data["summary"]["n"] == 120
    assert data["summary"]["final_mean_contribution"] == data["mean_contribution"][-1]
    e = data["config"]["endowment"]
    assert all(0 <= x <= e for x in data["mean_contribution"])


def test_same_seed_same_result_other_seed_differs(capsys):
    runs = []
    for seed in ("0", "0", "1"):
        status, out, _ = run_cli(capsys, *SMALL, "--json", "--seed", seed)
        assert status == 0
        runs.append(json.loads(out))
    assert runs[0] == runs[1]
    assert runs[2]["seed"] == 1
    assert runs[2]["mean_contribution"] != runs[0]["mean_contribution"]


def test_out_writes_parquet_chart_and_config(capsys, tmp_path):
    out_dir = tmp_path / "results" / "run1"  # parents are created too
    status, out, err = run_cli(capsys, *SMALL, "--out", str(out_dir), "--agents")
    assert status == 0, err
    assert "history.parquet" in out
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "agents.parquet",
        "chart.png",
        "config.json",
        "history.parquet",
    ]
    history = pd.read_parquet(out_dir / "history.parquet")
    assert len(history) == 6
    assert list(history.columns) == ["round", "mean_contribution", "welfare", "gini", "cooperators"]
    agents = pd.read_parquet(out_dir / "agents.parquet")
    assert len(agents) == 6 * 120
    png = (out_dir / "chart.png").read_bytes()
    assert len(png) > 1000 and png.startswith(PNG_MAGIC)
    saved = json.loads((out_dir / "config.json").read_text())
    assert saved["seed"] == 0
    assert SimulationConfig.from_dict(saved["config"]) == SimulationConfig(n=120, rounds=6)
    assert leftovers(out_dir.parent) == []


def test_out_into_existing_dir_replaces_its_files_and_keeps_others(capsys, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "history.parquet").write_text("old")
    status, _, err = run_cli(capsys, *SMALL, "--out", str(tmp_path), "--quiet")
    assert status == 0, err
    assert (tmp_path / "notes.txt").read_text() == "mine"
    assert len(pd.read_parquet(tmp_path / "history.parquet")) == 6
    assert leftovers(tmp_path.parent) == [] and leftovers(tmp_path) == []


def test_json_and_out_together_keep_stdout_pure(capsys, tmp_path):
    status, out, err = run_cli(capsys, *SMALL, "--json", "--out", str(tmp_path / "o"))
    assert status == 0, err
    assert len(json.loads(out)["welfare"]) == 6
    assert (tmp_path / "o" / "history.parquet").is_file()


def test_edgelist_network_from_file(capsys, tmp_path):
    path = tmp_path / "ties.txt"
    # a ring of 30 labelled nodes plus chords; comments and blank lines are allowed
    lines = ["# a small test network", ""]
    lines += [f"a{i} a{(i + 1) % 30}" for i in range(30)]
    lines += [f"a{i} a{(i + 15) % 30}" for i in range(15)]
    path.write_text("\n".join(lines) + "\n")
    status, out, err = run_cli(
        capsys, "--network", "edgelist", "--network-file", str(path), "--rounds", "4", "--json"
    )
    assert status == 0, err
    summary = json.loads(out)["summary"]
    assert summary["n"] == 30  # the file sets n
    assert summary["edges"] == 45


def test_failed_write_leaves_nothing(capsys, tmp_path, monkeypatch):
    import cli.run

    def broken_chart(path, *args, **kwargs):
        Path(path).write_bytes(b"half a chart")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli.run, "write_chart", broken_chart)
    target = tmp_path / "new" / "out"
    status, out, err = run_cli(capsys, *SMALL, "--out", str(target))
    assert status == 1
    assert out == "" and len(err.splitlines()) == 1 and err.startswith("cascade: error: ")
    assert "No space left" in err and "Traceback" not in err
    assert not (tmp_path / "new").exists()  # the parent it created is gone again
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------------------ bad input
def _malformed_edgelist(tmp: Path) -> list[str]:
    path = tmp / "bad.txt"
    path.write_text("0 1\n1 2\njust-one-label\n")
    return ["--network", "edgelist", "--network-file", str(path)]


def _binary_edgelist(tmp: Path) -> list[str]:
    path = tmp / "bin.txt"
    path.write_bytes(bytes(range(128, 256)))
    return ["--network", "edgelist", "--network-file", str(path)]


def _malformed_graphml(tmp: Path) -> list[str]:
    path = tmp / "bad.graphml"
    path.write_text("<graphml><graph><node id='a'")
    return ["--network", "graphml", "--network-file", str(path)]


def _missing_file(tmp: Path) -> list[str]:
    return ["--network", "edgelist", "--network-file", str(tmp / "missing.txt")]


def _out_is_a_file(tmp: Path) -> list[str]:
    (tmp / "afile").write_text("x")
    return ["--out", str(tmp / "afile")]


BAD_INPUT = {
    "n-not-a-number": (["--n", "abc"], "--n"),
    "n-not-an-integer": (["--n", "1.5"], "--n"),
    "n-zero": (["--n", "0"], "--n"),
    "n-negative": (["--n", "-5"], "--n"),
    "n-missing-value": (["--n"], "--n"),
    "odd-degree-ring": (["--degree", "7", "--network", "ring"], "--degree"),
    "mpcr-above-1": (["--mpcr", "1.5"], "--mpcr"),
    "mpcr-nan": (["--mpcr", "nan"], "--mpcr"),
    "r-infinite": (["--r", "inf"], "--r"),
    "endowment-zero": (["--endowment", "0"], "--endowment"),
    "mpcr-and-r": (["--mpcr", "0.5", "--r", "2"], "--r"),
    "unknown-network": (["--network", "hypercube"], "--network"),
    "unknown-rule": (["--rule", "telepathy"], "--rule"),
    "unknown-groups": (["--groups", "clubs"], "--groups"),
    "unknown-option": (["--colour", "red"], "--colour"),
    "rounds-zero": (["--rounds", "0"], "--rounds"),
    "negative-seed": (["--seed", "-1"], "--seed"),
    "agents-without-out": (["--agents"], "--agents"),
    "edgelist-without-file": (["--network", "edgelist"], "--network-file"),
    "missing-file": (_missing_file, "--network-file"),
    "malformed-edgelist": (_malformed_edgelist, "line 3"),
    "binary-edgelist": (_binary_edgelist, "--network-file"),
    "malformed-graphml": (_malformed_graphml, "--network-file"),
    "out-is-a-file": (_out_is_a_file, "--out"),
}

#: cases that must not get the usual --out (they are about --out itself)
NO_OUT = {"agents-without-out", "out-is-a-file"}


@pytest.mark.parametrize("case", list(BAD_INPUT), ids=list(BAD_INPUT))
def test_bad_input_is_one_line_exit_2_and_writes_nothing(capsys, tmp_path, case):
    args, mentions = BAD_INPUT[case]
    if callable(args):
        args = args(tmp_path)
    target = tmp_path / "out"
    argv = ["--rounds", "3", "--n", "60", *args]
    if case not in NO_OUT:
        argv += ["--out", str(target)]
    before = sorted(p.name for p in tmp_path.iterdir())
    status, out, err = run_cli(capsys, *argv)
    assert_clean_error(status, out, err, mentions)
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing half-written


# -------------------------------------------------------------------- end to end
def _console_script() -> str | None:
    beside = Path(sys.executable).with_name("cascade")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("cascade")


def test_installed_console_script_end_to_end(tmp_path):
    script = _console_script()
    if script is None:
        pytest.skip("the cascade console script is not installed (run scripts/setup.sh)")
    good = subprocess.run(
        [script, "run", "--n", "80", "--rounds", "3", "--json"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert good.returncode == 0, good.stderr
    assert len(json.loads(good.stdout)["mean_contribution"]) == 3

    bad = subprocess.run(
        [script, "run", "--n", "-5", "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.splitlines() == ["cascade: error: --n must be an integer >= 1 (got -5)"]
    assert not (tmp_path / "o").exists()
