"""``Simulation``: one run of the repeated public-goods game on a network.

Each round: (from the second round on) agents update their contributions by the configured
rule; then every group plays the game (docs/science.md section 1) and the round's metrics are
recorded. Round hooks (policies, committed campaigners, weaving new ties; see :mod:`sim.hooks`)
act between these steps. After ``step()`` the arrays hold the round just played:
``contribution`` is what each agent gave and ``payoff`` what it earned (game payoff plus
whatever the institutions paid or fined).

This module sits above the engine's features: it builds the hooks a config asks for from the
builders listed in :data:`CONFIG_HOOKS` (the policies, then the campaigns and ties).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from sim.behaviour import split as split_kernels
from sim.config import SimulationConfig
from sim.graph import CSRGraph
from sim.groups import Groups, Matcher, check_group_size
from sim.history import METRICS, History
from sim.hooks import RoundHook
from sim.kernels import ensemble as pack_kernels
from sim.kernels import games, metrics, nested
from sim.kernels import rules as rule_kernels
from sim.memory import check_fits
from sim.networks import NETWORKS, from_networkx
from sim.params import ConfigError, Settings
from sim.policies import policy_hooks
from sim.policies.compiled import play_policy_rounds, policy_program
from sim.policies.organisations import organisation_hooks
from sim.population import initial_population
from sim.rules import RULES
from sim.seeds import SeedLike, child_seeds, describe_seed, seed_sequence
from sim.threads import choose_threads
from sim.ties import ties_hooks

#: the builders of the hooks a config asks for, in the order their hooks act within a step
CONFIG_HOOKS: tuple[Callable[[Settings], list[RoundHook]], ...] = (
    policy_hooks, organisation_hooks, ties_hooks)


def run_seeds(seed: np.random.SeedSequence) -> list[np.random.SeedSequence]:
    """A run's five seeds, split from its one seed: the network, the population, the
    matching, the decisions' key and the hooks (in that order)."""
    return child_seeds(seed, 5)


def run_key(key_seed: np.random.SeedSequence) -> np.uint64:
    """The key of a run's counter-based draws (:mod:`sim.rng`), from its key seed; a NumPy
    uint64, so Numba compiles one signature for every key."""
    return np.uint64(key_seed.generate_state(1, dtype=np.uint64)[0])


def build_network(config: SimulationConfig, seed: SeedLike, record_agents: bool = False
                  ) -> CSRGraph:
    """The network a run of ``config`` plays on, from its network seed (the first of
    :func:`run_seeds`; ``Simulation(config, seed)`` builds
    ``build_network(config, run_seeds(seed_sequence(seed))[0])``). A run or several that share
    it pass it as ``graph=``. Refuses, before building, a run that would not fit in memory."""
    if not config.network_defines_n:
        check_fits(config, recorded_rounds=config.rounds if record_agents else 0)
    return NETWORKS[config.network].build(config, np.random.default_rng(seed))


def config_hooks(config: Settings) -> list[RoundHook]:
    """Every hook the config asks for: its policies, its policy between organisations (two-level
    game), then its campaign and tie dynamics."""
    return [hook for build in CONFIG_HOOKS for hook in build(config)]


class Simulation:
    """A run of the game. ``Simulation(config, seed).run()`` returns its :class:`History`.

    Args:
        config: the settings (defaults if None); keyword ``overrides`` replace single fields.
        seed: an int or a ``SeedSequence`` (e.g. spawned from a sweep's master seed). The
            network, the population, the re-matching and every decision draw from children of
            this one seed, so the same seed gives the same history at any thread count.
        record_agents: keep every agent's contribution in every round.
        graph: play on this network instead of building ``config.network``: a
            :class:`~sim.graph.CSRGraph` or any ``networkx`` graph (nodes become 0..n-1 in the
            graph's order; ``config.n`` is then ignored).
        hooks: extra :class:`~sim.hooks.RoundHook` objects, run after those the config asks
            for.
    """

    def __init__(
        self,
        config: SimulationConfig | None = None,
        seed: SeedLike = 0,
        *,
        record_agents: bool = False,
        graph: CSRGraph | Any | None = None,
        hooks: list[RoundHook] | None = None,
        **overrides: Any,
    ):
        # validated once here (a validated config without overrides is not checked again)
        config = (config or SimulationConfig()).replace(**overrides)
        self.config = config
        self.seed_sequence = seed_sequence(seed)
        net_seq, pop_seq, match_seq, key_seq, hook_seq = run_seeds(self.seed_sequence)
        if graph is None:
            self.graph = build_network(config, net_seq, record_agents)
        elif isinstance(graph, CSRGraph):
            self.graph = graph
        else:  # any networkx graph
            self.graph = from_networkx(graph)
        self.n = self.graph.n
        #: Numba threads for this run's rounds (choose_threads); may be set
        self.threads = choose_threads(self.n)
        # validate() checked the group size against config.n; a graph given here or read from
        # a file is new input
        if (graph is not None or config.network_defines_n) and config.groups in (
            "partition", "rematch"
        ):
            check_group_size(config.group_size, self.n)
        self.rule = RULES[config.rule]
        self.key = run_key(key_seq)
        self.round = 0
        self.record_agents = record_agents
        self._matcher = Matcher(self.graph, config, np.random.default_rng(match_seq))

        population = initial_population(config, self.n, np.random.default_rng(pop_seq),
                                        self.rule)
        self.contribution = population.contribution
        self.kind = population.kind
        self.slope = population.slope
        self.base = population.base
        self.belief = population.belief
        self.propensity = population.propensity
        self.payoff = np.zeros(self.n)
        self.params = self._parameter_vector()
        # scratch arrays reused every round
        self._given = np.empty(self.n)
        self._partner = np.empty(self.n, dtype=np.int32)
        self._observed = np.full(self.n, np.nan)
        self._next_contribution = np.empty(self.n)
        self._next_belief = np.empty(self.n)
        self._next_propensity = np.empty(self.n)
        self._earned = np.zeros(self.n)  # payoff per game (human rule)
        self._peers_earned = np.full(self.n, np.nan)  # co-players' mean of it

        self._series: dict[str, list[float]] = {m: [] for m in METRICS}
        self._round_out = np.zeros((len(METRICS), 1, 1))  # one round's metrics (record_round)
        self._metric_scratch = (np.empty((1, self.n)), np.empty((3, 1)))  # step by step
        self._agent_rows: list[np.ndarray] = []
        self.groups: Groups = self._matcher.groups_for_round()
        self.two_level = config.two_level
        if self.two_level:
            self._start_two_level()
        self._set_group_arrays()

        self.hooks: list[RoundHook] = config_hooks(config) + list(hooks or [])
        hook_seeds = child_seeds(hook_seq, len(self.hooks))
        for hook, hook_rng_seq in zip(self.hooks, hook_seeds, strict=True):
            hook.start(self, np.random.default_rng(hook_rng_seq))
        #: the hooks as compiled policies, when every hook is one (see :attr:`compiled`)
        self._policies = policy_program(self)

    # ---------------------------------------------------------------- set-up
    def _start_two_level(self) -> None:
        """The two-level game (docs/science.md section 8): the organisations (the network's
        teams) are the groups of the local pools; the system's pool, the split of each
        person's giving (``system_share``) and what she believes each level gives."""
        team = self.graph.team
        if team is None:
            raise ConfigError("the two-level game needs organisations: the network has no "
                              "team labels (use silos, or a file with a 'team' attribute)")
        ptr, members = nested.organisation_lists(team)
        self.groups = Groups.from_members(self.n, ptr, members)
        c = self.config
        self.organisation = self.groups.agent_groups.astype(np.int64)
        self.mpcr_system = float(c.mpcr_system)
        self._local_on = c.share_mode[1] > 0.0
        self._system_on = self.mpcr_system > 0.0
        self._pool_mode = nested.EVERYONE if c.system_pool == "everyone" else nested.CONTACTS
        self._contact_ptr, self._contact_idx = nested.cross_contacts(
            self.graph.indptr, self.graph.indices, team)
        # how many people one MU given to the system's pool pays m_G to (the giver included)
        self.system_reach = (np.full(self.n, float(self.n)) if c.system_pool == "everyone"
                             else 1.0 + np.diff(self._contact_ptr).astype(np.float64))
        first = float(c.system_share) if self._system_on else 0.0
        if not self._local_on:
            first = 1.0
        self.system_share = np.full(self.n, first)
        if self._local_on and c.system_pool != "everyone":
            # nobody to share the system's pool with: it is not offered (split_decision)
            self.system_share[np.diff(self._contact_ptr) == 0] = 0.0
        self.split_propensity = np.full(self.n, float(c.system_share))
        self.belief_local = self.belief * (1.0 - first)
        self.belief_system = self.belief * first
        self.local_given = np.zeros(self.n)
        self.system_given = np.zeros(self.n)
        self.system_sum = np.zeros(self.n)
        self.system_paid = np.zeros(self.n)
        self._local_raw = np.zeros(self.groups.n_groups)
        self._next_split = [np.empty(self.n) for _ in range(4)]
        self._seen_local = np.full(self.n, np.nan)
        self._seen_system = np.full(self.n, np.nan)
        self._net_local = np.zeros(self.n)
        self._net_system = np.zeros(self.n)
        # policy money paid this round for each account's output (policies between
        # organisations add to them; the split learns from it)
        self.credit_local = np.zeros(self.n)
        self.credit_system = np.zeros(self.n)
        self.level_series: dict[str, list[float]] = {"local": [], "system": []}

    def _parameter_vector(self) -> np.ndarray:
        c = self.config
        p = np.zeros(rule_kernels.N_PARAMS)
        p[rule_kernels.P_ENDOWMENT] = c.endowment
        p[rule_kernels.P_BINARY] = 1.0 if c.strategies == "binary" else 0.0
        p[rule_kernels.P_MUTATION] = c.mutation
        p[rule_kernels.P_TEMPERATURE] = c.temperature
        p[rule_kernels.P_SELECTION] = c.selection
        p[rule_kernels.P_BELIEF_WEIGHT] = c.belief_weight
        p[rule_kernels.P_NOISE] = c.noise
        p[rule_kernels.P_THRESHOLD] = c.threshold if c.contagion == "complex" else 0.0
        p[rule_kernels.P_PAYOFF_WEIGHT] = c.payoff_weight
        p[rule_kernels.P_ASPIRATION] = c.aspiration
        p[rule_kernels.P_SENSITIVITY] = c.sensitivity
        p[rule_kernels.P_PEER_COMPARISON] = c.peer_comparison
        return p

    def _set_group_arrays(self) -> None:
        """Derive per-group returns and per-agent cost weights from the current groups."""
        g = self.groups
        games_per_agent = g.games_per_agent.astype(np.float64)
        if self.config.cost == "per-individual":
            # Santos et al. 2008: a total of x_i split evenly over the agent's games
            with np.errstate(divide="ignore"):
                self.weight = np.where(games_per_agent > 0, 1.0 / games_per_agent, 0.0)
            self.own_games = np.ones(self.n)
        else:
            self.weight = np.ones(self.n)
            self.own_games = games_per_agent
        # an empty weight array tells the kernel that every weight is 1
        self._payout_weight = self.weight if self.config.cost == "per-individual" else np.empty(0)
        mode, value = self.config.share_mode
        sizes = g.sizes.astype(np.float64)
        self.share = np.full(g.n_groups, value) if mode == "mpcr" else value / np.maximum(sizes, 1)
        self.payout = np.zeros(g.n_groups)
        self.raw_total = np.zeros(g.n_groups)
        self._earned_total = np.zeros(g.n_groups)
        if self.rule.uses_payoff_bounds:
            self.payoff_low, self.payoff_high = self._payoff_bounds()
        else:
            self.payoff_low = self.payoff_high = np.zeros(self.n)

    def set_graph(self, graph: CSRGraph) -> None:
        """Play on ``graph`` (same nodes) from the next round on: network groups are rebuilt.

        Used by network dynamics (weaving new ties, cutting old ones). The random neighbour a
        payoff-learning rule copies is drawn from the new graph too.
        """
        if graph.n != self.n:
            raise ValueError(f"the new graph has {graph.n} nodes; this run has {self.n}")
        if self.two_level:
            raise ValueError("the two-level game's organisations do not follow a rewired network")
        self.graph = graph
        self._matcher.set_graph(graph)
        if self._matcher.structure.follows_network:
            self.groups = self._matcher.groups_for_round()
            self._set_group_arrays()
            # what each agent saw last round, over its new groups (beliefs are formed from it)
            g = self.groups
            games.group_sums(self.contribution, g.group_ptr, g.members, self.raw_total)

    def _payoff_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lowest and highest payoff each agent can get, for proportional imitation's M."""
        g, e = self.groups, self.config.endowment
        zeros = np.zeros(self.n)
        share_sum = np.empty(self.n)
        games.payoffs(zeros, zeros, e, self.share, g.agent_ptr, g.agent_groups, share_sum)
        everyone_gives = np.empty(g.n_groups)
        games.group_payouts(np.full(self.n, e), self.weight, self.share, g.group_ptr, g.members,
                            np.empty(self.n), everyone_gives, np.empty(0))
        all_returns = np.empty(self.n)
        games.payoffs(zeros, zeros, e, everyone_gives, g.agent_ptr, g.agent_groups, all_returns)
        own_return = e * self.weight * share_sum
        others_max = all_returns - own_return
        keep_all = self.own_games * e
        return np.minimum(keep_all, own_return), np.maximum(keep_all, own_return) + others_max

    # ------------------------------------------------------------------ a round
    def step(self, next_contributions: np.ndarray | None = None) -> None:
        """Play one round. From the second round on, agents first update their contributions.

        Args:
            next_contributions: if given, these are played this round instead of the rule's
                update (or, in the first round, instead of the initial contributions); used by
                Mesa agents whose decision is written in Python and by counterfactual runs.
                Values must lie in [0, endowment].
        """
        if next_contributions is not None:
            self._set_contributions(next_contributions)
        if self.hooks and self._policies is not None and self.compiled:  # one compiled call
            self._run_policies(1, learn_first=next_contributions is None)
            return
        outer = numba.get_num_threads()
        threads = max(1, min(self.threads, outer))  # never above the caller's
        if threads == outer:  # setting threads costs about 20 us a call (7% of a small run)
            self._step(next_contributions is None)
            return
        numba.set_num_threads(threads)
        try:
            self._step(next_contributions is None)
        finally:
            numba.set_num_threads(outer)

    def _step(self, learn: bool) -> None:
        if self.round > 0:
            if learn:
                self._learn()
            if self._matcher.structure.rematched:
                self.groups = self._matcher.groups_for_round()
                self._set_group_arrays()
        for hook in self.hooks:
            hook.after_decide(self)
        self._play()
        for hook in self.hooks:
            hook.after_play(self)
        self._record()
        for hook in self.hooks:
            hook.end_round(self)
        self.round += 1

    def run(self, rounds: int | None = None) -> History:
        """Play ``rounds`` more rounds (default: up to ``config.rounds``) and return the history.

        Where nothing needs Python between rounds (:attr:`compiled`) the rounds are played by
        compiled calls (:func:`sim.kernels.ensemble.play_pack`; one call unless the exact
        Gini's buffer of ``GINI_BATCH_VALUES`` payoffs fills first); otherwise round by round
        with :meth:`step`. Both give the same history, bit for bit.
        """
        if rounds is None:
            rounds = max(0, self.config.rounds - self.round)
        if self.compiled and rounds > 0:
            if self.hooks:
                self._run_policies(rounds, learn_first=True)
            else:
                self._run_compiled(rounds)
            return self.history()
        for _ in range(rounds):
            self.step()
        return self.history()

    @property
    def compiled(self) -> bool:
        """Whether :meth:`run` plays in compiled calls: no hooks but policies written as
        kernels (:mod:`sim.policies.compiled`; :meth:`step` then plays its round in one call
        too), one level, groups fixed for the run, and one thread (a run big enough for several
        threads goes round by round, each step's loops parallel)."""
        return (self._policies is not None and not self.two_level and self.threads == 1
                and not self._matcher.structure.rematched)

    def trace(self, rounds: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Play ``rounds`` more rounds (default: up to ``config.rounds``) as :meth:`run` does
        and return every agent's contribution and payoff in each, two (rounds, n) float64
        arrays (the payoffs with what the institutions paid or fined); for analyses that
        compare runs agent by agent (the policies experiment's paired runs). Compiled where
        :attr:`compiled`, else round by round; the same numbers either way."""
        if rounds is None:
            rounds = max(0, self.config.rounds - self.round)
        if self.compiled and rounds > 0:
            return self._run_policies(rounds, learn_first=True, trace=True)
        xs, payoffs = np.empty((rounds, self.n)), np.empty((rounds, self.n))
        for t in range(rounds):
            self.step()
            xs[t], payoffs[t] = self.contribution, self.payoff
        return xs, payoffs

    def _run_policies(self, rounds: int, learn_first: bool, trace: bool = False
                      ) -> tuple[np.ndarray, np.ndarray]:
        """Rounds with the policies in compiled code (:func:`sim.policies.compiled.
        play_policy_rounds`): the same kernels as :meth:`step` through the hooks, in one call.
        Returns every agent's contribution and payoff each round if ``trace`` (or if agents
        are recorded), else two empty arrays."""
        g, c, n, program = self.groups, self.config, self.n, self._policies
        exact_gini = self._gini_bins() == 0
        out = np.empty((len(METRICS), rounds, 1))
        rows = rounds if trace or self.record_agents else 0
        trace_x, trace_payoff = np.empty((rows, n)), np.empty((rows, n))
        gini_payoffs = np.empty((rounds if exact_gini else 1, 1, n))
        ledger = np.zeros((len(program.hooks), rounds))
        program.load()
        swapped = play_policy_rounds(
            self.rule.code, self.round, self.round + rounds, learn_first,
            c.update == "asynchronous", self.rule.uses_beliefs, self.rule.learns_from_payoff,
            self.key, self.contribution, self._next_contribution, self.payoff, self.belief,
            self._next_belief, self.propensity, self._next_propensity, self.kind, self.slope,
            self.base, self._observed, self._earned, self._peers_earned, self._earned_total,
            self._partner, self.payoff_low, self.payoff_high, self.params, self.graph.indptr,
            self.graph.indices, self.weight, self._payout_weight, self.own_games, self.share,
            g.group_ptr, g.members, g.agent_ptr, g.agent_groups, self._given, self.payout,
            self.raw_total, self.rule.uses_beliefs or c.update == "asynchronous",
            float(c.endowment), self._gini_bins(), gini_payoffs, np.empty((3, 1)), out,
            trace_x, trace_payoff, program.codes, program.settings, program.state, ledger,
            *program.comparison_sets(self), program.pressure, program.points_given,
            program.points_received, program.fines, program.paid)
        if exact_gini:
            metrics.finish_exact_gini(gini_payoffs, out[metrics.GINI])
        program.save(ledger)
        self._compiled_rounds_done(swapped, out, trace_x.astype(np.float32))
        return trace_x, trace_payoff

    def _compiled_rounds_done(self, swapped: bool, out: np.ndarray, agent_rows) -> None:
        """After compiled rounds: the names of the double buffers swapped if the current
        values ended in the other half, the rounds' metrics (``out``, metrics x rounds x 1) and
        agent rows (if recorded) kept."""
        if swapped:
            self.contribution, self._next_contribution = self._next_contribution, self.contribution
            if self.rule.uses_beliefs:
                self.belief, self._next_belief = self._next_belief, self.belief
                self.propensity, self._next_propensity = self._next_propensity, self.propensity
        for k, m in enumerate(METRICS):
            self._series[m].extend(out[k, :, 0].tolist())
        if self.record_agents:
            self._agent_rows.extend(agent_rows)
        self.round += out.shape[1]

    def _run_compiled(self, rounds: int) -> None:
        col = _column
        state = PackState(
            np.array([self.key]), col(self.contribution), col(self._next_contribution),
            col(self.payoff), col(self.belief), col(self._next_belief), col(self.propensity),
            col(self._next_propensity), col(self.kind), col(self.slope), col(self.base),
            col(self.payout), col(self.raw_total), col(self._earned),
            np.zeros((self.groups.n_groups, 1)), col(self._peers_earned), col(self._observed))
        played = state.x
        out, agents = play_compiled(self, state, self.round, rounds, True, self.record_agents)
        self._compiled_rounds_done(state.x is not played, out,
                                   [agents[t, :, 0] for t in range(len(agents))])

    def _gini_bins(self) -> int:
        return 0 if self.n <= metrics.GINI_EXACT_MAX else metrics.GINI_BINS

    def _set_contributions(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        e = self.config.endowment
        if values.shape != (self.n,) or np.any(~(values >= 0.0)) or np.any(values > e):
            raise ValueError(f"contributions must be {self.n} numbers in [0, {e:g}]")
        self.contribution[:] = values

    def _play(self) -> None:
        g = self.groups
        local = self.contribution
        if self.two_level:
            nested.split_given(self.contribution, self.system_share, self.local_given,
                               self.system_given)
            local = self.local_given
            self.credit_local[:] = 0.0
            self.credit_system[:] = 0.0
        # what everyone sees their co-players give: summed in the payouts' pass when the game
        # is played with the contributions themselves (one level)
        seen = self.rule.uses_beliefs or self.config.update == "asynchronous"
        games.group_payouts(local, self._payout_weight, self.share, g.group_ptr,
                            g.members, self._given, self.payout,
                            self.raw_total if seen and not self.two_level else _NOTHING)
        games.payoffs(self.contribution, self.own_games, self.config.endowment, self.payout,
                      g.agent_ptr, g.agent_groups, self.payoff)
        if self.two_level:
            nested.system_sums(self.system_given, self._pool_mode, self._contact_ptr,
                               self._contact_idx, self.system_sum)
            nested.add_system_returns(self.payoff, self.mpcr_system, self.system_sum,
                                      self.system_paid)
            if seen:
                games.group_sums(self.contribution, g.group_ptr, g.members, self.raw_total)

    def _learn(self) -> None:
        g, graph = self.groups, self.graph
        t = self.round
        if self.config.update == "asynchronous":
            rule_kernels.asynchronous_update(
                self.rule.code, t, self.key, self.contribution, self.payoff, graph.indptr,
                graph.indices, self.belief, self.propensity, self.kind, self.slope, self.base,
                self.payoff_low, self.payoff_high, self.params, self.weight, self.own_games,
                self.share, g.group_ptr, g.members, g.agent_ptr, g.agent_groups, self.payout,
                self.raw_total, self._earned,
            )
            return
        if self.rule.uses_beliefs:
            games.observed_means(self.contribution, self.raw_total, g.group_ptr, g.agent_ptr,
                                 g.agent_groups, self._observed)
        if self.rule.learns_from_payoff:
            # what each earned per game last round, and her co-players' mean of it
            games.per_game(self.payoff, self.own_games, self._earned)
            games.group_sums(self._earned, g.group_ptr, g.members, self._earned_total)
            games.observed_means(self._earned, self._earned_total, g.group_ptr, g.agent_ptr,
                                 g.agent_groups, self._peers_earned)
        rule_kernels.synchronous_update(
            self.rule.code, t, self.key, self.contribution, self.payoff, graph.indptr,
            graph.indices, self._observed, self._earned, self._peers_earned, self.belief,
            self.propensity,
            self.kind, self.slope, self.base, self.payoff_low, self.payoff_high, self.params,
            self._partner, self._next_contribution, self._next_belief, self._next_propensity,
        )
        if self.two_level:
            self._learn_split()
        # swap buffers: the new values become current, the old arrays become scratch
        self.contribution, self._next_contribution = self._next_contribution, self.contribution
        if self.rule.uses_beliefs:
            self.belief, self._next_belief = self._next_belief, self.belief
            self.propensity, self._next_propensity = self._next_propensity, self.propensity

    def _learn_split(self) -> None:
        """Each person's next split between the two pools (:mod:`sim.behaviour.split`), from
        what her team-mates and her system partners gave last round and what each account
        paid her."""
        g, c = self.groups, self.config
        games.group_sums(self.local_given, g.group_ptr, g.members, self._local_raw)
        games.observed_means(self.local_given, self._local_raw, g.group_ptr, g.agent_ptr,
                             g.agent_groups, self._seen_local)
        nested.system_partners_means(self.system_given, self.system_sum, self._pool_mode,
                                     self._contact_ptr, self._seen_system)
        nested.account_nets(self.local_given, self.system_given, self.payout, g.agent_groups,
                            self.system_paid, self.credit_local, self.credit_system,
                            self._net_local, self._net_system)
        new_share, new_q, new_bl, new_bg = self._next_split
        split_kernels.split_update(
            self.system_share, self.split_propensity, self.belief_local, self.belief_system,
            self._seen_local, self._seen_system, self._net_local, self._net_system,
            float(c.belief_weight), float(c.payoff_weight) if self.rule.learns_from_payoff
            else 0.0, float(c.split_sensitivity), float(c.endowment), self._local_on,
            self._system_on, new_share, new_q, new_bl, new_bg)
        self._next_split = [self.system_share, self.split_propensity, self.belief_local,
                            self.belief_system]
        self.system_share, self.split_propensity = new_share, new_q
        self.belief_local, self.belief_system = new_bl, new_bg

    def levels(self) -> dict[str, np.ndarray]:
        """Two-level game: per round, the mean contribution to the organisations' pools
        (``local``) and to the system's pool (``system``), in MU."""
        if not self.two_level:
            raise ValueError("a one-level run has no levels (give --mpcr-system)")
        return {k: np.asarray(v) for k, v in self.level_series.items()}

    def _record(self) -> None:
        e = self.config.endowment
        if self.two_level:
            # hooks may have changed what people give after the game (not the split)
            self.level_series["local"].append(metrics.mean_in_order(self.local_given))
            self.level_series["system"].append(metrics.mean_in_order(self.system_given))
        out = self._round_out
        buffer, sums = self._metric_scratch
        bins = self._gini_bins()
        metrics.record_round(_column(self.contribution), _column(self.payoff), e, bins, True,
                             buffer, sums, out, 0)
        if bins == 0:
            metrics.finish_exact_gini(buffer[np.newaxis], out[metrics.GINI])
        for k, m in enumerate(METRICS):
            self._series[m].append(float(out[k, 0, 0]))
        if self.record_agents:
            self._agent_rows.append(self.contribution.astype(np.float32))

    # ----------------------------------------------------------------- results
    def latest(self) -> dict[str, float]:
        """The metrics of the round just played (empty before the first round)."""
        return {m: series[-1] for m, series in self._series.items() if series}

    def history(self) -> History:
        """The rounds played so far."""
        return History(
            **{m: np.asarray(v) for m, v in self._series.items()},
            contributions=np.stack(self._agent_rows) if self._agent_rows else None,
            config=self.config.to_dict(),
            seed=describe_seed(self.seed_sequence),
        )


@dataclass
class PackState:
    """What the whole-run kernel (:func:`sim.kernels.ensemble.play_pack`) reads and writes for
    one or more replicates of a run: each replicate's key, then (agents, replicates) arrays
    (``payout``, ``raw`` and ``earned_total`` are (groups, replicates)). The ``new_*`` arrays
    are the other half of the double buffers; :func:`play_compiled` swaps the names."""

    keys: np.ndarray
    x: np.ndarray
    new_x: np.ndarray
    payoff: np.ndarray
    belief: np.ndarray
    new_belief: np.ndarray
    propensity: np.ndarray
    new_propensity: np.ndarray
    kind: np.ndarray
    slope: np.ndarray
    base: np.ndarray
    payout: np.ndarray
    raw: np.ndarray
    earned: np.ndarray
    earned_total: np.ndarray
    peers: np.ndarray
    observed: np.ndarray


def play_compiled(sim: Simulation, state: PackState, t0: int, rounds: int, with_gini: bool,
                  record_agents: bool) -> tuple[np.ndarray, np.ndarray]:
    """Play rounds ``t0 .. t0 + rounds - 1`` of ``state``'s replicates in compiled calls (one
    per batch of rounds whose payoffs the exact Gini's sort takes at a time),
    with everything they share (network, groups, rule, parameters) taken from ``sim``.

    Returns the metrics, (metrics, rounds, replicates), and every agent's contribution each
    round, (rounds, agents, replicates) float32, empty unless ``record_agents``.
    """
    width = state.x.shape[1]
    out = np.full((len(METRICS), rounds, width), np.nan)
    agents = np.zeros((rounds if record_agents else 0, sim.n, width), dtype=np.float32)
    if rounds == 0:
        return out, agents
    exact_gini = with_gini and sim._gini_bins() == 0
    # the exact Gini's payoffs wait in a buffer of this many rounds (see record_round)
    batch = max(1, GINI_BATCH_VALUES // (sim.n * width)) if exact_gini else rounds
    if batch >= rounds:
        return _play_batch(sim, state, t0, t0 + rounds, with_gini, exact_gini, out, agents), agents
    for start in range(0, rounds, batch):
        stop = min(rounds, start + batch)
        out[:, start:stop, :] = _play_batch(sim, state, t0 + start, t0 + stop, with_gini,
                                            exact_gini, out[:, start:stop, :],
                                            agents[start:stop])
    return out, agents


#: how many payoffs (rounds x replicates x agents) wait for the exact Gini's sort at a time
#: (2 MB per pack in flight: small beside a pack's state, and the sort's cost per value is
#: the same whatever the batch)
GINI_BATCH_VALUES = 1 << 18


def _play_batch(sim: Simulation, state: PackState, t0: int, t1: int, with_gini: bool,
                exact_gini: bool, out: np.ndarray, agents: np.ndarray) -> np.ndarray:
    """:func:`play_compiled` for rounds ``t0 .. t1 - 1``: their metrics into ``out`` (a copy
    is made if it is not contiguous) and returned, every agent's contributions into
    ``agents`` (a slice along its first axis, so contiguous, written in place)."""
    g, c, n = sim.groups, sim.config, sim.n
    width = state.x.shape[1]
    out = np.ascontiguousarray(out)
    payoffs = np.empty((t1 - t0 if exact_gini else 1, width, n))
    swapped = pack_kernels.play_pack(
        sim.rule.code, c.update == "asynchronous", t0, t1, state.keys, state.x,
        state.new_x, state.payoff, state.belief, state.new_belief, state.propensity,
        state.new_propensity, state.kind, state.slope, state.base, sim.payoff_low,
        sim.payoff_high, sim.params, sim.weight, c.cost == "per-individual", sim.own_games,
        sim.share, g.group_ptr, g.members, g.agent_ptr, g.agent_groups, sim.graph.indptr,
        sim.graph.indices, state.payout, state.raw, state.earned, state.earned_total,
        state.peers, state.observed, np.empty(rule_kernels.BLOCK, dtype=np.int32),
        np.zeros(width), float(c.endowment), sim._gini_bins(), with_gini, payoffs,
        np.empty((3, width)), out, agents)
    if exact_gini:
        metrics.finish_exact_gini(payoffs, out[metrics.GINI])
    if swapped:
        state.x, state.new_x = state.new_x, state.x
        if sim.rule.uses_beliefs:
            state.belief, state.new_belief = state.new_belief, state.belief
            state.propensity, state.new_propensity = state.new_propensity, state.propensity
    return out


#: an empty array: "not wanted" for a kernel's optional output
_NOTHING = np.empty(0)


def _column(values: np.ndarray) -> np.ndarray:
    """A run's per-agent array as a pack of one replicate: an (n, 1) view of it."""
    return values.reshape(-1, 1)
