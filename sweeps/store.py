"""A sweep's directory: the Parquet dataset of its runs, written one finished run at a time.

Layout of ``--out DIR``::

    DIR/sweep.json              what the sweep is: the file's settings, the design hash, sizes
    DIR/sweep.toml              the sweep file as given, for the record
    DIR/design.parquet          the planned runs: ids, points, replicates, seeds, parameters
    DIR/runs/run-000123.parquet one row per finished run: the same columns plus the metrics
                                and elapsed_s (seconds the run took inside its task)
    DIR/rounds/run-000123.parquet   the run's per-round table (with per_round = true)
    DIR/results.parquet         all runs in run order, written when the last one is in
    DIR/rounds.parquet          all per-round tables (with per_round = true), likewise

``runs/`` is the dataset (``pandas.read_parquet(DIR / "runs")`` reads it at any time, also
while the sweep is running); a run is done exactly when its ``runs/`` file exists. Every file is
written to a temporary name in its directory and renamed into place, so an interrupted sweep
leaves whole files or none (and stray temporary files, which the next start removes): nothing
is half-written, and a run written twice (a retried task) replaces its own file, so nothing is
duplicated. The per-round file of a run is written before its row, so a run that has a row has
its rounds.

Only the sweep's client process writes here: workers return each run's encoded files to it
(``sweeps.rows``), so they need no access to this directory, and on a cluster they may run on
machines without its file system.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sweeps.design import BASE_COLUMNS, Design, expand
from sweeps.rows import RowBuffer, RowEncoder, concat
from sweeps.spec import load

MANIFEST = "sweep.json"
SOURCE_COPY = "sweep.toml"
DESIGN_FILE = "design.parquet"
RUNS_DIR = "runs"
ROUNDS_DIR = "rounds"
RESULTS_FILE = "results.parquet"
ROUNDS_FILE = "rounds.parquet"
MANIFEST_FORMAT = 1
_RUN_FILE = re.compile(r"^run-(\d+)\.parquet$")


class SweepDirError(Exception):
    """The output directory cannot take this sweep (one line, for the user)."""


class SweepDir:
    """The output directory of one sweep design.

    Args:
        path: the directory (``--out``).
        design: the sweep's expanded design.
    """

    def __init__(self, path: str | os.PathLike, design: Design):
        self.path = Path(path)
        self.design = design
        self.runs = self.path / RUNS_DIR
        self.rounds = self.path / ROUNDS_DIR
        self.encoder = RowEncoder.for_design(design)
        self._width = max(6, len(str(max(design.size - 1, 0))))

    # ---------------------------------------------------------------------- opening
    def open(self, resume: bool, source_text: str | None = None) -> set[int]:
        """:meth:`check` the directory and :meth:`create` it if new; return the ids done."""
        done = self.check(resume)
        if done is None:
            self.create(source_text)
            return set()
        return done

    def check(self, resume: bool) -> set[int] | None:
        """Check that the directory can take this sweep, writing nothing (but stray temporary
        files of an interrupted sweep, which are removed).

        Returns:
            the ids of the runs already done, or None if the sweep is new (see :meth:`create`).

        Raises:
            SweepDirError: ``path`` is a file or not writable, holds something else (another
                design, or files that are not a sweep's), or holds this sweep and ``resume`` is
                false.
        """
        path = self.path
        if path.exists() and not path.is_dir():
            raise SweepDirError(f"--out '{path}' exists and is not a directory")
        manifest = path / MANIFEST
        if manifest.is_file():
            saved = self._read_manifest(manifest)
            if saved.get("design_hash") != self.design.hash:
                raise SweepDirError(
                    f"--out '{path}' holds another sweep (design {saved.get('design_hash')}, "
                    f"this file's is {self.design.hash}: its settings, seed or the model's "
                    "defaults differ); choose another --out, or restore the original file"
                )
            done = self.done_ids()
            if not resume:
                state = (
                    "finished" if len(done) == self.design.size
                    else f"{len(done):,} of {self.design.size:,} runs done"
                )
                raise SweepDirError(
                    f"--out '{path}' already holds this sweep ({state}); add --resume to "
                    "finish it (only missing runs are computed), or choose another --out"
                )
            _check_writable(path, path)
            self._clean_temporaries()
            return done
        if path.is_dir() and any(path.iterdir()):
            raise SweepDirError(
                f"--out '{path}' is not empty and holds no sweep ({MANIFEST} is missing); "
                "choose a new or empty directory"
            )
        existing = path.absolute()
        while not existing.exists():
            existing = existing.parent
        _check_writable(path, existing)
        return None

    def create(self, source_text: str | None = None) -> None:
        """Write the new sweep's directory: ``runs/``, the design, the manifest (last)."""
        path = self.path
        try:
            self.runs.mkdir(parents=True, exist_ok=True)
            if self.design.spec.per_round:
                self.rounds.mkdir(exist_ok=True)
            if source_text is not None:
                _write_text_atomically(path / SOURCE_COPY, source_text)
            write_parquet(self.design_table(), path / DESIGN_FILE)
            # the manifest last: a directory with a manifest has everything above
            _write_text_atomically(path / MANIFEST, json.dumps(self.manifest(), indent=2) + "\n")
        except OSError as err:
            raise SweepDirError(f"cannot write --out '{path}': {err}") from None

    def design_table(self):
        """The planned runs as an Arrow table: base columns and parameters, typed as in the
        run files."""
        design = self.design
        ids = np.arange(design.size, dtype=np.int64)
        columns = {
            "run_id": pa.array(ids),
            "point": pa.array(ids // design.replicates),
            "replicate": pa.array(ids % design.replicates),
            "seed_entropy": pa.array(np.full(design.size, design.spec.seed, dtype=np.int64)),
            "seed_spawn_key": pa.array(ids),
        }
        for name in design.parameters:
            values = [p.get(name) for p in design.points for _ in range(design.replicates)]
            columns[name] = pa.array(values, type=self.encoder.types[name])
        return pa.table(columns)

    def manifest(self) -> dict[str, Any]:
        design, spec = self.design, self.design.spec
        return {
            "format": MANIFEST_FORMAT,
            "design_hash": design.hash,
            "model": design.model.name,
            "runs": design.size,
            "points": len(design.points),
            "replicates": spec.replicates,
            "seed": spec.seed,
            "samples": spec.samples,
            "sampling": spec.sampling if spec.sampled_axes else None,
            "sample_seed": spec.sample_seed,
            "per_round": spec.per_round,
            "name": spec.name,
            "description": spec.description,
            "source": spec.source,
            "fixed": spec.fixed,
            "axes": [
                {"name": a.name, "kind": a.kind, **_axis_details(a)} for a in spec.axes
            ],
            "parameters": design.parameters,
            "default_metric": design.model.default_metric,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }

    def _read_manifest(self, manifest: Path) -> dict[str, Any]:
        try:
            saved = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise SweepDirError(f"--out '{self.path}': cannot read {MANIFEST}: {err}") from None
        if not isinstance(saved, dict) or saved.get("format") != MANIFEST_FORMAT:
            raise SweepDirError(
                f"--out '{self.path}': {MANIFEST} is not a sweep manifest of format "
                f"{MANIFEST_FORMAT}"
            )
        return saved

    def _clean_temporaries(self) -> None:
        for directory in (self.path, self.runs, self.rounds):
            if directory.is_dir():
                for item in directory.iterdir():
                    if item.name.startswith(".") and item.name.endswith(".tmp"):
                        item.unlink(missing_ok=True)

    # ---------------------------------------------------------------------- runs
    def done_ids(self) -> set[int]:
        """Ids of the runs whose row is written (ids outside the design are ignored)."""
        if not self.runs.is_dir():
            return set()
        out = set()
        for name in os.listdir(self.runs):
            match = _RUN_FILE.match(name)
            if match:
                run_id = int(match.group(1))
                if run_id < self.design.size:
                    out.add(run_id)
        return out

    def run_file(self, run_id: int) -> Path:
        return self.runs / f"run-{run_id:0{self._width}d}.parquet"

    def rounds_file(self, run_id: int) -> Path:
        return self.rounds / f"run-{run_id:0{self._width}d}.parquet"

    def row_table(self, run_id: int, metrics: Mapping[str, Any], elapsed: float):
        """Run ``run_id``'s row as a one-row Arrow table (see :class:`sweeps.rows.RowEncoder`)."""
        row = self.encoder.row(run_id, self.design.params(run_id), metrics, elapsed)
        return self.encoder.table(row, metrics)

    def write_run(
        self,
        run_id: int,
        metrics: Mapping[str, Any],
        elapsed: float,
        rounds: Any = None,
    ) -> dict[str, Any]:
        """Encode and write run ``run_id`` here (workers encode with ``self.encoder`` and the
        client calls :meth:`write_encoded`); return its row."""
        row, data = self.encoder.encode(run_id, self.design.params(run_id), metrics, elapsed)
        extra = None if rounds is None else self.encoder.encode_rounds(run_id, rounds)
        self.write_encoded(run_id, data, extra)
        return row

    def write_encoded(self, run_id: int, row: bytes, rounds: bytes | None = None) -> None:
        """Write run ``run_id``'s encoded files: its per-round table first, then its row, which
        marks the run done."""
        if rounds is not None:
            write_bytes(rounds, self.rounds_file(run_id))
        write_bytes(row, self.run_file(run_id))

    def consolidate(self, fresh: RowBuffer | None = None) -> Path:
        """Write ``results.parquet`` (and ``rounds.parquet``) from every run, in run order.

        Args:
            fresh: this session's rows, already in memory; the others are read from ``runs/``.

        Raises:
            SweepDirError: some runs are missing.
        """
        done = self.done_ids()
        missing = self.design.size - len(done)
        if missing:
            raise SweepDirError(f"{missing:,} of {self.design.size:,} runs are not written yet")
        known = fresh.ids if fresh is not None else set()
        tables = []
        old = sorted(done - known)
        if old:
            tables.append(_read_many([self.run_file(i) for i in old]))
        if fresh is not None and fresh.ids:
            tables.append(self._typed(fresh.table()))
        results = concat(tables).sort_by("run_id")
        write_parquet(results, self.path / RESULTS_FILE)
        if self.design.spec.per_round:
            rounds = _read_many([self.rounds_file(i) for i in range(self.design.size)])
            write_parquet(rounds.sort_by([("run_id", "ascending"), ("round", "ascending")]),
                          self.path / ROUNDS_FILE)
        return self.path / RESULTS_FILE

    def _typed(self, table):
        """Rows built from dicts, with the parameter and base columns typed as in the files."""
        for name, wanted in [*((n, pa.int64()) for n in BASE_COLUMNS),
                             *self.encoder.types.items()]:
            index = table.schema.get_field_index(name)
            if index >= 0 and table.schema.field(index).type != wanted:
                table = table.set_column(index, name, table.column(index).cast(wanted))
        return table


# ---------------------------------------------------------------------------- reading back
def load_manifest(path: str | os.PathLike) -> dict[str, Any]:
    """The ``sweep.json`` of the sweep directory ``path``.

    Raises:
        SweepDirError: ``path`` is not a sweep directory.
    """
    path = Path(path)
    manifest = path / MANIFEST
    if not manifest.is_file():
        raise SweepDirError(f"'{path}' is not a sweep directory ({MANIFEST} is missing)")
    try:
        return json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise SweepDirError(f"'{path}': cannot read {MANIFEST}: {err}") from None


def replay(path: str | os.PathLike, run_id: int) -> tuple[dict[str, Any], np.random.SeedSequence]:
    """The complete parameters and the seed of run ``run_id`` of the sweep in ``path``.

    ``model.run(params, seed)`` plays the run again (for model ``run``:
    ``Simulation(SimulationConfig(**params), seed).run()``).

    Raises:
        SweepDirError: ``path`` is not a sweep directory, its design no longer expands to the
            same runs (the model's defaults changed), or ``run_id`` is out of range.
    """
    path = Path(path)
    manifest = load_manifest(path)
    design = expand(load(path / SOURCE_COPY))
    if design.hash != manifest.get("design_hash"):
        raise SweepDirError(
            f"'{path}': its sweep file now expands to another design ({design.hash}, not "
            f"{manifest.get('design_hash')}): the model's defaults changed since it ran"
        )
    if not 0 <= run_id < design.size:
        raise SweepDirError(f"run {run_id} is not in '{path}' (runs 0..{design.size - 1})")
    return dict(design.params(run_id)), design.seed(run_id)


def count_done(path: str | os.PathLike) -> tuple[int, int]:
    """``(runs written, runs in the design)`` of the sweep directory ``path`` (0s if none)."""
    path = Path(path)
    try:
        total = int(load_manifest(path).get("runs", 0))
    except SweepDirError:
        return 0, 0
    runs = path / RUNS_DIR
    names = os.listdir(runs) if runs.is_dir() else []
    done = {int(m.group(1)) for m in map(_RUN_FILE.match, names) if m}
    return len({i for i in done if i < total}), total


def load_results(path: str | os.PathLike):
    """A sweep's results as a pandas DataFrame, one row per run in run order.

    Reads ``results.parquet`` when the sweep has finished, else the runs written so far.
    """
    path = Path(path)
    load_manifest(path)
    if (path / RESULTS_FILE).is_file():
        return pd.read_parquet(path / RESULTS_FILE)
    return _read_dir(path / RUNS_DIR)


def load_rounds(path: str | os.PathLike):
    """A sweep's per-round tables (``run_id``, ``round``, metrics), or None if not kept."""
    path = Path(path)
    manifest = load_manifest(path)
    if not manifest.get("per_round"):
        return None
    if (path / ROUNDS_FILE).is_file():
        return pd.read_parquet(path / ROUNDS_FILE)
    return _read_dir(path / ROUNDS_DIR)


def _read_dir(directory: Path):
    files = sorted(p for p in directory.glob("run-*.parquet")) if directory.is_dir() else []
    if not files:
        return pd.DataFrame()
    frame = _read_many(files).to_pandas()
    return frame.sort_values(frame.columns[0], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------ writing
def write_parquet(data: Any, path: Path, **options: Any) -> Path:
    """Write an Arrow table or pandas DataFrame to ``path`` via a temporary file and a rename;
    ``options`` go to ``pyarrow.parquet.write_table``."""
    table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data, preserve_index=False)
    # one writer (the client) per sweep: its pid makes the temporary name unique
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        pq.write_table(table, tmp, **options)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_bytes(data: bytes, path: Path) -> Path:
    """Write ``data`` to ``path`` via a temporary file and a rename."""
    tmp = path.parent / f".{path.name}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def _check_writable(out: Path, directory: Path) -> None:
    if not directory.is_dir():
        raise SweepDirError(f"--out '{out}': '{directory}' is not a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise SweepDirError(f"--out '{out}': no permission to write in '{directory}'")


def _write_text_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_table(path: Path):
    return pq.read_table(path)


def _read_many(paths: list[Path]):
    """Many small Parquet files as one table (in parallel; file by file if schemas differ)."""
    try:
        return ds.dataset([str(p) for p in paths], format="parquet").to_table()
    except (pa.ArrowInvalid, pa.ArrowTypeError, NotImplementedError):
        return concat([_read_table(p) for p in paths])


def _axis_details(axis: Any) -> dict[str, Any]:
    if axis.kind == "grid":
        return {"values": list(axis.values)}
    return {"low": axis.low, "high": axis.high, "log": axis.log, "integer": axis.integer}
