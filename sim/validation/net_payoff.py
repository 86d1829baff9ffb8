"""Public-goods payoffs net of contributions, as Santos, Santos & Pacheco (2008) define them.

The engine pays every agent ``own_games * (E - x_i) + returns`` (docs/science.md section 1): under
``cost="per-game"`` an agent keeps an endowment E in *each* of its k_i + 1 games. Santos et al.
(Nature 454:213) count only what the games change: a cooperator pays c per game (or c in all,
under cost per individual) and everyone receives its shares, with no endowment. The two differ
by ``own_games * E`` per agent:

- cost per individual: own_games = 1, so every agent gets the same constant E;
- cost per game on a regular graph: every agent gets the same constant (k + 1) E;
- cost per game on a heterogeneous graph: agent i gets (k_i + 1) E, a bonus that grows with
  degree (cf. Masuda 2007, Proc. R. Soc. B 274:1815, on baseline payoffs in heterogeneous
  networks).

Imitation rules compare payoff differences, so a constant changes nothing; the degree-dependent
bonus does. :class:`NetPayoffSimulation` is the engine's :class:`~sim.Simulation` with the kept
endowment ``own_games * E`` subtracted from every payoff (and from the payoff bounds that set
proportional imitation's M) after each game: Santos et al.'s payoffs, everything else the
engine's. It reaches into ``Simulation``'s internals (``_play``, ``_set_group_arrays``), so it
belongs in the engine as an option (for example ``payoff="net"``) rather than here; see the
validation report.
"""

from __future__ import annotations

from sim.simulation import Simulation


class NetPayoffSimulation(Simulation):
    """:class:`~sim.Simulation` whose payoffs leave out the kept endowment ``own_games * E``."""

    def _set_group_arrays(self) -> None:
        super()._set_group_arrays()
        if self.rule.uses_payoff_bounds:
            kept = self.own_games * self.config.endowment
            self.payoff_low = self.payoff_low - kept
            self.payoff_high = self.payoff_high - kept

    def _play(self) -> None:
        super()._play()
        self.payoff -= self.own_games * self.config.endowment
