"""Paired counterfactual runs: the same laboratory world twice, once with one gift of extra MU.

What the experiment could not do (Fowler & Christakis 2010, PNAS 107:5334, suggest that "each
additional contribution a subject makes ... in the first period is tripled"): play a session,
then play it again with everything the same — subjects, matching, and every random draw, since
the kernels' counter-based generator is keyed by the session — except that one subject gives
``extra`` MU more in one period. Any difference in anybody's later contribution is caused by
that gift. With ``extra = 0`` the two runs are identical to the last bit.

Each pair is a fresh world (its own subjects, matching and key, spawned from the master seed);
the giver is drawn uniformly among the subjects who can give ``extra`` more that period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.behaviour.parameters import Behaviour
from sim.lab.design import LabDesign
from sim.lab.lab import LabResult, draw_sessions, run_sessions
from sim.lab.schedule import library
from sim.seeds import SeedLike, child_seed, seed_sequence


@dataclass
class PairedRuns:
    """Baseline and perturbed runs of the same worlds.

    Attributes:
        baseline, treated: the two runs (same sessions, same keys).
        giver: (pairs,) the subject who gave more.
        extra: (pairs,) how much more she actually gave (``requested`` unless clipped at E).
        period: the period index (from 0) of the gift.
        requested: the extra MU asked for.
    """

    baseline: LabResult
    treated: LabResult
    giver: np.ndarray
    extra: np.ndarray
    period: int
    requested: float

    @property
    def pairs(self) -> int:
        return len(self.giver)

    @property
    def difference(self) -> np.ndarray:
        """(pairs, P, n): treated minus baseline contribution of every subject."""
        return self.treated.contribution - self.baseline.contribution


def paired_runs(
    design: LabDesign | None = None,
    behaviour: Behaviour | None = None,
    seed: SeedLike = 0,
    pairs: int = 1000,
    extra: float = 1.0,
    period: int = 0,
) -> PairedRuns:
    """Play ``pairs`` worlds twice; in the second run one subject gives ``extra`` MU more in
    period index ``period`` (0: the first period of the session).

    Raises:
        ValueError: ``pairs`` < 1, ``extra`` negative, or ``period`` outside the session.
    """
    design = design or LabDesign()
    behaviour = behaviour or Behaviour()
    if isinstance(pairs, bool) or not isinstance(pairs, int | np.integer) or pairs < 1:
        raise ValueError(f"pairs must be an integer >= 1 (got {pairs!r})")
    if not extra >= 0.0:
        raise ValueError(f"extra must be >= 0 (got {extra!r})")
    if not 0 <= period < design.total_periods:
        raise ValueError(f"period must be between 0 and {design.total_periods - 1}")
    library(design.session_size, design.group_size, design.periods)
    # pair p: its world from seed path (p, 0), its giver's draw from (p, 1)
    root = seed_sequence(seed)
    worlds = [child_seed(root, p, 0) for p in range(pairs)]
    choices = [child_seed(root, p, 1) for p in range(pairs)]
    sessions = draw_sessions(design, behaviour, worlds)
    baseline = run_sessions(design, behaviour, sessions)
    room = design.endowment - baseline.contribution[:, period, :]
    giver = np.empty(pairs, np.int64)
    for p, choice in enumerate(choices):
        eligible = np.flatnonzero(room[p] >= extra)
        if len(eligible) == 0:
            eligible = np.arange(design.session_size)
        giver[p] = np.random.default_rng(choice).choice(eligible)
    treated = run_sessions(design, behaviour, sessions, seed_agent=giver,
                           extra=np.full(pairs, float(extra)),
                           extra_period=np.full(pairs, period, np.int64))
    rows = np.arange(pairs)
    actual = (treated.contribution[rows, period, giver]
              - baseline.contribution[rows, period, giver])
    return PairedRuns(baseline, treated, giver, actual, period, float(extra))
