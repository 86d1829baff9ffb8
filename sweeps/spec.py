"""A sweep's TOML file, read and checked: :func:`load` returns a :class:`SweepSpec`.

The format (``docs/sweeps.md`` has the full reference)::

    [sweep]
    model = "run"          # what each run is (sweeps.models); default "run"
    seed = 20240611        # master seed (required): run i gets SeedSequence(seed, spawn_key=(i,))
    replicates = 5         # runs per design point (default 1)
    samples = 16           # points drawn for the sampled axes (needed when there are any)
    sampling = "lhs"       # "lhs" (Latin hypercube, default) or "random"
    per_round = false      # also keep every run's per-round table

    [fixed]                # parameters every run shares
    n = 500
    network = "silos"

    [axes]                 # parameters to vary, in this order (the last varies fastest)
    rule = ["fermi", "conditional"]                   # a list of values
    bridging = { start = 0.0, stop = 0.5, step = 0.1 }  # a range, stop included
    degree = { start = 2, stop = 8, num = 4 }          # evenly spaced values
    temperature = { low = 0.05, high = 5.0, log = true }  # sampled (random or LHS)

An experiment's parameter-file entries are named ``table.key`` (``world.mpcr = [0.3, 0.5]``);
TOML reads an unquoted dotted key as a table, which is read back as the dotted name.

Grid axes (lists and ranges) are crossed with each other and with the ``samples`` points drawn
jointly for all sampled axes. Every mistake raises :class:`SweepConfigError` (a
``sim.ConfigError``) with one line that names the file and the key, and what is allowed.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.config import ConfigError

SAMPLING_METHODS = ("lhs", "random")
#: the largest master seed (results store it as a signed 64-bit integer)
MAX_SEED = 2**63 - 1

#: [sweep] keys: name -> (what is allowed, for messages)
SWEEP_KEYS = {
    "model": "a model name (string)",
    "seed": f"an integer from 0 to {MAX_SEED}",
    "replicates": "an integer >= 1",
    "samples": "an integer >= 1",
    "sampling": " or ".join(f"'{m}'" for m in SAMPLING_METHODS),
    "sample_seed": f"an integer from 0 to {MAX_SEED}",
    "per_round": "true or false",
    "name": "a string",
    "description": "a string",
}
TOP_KEYS = ("sweep", "fixed", "axes")
RANGE_KEYS = ("start", "stop", "step", "num")
SAMPLED_KEYS = ("low", "high", "log", "integer")


class SweepConfigError(ConfigError):
    """A malformed sweep file; the message is one line naming the file and the key."""


@dataclass(frozen=True)
class GridAxis:
    """An axis with listed values (a TOML list, or a range expanded to one)."""

    name: str
    values: tuple[Any, ...]

    @property
    def kind(self) -> str:
        return "grid"


@dataclass(frozen=True)
class SampledAxis:
    """An axis drawn from ``[low, high]`` (log-uniform if ``log``; whole numbers if ``integer``)."""

    name: str
    low: float
    high: float
    log: bool = False
    integer: bool = False

    @property
    def kind(self) -> str:
        return "sampled"


Axis = GridAxis | SampledAxis


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep file. ``source`` names the file in messages."""

    seed: int
    model: str = "run"
    replicates: int = 1
    fixed: dict[str, Any] = field(default_factory=dict)
    axes: tuple[Axis, ...] = ()
    samples: int | None = None
    sampling: str = "lhs"
    sample_seed: int | None = None
    per_round: bool = False
    name: str = ""
    description: str = ""
    source: str = "sweep"

    @property
    def grid_axes(self) -> tuple[GridAxis, ...]:
        return tuple(a for a in self.axes if isinstance(a, GridAxis))

    @property
    def sampled_axes(self) -> tuple[SampledAxis, ...]:
        return tuple(a for a in self.axes if isinstance(a, SampledAxis))

    def where(self, name: str) -> str:
        """The TOML key that sets parameter ``name`` (``axes.x`` or ``fixed.x``)."""
        if any(a.name == name for a in self.axes):
            return f"axes.{name}"
        return f"fixed.{name}"


# ------------------------------------------------------------------------------ reading
def load(path: str | Path) -> SweepSpec:
    """Read and check the sweep file at ``path``.

    Raises:
        SweepConfigError: the file is missing, not TOML, or malformed (one line).
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise SweepConfigError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SweepConfigError(f"{path}: is a directory, not a TOML file") from None
    except (OSError, UnicodeDecodeError) as err:
        raise SweepConfigError(f"{path}: cannot read: {err}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise SweepConfigError(f"{path}: not valid TOML: {err}") from None
    return parse(data, source=str(path))


def parse(data: Mapping[str, Any], source: str = "sweep") -> SweepSpec:
    """Check a parsed TOML document and build the :class:`SweepSpec`."""

    def fail(key: str, message: str) -> SweepConfigError:
        return SweepConfigError(f"{source}: {key}: {message}")

    for key in data:
        if key not in TOP_KEYS:
            raise fail(key, "unknown key; allowed: [sweep], [fixed], [axes]")
    sweep = _table(data, "sweep", fail, required=True)
    # an experiment's parameter-file entry is a dotted name (world.mpcr): written unquoted, TOML
    # makes it a table, which is read back as the dotted name
    fixed = _dotted_names(_table(data, "fixed", fail), lambda table: not table)
    axes_table = _dotted_names(_table(data, "axes", fail), _is_axis_table)

    for key in sweep:
        if key not in SWEEP_KEYS:
            raise fail(f"sweep.{key}", f"unknown key; allowed: {', '.join(SWEEP_KEYS)}")

    def typed(key: str, check, default: Any = None, required: bool = False) -> Any:
        if key not in sweep:
            if required:
                raise fail(f"sweep.{key}", f"missing; give {SWEEP_KEYS[key]}")
            return default
        value = sweep[key]
        if not check(value):
            raise fail(f"sweep.{key}", f"must be {SWEEP_KEYS[key]} (got {_show(value)})")
        return value

    def is_seed(v: Any) -> bool:
        return _is_int(v) and 0 <= v <= MAX_SEED

    model = typed("model", lambda v: isinstance(v, str) and v.strip() != "", "run")
    seed = typed("seed", is_seed, required=True)
    replicates = typed("replicates", lambda v: _is_int(v) and v >= 1, 1)
    samples = typed("samples", lambda v: _is_int(v) and v >= 1)
    sampling = typed("sampling", lambda v: v in SAMPLING_METHODS, "lhs")
    sample_seed = typed("sample_seed", is_seed)
    per_round = typed("per_round", lambda v: isinstance(v, bool), False)
    name = typed("name", lambda v: isinstance(v, str), "")
    description = typed("description", lambda v: isinstance(v, str), "")

    for key, value in fixed.items():
        if not _is_scalar(value):
            raise fail(
                f"fixed.{key}",
                f"must be a number, a string or true/false (got {_show(value)}); "
                "to vary it, put it in [axes]",
            )
    axes: list[Axis] = []
    for key, value in axes_table.items():
        if key in fixed:
            raise fail(f"axes.{key}", "is also in [fixed]; give each parameter in one place")
        axes.append(_axis(key, value, fail))

    sampled = [a for a in axes if isinstance(a, SampledAxis)]
    if sampled and samples is None:
        raise fail(
            "sweep.samples",
            f"missing; the sampled axes ({', '.join('axes.' + a.name for a in sampled)}) "
            "need the number of points to draw, an integer >= 1",
        )
    if samples is not None and not sampled:
        raise fail(
            "sweep.samples",
            "given, but no axis is sampled; a sampled axis is a table "
            "{ low = ..., high = ... } in [axes]",
        )
    return SweepSpec(
        seed=seed,
        model=model.strip(),
        replicates=replicates,
        fixed=dict(fixed),
        axes=tuple(axes),
        samples=samples,
        sampling=sampling,
        sample_seed=sample_seed,
        per_round=per_round,
        name=name,
        description=description,
        source=source,
    )


def _table(data: Mapping[str, Any], key: str, fail, required: bool = False) -> dict[str, Any]:
    if key not in data:
        if required:
            raise fail(f"[{key}]", "missing; a sweep file needs a [sweep] table with its seed")
        return {}
    value = data[key]
    if not isinstance(value, dict):
        raise fail(key, f"must be a table [{key}] (got {_show(value)})")
    return value


def _axis(name: str, value: Any, fail) -> Axis:
    key = f"axes.{name}"
    if isinstance(value, list):
        if not value:
            raise fail(key, "is empty; give at least one value")
        for item in value:
            if not _is_scalar(item):
                raise fail(
                    key, f"values must be numbers, strings or true/false (got {_show(item)})"
                )
        return GridAxis(name, tuple(value))
    if isinstance(value, dict):
        keys = set(value)
        if keys & set(SAMPLED_KEYS) and not keys & set(RANGE_KEYS):
            return _sampled_axis(name, value, fail)
        if keys & set(RANGE_KEYS) and not keys & set(SAMPLED_KEYS):
            return GridAxis(name, _range_values(key, value, fail))
        raise fail(
            key,
            "an axis table is a range { start, stop, step } or { start, stop, num }, "
            f"or a sampled axis {{ low, high }} (with log, integer) (got keys {sorted(keys)})",
        )
    if _is_scalar(value):
        raise fail(
            key,
            f"must be a list of values, a range or a sampled axis (got the single value "
            f"{_show(value)}); a parameter that does not vary belongs in [fixed]",
        )
    raise fail(key, f"must be a list of values, a range or a sampled axis (got {_show(value)})")


def _range_values(key: str, table: dict[str, Any], fail) -> tuple[Any, ...]:
    for k in table:
        if k not in RANGE_KEYS:
            raise fail(f"{key}.{k}", "unknown key; a range has start, stop and step or num")
    for k in ("start", "stop"):
        if k not in table:
            raise fail(f"{key}.{k}", "missing; a range needs start, stop and step or num")
        if not _is_number(table[k]):
            raise fail(f"{key}.{k}", f"must be a number (got {_show(table[k])})")
    if ("step" in table) == ("num" in table):
        raise fail(key, "a range needs exactly one of step and num")
    start, stop = table["start"], table["stop"]
    if "num" in table:
        num = table["num"]
        if not (_is_int(num) and num >= 1):
            raise fail(f"{key}.num", f"must be an integer >= 1 (got {_show(num)})")
        if num == 1:
            values = [start]
        else:
            values = [start + (stop - start) * k / (num - 1) for k in range(num)]
        integral = _is_int(start) and _is_int(stop)
    else:
        step = table["step"]
        if not _is_number(step) or step == 0:
            raise fail(f"{key}.step", f"must be a non-zero number (got {_show(step)})")
        count = math.floor((stop - start) / step * (1 + 1e-12) + 1e-9) + 1
        if count < 1:
            raise fail(
                key,
                f"the range from {start} to {stop} by {step} is empty; "
                "give a step with the sign of stop - start",
            )
        if count > 1_000_000:
            raise fail(key, f"the range has {count:,} values; at most 1,000,000 allowed")
        values = [start + k * step for k in range(count)]
        integral = _is_int(start) and _is_int(stop) and _is_int(step)
    if integral and all(float(v).is_integer() for v in values):
        return tuple(int(round(v)) for v in values)
    # 0.1 * 3 is 0.30000000000000004: keep 12 significant digits, as a person wrote them
    return tuple(float(f"{float(v):.12g}") for v in values)


def _sampled_axis(name: str, table: dict[str, Any], fail) -> SampledAxis:
    key = f"axes.{name}"
    for k in table:
        if k not in SAMPLED_KEYS:
            raise fail(f"{key}.{k}", "unknown key; a sampled axis has low, high, log, integer")
    for k in ("low", "high"):
        if k not in table:
            raise fail(f"{key}.{k}", "missing; a sampled axis needs low and high")
        if not _is_number(table[k]) or not math.isfinite(table[k]):
            raise fail(f"{key}.{k}", f"must be a finite number (got {_show(table[k])})")
    for k in ("log", "integer"):
        if k in table and not isinstance(table[k], bool):
            raise fail(f"{key}.{k}", f"must be true or false (got {_show(table[k])})")
    low, high = table["low"], table["high"]
    log, integer = table.get("log", False), table.get("integer", False)
    if not low < high:
        raise fail(key, f"low must be less than high (got low={low}, high={high})")
    if log and low <= 0:
        raise fail(f"{key}.low", f"must be > 0 for a log axis (got {low})")
    if integer and not (_is_int(low) and _is_int(high)):
        raise fail(key, f"an integer axis needs whole-number low and high (got {low}, {high})")
    return SampledAxis(name, low, high, log=log, integer=integer)


# ------------------------------------------------------------------------------ helpers
def _is_axis_table(table: dict[str, Any]) -> bool:
    """A range or a sampled axis (or an empty table, refused as such), not a table of names."""
    return not table or bool(set(table) & {*RANGE_KEYS, *SAMPLED_KEYS})


def _dotted_names(table: dict[str, Any], is_value, prefix: str = "") -> dict[str, Any]:
    """``{"world": {"mpcr": x}}`` (TOML's reading of ``world.mpcr = x``) as
    ``{"world.mpcr": x}``; tables for which ``is_value`` holds are values, kept whole."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not is_value(value):
            out.update(_dotted_names(value, is_value, name + "."))
        else:
            out[name] = value
    return out


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _show(value: Any) -> str:
    """A value as a person reads it in a message: its TOML-ish form and type."""
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, int | float):
        return repr(value)
    return f"a {type(value).__name__}"
