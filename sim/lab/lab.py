"""Run the simulated laboratory and export what happened.

``run_lab(design, behaviour, seed)`` plays ``design.sessions`` sessions and returns a
:class:`LabResult`: every contribution, belief, punishment point and payoff, exportable as the
long table of the experimental literature (:meth:`LabResult.to_frame`) and as the time-ordered
interaction network (:meth:`LabResult.network_frame`, :meth:`LabResult.to_networkx`).

Seeds: the master seed becomes a ``numpy.random.SeedSequence``; each session gets one child,
which seeds its subjects' types, its matching and its kernel key. The same seed gives the same
result whatever the thread count.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np

from sim.behaviour.kernels import TYPE_NAMES
from sim.behaviour.parameters import Behaviour
from sim.lab import kernels as lk
from sim.lab.design import LabDesign
from sim.lab.panel import Panel
from sim.lab.schedule import block_schedule, library, repeats
from sim.population import draw_traits
from sim.seeds import SeedLike, child_seeds

TREATMENTS = ("without_punishment", "with_punishment")
#: columns of the long table, in order; the first seven are the literature's format
LONG_COLUMNS = (
    "session", "period", "subject", "group", "contribution", "punishment_given",
    "punishment_received", "treatment", "treatment_period", "type", "belief", "payoff",
)


@dataclass
class Sessions:
    """The kernel's inputs for a batch of sessions (arrays with a leading session axis)."""

    schedule: np.ndarray  # (S, P, n) int64: subject by slot; slot // k is the group
    punish: np.ndarray  # (S, P) int8
    block_start: np.ndarray  # (S, P) int8
    kind: np.ndarray  # (S, n) int8
    slope: np.ndarray  # (S, n)
    base: np.ndarray  # (S, n)
    belief0: np.ndarray  # (S, n)
    keys: np.ndarray  # (S,) uint64
    punishment_first: np.ndarray  # (S,) bool

    @property
    def count(self) -> int:
        return self.schedule.shape[0]

    def take(self, index: np.ndarray) -> Sessions:
        """The sessions at ``index`` (e.g. to run a world twice, stack it with itself)."""
        return Sessions(**{f: getattr(self, f)[index] for f in self.__dataclass_fields__})


def parameter_vector(design: LabDesign, behaviour: Behaviour) -> np.ndarray:
    q = np.zeros(lk.N_Q)
    q[lk.Q_ENDOWMENT] = design.endowment
    q[lk.Q_MPCR] = design.mpcr
    q[lk.Q_BELIEF_WEIGHT] = behaviour.belief_weight
    q[lk.Q_NOISE] = behaviour.noise
    q[lk.Q_COMPLIANCE] = behaviour.punishment_compliance
    q[lk.Q_MARGIN] = behaviour.punishment_margin * design.endowment
    q[lk.Q_LEARNING] = behaviour.punishment_learning
    q[lk.Q_PUNISH_RATE] = behaviour.punishment_rate
    q[lk.Q_MAX_POINTS] = design.max_points
    q[lk.Q_COST] = design.punishment_cost
    q[lk.Q_IMPACT] = design.punishment_impact
    q[lk.Q_RESTART] = behaviour.restart
    q[lk.Q_PAYOFF_WEIGHT] = behaviour.payoff_weight
    q[lk.Q_ASPIRATION] = behaviour.aspiration
    q[lk.Q_SENSITIVITY] = behaviour.sensitivity
    q[lk.Q_PROPENSITY] = behaviour.initial_cooperation
    q[lk.Q_PEER_COMPARISON] = behaviour.peer_comparison
    return q


def draw_sessions(
    design: LabDesign,
    behaviour: Behaviour,
    seeds: list[np.random.SeedSequence],
    first_index: int = 0,
) -> Sessions:
    """One session per seed: subjects' traits, the matching of both blocks, the run key.

    Session ``first_index + m`` (for the m-th seed) takes its treatment order from
    ``design.punishment_first``, so counterbalancing alternates along the list.
    """
    n, k, periods = design.session_size, design.group_size, design.periods
    e = design.endowment
    count = len(seeds)
    out = Sessions(
        schedule=np.empty((count, 2 * periods, n), np.int64),
        punish=np.zeros((count, 2 * periods), np.int8),
        block_start=np.zeros((count, 2 * periods), np.int8),
        kind=np.empty((count, n), np.int8),
        slope=np.empty((count, n)),
        base=np.empty((count, n)),
        belief0=np.empty((count, n)),
        keys=np.empty(count, np.uint64),
        punishment_first=np.zeros(count, bool),
    )
    for m, seq in enumerate(seeds):
        type_seq, match_seq, key_seq = child_seeds(seq, 3)
        out.kind[m], out.slope[m], out.base[m], out.belief0[m] = draw_traits(
            behaviour, n, e, np.random.default_rng(type_seq))
        match_rng = np.random.default_rng(match_seq)
        for b in range(2):
            out.schedule[m, b * periods : (b + 1) * periods] = block_schedule(
                n, k, periods, match_rng
            )
        first = design.punishment_first(first_index + m)
        out.punishment_first[m] = first
        out.punish[m, :periods] = 1 if first else 0
        out.punish[m, periods:] = 0 if first else 1
        out.block_start[m, 0] = out.block_start[m, periods] = 1
        out.keys[m] = key_seq.generate_state(1, dtype=np.uint64)[0]
    return out


@dataclass
class LabResult:
    """Everything the simulated laboratory recorded, as (session, period, subject) arrays."""

    design: LabDesign
    behaviour: Behaviour
    sessions: Sessions
    contribution: np.ndarray
    belief: np.ndarray
    given: np.ndarray
    received: np.ndarray
    payoff: np.ndarray
    points: np.ndarray  # (S, P, n, k): points from each subject to each slot of her group

    # ------------------------------------------------------------------ summaries
    def treatment_mask(self, treatment: str) -> np.ndarray:
        """(S, P) bool: the periods of ``treatment`` (``with_punishment`` or ``without_...``)."""
        if treatment not in TREATMENTS:
            raise ValueError(f"treatment must be one of {', '.join(TREATMENTS)}")
        want = 1 if treatment == "with_punishment" else 0
        return self.sessions.punish == want

    def by_treatment(self, values: np.ndarray, treatment: str) -> np.ndarray:
        """(S, periods, n): ``values`` of the periods of one treatment, in period order."""
        mask = self.treatment_mask(treatment)
        s, p = values.shape[:2]
        per = self.design.periods
        return values[mask].reshape(s, per, *values.shape[2:])

    def trajectory(self, treatment: str) -> np.ndarray:
        """Mean contribution in each of the treatment's periods (over sessions and subjects)."""
        return self.by_treatment(self.contribution, treatment).mean(axis=(0, 2))

    def session_trajectories(self, treatment: str) -> np.ndarray:
        """(S, periods): each session's mean contribution per treatment period."""
        return self.by_treatment(self.contribution, treatment).mean(axis=2)

    def group_of(self) -> np.ndarray:
        """(S, P, n): each subject's group number (from 0) in each period."""
        s, p, n = self.sessions.schedule.shape
        k = self.design.group_size
        out = np.empty_like(self.sessions.schedule)
        slots = np.broadcast_to(np.arange(n) // k, (s, p, n))
        np.put_along_axis(out, self.sessions.schedule, slots, axis=2)
        return out

    def repeat_meetings(self) -> int:
        """Repeat meetings within treatment blocks, over all sessions (0: perfect strangers)."""
        per, k = self.design.periods, self.design.group_size
        return sum(
            repeats(self.sessions.schedule[s, b * per : (b + 1) * per], k)
            for s in range(self.sessions.count)
            for b in range(2)
        )

    # -------------------------------------------------------------------- exports
    def to_frame(self):
        """The long table: one row per subject and period.

        Columns: session, period (1..2 x periods, in time order), subject (a number unique in
        the whole experiment, from 1), group (from 1, within session and period), contribution,
        punishment_given and punishment_received (points), then treatment
        (``without_punishment`` / ``with_punishment``), treatment_period (1..periods), type,
        belief (what the subject expected the others to give) and payoff (MU).
        """
        s, p, n = self.contribution.shape
        session = np.repeat(np.arange(1, s + 1), p * n)
        period = np.tile(np.repeat(np.arange(1, p + 1), n), s)
        subject = np.tile(np.arange(n), s * p) + (session - 1) * n + 1
        punish = np.repeat(self.sessions.punish.astype(bool).ravel(), n)
        treatment_period = (period - 1) % self.design.periods + 1
        kinds = np.repeat(self.sessions.kind, p, axis=0).ravel()
        names = np.array([TYPE_NAMES[c] for c in range(4)])
        import pandas as pd

        return pd.DataFrame(
            {
                "session": session,
                "period": period,
                "subject": subject,
                "group": self.group_of().ravel() + 1,
                "contribution": self.contribution.ravel(),
                "punishment_given": self.given.ravel(),
                "punishment_received": self.received.ravel(),
                "treatment": np.where(punish, TREATMENTS[1], TREATMENTS[0]),
                "treatment_period": treatment_period,
                "type": names[kinds],
                "belief": self.belief.ravel(),
                "payoff": self.payoff.ravel(),
            },
            columns=list(LONG_COLUMNS),
        )

    def network_frame(self):
        """The time-ordered interaction network as an edge list.

        One row per ordered pair of subjects who shared a group in a period: session, period,
        subject, other, group, points (punishment points the subject assigned to the other).
        Subject numbers are those of :meth:`to_frame`.
        """
        s, p, n = self.contribution.shape
        k = self.design.group_size
        sched = self.sessions.schedule.reshape(s, p, n // k, k)
        src = np.repeat(sched[..., :, None], k, axis=-1)  # (S, P, G, k, k): row a, column b
        dst = np.repeat(sched[..., None, :], k, axis=-2)
        pts = np.take_along_axis(
            self.points, sched.reshape(s, p, n)[..., None], axis=2
        ).reshape(s, p, n // k, k, k)
        off = ~np.eye(k, dtype=bool)
        shape = src.shape
        session = np.broadcast_to(np.arange(s)[:, None, None, None, None], shape)
        period = np.broadcast_to(np.arange(p)[None, :, None, None, None], shape)
        group = np.broadcast_to(np.arange(n // k)[None, None, :, None, None], shape)
        sel = np.broadcast_to(off, shape)
        offset = session[sel] * n + 1
        import pandas as pd

        return pd.DataFrame(
            {
                "session": session[sel] + 1,
                "period": period[sel] + 1,
                "subject": src[sel] + offset,
                "other": dst[sel] + offset,
                "group": group[sel] + 1,
                "points": pts[sel],
            }
        )

    def to_networkx(self):
        """The interaction network as a ``networkx.MultiDiGraph``: one node per subject (with
        ``session`` and ``type``), one edge per ordered pair and period they shared a group,
        with ``period``, ``group`` and ``points`` attributes."""
        graph = nx.MultiDiGraph()
        s, _, n = self.contribution.shape
        for m in range(s):
            for i in range(n):
                graph.add_node(m * n + i + 1, session=m + 1,
                               type=TYPE_NAMES[int(self.sessions.kind[m, i])])
        edges = self.network_frame()
        graph.add_edges_from(
            (int(a), int(b), {"period": int(t), "group": int(g), "points": float(pt)})
            for a, b, t, g, pt in zip(edges["subject"], edges["other"], edges["period"],
                                      edges["group"], edges["points"], strict=True)
        )
        return graph


def run_sessions(
    design: LabDesign,
    behaviour: Behaviour,
    sessions: Sessions,
    seed_agent: np.ndarray | None = None,
    extra: np.ndarray | None = None,
    extra_period: np.ndarray | None = None,
) -> LabResult:
    """Play prepared sessions; optionally one subject per session gives ``extra`` MU more in
    period index ``extra_period`` (the causal runs)."""
    count, periods, n = sessions.schedule.shape
    k = design.group_size
    zeros = np.zeros(count)
    seed_agent = np.zeros(count, np.int64) if seed_agent is None else np.asarray(seed_agent,
                                                                                   np.int64)
    extra = zeros if extra is None else np.asarray(extra, np.float64)
    extra_period = (np.zeros(count, np.int64) if extra_period is None
                    else np.asarray(extra_period, np.int64))
    out = {name: np.empty((count, periods, n)) for name in
           ("contribution", "belief", "given", "received", "payoff")}
    points = np.empty((count, periods, n, k))
    lk.simulate_sessions(
        sessions.schedule, sessions.punish, sessions.block_start, sessions.kind, sessions.slope,
        sessions.base, sessions.belief0, sessions.keys, parameter_vector(design, behaviour),
        seed_agent, extra, extra_period, out["contribution"], out["belief"], out["given"],
        out["received"], out["payoff"], points,
    )
    return LabResult(design, behaviour, sessions, points=points, **out)


def run_lab(design: LabDesign | None = None, behaviour: Behaviour | None = None,
            seed: SeedLike = 0) -> LabResult:
    """Play the laboratory: ``design.sessions`` sessions of the Fehr & Gächter (2002) design."""
    design = design or LabDesign()
    behaviour = behaviour or Behaviour()
    library(design.session_size, design.group_size, design.periods)  # plan (or load) designs
    seeds = child_seeds(seed, design.sessions)
    return run_sessions(design, behaviour, draw_sessions(design, behaviour, seeds))


def panel(result: LabResult) -> Panel:
    """The lab's record as a :class:`~sim.lab.panel.Panel` for the cascade analysis
    (:mod:`sim.analysis.cascade`), with no detour through a table."""
    s, p, n = result.contribution.shape
    per = result.design.periods
    punish = result.sessions.punish.astype(bool)
    return Panel(
        x=result.contribution,
        group=result.group_of(),
        block=np.broadcast_to((np.arange(p) >= per).astype(np.int64), (s, p)).copy(),
        treatment=np.where(punish, TREATMENTS[1], TREATMENTS[0]).astype(object),
        treatment_period=np.broadcast_to(np.arange(p) % per + 1, (s, p)).copy(),
        sessions=np.arange(1, s + 1).astype(object),
        subjects=(np.arange(s)[:, None] * n + np.arange(n) + 1).astype(object),
    )
