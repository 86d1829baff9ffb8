"""A run's result as a row, and as the bytes of its one-row Parquet file.

:class:`RowEncoder` is small and picklable: the sweep sends it to the workers with each batch,
and each worker turns its runs into finished file contents (:meth:`RowEncoder.encode`). The
client then only writes bytes (atomically) as batches arrive. Encoding a 50-column row as
Parquet costs about half a millisecond; done in the workers it is spread over all of them
instead of queueing in the client, which on a small machine shares the cores with the workers.

Column order: ``run_id``, ``point``, ``replicate``, ``seed_entropy``, ``seed_spawn_key``, the
parameters (typed from every point of the design, so every file of a sweep agrees), the
metrics (typed from their values; a later run whose metric has another type is written with
that type, never truncated), ``elapsed_s``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sweeps.design import BASE_COLUMNS, ELAPSED_COLUMN, Design

#: options for the one-row files: statistics, dictionaries and compression buy nothing on one
#: row and cost a quarter of the encoding time (``results.parquet`` keeps the defaults)
SMALL_FILE = {"compression": "none", "write_statistics": False, "use_dictionary": False}


class RowEncoder:
    """Builds the rows of one sweep design.

    Args:
        model: the model's name (for messages).
        seed: the master seed.
        replicates: runs per point.
        parameters: parameter names, in column order.
        types: the Arrow type of each parameter.
    """

    def __init__(
        self,
        model: str,
        seed: int,
        replicates: int,
        parameters: list[str],
        types: dict[str, Any],
    ):
        self.model = model
        self.seed = seed
        self.replicates = replicates
        self.parameters = list(parameters)
        self.types = dict(types)
        self.columns = [*BASE_COLUMNS, *self.parameters]
        self._caches()

    @classmethod
    def for_design(cls, design: Design) -> RowEncoder:
        return cls(design.model.name, design.spec.seed, design.replicates, design.parameters,
                   parameter_types(design))

    def _caches(self) -> None:
        self._metric_types: dict[tuple[str, ...], list[Any]] = {}  # metric names -> types
        self._point: tuple[int, list[Any]] | None = None  # the last point's parameter columns

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_metric_types", None)
        state.pop("_point", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._caches()

    # ------------------------------------------------------------------------------ rows
    def row(
        self, run_id: int, params: Mapping[str, Any], metrics: Mapping[str, Any], elapsed: float
    ) -> dict[str, Any]:
        """The row as a dict (plain Python values).

        Raises:
            ValueError: a metric has the name of a parameter or a base column.
        """
        point, replicate = divmod(run_id, self.replicates)
        row: dict[str, Any] = {
            "run_id": run_id,
            "point": point,
            "replicate": replicate,
            "seed_entropy": self.seed,
            "seed_spawn_key": run_id,
        }
        for name in self.parameters:
            row[name] = params.get(name)
        for name, value in metrics.items():
            if name in row or name == ELAPSED_COLUMN:
                raise ValueError(
                    f"model '{self.model}' returned a metric named '{name}', which is already "
                    "a column (a parameter or a base column)"
                )
            row[name] = plain(value)
        row[ELAPSED_COLUMN] = float(elapsed)
        return row

    def table(self, row: dict[str, Any], metrics: Iterable[str]):
        """The row as a one-row Arrow table (a point's parameter columns are built once)."""
        names = tuple(metrics)
        arrays = [pa.array([row[name]], type=pa.int64()) for name in BASE_COLUMNS]
        point = row["point"]
        if self._point is None or self._point[0] != point:
            self._point = (point, [pa.array([row[n]], type=self.types[n])
                                   for n in self.parameters])
        arrays += self._point[1]
        values = [row[name] for name in names]
        known = self._metric_types.get(names)
        metric_arrays = None
        # (checked first: Arrow would silently truncate 2.5 into an int64 column)
        if known is not None and all(map(fits, values, known)):
            try:
                metric_arrays = [pa.array([v], type=t) for v, t in zip(values, known, strict=True)]
            except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
                pass
        if metric_arrays is None:  # the first row, or a metric of another type: infer
            metric_arrays = [pa.array([v]) for v in values]
            self._metric_types.setdefault(names, [a.type for a in metric_arrays])
        arrays += metric_arrays
        arrays.append(pa.array([row[ELAPSED_COLUMN]], type=pa.float64()))
        return pa.Table.from_arrays(arrays, names=[*self.columns, *names, ELAPSED_COLUMN])

    def encode(
        self, run_id: int, params: Mapping[str, Any], metrics: Mapping[str, Any], elapsed: float
    ) -> tuple[dict[str, Any], bytes]:
        """``(row, bytes of its Parquet file)``."""
        row = self.row(run_id, params, metrics, elapsed)
        return row, parquet_bytes(self.table(row, metrics))

    def encode_rounds(self, run_id: int, rounds: Any) -> bytes:
        """The bytes of the Parquet file of a run's per-round table."""
        return parquet_bytes(rounds_table(run_id, rounds))


class RowBuffer:
    """The rows of this session, kept for ``results.parquet``; compacted into Arrow chunks every
    ``every`` rows so that memory stays small."""

    def __init__(self, every: int = 2048):
        self.ids: set[int] = set()
        self.every = every
        self._chunks: list[Any] = []
        self._pending: list[dict[str, Any]] = []

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, run_id: int, row: dict[str, Any]) -> None:
        self.ids.add(run_id)
        self._pending.append(row)
        if len(self._pending) >= self.every:
            self._compact()

    def _compact(self) -> None:
        if self._pending:
            self._chunks.append(pa.Table.from_pylist(self._pending))
            self._pending = []

    def table(self):
        self._compact()
        return concat(self._chunks)


# ------------------------------------------------------------------------------ helpers
def parquet_bytes(table: Any) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **SMALL_FILE)
    return sink.getvalue().to_pybytes()


def rounds_table(run_id: int, rounds: Any):
    """A per-round table (DataFrame, Arrow table or mapping of columns) with ``run_id`` first."""
    if isinstance(rounds, pa.Table):
        table = rounds
    elif hasattr(rounds, "columns") and hasattr(rounds, "to_dict"):  # a DataFrame
        table = pa.Table.from_pandas(rounds, preserve_index=False)
    else:
        table = pa.table({k: list(v) for k, v in dict(rounds).items()})
    ids = pa.array(np.full(table.num_rows, run_id, dtype=np.int64))
    return table.add_column(0, "run_id", ids)


def concat(tables: Iterable[Any]):
    return pa.concat_tables(list(tables), promote_options="permissive")


def fits(value: Any, arrow_type: Any) -> bool:
    """Whether a metric value goes into a column of ``arrow_type`` unchanged."""
    if value is None:
        return True
    if isinstance(value, bool):
        return arrow_type == pa.bool_()
    if isinstance(value, int):
        return arrow_type in (pa.int64(), pa.float64())
    if isinstance(value, float):
        return arrow_type == pa.float64()
    if isinstance(value, str):
        return arrow_type in (pa.string(), pa.large_string())
    return False


def plain(value: Any) -> Any:
    """NumPy scalars to Python ones, so that Arrow infers the same type for every run."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def parameter_types(design: Design) -> dict[str, Any]:
    """One Arrow type per parameter, from all its values, so that every run file agrees."""
    out = {}
    for name in design.parameters:
        present = [p.get(name) for p in design.points if p.get(name) is not None]
        if not present:
            out[name] = pa.null()
        elif all(isinstance(v, bool | np.bool_) for v in present):
            out[name] = pa.bool_()
        elif all(isinstance(v, str) for v in present):
            out[name] = pa.string()
        elif all(isinstance(v, int | np.integer) for v in present):
            out[name] = pa.int64()
        else:
            out[name] = pa.float64()
    return out
