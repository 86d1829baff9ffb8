"""The registry of update rules, by the names configs and the command line use.

Each :class:`Rule` names its Numba kernel code and the settings it reads, declared here: the
``learning`` block (:data:`LEARNING`) and the human-like behaviour of the ``conditional`` rule
(:data:`HUMAN_LIKE`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.kernels import rules as k
from sim.params import ConfigError, Entry, Param, Registry, Settings


@dataclass(frozen=True, kw_only=True)
class Rule(Entry):
    """An update rule: its kernel code (``entry``), whether it uses beliefs, a summary."""

    uses_beliefs: bool = False
    uses_payoff_bounds: bool = False

    @property
    def code(self) -> int:
        return self.entry


#: rule name -> rule, in the order the command line lists them
RULES = Registry("update rules (--rule)")

UPDATES = ("synchronous", "asynchronous")

# ----------------------------------------------------------------------- learning
RULE = Param("rule", "conditional", "update rule name", kind=str, choices=RULES,
             sort_choices=True)
UPDATE = Param("update", "synchronous", "synchronous or asynchronous (random-sequential)",
               kind=str, choices=UPDATES)
TEMPERATURE = Param("temperature", 0.5, "Fermi noise K", low=0.0, low_open=True)
SELECTION = Param("selection", 0.1, "selection intensity w for death–birth (fitness 1 - w + w "
                  "* payoff)", low=0.0, high=1.0)
MUTATION = Param("mutation", 0.01, "per-update probability of exploring a random strategy "
                 "instead", low=0.0, high=1.0)
#: the ``learning`` settings, in the order of the command line
LEARNING = (RULE, UPDATE, TEMPERATURE, SELECTION, MUTATION)

# --------------------------------------------------- human-like behaviour (conditional)
SHARE_CONDITIONAL = Param("share_conditional", 0.5, "share of conditional cooperators for the "
                          "conditional rule (Fischbacher, Gächter & Fehr 2001)", low=0.0,
                          high=1.0)
SHARE_FREE_RIDER = Param("share_free_rider", 0.3, "share of free riders for the conditional "
                         "rule", low=0.0, high=1.0)
SHARE_HUMP = Param("share_hump", 0.14, "share of hump-shaped givers for the conditional rule; "
                   "the rest of the population (1 minus the three shares) are noisy "
                   "unconditional givers", low=0.0, high=1.0)
SLOPE = Param("slope", 0.8, "conditional cooperators' mean response to belief (slope < 1: "
              "Fischbacher & Gächter 2010)", low=0.0, high=2.0)
BELIEF_WEIGHT = Param("belief_weight", 0.6, "weight of last round's observed mean in the "
                      "belief update", low=0.0, high=1.0)
NOISE = Param("noise", 0.05, "standard deviation of decision noise, as a share of E", low=0.0,
              high=1.0)
#: the ``human-like behaviour (conditional rule)`` settings, in the order of the command line
HUMAN_LIKE = (SHARE_CONDITIONAL, SHARE_FREE_RIDER, SHARE_HUMP, SLOPE, BELIEF_WEIGHT, NOISE)

for _rule in (
    Rule(
        name="fermi",
        entry=k.FERMI,
        summary="copy a random neighbour with prob. 1/(1+exp((P_i-P_j)/K))",
        source="Szabó & Tőke 1998; Santos & Pacheco 2005",
        parameters=(TEMPERATURE, MUTATION),
    ),
    Rule(
        name="proportional",
        entry=k.PROPORTIONAL,
        summary="copy a random neighbour with prob. max(0, P_j-P_i)/M",
        source="Santos, Santos & Pacheco 2008, Nature 454:213",
        parameters=(MUTATION,),
        uses_payoff_bounds=True,
    ),
    Rule(
        name="imitate-best",
        entry=k.IMITATE_BEST,
        summary="copy the best-earning neighbour if it beat you",
        source="Nowak & May 1992, Nature 359:826",
        parameters=(MUTATION,),
    ),
    Rule(
        name="death-birth",
        entry=k.DEATH_BIRTH,
        summary="neighbours compete for your place with fitness 1-w+w*P",
        source="Ohtsuki, Hauert, Lieberman & Nowak 2006, Nature 441:502",
        parameters=(SELECTION, MUTATION),
    ),
    Rule(
        name="conditional",
        entry=k.CONDITIONAL,
        summary="human-like conditional cooperators, free riders and hump-shaped givers",
        source="Fischbacher, Gächter & Fehr 2001; Fischbacher & Gächter 2010",
        parameters=(*HUMAN_LIKE, MUTATION),
        uses_beliefs=True,
    ),
):
    RULES.add(_rule)


def check(config: Settings) -> None:
    """Settings the rules need together (each field is checked alone before)."""
    total = config.share_conditional + config.share_free_rider + config.share_hump
    if total > 1.0 + 1e-9:
        raise ConfigError(
            "--share-conditional + --share-free-rider + --share-hump must be at most 1 "
            f"(got {total:g})"
        )
