"""Seeds: the one place a seed is split into child seeds.

Every random stream of a run, an experiment or a sweep descends from one master seed through
:func:`numpy.random.SeedSequence` spawn keys, so a result depends on the seed and the position
of the run in its design, never on the number of threads or workers (O'Neill 2015, the design
of NumPy's ``SeedSequence``; ``docs/reproducibility.md``).

- :func:`seed_sequence` normalises an int, ``None`` (fresh entropy) or a ``SeedSequence``;
- :func:`child_seed` is the seed at a path below a master seed: ``child_seed(s, i, j)`` is the
  ``j``-th child of the ``i``-th child of ``s``, the same sequence that ``s.spawn`` would give,
  whatever else was spawned before;
- :func:`child_seeds` is ``count`` consecutive children below a path.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SeedLike = int | np.random.SeedSequence | None


def seed_sequence(seed: SeedLike) -> np.random.SeedSequence:
    """Normalise an int (or None, for fresh entropy) or SeedSequence to a fresh SeedSequence.

    A ``SeedSequence`` is copied: spawning advances the caller's object otherwise.
    """
    if isinstance(seed, np.random.SeedSequence):
        return np.random.SeedSequence(
            seed.entropy, spawn_key=seed.spawn_key, pool_size=seed.pool_size
        )
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
        raise TypeError(f"seed must be an int or numpy.random.SeedSequence, not {seed!r}")
    return np.random.SeedSequence(None if seed is None else int(seed))


def child_seed(seed: SeedLike, *path: int) -> np.random.SeedSequence:
    """The seed at ``path`` below ``seed``: ``child_seed(s, i)`` equals ``s.spawn(i + 1)[i]``."""
    return _below(_root(seed), tuple(int(p) for p in path))


def child_seeds(seed: SeedLike, count: int, *path: int) -> list[np.random.SeedSequence]:
    """``count`` consecutive children of the seed at ``path``: ``child_seed(seed, *path, k)``.

    ``seed=None`` draws fresh entropy once, so the children are siblings.
    """
    root = _root(seed)
    above = tuple(int(p) for p in path)
    return [_below(root, (*above, k)) for k in range(int(count))]


def _root(seed: SeedLike) -> np.random.SeedSequence:
    """``seed`` as a SeedSequence to read (not spawn from): no copy of one given (a
    SeedSequence costs about 15 us to build, a few times per run)."""
    return seed if isinstance(seed, np.random.SeedSequence) else seed_sequence(seed)


def _below(root: np.random.SeedSequence, path: tuple[int, ...]) -> np.random.SeedSequence:
    return np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + path,
                                  pool_size=root.pool_size)


def describe_seed(seq: np.random.SeedSequence) -> Any:
    """A JSON-friendly description of a seed: the int, or entropy plus spawn key."""
    if not seq.spawn_key and isinstance(seq.entropy, int):
        return seq.entropy
    return {"entropy": seq.entropy, "spawn_key": list(seq.spawn_key)}
