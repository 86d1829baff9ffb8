"""``Ensemble``: R replicates of one cell played together (docs/performance.md).

Researchers run many replicates of the same settings. An ensemble plays them in *packs*: the
replicates that share a network (and so its groups) keep every per-agent value side by side,
(agents, replicates), and a pack's whole run is one compiled call (or one per batch of
rounds, when the exact Gini's payoffs fill their buffer first:
:func:`sim.simulation.play_compiled`) that releases the GIL, so packs run on threads side by
side with no barrier between them. A thread that the operating system sets aside (another
process busy on its core) delays only the packs it holds; the others go on.

**Seeds and networks.** Replicate r has its own seed, ``child_seed(seed, r)``, split like any
run's (:func:`sim.simulation.run_seeds`): its population, matching and decisions' key come
from it. The R replicates share ``networks`` network realisations (default: one each):
replicates ``k * R/K .. (k + 1) * R/K - 1`` play on network k, which is built from the first
of them's network seed. So replicate r is the same history, bit for bit, as::

    Simulation(config, seed=ensemble.replicate_seed(r), graph=ensemble.graph(r)).run()

(and as ``Simulation(config, seed=ensemble.replicate_seed(r)).run()`` when each replicate has
its own network), whatever the number of threads and the width of the packs.

**What runs compiled.** Packs need groups that follow the network (``neighbourhood``,
``edges``), no hooks and one level. A fixed random partition is the replicate's own (drawn
from its matching seed): such replicates are packs of one, still compiled. A config that asks
for hooks (policies, campaigns, ties dynamics), the two-level game or groups re-matched every
round plays each replicate as a :class:`~sim.simulation.Simulation`, round by round through its
hooks: hooks act on one run, never on a pack.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numba
import numpy as np

from sim.config import SimulationConfig
from sim.groups import GROUP_STRUCTURES
from sim.history import METRICS, History
from sim.memory import check_ensemble_fits
from sim.networks import build_network
from sim.params import ConfigError
from sim.population import initial_population
from sim.seeds import SeedLike, child_seeds, describe_seed, seed_sequence
from sim.simulation import PackState, Simulation, config_hooks, play_compiled, run_key, run_seeds

if TYPE_CHECKING:  # pandas is imported where a table is made: it costs ~0.5 s at start
    import pandas as pd

#: a pack's width is at least this many replicates where there are enough: 8 float64 fill a
#: cache line, so a random read of a neighbour serves 8 replicates (at n = 10^6, R = 16 on two
#: threads, width 8 ran 9.3e6 agent-rounds/s against 7.7e6 at width 4 and 6.5e6 at 16)
MIN_PACK_WIDTH = 8
#: packs per thread aimed at, so a thread slowed by a busy core leaves work to the others
PACKS_PER_THREAD = 4


@dataclass
class EnsembleHistory:
    """Per-round metrics of every replicate: each of :data:`sim.history.METRICS` is a
    (rounds, replicates) array; ``contributions`` (rounds, n, replicates) float32 if recorded."""

    mean_contribution: np.ndarray
    welfare: np.ndarray
    gini: np.ndarray
    cooperators: np.ndarray
    contributions: np.ndarray | None = None
    config: dict[str, Any] = field(default_factory=dict)
    seeds: list[Any] = field(default_factory=list)

    @property
    def replicates(self) -> int:
        return self.mean_contribution.shape[1]

    def replicate(self, r: int) -> History:
        """Replicate r as a :class:`~sim.history.History` (as its run alone would give)."""
        return History(
            **{m: getattr(self, m)[:, r].copy() for m in METRICS},
            contributions=None if self.contributions is None
            else self.contributions[:, :, r].copy(),
            config=self.config, seed=self.seeds[r])

    def to_frame(self) -> pd.DataFrame:
        """One row per replicate and round (``round`` counts from 1)."""
        rounds, reps = self.mean_contribution.shape
        data = {"replicate": np.repeat(np.arange(reps), rounds),
                "round": np.tile(np.arange(1, rounds + 1), reps)}
        data.update({m: getattr(self, m).T.ravel() for m in METRICS})
        import pandas as pd

        return pd.DataFrame(data)


class _Pack:
    """Replicates sharing one network and its groups: their state as (agents, width) arrays,
    the shared arrays taken from ``template`` (a run of the first of them)."""

    def __init__(self, template: Simulation, columns: list[int], populations: list,
                 keys: list[np.uint64], record_agents: bool):
        self.template, self.columns = template, columns
        n, width = template.n, len(columns)

        def stack(name: str, dtype=np.float64) -> np.ndarray:
            out = np.empty((n, width), dtype=dtype)
            for k, pop in enumerate(populations):
                out[:, k] = getattr(pop, name)
            return out

        def agents(fill: float = 0.0) -> np.ndarray:
            return np.full((n, width), fill)

        def groups() -> np.ndarray:
            return np.zeros((template.groups.n_groups, width))

        self.state = PackState(
            np.array(keys, dtype=np.uint64), stack("contribution"), agents(), agents(),
            stack("belief"), agents(), stack("propensity"), agents(), stack("kind", np.int8),
            stack("slope"), stack("base"), groups(), groups(), agents(), groups(),
            agents(np.nan), agents(np.nan))
        self.record_agents = record_agents

    def play(self, t0: int, rounds: int, with_gini: bool) -> tuple[np.ndarray, np.ndarray]:
        return play_compiled(self.template, self.state, t0, rounds, with_gini,
                             self.record_agents)


class Ensemble:
    """R replicates of one config, played together (see the module docstring).

    Args:
        config: the settings (defaults if None); keyword ``overrides`` replace single fields.
        seed: the ensemble's seed; replicate r's is ``child_seed(seed, r)``.
        replicates: R, at least 1.
        seeds: the replicates' own seeds instead (``seed`` and ``replicates`` are then
            ignored): e.g. the runs of a sweep's design point, seeded by their run ids.
        networks: how many network realisations the replicates share (a divisor of R; default
            R, one network per replicate). Fewer networks is faster per replicate.
        threads: threads playing packs side by side (default: Numba's configured threads).
        pack_width: replicates per pack (default: chosen from R and the threads).
        record_agents: keep every agent's contribution in every round.
        with_gini: record the Gini coefficient each round (an exact Gini sorts the payoffs
            every round, about a fifth of a Fermi round in a small world); without it the
            ``gini`` series is NaN.
    """

    def __init__(self, config: SimulationConfig | None = None, seed: SeedLike = 0, *,
                 replicates: int = 1, networks: int | None = None, threads: int | None = None,
                 pack_width: int | None = None, record_agents: bool = False,
                 with_gini: bool = True, seeds: list[SeedLike] | None = None,
                 **overrides: Any):
        config = (config or SimulationConfig()).replace(**overrides)
        if seeds is not None:
            replicates = len(seeds)
        networks = replicates if networks is None else networks
        if isinstance(replicates, bool) or not isinstance(replicates, int) or replicates < 1:
            raise ConfigError(f"--replicates must be an integer >= 1 (got {replicates!r})")
        if (isinstance(networks, bool) or not isinstance(networks, int) or networks < 1
                or replicates % networks):
            raise ConfigError(f"--networks must divide --replicates ({replicates}) "
                              f"(got {networks!r})")
        self.config = config
        self.replicates, self.networks = replicates, networks
        self.record_agents, self.with_gini = record_agents, with_gini
        self.threads = max(1, int(threads or numba.config.NUMBA_NUM_THREADS))
        self.seed_sequence = seed_sequence(seed)
        self.seeds = (child_seeds(self.seed_sequence, replicates) if seeds is None
                      else [seed_sequence(s) for s in seeds])
        self.round = 0
        self._recorded: list[tuple[np.ndarray, np.ndarray | None]] = []
        self.compiled = (not config_hooks(config) and not config.two_level
                         and not GROUP_STRUCTURES[config.groups].rematched)
        if not config.network_defines_n:
            # played one by one, every replicate holds a whole run
            check_ensemble_fits(config, replicates, networks if self.compiled else replicates,
                                recorded_rounds=config.rounds if record_agents else 0)
        per_network = replicates // networks
        self._graphs = [self._build_graph(k * per_network) for k in range(networks)]
        self._runs: list[Simulation] = []
        self._packs: list[_Pack] = []
        if not self.compiled:
            self._runs = [Simulation(config, self.seeds[r], record_agents=record_agents,
                                     graph=self.graph(r)) for r in range(replicates)]
            return
        width = pack_width or max(MIN_PACK_WIDTH, math.ceil(
            replicates / (PACKS_PER_THREAD * self.threads)))
        shared = GROUP_STRUCTURES[config.groups].follows_network
        for k in range(networks):
            block = list(range(k * per_network, (k + 1) * per_network))
            if not shared:  # each replicate's groups are its own: packs of one
                for r in block:
                    self._packs.append(self._pack([r], self._template(r)))
                continue
            template = self._template(block[0])
            for start in range(0, len(block), width):
                self._packs.append(self._pack(block[start:start + width], template))

    # ------------------------------------------------------------------ set-up
    def replicate_seed(self, r: int) -> np.random.SeedSequence:
        """Replicate r's seed (a run of it alone with this seed plays the same history)."""
        return self.seeds[r]

    def graph(self, r: int):
        """The network replicate r plays on."""
        return self._graphs[r // (self.replicates // self.networks)]

    def _build_graph(self, r: int):
        net_seq = run_seeds(self.seeds[r])[0]
        return build_network(self.config, np.random.default_rng(net_seq))

    def _template(self, r: int) -> Simulation:
        return Simulation(self.config, self.seeds[r], graph=self.graph(r))

    def _pack(self, columns: list[int], template: Simulation) -> _Pack:
        populations, keys = [], []
        for r in columns:
            _, pop_seq, _, key_seq, _ = run_seeds(self.seeds[r])
            populations.append(initial_population(self.config, template.n,
                                                  np.random.default_rng(pop_seq), template.rule))
            keys.append(run_key(key_seq))
        return _Pack(template, columns, populations, keys, self.record_agents)

    # ------------------------------------------------------------------ running
    def run(self, rounds: int | None = None) -> EnsembleHistory:
        """Play ``rounds`` more rounds (default: up to ``config.rounds``) of every replicate."""
        if rounds is None:
            rounds = max(0, self.config.rounds - self.round)
        reps, n = self.replicates, self.n
        out = np.full((len(METRICS), rounds, reps), np.nan)
        agents = (np.zeros((rounds, n, reps), dtype=np.float32) if self.record_agents
                  else None)
        if rounds > 0 and self.compiled:
            t0 = self.round

            def play(pack: _Pack):
                return pack.play(t0, rounds, self.with_gini)

            with ThreadPoolExecutor(max_workers=self.threads) as pool:
                results = list(pool.map(play, self._packs))
            for pack, (pack_out, pack_agents) in zip(self._packs, results, strict=True):
                out[:, :, pack.columns] = pack_out
                if agents is not None:
                    agents[:, :, pack.columns] = pack_agents
        elif rounds > 0:
            for r, sim in enumerate(self._runs):
                done = sim.round
                h = sim.run(rounds)
                for k, m in enumerate(METRICS):
                    out[k, :, r] = getattr(h, m)[done:]
                if agents is not None:
                    agents[:, :, r] = h.contributions[done:]
        self.round += rounds
        self._recorded.append((out, agents))
        return self.history()

    @property
    def n(self) -> int:
        return self._graphs[0].n

    def history(self) -> EnsembleHistory:
        """Every round played so far, every replicate."""
        recorded = self._recorded
        series = (np.concatenate([o for o, _ in recorded], axis=1) if recorded
                  else np.zeros((len(METRICS), 0, self.replicates)))
        agents = None
        if self.record_agents:
            agents = (np.concatenate([a for _, a in recorded]) if recorded
                      else np.zeros((0, self.n, self.replicates), dtype=np.float32))
        return EnsembleHistory(**{m: series[k] for k, m in enumerate(METRICS)},
                               contributions=agents, config=self.config.to_dict(),
                               seeds=[describe_seed(s) for s in self.seeds])

    def contributions(self) -> np.ndarray:
        """Every agent's current contribution, (agents, replicates)."""
        if not self.compiled:
            return np.stack([sim.contribution for sim in self._runs], axis=1)
        out = np.empty((self.n, self.replicates))
        for pack in self._packs:
            out[:, pack.columns] = pack.state.x
        return out

    @property
    def pack_widths(self) -> list[int]:
        """How many replicates each pack holds (one-run paths: all ones)."""
        return [len(p.columns) for p in self._packs] or [1] * self.replicates

