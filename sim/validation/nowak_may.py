"""The spatial prisoner's dilemma of Nowak & May (1992, Nature 359:826), on the engine's lattice.

Nowak & May place cooperators (C) and defectors (D) on a square lattice. Each generation every
player plays the one-shot game with its eight Moore neighbours *and with itself*, payoffs
R = 1 (C meets C), T = b (D meets C), S = P = 0, summed over the nine encounters; then every
site is taken, all at once, by the strategy of the highest scorer among itself and its eight
neighbours. For 1.8 < b < 2 the lattice never settles ("spatial chaos") and, from a random
start, the share of cooperators fluctuates around 12 ln 2 - 8 ~ 0.318.

Mapping onto the engine:

- the lattice is the engine's ``square-lattice`` network with ``degree = 8`` (Moore
  neighbourhood), which is periodic (a torus);
- the update is the engine's own ``imitate-best`` kernel
  (:func:`sim.kernels.rules.synchronous_update` with ``IMITATE_BEST``): a site keeps its
  strategy unless a neighbour scored strictly more, and takes the first best neighbour in CSR
  order on ties; with b = 1.85 a C and a D score can never tie (C scores are whole numbers >= 1
  because of the self-interaction, D scores are multiples of b), so the tie rule never matters
  between strategies;
- the game is the one piece the engine's public-goods games cannot express: a two-player public
  goods game with all-or-nothing contributions is always a donation game (S = -c < 0 and
  R + P = T + S), while Nowak & May's matrix has S = P = 0 and R + P != T + S, and the engine
  has no self-interaction. :func:`sim.validation.kernels.matrix_game_payoffs` supplies it.

Deviation: Nowak & May's lattices had fixed boundaries in some runs; here the lattice wraps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.config import ConfigError, SimulationConfig
from sim.graph import CSRGraph
from sim.kernels import rules as rule_kernels
from sim.networks import build_network
from sim.validation.kernels import matrix_game_payoffs

#: 12 ln 2 - 8, Nowak & May's asymptotic share of cooperators for 1.8 < b < 2
CHAOTIC_COOPERATOR_SHARE = 12.0 * np.log(2.0) - 8.0


@dataclass
class NowakMayResult:
    """A Nowak & May run.

    Attributes:
        cooperators: share of cooperators after each generation (index 0 is the start).
        state: the final lattice, ``side x side``, 1 for C and 0 for D.
        previous: the lattice one generation before the final one (for the four-colour picture:
            C->C, D->D, D->C, C->D).
    """

    cooperators: np.ndarray
    state: np.ndarray
    previous: np.ndarray

    def mean_share(self, last: int) -> float:
        """Mean share of cooperators over the last ``last`` generations."""
        return float(np.mean(self.cooperators[-last:]))


def prisoners_dilemma(b: float) -> np.ndarray:
    """Nowak & May's matrix as ``game[own, other]`` with 1 = C, 0 = D: R=1, S=0, T=b, P=0."""
    return np.array([[0.0, b], [0.0, 1.0]])


def moore_lattice(side: int) -> CSRGraph:
    """The engine's periodic square lattice with the Moore (8-neighbour) neighbourhood."""
    if isinstance(side, bool) or not isinstance(side, int) or side < 3:
        raise ConfigError(f"lattice side must be an integer >= 3 (got {side!r})")
    config = SimulationConfig(n=side * side, network="square-lattice", degree=8)
    return build_network(config, np.random.default_rng(0))


def imitate_best_scratch(n: int) -> dict[str, np.ndarray]:
    """What the engine's synchronous driver needs besides state and payoffs, by its argument
    names: the rule parameters (endowment 1, binary, no mutation: imitate-best draws no random
    numbers), the state only human-like rules read (zeros), and the output buffers."""
    params = np.zeros(rule_kernels.N_PARAMS)
    params[rule_kernels.P_ENDOWMENT] = 1.0
    params[rule_kernels.P_BINARY] = 1.0
    zeros = np.zeros(n)
    return {
        "obs": zeros, "earned": zeros, "peers": zeros, "belief": zeros, "propensity": zeros,
        "kind": np.zeros(n, np.int8), "slope": zeros, "base": zeros, "lo": zeros, "hi": zeros,
        "params": params, "partner": np.empty(n, np.int32), "new_x": np.empty(n),
        "new_belief": np.empty(n), "new_propensity": np.empty(n),
    }


def step(state: np.ndarray, graph: CSRGraph, game: np.ndarray, self_interaction: bool,
         payoff: np.ndarray, scratch: dict) -> np.ndarray:
    """One synchronous generation: payoffs, then the engine's imitate-best update.
    ``scratch`` is :func:`imitate_best_scratch` (passed to the engine by name)."""
    matrix_game_payoffs(state, graph.indptr, graph.indices, game, self_interaction, payoff)
    rule_kernels.synchronous_update(
        rule_kernels.IMITATE_BEST, 0, np.uint64(0), x=state.astype(np.float64), payoff=payoff,
        indptr=graph.indptr, indices=graph.indices, **scratch,
    )
    return (scratch["new_x"] > 0.5).astype(np.int8)


def run_nowak_may(
    side: int,
    b: float,
    generations: int,
    initial_defectors: float = 0.1,
    seed: int | np.random.SeedSequence = 0,
    self_interaction: bool = True,
) -> NowakMayResult:
    """Play Nowak & May's spatial dilemma from a random start.

    Args:
        side: the lattice is ``side x side`` (periodic, Moore neighbourhood).
        b: temptation T = b (1 < b < 2 is their range of interest).
        generations: synchronous generations to play.
        initial_defectors: share of sites that start as D, each independently.
        seed: seed for the random start (the dynamics are deterministic).
        self_interaction: include the game against oneself (Nowak & May do).
    """
    if not (isinstance(generations, int) and generations >= 1):
        raise ConfigError(f"generations must be an integer >= 1 (got {generations!r})")
    if not 0.0 <= initial_defectors <= 1.0:
        raise ConfigError(f"initial_defectors must be in [0, 1] (got {initial_defectors!r})")
    graph = moore_lattice(side)
    n = graph.n
    rng = np.random.default_rng(seed)
    state = (rng.random(n) >= initial_defectors).astype(np.int8)
    game = prisoners_dilemma(float(b))
    scratch = imitate_best_scratch(n)
    payoff = np.empty(n)
    shares = [float(state.mean())]
    previous = state
    for _ in range(generations):
        previous, state = state, step(state, graph, game, self_interaction, payoff, scratch)
        shares.append(float(state.mean()))
    return NowakMayResult(
        cooperators=np.asarray(shares),
        state=state.reshape(side, side),
        previous=previous.reshape(side, side),
    )
