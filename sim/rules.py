"""The registry of update rules, by the names configs and the command line use."""

from __future__ import annotations

from dataclasses import dataclass

from sim.kernels import rules as k


@dataclass(frozen=True)
class Rule:
    """An update rule: its kernel code, whether it uses beliefs, and a one-line summary."""

    name: str
    code: int
    summary: str
    source: str
    uses_beliefs: bool = False
    uses_payoff_bounds: bool = False


RULES: dict[str, Rule] = {
    rule.name: rule
    for rule in (
        Rule(
            "fermi",
            k.FERMI,
            "copy a random neighbour with prob. 1/(1+exp((P_i-P_j)/K))",
            "Szabó & Tőke 1998; Santos & Pacheco 2005",
        ),
        Rule(
            "proportional",
            k.PROPORTIONAL,
            "copy a random neighbour with prob. max(0, P_j-P_i)/M",
            "Santos, Santos & Pacheco 2008, Nature 454:213",
            uses_payoff_bounds=True,
        ),
        Rule(
            "imitate-best",
            k.IMITATE_BEST,
            "copy the best-earning neighbour if it beat you",
            "Nowak & May 1992, Nature 359:826",
        ),
        Rule(
            "death-birth",
            k.DEATH_BIRTH,
            "neighbours compete for your place with fitness 1-w+w*P",
            "Ohtsuki, Hauert, Lieberman & Nowak 2006, Nature 441:502",
        ),
        Rule(
            "conditional",
            k.CONDITIONAL,
            "human-like conditional cooperators, free riders and hump-shaped givers",
            "Fischbacher, Gächter & Fehr 2001; Fischbacher & Gächter 2010",
            uses_beliefs=True,
        ),
    )
}
