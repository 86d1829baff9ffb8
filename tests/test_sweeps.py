"""Tests for parameter sweeps (sweeps/, ``cascade sweep``, ``cascade plot``).

Design expansion and validation run in-process without Dask. The Dask tests start small local
clusters (process workers, as ``cascade sweep`` does) on tiny runs: 1 worker against 2 workers,
a worker killed mid-sweep, a sweep interrupted with SIGINT in a subprocess and resumed, and an
experiment (``policies``) swept as a model. Every sweep's rows are compared with a reference
computed here, run by run, without Dask. The faults (a worker that dies, runs that take their
time) come from the test model ``sweep_faults:FAULTY`` (tests/sweep_faults.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import experiments
from cli.main import main
from experiments.options import Option, integer_at_least
from experiments.progress import Progress
from experiments.runtime import Experiment
from sim.config import ConfigError
from sim.seeds import child_seed
from sweeps import SweepConfigError, SweepModel, expand, get_model, parse, register
from sweeps.design import ELAPSED_COLUMN, draw_samples, varied_points
from sweeps.execute import BatchSizer
from sweeps.spec import load
from sweeps.store import SweepDir, SweepDirError

ROOT = Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

#: a tiny sweep: 2 x 2 grid crossed with 2 LHS samples, 3 replicates = 24 runs of 40 agents
TINY = """\
[sweep]
name = "tiny"
seed = 99
replicates = 3
samples = 2
per_round = true

[fixed]
n = 40
rounds = 6
network = "ring"
rule = "fermi"

[axes]
mpcr = [0.3, 0.7]
groups = ["neighbourhood", "edges"]
temperature = { low = 0.1, high = 2.0, log = true }
"""
TINY_RUNS = 24
#: the same sweep on the model with faults on demand (tests/sweep_faults.py)
TINY_FAULTY = TINY.replace('name = "tiny"', 'name = "tiny"\nmodel = "sweep_faults:FAULTY"')
TESTS = Path(__file__).resolve().parent


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def spec_of(text: str):
    import tomllib

    return parse(tomllib.loads(textwrap.dedent(text)), source="t.toml")


def reference_rows(config: Path) -> pd.DataFrame:
    """Every run of the sweep computed here, one by one, without Dask: the ground truth."""
    design = expand(load(config))
    rows = []
    for run_id in range(design.size):
        row = dict(design.identity(run_id))
        row.update(design.params(run_id))
        row.update(design.model.run(design.params(run_id), design.seed(run_id)))
        rows.append(row)
    return pd.DataFrame(rows)


def assert_rows_match(results: pd.DataFrame, expected: pd.DataFrame) -> None:
    results = results.drop(columns=[ELAPSED_COLUMN])
    assert list(results.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(
        results.reset_index(drop=True), expected, check_dtype=False, check_exact=True
    )


def assert_clean_error(status: int, err: str, *mentions: str) -> None:
    assert status == 2, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("cascade: error: "), err
    assert "Traceback" not in err
    for text in mentions:
        assert text in lines[0], (text, lines[0])


# =============================================================================== design
def test_grid_axes_cross_in_file_order_with_replicates_and_seeds():
    spec = spec_of(
        """
        [sweep]
        seed = 5
        replicates = 2
        [fixed]
        n = 50
        [axes]
        rule = ["fermi", "conditional"]
        mpcr = [0.2, 0.4, 0.6]
        """
    )
    design = expand(spec)
    assert len(design.points) == 6 and design.size == 12
    # the last axis varies fastest
    assert [(v["rule"], v["mpcr"]) for v in design.varied] == [
        (r, m) for r in ("fermi", "conditional") for m in (0.2, 0.4, 0.6)
    ]
    # run i is replicate i % 2 of point i // 2, seeded SeedSequence(5, spawn_key=(i,))
    assert design.point_of(7) == (3, 1)
    assert design.params(7)["rule"] == "conditional" and design.params(7)["mpcr"] == 0.2
    seed = design.seed(7)
    assert seed.entropy == 5 and seed.spawn_key == (7,)
    assert design.identity(7) == {
        "run_id": 7, "point": 3, "replicate": 1, "seed_entropy": 5, "seed_spawn_key": 7
    }
    # points are complete: every SimulationConfig field, fixed values and defaults included
    assert design.params(0)["n"] == 50 and design.params(0)["rounds"] == 50
    assert "network" in design.parameters


def test_ranges_by_step_and_by_count():
    spec = spec_of(
        """
        [sweep]
        seed = 1
        [axes]
        bridging = { start = 0.0, stop = 0.3, step = 0.1 }
        mpcr = { start = 0.8, stop = 0.2, step = -0.3 }
        degree = { start = 2, stop = 8, num = 4 }
        slope = { start = 0, stop = 1, num = 3 }
        """
    )
    axes = {a.name: a.values for a in spec.axes}
    assert axes["bridging"] == (0.0, 0.1, 0.2, 0.3)  # stop included, no 0.30000000000000004
    assert axes["mpcr"] == (0.8, 0.5, 0.2)
    assert axes["degree"] == (2, 4, 6, 8) and all(type(v) is int for v in axes["degree"])
    assert axes["slope"] == (0.0, 0.5, 1.0)


def test_random_and_latin_hypercube_samples():
    text = """
        [sweep]
        seed = 11
        samples = 8
        sampling = "{method}"
        [axes]
        temperature = {{ low = 0.01, high = 100.0, log = true }}
        mpcr = {{ low = 0.2, high = 0.6 }}
        degree = {{ low = 2, high = 9, integer = true }}
        """
    lhs = draw_samples(spec_of(text.format(method="lhs")))
    assert lhs == draw_samples(spec_of(text.format(method="lhs")))  # same seed, same draws
    assert len(lhs) == 8
    temps = np.array([s["temperature"] for s in lhs])
    mpcrs = np.array([s["mpcr"] for s in lhs])
    assert np.all((temps >= 0.01) & (temps <= 100.0))
    assert np.all((mpcrs >= 0.2) & (mpcrs <= 0.6))
    # Latin hypercube: exactly one point in each of the 8 strata of every axis
    assert sorted(((mpcrs - 0.2) / 0.4 * 8).astype(int)) == list(range(8))
    log_strata = (np.log(temps / 0.01) / np.log(100.0 / 0.01) * 8).astype(int)
    assert sorted(log_strata) == list(range(8))
    degrees = [s["degree"] for s in lhs]
    assert all(type(d) is int and 2 <= d <= 9 for d in degrees)
    assert sorted(degrees) == list(range(2, 10))  # 8 strata over the 8 whole numbers 2..9

    rnd = draw_samples(spec_of(text.format(method="random")))
    assert rnd != lhs and len(rnd) == 8
    assert all(0.2 <= s["mpcr"] <= 0.6 for s in rnd)
    other_seed = spec_of(text.format(method="lhs").replace("seed = 11", "seed = 12"))
    assert draw_samples(other_seed) != lhs
    # sample_seed fixes the samples while the runs' seeds change with seed
    pinned = text.format(method="lhs").replace("seed = 11", "seed = 12\nsample_seed = 11")
    assert draw_samples(spec_of(pinned)) == lhs


def test_samples_are_crossed_with_the_grid():
    spec = spec_of(
        """
        [sweep]
        seed = 3
        samples = 4
        [axes]
        rule = ["fermi", "proportional"]
        temperature = { low = 0.1, high = 1.0 }
        """
    )
    points = varied_points(spec)
    assert len(points) == 8
    fermi = [p["temperature"] for p in points if p["rule"] == "fermi"]
    proportional = [p["temperature"] for p in points if p["rule"] == "proportional"]
    assert fermi == proportional and len(set(fermi)) == 4


def test_design_hash_tracks_what_determines_results():
    base = """
        [sweep]
        seed = 1
        replicates = 2
        [fixed]
        n = 30
        [axes]
        mpcr = [0.2, 0.4]
        """
    h = expand(spec_of(base)).hash
    assert expand(spec_of(base)).hash == h
    # the same design written differently has the same hash
    same = base.replace("mpcr = [0.2, 0.4]", "mpcr = { start = 0.2, stop = 0.4, step = 0.2 }")
    assert expand(spec_of(same)).hash == h
    for change in (("seed = 1", "seed = 2"), ("replicates = 2", "replicates = 3"),
                   ("n = 30", "n = 31"), ("0.4]", "0.5]")):
        assert expand(spec_of(base.replace(*change))).hash != h, change


def test_batch_sizes_adapt_to_run_time_and_shrink_at_the_end():
    sizer = BatchSizer()
    assert sizer.next(remaining=1000, threads=2) == 1  # nothing timed yet
    for _ in range(4):
        sizer.record(0.01)
    assert sizer.next(remaining=1000, threads=2) == 50  # about 0.5 s per task
    assert sizer.next(remaining=12, threads=2) == 3  # a quarter of what is left
    assert sizer.next(remaining=1, threads=2) == 1
    slow = BatchSizer()
    slow.record(5.0)
    assert slow.next(remaining=1000, threads=2) == 1
    assert BatchSizer(fixed=7).next(remaining=1000, threads=2) == 7
    assert BatchSizer(fixed=7).next(remaining=3, threads=2) == 3


def test_progress_lines_off_a_terminal():
    import io

    stream = io.StringIO()
    progress = Progress(10, initial=2, stream=stream, every=0.0)
    progress.update(3)
    progress.close()
    lines = stream.getvalue().splitlines()
    assert lines and lines[0].startswith("sweep: 5/10 runs (50%)")
    assert "runs/s" in lines[0] and "ETA" in lines[0]


# ============================================================================ validation
BAD = [
    # (file text, what the one error line must name)
    ("[sweep]\nseed = 1\n[extra]\nx = 1\n", ["extra", "unknown key", "[sweep]"]),
    ("[sweep]\nseed = 1\nreplicate = 2\n", ["sweep.replicate", "unknown key", "replicates"]),
    ("[sweep]\nseed = 1\n[fixed]\nnn = 3\n", ["fixed.nn", "unknown parameter 'nn'", "network"]),
    ("[sweep]\nseed = 1\n[axes]\nrulez = ['fermi']\n", ["axes.rulez", "unknown parameter"]),
    ("[sweep]\nseed = 1\n[fixed]\nn = 'many'\n", ["fixed.n", "integer"]),
    ("[sweep]\nseed = 1\nreplicates = '3'\n", ["sweep.replicates", "integer >= 1"]),
    ("[sweep]\nseed = -4\n", ["sweep.seed", "integer from 0"]),
    ("[sweep]\nseed = 1\n[fixed]\nn = [1, 2]\n", ["fixed.n", "[axes]"]),
    ("[sweep]\nseed = 1\n[axes]\nmpcr = []\n", ["axes.mpcr", "empty"]),
    ("[sweep]\nseed = 1\n[axes]\nmpcr = { start = 0.5, stop = 0.1, step = 0.1 }\n",
     ["axes.mpcr", "empty"]),
    ("[sweep]\nseed = 1\n[axes]\nmpcr = 0.4\n", ["axes.mpcr", "[fixed]"]),
    ("[sweep]\nseed = 1\nmodel = 'lab'\n", ["sweep.model", "unknown model 'lab'", "run"]),
    ("[sweep]\nseed = 1\n[axes]\nmpcr = [0.4, 1.5]\n", ["axes.mpcr", "1.5", "<= 1"]),
    ("[sweep]\nseed = 1\n[axes]\nnetwork = ['ring', 'moebius']\n",
     ["axes.network", "moebius", "small-world"]),
    ("[sweep]\nseed = 1\n[fixed]\nmpcr = 0.4\nr = 2.0\n", ["mpcr", "r", "not both"]),
    ("[sweep]\nreplicates = 2\n", ["sweep.seed", "missing"]),
    ("[sweep]\nseed = 1\nsamples = 4\n", ["sweep.samples", "no axis is sampled"]),
    ("[sweep]\nseed = 1\n[axes]\nmpcr = { low = 0.1, high = 0.5 }\n",
     ["sweep.samples", "missing"]),
    ("[sweep]\nseed = 1\nsamples = 2\n[axes]\nmpcr = { low = 0.5, high = 0.1 }\n",
     ["axes.mpcr", "low must be less than high"]),
    ("[sweep]\nseed = 1\nsampling = 'sobol'\n", ["sweep.sampling", "lhs"]),
    ("[sweep]\nseed = 1\n[fixed]\nn = 30\n[axes]\nn = [10, 20]\n", ["axes.n", "[fixed]"]),
    ("[sweep\nseed = 1\n", ["not valid TOML", "line 1"]),
]


@pytest.mark.parametrize("text, mentions", BAD, ids=[str(i) for i in range(len(BAD))])
def test_malformed_config_fails_before_anything_runs(capsys, tmp_path, text, mentions):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    out = tmp_path / "out"
    status = main(["sweep", str(config), "--out", str(out)])
    captured = capsys.readouterr()
    assert_clean_error(status, captured.err, "bad.toml", *mentions)
    assert captured.out == ""
    assert not out.exists()  # nothing written


def test_missing_config_file_and_bad_options(capsys, tmp_path):
    status = main(["sweep", str(tmp_path / "nope.toml")])
    assert_clean_error(status, capsys.readouterr().err, "nope.toml", "no such file")
    config = write(tmp_path / "s.toml", TINY)
    for argv, mention in (
        (["--workers", "0"], "--workers"),
        (["--batch", "x"], "--batch"),
        (["--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], "--workers"),
    ):
        status = main(["sweep", str(config), *argv])
        assert_clean_error(status, capsys.readouterr().err, mention)


def test_dry_run_prints_the_design_and_writes_nothing(capsys, tmp_path):
    config = write(tmp_path / "s.toml", TINY)
    out = tmp_path / "out"
    assert main(["sweep", str(config), "--out", str(out), "--dry-run"]) == 0
    text = capsys.readouterr().out
    assert f"{TINY_RUNS} runs = 8 points x 3 replicates" in text
    assert "temperature: log-uniform in [0.1, 2], 2 lhs samples" in text
    assert "SeedSequence(99, spawn_key=(i,))" in text
    assert not out.exists()


# ================================================================================ models
def _toy_experiment(parameters: Path) -> Experiment:
    """A registered experiment of two tasks, each drawing from its seed."""

    def settings(params, options):
        if params["world"]["scale"] <= 0:
            raise ConfigError(f"scale must be > 0 (got {params['world']['scale']})")
        return {"scale": params["world"]["scale"], "draws": options["draws"],
                "label": params["world"]["label"]}

    def cells(settings, seed):
        return [(settings["scale"], settings["draws"], child_seed(seed, k)) for k in range(2)]

    def run_cell(task):
        scale, draws, seed = task
        return float(np.random.default_rng(seed).random(draws).sum()) * scale

    return Experiment(
        name="toy-exp", summary="a toy experiment", description="", table=str,
        write=lambda run, directory: None, parameters=parameters, sections=("world",),
        seed="experiment.seed",
        options=(Option("--draws", "draws per task", type=integer_at_least("--draws", 1),
                        default=3),),
        settings=settings, cells=cells, run_cell=run_cell,
        summarise=lambda settings, tasks, results: {"total": sum(results), "parts": results,
                                                    "label": settings["label"]},
        metrics=lambda run: {"toy:total+": run["total"], "label": run["label"],
                             "missing": None},
    )


def test_models_by_name_registered_experiment_and_module_path(monkeypatch, tmp_path):
    import types

    assert get_model("run").name == "run"

    def run(params, seed):
        rng = np.random.default_rng(seed)
        return {"draw": float(rng.random()) * params["scale"]}

    model = SweepModel("toy", run, parameters=["scale"], summary="a toy")
    # every registered experiment is a sweep model, by its command name
    toml = write(tmp_path / "toy.toml", """
        [experiment]
        seed = 11
        [world]
        scale = 2.0
        label = "x"
        [world.inner]
        depth = 3
        listed = [1, 2]
        """)
    module = types.ModuleType("experiments.toy_exp")
    module.EXPERIMENT = _toy_experiment(toml)
    monkeypatch.setitem(sys.modules, "experiments.toy_exp", module)
    monkeypatch.setitem(experiments.EXPERIMENTS, "toy-exp", "toy_exp")
    bare = types.ModuleType("experiments.bare_exp")  # not on the runtime: no EXPERIMENT
    monkeypatch.setitem(sys.modules, "experiments.bare_exp", bare)
    monkeypatch.setitem(experiments.EXPERIMENTS, "bare-exp", "bare_exp")
    plain = types.ModuleType("toy_models")
    plain.MODEL = model
    monkeypatch.setitem(sys.modules, "toy_models", plain)
    get_model.cache_clear()
    try:
        register(model)
        assert get_model("toy") is model
        assert get_model("toy_models:MODEL") is model
        toy = get_model("toy-exp")
        assert toy.name == "toy-exp" and "a toy experiment" in toy.summary
        # options by name, then the file's scalar entries as table.key (not the master seed,
        # not lists, not top-level tables)
        assert list(toy.parameters) == ["draws", "world.scale", "world.label",
                                        "world.inner.depth"]
        design = expand(spec_of("""
            [sweep]
            seed = 4
            model = 'toy-exp'
            replicates = 2
            [fixed]
            draws = 5
            [axes]
            world.scale = [1, 2.5]
            "world.inner.depth" = [7]
            """))
        assert design.size == 4
        assert design.parameters == ["draws", "world.scale", "world.inner.depth"]
        assert design.params(2) == {"draws": 5, "world.scale": 2.5, "world.inner.depth": 7}
        # a run is Experiment.sweep_run with the run's seed as the master seed
        metrics = toy.run(design.params(3), design.seed(3))
        assert metrics == module.EXPERIMENT.sweep_run(design.params(3), design.seed(3))
        parts = [np.random.default_rng(np.random.SeedSequence(4, spawn_key=(3, k))).random(5)
                 for k in range(2)]
        assert metrics["toy:total+"] == pytest.approx(2.5 * sum(p.sum() for p in parts))
        assert metrics["label"] == "x" and np.isnan(metrics["missing"])
        assert toy.run(design.params(2), design.seed(2)) != metrics  # replicates differ
        # bad names and values: one line naming the key
        for text, pattern in (
            ("[fixed]\nworld.scales = 1.0\n",
             r"fixed\.world\.scales: unknown parameter 'world\.scales' for model 'toy-exp'; "
             r"allowed: draws, world\.scale"),
            ("[fixed]\nexperiment.seed = 3\n", r"fixed\.experiment\.seed: unknown parameter"),
            ("[axes]\nworld.scale = [1.0, -1.0]\n",
             r"axes\.world\.scale: scale must be > 0 \(got -1\.0\) "
             r"\(at design point world\.scale=-1\)"),
            ("[axes]\nworld.scale = ['big']\n",
             r"axes\.world\.scale: world\.scale must be a number, as in the parameter file"),
            ("[fixed]\nworld.inner.depth = 2.5\n",
             r"fixed\.world\.inner\.depth: world\.inner\.depth must be an integer"),
            ("[fixed]\ndraws = 0\n", r"fixed\.draws: draws must be an integer >= 1 \(got '0'\)"),
        ):
            with pytest.raises(SweepConfigError, match=pattern) as caught:
                expand(spec_of(f"[sweep]\nseed = 4\nmodel = 'toy-exp'\n{text}"))
            assert "\n" not in str(caught.value)
        with pytest.raises(SweepConfigError, match="experiment 'bare-exp' cannot be swept"):
            expand(spec_of("[sweep]\nseed = 4\nmodel = 'bare-exp'\n"))
        with pytest.raises(SweepConfigError, match=r"fixed\.speed: unknown parameter 'speed'"):
            expand(spec_of("[sweep]\nseed = 4\nmodel = 'toy'\n[fixed]\nspeed = 1\n"))
        with pytest.raises(SweepConfigError, match="sweep.per_round: model 'toy' has no"):
            expand(spec_of("[sweep]\nseed = 4\nmodel = 'toy'\nper_round = true\n"))
    finally:
        from sweeps.models import MODELS

        MODELS.pop("toy", None)
        get_model.cache_clear()


# ================================================================================= store
def test_run_rows_keep_every_value_exactly(tmp_path):
    design = expand(spec_of(TINY))
    store = SweepDir(tmp_path / "out", design)
    store.open(resume=False)
    first = store.row_table(0, {"count": 3, "share": 0.5, "label": "a"}, 0.01)
    assert first.schema.field("count").type == "int64"
    # a later run whose metric has another type is not truncated into the first one's
    later = store.row_table(1, {"count": 2.5, "share": 1, "label": None}, 0.01)
    assert later.column("count").to_pylist() == [2.5]
    assert later.column("share").to_pylist() == [1.0]
    assert later.column("label").to_pylist() == [None]
    row = first.to_pylist()[0]
    assert row["run_id"] == 0 and row["seed_spawn_key"] == 0 and row["n"] == 40
    assert row["temperature"] == design.params(0)["temperature"]
    with pytest.raises(ValueError, match="metric named 'mpcr'"):
        store.row_table(2, {"mpcr": 1.0}, 0.01)


def test_sweep_dir_refuses_a_different_design_or_a_foreign_dir(tmp_path):
    design = expand(spec_of(TINY))
    out = tmp_path / "out"
    assert SweepDir(out, design).open(resume=False) == set()
    assert (out / "sweep.json").is_file() and (out / "design.parquet").is_file()
    planned = pd.read_parquet(out / "design.parquet")
    assert len(planned) == TINY_RUNS and list(planned["seed_spawn_key"]) == list(range(24))
    with pytest.raises(SweepDirError, match="already holds this sweep.*--resume"):
        SweepDir(out, design).open(resume=False)
    (out / "runs" / ".run-000001.parquet.x.tmp").write_text("half")  # an interrupted write
    assert SweepDir(out, design).open(resume=True) == set()
    assert not list((out / "runs").iterdir())  # the temporary file is gone
    other = expand(spec_of(TINY.replace("seed = 99", "seed = 100")))
    with pytest.raises(SweepDirError, match="holds another sweep"):
        SweepDir(out, other).open(resume=True)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(SweepDirError, match="not empty and holds no sweep"):
        SweepDir(foreign, design).open(resume=False)


# ================================================================================== Dask
@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """The TINY sweep file, its reference rows, and the same sweep run on 2 workers."""
    from sweeps import run_sweep

    root = tmp_path_factory.mktemp("tiny")
    config = write(root / "tiny.toml", TINY)
    out = root / "two"
    report = run_sweep(config, out, workers=2, dashboard=None, progress=False, echo=None)
    return {"config": config, "expected": reference_rows(config), "two": out, "report": report}


def test_one_worker_and_two_workers_give_identical_rows(tiny, tmp_path):
    from sweeps import load_results, load_rounds, run_sweep

    report = tiny["report"]
    assert report.outcome.computed == TINY_RUNS and report.outcome.threads == 2
    assert all(w["numba_threads"] == 1 for w in report.workers.values())
    one = tmp_path / "one"
    run_sweep(tiny["config"], one, workers=1, dashboard=None, progress=False, echo=None)
    two_rows, one_rows = load_results(tiny["two"]), load_results(one)
    assert_rows_match(two_rows, tiny["expected"])
    assert_rows_match(one_rows, tiny["expected"])
    # the per-round tables too, and the runs/ directory reads as the same dataset
    rounds_two, rounds_one = load_rounds(tiny["two"]), load_rounds(one)
    assert len(rounds_two) == TINY_RUNS * 6
    pd.testing.assert_frame_equal(rounds_one, rounds_two)
    dataset = pd.read_parquet(one / "runs").sort_values("run_id").reset_index(drop=True)
    assert_rows_match(dataset, tiny["expected"])


def test_replay_plays_a_run_again(tiny):
    from sim import Simulation, SimulationConfig
    from sweeps import load_results, replay

    row = load_results(tiny["two"]).iloc[17]
    params, seed = replay(tiny["two"], 17)
    assert seed.entropy == 99 and seed.spawn_key == (17,)
    history = Simulation(SimulationConfig(**params), seed).run()
    assert history.summary()["final_welfare"] == row["final_welfare"]
    with pytest.raises(SweepDirError, match="not in"):
        replay(tiny["two"], TINY_RUNS)


def test_a_worker_killed_mid_sweep_is_retried_without_loss_or_duplicates(
    tiny, tmp_path, monkeypatch
):
    from sweeps import load_results, run_sweep

    # the worker about to play run 9 dies (once); the local workers inherit the environment,
    # and find the model on the sys.path they inherit from this process (tests/ included)
    marker = tmp_path / "crashed"
    monkeypatch.setenv("CASCADE_SWEEP_TEST_CRASH", f"9:{marker}")
    config = write(tmp_path / "faulty.toml", TINY_FAULTY)
    out = tmp_path / "out"
    report = run_sweep(config, out, workers=2, batch=2, dashboard=None, progress=False,
                       echo=None)
    assert marker.exists()  # a worker process did die at run 9
    assert report.outcome.computed == TINY_RUNS
    rows = load_results(out)
    assert len(rows) == TINY_RUNS and rows["run_id"].is_unique
    assert len(list((out / "runs").glob("run-*.parquet"))) == TINY_RUNS
    assert_rows_match(rows, tiny["expected"])


def test_a_run_that_raises_stops_the_sweep_and_keeps_what_was_written(tmp_path):
    from distributed import Client, LocalCluster

    from sweeps import run_sweep
    from sweeps.execute import SweepRunError
    from sweeps.models import MODELS
    from sweeps.store import count_done

    def run(params, seed):
        if params["x"] == 3:
            raise RuntimeError("boom at three")
        return {"y": params["x"] * 2.0}

    register(SweepModel("fragile", run, parameters=["x"]))
    config = write(tmp_path / "f.toml", "[sweep]\nseed = 1\nmodel = 'fragile'\n"
                                        "[axes]\nx = [0, 1, 2, 3, 4, 5]\n")
    out = tmp_path / "out"
    try:
        # an in-process cluster: its worker finds the model registered here
        with LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            with pytest.raises(SweepRunError, match=r"run 3 \(point 3, replicate 0\) failed: "
                                                    r"RuntimeError: boom at three"):
                run_sweep(config, out, client=client, batch=1, progress=False, echo=None)
    finally:
        MODELS.pop("fragile", None)
        get_model.cache_clear()
    assert count_done(out) == (3, 6)  # runs 0..2 stay written; nothing after the failure
    assert not (out / "results.parquet").exists()


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_sigint_then_resume_loses_and_duplicates_nothing(tiny, tmp_path):
    out = tmp_path / "out"
    # runs that take 0.15 s each
    config = write(tmp_path / "faulty.toml", TINY_FAULTY)
    command = [sys.executable, "-m", "cli", "sweep", str(config), "--out", str(out),
               "--workers", "2", "--batch", "1", "--dashboard", "127.0.0.1:0"]
    env = dict(os.environ, CASCADE_SWEEP_TEST_DELAY="0.15",
               PYTHONPATH=os.pathsep.join([str(ROOT), str(TESTS)]))
    # a session of its own, so that SIGINT goes to its whole process group, as Ctrl-C does
    # and SIGINT handled as a terminal's Ctrl-C is, even if an earlier test left this process
    # ignoring it (a child inherits an ignored SIGINT, and Python then never raises
    # KeyboardInterrupt): in the full suite on a fresh clone that let all 24 runs finish
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=_default_sigint)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "runs").glob("run-*.parquet"))) >= 3:
                break
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, stderr
    assert "Dask dashboard: http://127.0.0.1:" in stdout
    assert "Traceback" not in stderr
    assert "interrupted" in stderr and "--resume" in stderr
    written = sorted(out.glob("runs/run-*.parquet"))
    assert 3 <= len(written) < TINY_RUNS
    assert not (out / "results.parquet").exists()
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]  # nothing half-written

    # the same command again without --resume is refused; with it, only the rest is computed
    resume = [sys.executable, "-m", "cli", "sweep", str(config), "--out", str(out),
              "--workers", "2", "--dashboard", "none"]
    refused = subprocess.run(resume, cwd=ROOT, env=env | {"CASCADE_SWEEP_TEST_DELAY": ""},
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "add --resume" in refused.stderr
    done = subprocess.run([*resume, "--resume"], cwd=ROOT,
                          env=env | {"CASCADE_SWEEP_TEST_DELAY": ""},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"resuming: {len(written)} runs already" in done.stdout
    rows = pd.read_parquet(out / "results.parquet")
    assert len(rows) == TINY_RUNS and rows["run_id"].is_unique
    assert sorted(rows["run_id"]) == list(range(TINY_RUNS))
    assert_rows_match(rows, tiny["expected"])


#: the policies experiment as a sweep model: 2 MPCRs x 2 replicates = 4 runs, each the whole
#: experiment (2 populations x 1 network x 2 policies x 2 worlds, 30 agents, 3 rounds)
POLICIES = """\
[sweep]
name = "policies-tiny"
model = "policies"
seed = 5
replicates = 2

[fixed]
n = 30
rounds = 3
replicates = 2
networks = "silos"
policies = "baseline,competition"

[axes]
world.mpcr = [0.3, 0.75]
"""


def test_an_experiment_is_a_sweep_model_end_to_end(tmp_path, capsys):
    from sweeps import load_results, run_sweep

    config = write(tmp_path / "policies.toml", POLICIES)
    out = tmp_path / "out"
    report = run_sweep(config, out, workers=1, dashboard=None, progress=False, echo=None)
    assert report.outcome.computed == 4
    rows = load_results(out)
    parameters = ["replicates", "n", "rounds", "networks", "policies", "world.mpcr"]
    metrics = [f"{population}:{policy}:{metric}"
               for population in ("human-like", "payoff-learning")
               for policy in ("baseline", "competition")
               for metric in ("final_mean_contribution", "welfare", "gini", "multiplier")]
    assert list(rows.columns) == ["run_id", "point", "replicate", "seed_entropy",
                                  "seed_spawn_key", *parameters, *metrics, ELAPSED_COLUMN]
    assert list(rows["world.mpcr"]) == [0.3, 0.3, 0.75, 0.75]
    assert set(rows["networks"]) == {"silos"} and set(rows["n"]) == {30}
    assert_rows_match(rows, reference_rows(config))
    # a replicate's metrics are the experiment's own sweep_run with the run's seed
    experiment = experiments.load("policies")
    values = {"n": 30, "rounds": 3, "replicates": 2, "networks": "silos",
              "policies": "baseline,competition", "world.mpcr": 0.75}
    direct = experiment.sweep_run(values, np.random.SeedSequence(5, spawn_key=(3,)))
    row = rows.iloc[3]
    assert row["point"] == 1 and row["replicate"] == 1
    for name in metrics:
        assert row[name] == direct[name] or (np.isnan(row[name]) and np.isnan(direct[name]))
    assert rows.iloc[2][metrics[0]] != row[metrics[0]]  # the replicates' seeds differ
    # metric names with ':' and '-' are ordinary Parquet columns, and plot
    assert main(["plot", str(out), "--x", "world.mpcr",
                 "--metric", "payoff-learning:competition:welfare"]) == 0
    chart = Path(capsys.readouterr().out.split()[0])
    assert chart.name == "line-payoff-learning_competition_welfare-vs-world.mpcr.png"
    assert chart.read_bytes().startswith(PNG_MAGIC)


@pytest.mark.parametrize("change, mentions", [
    (("world.mpcr = [0.3, 0.75]", "world.mcpr = [0.3, 0.75]"),
     ["axes.world.mcpr", "unknown parameter 'world.mcpr' for model 'policies'", "world.mpcr"]),
    (("world.mpcr = [0.3, 0.75]", "world.mpcr = [0.3, 1.5]"),
     ["axes.world.mpcr", "world.mpcr must be a number > 0 and <= 1 (got 1.5)"]),
    (("world.mpcr = [0.3, 0.75]", "world.mpcr = ['high']"),
     ["axes.world.mpcr", "world.mpcr must be a number, as in the parameter file"]),
    (("n = 30", "n = 0"), ["fixed.n", "n must be an integer >= 1 (got '0')"]),
    (("networks = \"silos\"", "networks = \"moon\""), ["fixed.networks", "moon", "silos"]),
])
def test_a_bad_experiment_parameter_is_one_line(tmp_path, capsys, change, mentions):
    config = write(tmp_path / "bad.toml", POLICIES.replace(*change))
    out = tmp_path / "out"
    status = main(["sweep", str(config), "--out", str(out)])
    captured = capsys.readouterr()
    assert_clean_error(status, captured.err, "bad.toml", *mentions)
    assert not out.exists()


# ================================================================================== plot
def test_plot_writes_line_charts_with_bands_and_heatmaps(tiny, tmp_path, capsys):
    sweep_dir = tiny["two"]
    out = tmp_path / "plots"
    assert main(["plot", str(sweep_dir), "--out", str(out)]) == 0
    defaults = capsys.readouterr().out.split()
    names = sorted(Path(p).name for p in defaults)
    assert "line-final_mean_contribution-vs-mpcr.png" in names
    assert "line-final_mean_contribution-vs-temperature.png" in names
    assert "heatmap-final_mean_contribution-mpcr-groups.png" in names
    assert main(["plot", str(sweep_dir), "--out", str(out), "--x", "mpcr", "--hue", "groups",
                 "--metric", "mean_welfare", "--ci", "90"]) == 0
    assert main(["plot", str(sweep_dir), "--out", str(out), "--heatmap", "groups", "mpcr",
                 "--metric", "final_cooperators"]) == 0
    assert main(["plot", str(sweep_dir), "--out", str(out), "--x", "round", "--hue", "mpcr",
                 "--where", "groups=edges"]) == 0
    listed = capsys.readouterr().out.split()
    assert [Path(p).name for p in listed] == [
        "line-mean_welfare-vs-mpcr-by-groups.png",
        "heatmap-final_cooperators-groups-mpcr.png",
        "line-mean_contribution-vs-round-by-mpcr.png",
    ]
    for path in [*defaults, *listed]:
        data = Path(path).read_bytes()
        assert data.startswith(PNG_MAGIC) and len(data) > 5000, path
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_plot_bad_input_is_one_line(tiny, tmp_path, capsys):
    sweep_dir = str(tiny["two"])
    for argv, mention in (
        ([sweep_dir, "--metric", "happiness"], "happiness"),
        ([sweep_dir, "--x", "colour"], "colour"),
        ([sweep_dir, "--x", "mpcr", "--where", "mpcr=0.99"], "mpcr=0.99"),
        ([sweep_dir, "--heatmap", "mpcr", "mpcr"], "two different"),
        ([str(tmp_path)], "not a sweep directory"),
    ):
        status = main(["plot", *argv])
        assert_clean_error(status, capsys.readouterr().err, mention)


def test_example_configs_are_valid():
    examples = sorted((ROOT / "experiments").glob("sweep_*.toml"))
    assert (ROOT / "experiments" / "sweep_example.toml") in examples
    for path in examples:
        design = expand(load(path))
        assert design.size >= 1
