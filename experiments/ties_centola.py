"""Centola's comparison, the second part of ``cascade experiment ties`` (``[centola]`` in the
parameters): the same degree on a clustered lattice and on a random network, simple against
complex contagion, the campaign seeded as one local cluster or at random (Centola & Macy 2007,
AJS 113:702; Centola 2010, Science 329:1194). Its parameters, runs and written reading; the
statistics and the rule for claims are the silo part's (:mod:`experiments.ties_common`).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product
from typing import Any

import numpy as np

from experiments.ties_common import (
    aggregate,
    campaign_mask,
    compare,
    cooperation_paths,
    first_round_at_half,
)
from sim import Simulation, SimulationConfig
from sim.analysis.roles import team_clustering
from sim.config import ConfigError
from sim.networks import build_network
from sim.seeds import child_seeds

#: the axes, the metrics, and the keys the [centola] table may hold
CENTOLA_AXES = ("network", "seeding", "contagion")
CENTOLA_METRICS = ("final_cooperation", "rounds_to_half", "censored")
CENTOLA_KEYS = (*CENTOLA_AXES, "replicates", "simulation")
CENTOLA_LABEL = {
    "final_cooperation": "final cooperation",
    "rounds_to_half": "rounds to 50%",
    "censored": "runs never reaching 50%",
}
#: seed path prefix of this part's replicates (the silo part's are (bridging, replicate))
CENTOLA_STREAM = 2010
#: clustering gap above which two networks count as "clustered" against "random"
CLUSTERED_GAP = 0.1
#: the config fields the cells set (left out of the settings shown)
CELL_FIELDS = ("network", "campaign_placement", "contagion")


@dataclass(frozen=True)
class CentolaSettings:
    """The checked ``[centola]`` part: its grid, replicates and the first cell's config."""

    grid: dict[str, list]
    replicates: int
    base: dict[str, Any]

    def describe(self) -> dict[str, Any]:
        """The part's settings as the run reports them."""
        return {"replicates": self.replicates, "grid": self.grid,
                "simulation": {k: v for k, v in self.base.items() if k not in CELL_FIELDS}}


def centola_settings(params: dict[str, Any], replicates: int | None,
                     default_replicates: int) -> CentolaSettings | None:
    """Check ``[centola]`` (None without one) and every cell's config: the ``[simulation]``
    settings with ``[centola.simulation]`` over them; ``replicates`` (``--replicates``)
    overrides ``[centola] replicates``, whose default is ``default_replicates``."""
    centola = params.get("centola")
    if centola is None:
        return None
    if not isinstance(centola, dict):
        raise ConfigError("--params: [centola] must be a table")
    unknown = sorted(set(centola) - set(CENTOLA_KEYS))
    if unknown:
        raise ConfigError(f"--params: [centola] has unknown key(s) {', '.join(unknown)}; "
                          f"allowed: {', '.join(CENTOLA_KEYS)}")
    for axis in CENTOLA_AXES:
        values = centola.get(axis)
        if not isinstance(values, list) or not values:
            raise ConfigError(f"--params: [centola] {axis} must be a non-empty list")
    own = centola.get("replicates", default_replicates)
    if isinstance(own, bool) or not isinstance(own, int) or own < 1:
        raise ConfigError(f"--params: [centola] replicates must be an integer >= 1 (got {own!r})")
    overrides = centola.get("simulation", {})
    if not isinstance(overrides, dict):
        raise ConfigError("--params: [centola.simulation] must be a table")
    base = SimulationConfig.from_dict({**params["simulation"], **overrides})
    configs = [base.replace(network=network, campaign_placement=seeding, contagion=contagion)
               for network, seeding, contagion in product(*(centola[a] for a in CENTOLA_AXES))]
    return CentolaSettings({a: list(centola[a]) for a in CENTOLA_AXES},
                           own if replicates is None else replicates, configs[0].to_dict())


def centola_tasks(settings: CentolaSettings, seed: Any, tail: int) -> list[tuple]:
    """One task per replicate: every network of the replicate is built from its own seed and
    every cell on it plays with the same run seed, ``child_seeds(seed, 1 + networks,
    CENTOLA_STREAM, replicate)`` (the run seed first)."""
    networks = settings.grid["network"]
    cells = list(product(settings.grid["seeding"], settings.grid["contagion"]))
    return [(settings.base, networks, child_seeds(seed, 1 + len(networks), CENTOLA_STREAM, r),
             r, cells, tail) for r in range(settings.replicates)]


def run_centola(task: tuple) -> list[dict[str, Any]]:
    """All cells of one replicate: every network built once, every cell on it with the same
    run seed.

    ``task`` is ``(config dict, networks, seeds, replicate, cells, tail)`` with ``seeds`` the
    run seed then one per network and ``cells`` a list of ``(seeding, contagion)``. Returns
    one record per (network, cell), with the network's mean local clustering and the run's
    cooperation path.
    """
    config, networks, (run_seq, *net_seqs), replicate, cells, tail = task
    base = SimulationConfig.from_dict(config)
    records = []
    for network, net_seq in zip(networks, net_seqs, strict=True):
        graph = build_network(base.replace(network=network), np.random.default_rng(net_seq))
        clustering = float(team_clustering(graph, np.zeros(graph.n, dtype=np.int64))[0].mean())
        for seeding, contagion in cells:
            cfg = base.replace(network=network, campaign_placement=seeding,
                               contagion=contagion)
            sim = Simulation(cfg, seed=run_seq, graph=graph)
            (path,) = cooperation_paths(sim, [~campaign_mask(sim)])
            records.append({
                "network": network, "seeding": seeding, "contagion": contagion,
                "replicate": replicate, "final_cooperation": float(np.mean(path[-tail:])),
                "rounds_to_half": first_round_at_half(path), "clustering": clustering,
                "path": path,
            })
    return records


def summarise_centola(settings: CentolaSettings | None,
                      records: list[dict[str, Any]]) -> dict[str, Any]:
    """The part's rows, its networks' clustering and its reading (empty without a part)."""
    if settings is None:
        return {"centola": [], "centola_reading": [], "centola_clustering": {}}
    rows = aggregate(records, settings.grid, CENTOLA_AXES, ("final_cooperation",))
    clustering = network_clustering(records)
    return {"centola": rows, "centola_reading": centola_reading(rows, settings.grid, clustering),
            "centola_clustering": clustering}


def network_clustering(records: list[dict[str, Any]]) -> dict[str, float]:
    """Mean local clustering of each network over its replicates."""
    out: dict[str, list[float]] = {}
    for rec in records:
        out.setdefault(rec["network"], []).append(rec["clustering"])
    return {name: float(np.mean(values)) for name, values in out.items()}


def _verdict(ahead: int, behind: int) -> str:
    if ahead and not behind:
        return f"the clustered network is ahead in {ahead} comparisons and never behind"
    if behind and not ahead:
        return f"the random network is ahead in {behind} comparisons and never behind"
    if ahead:
        return (f"mixed: the clustered network is ahead in {ahead} comparisons, the random "
                f"one in {behind}")
    return "no difference between the networks where intervals separate"


def centola_reading(results: list[dict[str, Any]], grid: dict[str, list],
                    clustering: dict[str, float]) -> list[str]:
    """Where the more clustered network beats the less clustered one of the same degree, per
    contagion and seeding; where a local cluster of campaigners beats other seedings; and
    whether Centola's finding (Centola 2010: behaviour spread farther and faster on the
    clustered lattice) and Centola & Macy's (2007: simple contagion needs no clustering)
    hold here. Claims only where 95% intervals separate
    (:func:`experiments.ties_common.separated`)."""
    table = {tuple(r[a] for a in CENTOLA_AXES) + (r["metric"],): r for r in results}
    networks = sorted(grid["network"], key=lambda name: -clustering[name])
    label = "final cooperation, rounds to 50% or runs never reaching it"
    lines: list[str] = []
    outcome: dict[str, tuple[int, int]] = {}
    for contagion in grid["contagion"]:
        ahead = behind = 0
        for i, a in enumerate(networks):
            for b in networks[i + 1:]:
                name_a, name_b = (f"{n} (clustering {clustering[n]:.2f})" for n in (a, b))
                pairs = [(f"{seeding} seeding, {CENTOLA_LABEL[m]}",
                          table[(a, seeding, contagion, m)], table[(b, seeding, contagion, m)],
                          name_a, name_b)
                         for seeding in grid["seeding"] for m in CENTOLA_METRICS]
                wins = compare(lines, f"{contagion} contagion, {a} vs {b}", pairs, label)
                ahead += wins.get(name_a, 0)
                behind += wins.get(name_b, 0)
        outcome[contagion] = (ahead, behind)
    if "cluster" in grid["seeding"]:
        for network, contagion in product(networks, grid["contagion"]):
            for other in (s for s in grid["seeding"] if s != "cluster"):
                pairs = [(CENTOLA_LABEL[m], table[(network, "cluster", contagion, m)],
                          table[(network, other, contagion, m)], "cluster seeding",
                          f"{other} seeding") for m in CENTOLA_METRICS]
                compare(lines, f"{network}, {contagion} contagion, cluster vs {other} "
                        "seeding", pairs, label)
    if len(networks) < 2 or clustering[networks[0]] - clustering[networks[-1]] < CLUSTERED_GAP:
        return lines
    verdicts = {contagion: _verdict(*counts) for contagion, counts in outcome.items()}
    for contagion, verdict in verdicts.items():
        lines.append(f"- In sum, {contagion} contagion: {verdict}.")
    if "complex" in outcome:
        ahead, behind = outcome["complex"]
        finals = [table[(networks[0], s, "complex", "final_cooperation")]["estimate"]
                  for s in grid["seeding"]]
        censored = [table[(networks[0], s, "complex", "censored")]["estimate"]
                    for s in grid["seeding"]]
        stalls = all(c is not None and c >= 0.5 for c in censored)
        size = (f"; but it stays small: at most {max(f for f in finals if f is not None):.2f} "
                f"cooperating on {networks[0]}, where most runs never reach 50%"
                if stalls and any(f is not None for f in finals) else "")
        lines.append("- Centola (2010), behaviour that needs reinforcement spreads farther or "
                     "faster on the clustered network: "
                     + (f"reproduced here under complex contagion{size}." if ahead and not behind
                        else f"not reproduced here under complex contagion "
                        f"({verdicts['complex']}){size}."))
    if "simple" in outcome:
        ahead, _ = outcome["simple"]
        lines.append("- Centola & Macy (2007), simple contagion needs no clustering: "
                     + ("consistent here (the clustered network is never ahead under simple "
                        "contagion)." if not ahead else "not so here: the clustered network "
                        "is ahead under simple contagion too."))
    return lines
