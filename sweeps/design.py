"""Expanding a :class:`~sweeps.spec.SweepSpec` into the runs of a sweep: :func:`expand`.

The design is a list of *points* (complete parameter sets) times ``replicates``. Points are the
cross product of the grid axes (in TOML order, the last varying fastest) with the ``samples``
points drawn jointly for the sampled axes (uniform, log-uniform or whole numbers; independent
``random`` draws or a Latin hypercube). Run ``i`` is replicate ``i % replicates`` of point
``i // replicates``, and its seed is ``SeedSequence(seed, spawn_key=(i,))``: fixed by the file
alone, before anything is dispatched, so results do not depend on the number of workers, on
the scheduler or on the order in which runs finish.

Every point is checked by the model (``SweepModel.complete``) here, so a value that is out of
range anywhere in the design fails before the first run. The design's hash covers the model,
the master seed, the replicates and every complete point: a sweep directory remembers it, and
``--resume`` refuses a file whose design differs.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.config import ConfigError
from sim.seeds import child_seed
from sweeps.models import Params, SweepModel, get_model
from sweeps.spec import SampledAxis, SweepConfigError, SweepSpec

#: columns every results row starts with; parameters and metrics may not use these names
BASE_COLUMNS = ("run_id", "point", "replicate", "seed_entropy", "seed_spawn_key")
#: the in-task time of each run (seconds); not part of the result proper
ELAPSED_COLUMN = "elapsed_s"
RESERVED = (*BASE_COLUMNS, ELAPSED_COLUMN)
#: sampled axes are drawn from ``SeedSequence([seed, SAMPLING_DOMAIN])``: its entropy words
#: ``[seed, SAMPLING_DOMAIN]`` differ from those of every run (``[seed, 0, 0, 0, i]``) and of every
#: child a run spawns (``[seed, 0, 0, 0, i, j, ...]``), so samples and runs never share a stream
SAMPLING_DOMAIN = 0x53574550  # "SWEP"
#: bump when expansion changes in a way that changes points for the same file
DESIGN_FORMAT = 1


@dataclass(frozen=True)
class Design:
    """The expanded runs of a sweep.

    Attributes:
        spec: the checked sweep file.
        model: the model each run plays.
        points: the complete parameter set of each point (``model.complete`` of the file's
            fixed and varied values).
        varied: for each point, the values of the axes only (for listings and plots).
        parameters: parameter names in column order.
        hash: a digest of everything that determines the results (16 hex digits).
    """

    spec: SweepSpec
    model: SweepModel
    points: list[Params]
    varied: list[dict[str, Any]]
    parameters: list[str]
    hash: str

    @property
    def replicates(self) -> int:
        return self.spec.replicates

    @property
    def size(self) -> int:
        """Number of runs."""
        return len(self.points) * self.spec.replicates

    def __len__(self) -> int:
        return self.size

    def point_of(self, run_id: int) -> tuple[int, int]:
        """``(point, replicate)`` of run ``run_id``."""
        return divmod(run_id, self.spec.replicates)

    def params(self, run_id: int) -> Params:
        return self.points[run_id // self.spec.replicates]

    def seed(self, run_id: int) -> np.random.SeedSequence:
        """Run ``run_id``'s seed: ``SeedSequence(master, spawn_key=(run_id,))``."""
        return run_seed(self.spec.seed, run_id)

    def identity(self, run_id: int) -> dict[str, int]:
        """The base columns of run ``run_id``'s row."""
        point, replicate = self.point_of(run_id)
        return {
            "run_id": run_id,
            "point": point,
            "replicate": replicate,
            "seed_entropy": self.spec.seed,
            "seed_spawn_key": run_id,
        }

    def describe(self) -> str:
        """One line: runs, points, replicates, axes."""
        spec = self.spec
        parts = []
        for axis in spec.axes:
            if isinstance(axis, SampledAxis):
                scale = "log " if axis.log else ""
                parts.append(f"{axis.name} ({scale}{axis.low:g}..{axis.high:g}, sampled)")
            else:
                parts.append(f"{axis.name} ({len(axis.values)})")
        samples = f", {spec.samples} {spec.sampling} samples" if spec.sampled_axes else ""
        axes = "; axes: " + ", ".join(parts) if parts else "; no axes"
        return (
            f"{self.size:,} runs = {len(self.points):,} points x {spec.replicates} "
            f"replicates{samples}{axes}"
        )


def run_seed(master: int, run_id: int) -> np.random.SeedSequence:
    """The seed of run ``run_id`` of a sweep with master seed ``master``."""
    return child_seed(master, run_id)


# ------------------------------------------------------------------------------ expansion
def expand(spec: SweepSpec) -> Design:
    """Expand and check every point of ``spec``.

    Raises:
        SweepConfigError: unknown model or parameter, or a value the model refuses; the
            message names the TOML key (one line).
    """
    source = spec.source
    try:
        model = get_model(spec.model)
    except ConfigError as err:
        raise SweepConfigError(f"{source}: sweep.model: {err}") from None
    if spec.per_round and model.run_rounds is None:
        raise SweepConfigError(
            f"{source}: sweep.per_round: model '{model.name}' has no per-round table; "
            "remove per_round or set it to false"
        )
    names = [*spec.fixed, *(a.name for a in spec.axes)]
    for name in names:
        if name in RESERVED:
            raise SweepConfigError(
                f"{source}: {spec.where(name)}: '{name}' is a results column, not a parameter"
            )
        if model.parameters is not None and name not in model.parameters:
            raise SweepConfigError(
                f"{source}: {spec.where(name)}: unknown parameter '{name}' for model "
                f"'{model.name}'; allowed: {', '.join(model.parameters)}"
            )

    varied = varied_points(spec)
    points: list[Params] = []
    for values in varied:
        given = {**spec.fixed, **values}
        try:
            points.append(model.complete(given))
        except ConfigError as err:
            raise _point_error(spec, model, err, values) from None
        except (TypeError, ValueError) as err:  # a model's resolve with a looser contract
            raise _point_error(spec, model, ConfigError(str(err)), values) from None
    parameters = _column_order(model, points)
    for name in parameters:
        if name in RESERVED:
            raise SweepConfigError(
                f"{source}: model '{model.name}' has a parameter named '{name}', "
                "which is a results column"
            )
    _check_column_types(spec, points, parameters)
    return Design(
        spec=spec,
        model=model,
        points=points,
        varied=varied,
        parameters=parameters,
        hash=design_hash(spec, model, points),
    )


def varied_points(spec: SweepSpec) -> list[dict[str, Any]]:
    """The axis values of every point, in design order (grid crossed with the samples)."""
    grid = spec.grid_axes
    combos = list(itertools.product(*(axis.values for axis in grid)))
    samples = draw_samples(spec)
    out: list[dict[str, Any]] = []
    for combo in combos:
        by_name = dict(zip((a.name for a in grid), combo, strict=True))
        for sample in samples:
            merged = {**by_name, **sample}
            out.append({axis.name: merged[axis.name] for axis in spec.axes})
    return out


def draw_samples(spec: SweepSpec) -> list[dict[str, Any]]:
    """The values of the sampled axes: ``samples`` dicts (one empty dict when there are none).

    Drawn from ``SeedSequence([sample_seed or seed, SAMPLING_DOMAIN])``.
    """
    axes = spec.sampled_axes
    if not axes:
        return [{}]
    assert spec.samples is not None
    master = spec.seed if spec.sample_seed is None else spec.sample_seed
    rng = np.random.default_rng(np.random.SeedSequence([master, SAMPLING_DOMAIN]))
    unit = unit_samples(spec.sampling, spec.samples, len(axes), rng)
    rows: list[dict[str, Any]] = [{} for _ in range(spec.samples)]
    for d, axis in enumerate(axes):
        for row, u in zip(rows, unit[:, d], strict=True):
            row[axis.name] = scale_sample(axis, float(u))
    return rows


def unit_samples(method: str, count: int, dims: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` points in ``[0, 1)^dims``: independent uniforms, or a Latin hypercube.

    A Latin hypercube (McKay, Beckman & Conover 1979) cuts each dimension into ``count``
    equal strata and puts exactly one point in each stratum of each dimension, the strata
    matched at random across dimensions, each point uniform within its cell.
    """
    if method == "random":
        return rng.random((count, dims))
    if method == "lhs":
        out = np.empty((count, dims))
        for d in range(dims):
            out[:, d] = (rng.permutation(count) + rng.random(count)) / count
        return out
    raise ValueError(f"unknown sampling method {method!r}")


def scale_sample(axis: SampledAxis, u: float) -> float | int:
    """Map ``u`` in ``[0, 1)`` onto the axis (uniform, log-uniform, or whole numbers)."""
    if axis.integer:
        # whole numbers low..high, each with (about) equal weight (or log weight)
        top = axis.high + 1
        if axis.log:
            value = math.exp(math.log(axis.low) + u * (math.log(top) - math.log(axis.low)))
        else:
            value = axis.low + u * (top - axis.low)
        return int(min(max(math.floor(value), axis.low), axis.high))
    if axis.log:
        return math.exp(math.log(axis.low) + u * (math.log(axis.high) - math.log(axis.low)))
    return axis.low + u * (axis.high - axis.low)


def design_hash(spec: SweepSpec, model: SweepModel, points: list[Params]) -> str:
    """16 hex digits of SHA-256 over what determines the results of every run."""
    digest = hashlib.sha256()
    head = {
        "format": DESIGN_FORMAT,
        "model": model.name,
        "seed": spec.seed,
        "replicates": spec.replicates,
        "per_round": spec.per_round,
    }
    digest.update(_canonical(head).encode())
    for point in points:
        digest.update(b"\n")
        digest.update(_canonical(point).encode())
    return digest.hexdigest()[:16]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return repr(value)


def _column_order(model: SweepModel, points: list[Params]) -> list[str]:
    seen: dict[str, None] = {}
    if model.parameters is not None:
        for name in model.parameters:
            if any(name in p for p in points):
                seen[name] = None
    for point in points:
        for name in point:
            seen.setdefault(name, None)
    return list(seen)


def _check_column_types(spec: SweepSpec, points: list[Params], parameters: list[str]) -> None:
    """A parameter must be all numbers, all strings or all true/false (missing values aside)."""
    for name in parameters:
        kinds = {_kind(p.get(name)) for p in points} - {"none"}
        if len(kinds) > 1 and kinds != {"int", "float"}:
            raise SweepConfigError(
                f"{spec.source}: {spec.where(name)}: mixes {' and '.join(sorted(kinds))} "
                "values; a parameter's values must be of one kind"
            )
        bad = kinds - {"int", "float", "str", "bool"}
        if bad:
            raise SweepConfigError(
                f"{spec.source}: {spec.where(name)}: the model made {bad.pop()} values; "
                "parameters must be numbers, strings or true/false"
            )


def _kind(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | np.integer):
        return "int"
    if isinstance(value, float | np.floating):
        return "float"
    if isinstance(value, str):
        return "str"
    return type(value).__name__


def _point_error(
    spec: SweepSpec, model: SweepModel, err: ConfigError, values: dict[str, Any]
) -> SweepConfigError:
    """Say which TOML key a model's complaint is about, in the TOML's own words.

    ``SimulationConfig`` speaks of options (``--mpcr``); in a sweep file the key is ``mpcr``,
    or, for an experiment, the parameter-file entry given in the file (``world.mpcr``).
    """
    message = " ".join(str(err).split())
    given = [*spec.fixed, *(a.name for a in spec.axes)]
    known = set(given) | set(model.parameters or ())

    def as_key(match: re.Match) -> str:
        name = match.group(1).replace("-", "_")
        if name in known:
            return name
        entries = sorted((g for g in given if g.rpartition(".")[2] == name),
                         key=lambda g: g not in values)
        return entries[0] if entries else match.group(0)

    message = re.sub(r"--([a-z][a-z0-9-]*)", as_key, message)
    positions = {}
    for name in given:
        # an experiment's ``table.key`` parameter may be named by its key alone
        # ("mpcr must be ..." for world.mpcr)
        for word in dict.fromkeys((name, name.rpartition(".")[2])):
            found = re.search(rf"(?<![\w.-]){re.escape(word)}(?![\w-])", message)
            if found:
                positions[name] = found.start()
                break
    # an axis is the likelier culprit (the fixed values alone may be fine); then the name the
    # message starts with ("group_size must be ... n=30")
    mentioned = sorted(positions, key=lambda n: (0 if n in values else 1, positions[n]))
    key = spec.where(mentioned[0]) if mentioned else "[fixed]/[axes]"
    where = ""
    if values:
        shown = ", ".join(f"{k}={_short(v)}" for k, v in values.items())
        where = f" (at design point {shown})"
    return SweepConfigError(f"{spec.source}: {key}: {message}{where}")


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value) if isinstance(value, str) else str(value)
