"""The registry of update rules, by the names configs and the command line use.

Each :class:`Rule` names its Numba kernel code and the settings it reads: the ``learning``
block declared here (:data:`LEARNING`) and the human-like behaviour's settings, declared with
the behaviour itself (:mod:`sim.behaviour.parameters`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.behaviour.parameters import HUMAN_LIKE, check_shares
from sim.kernels import rules as k
from sim.params import Entry, Param, Registry, Settings


@dataclass(frozen=True, kw_only=True)
class Rule(Entry):
    """An update rule: its kernel code (``entry``), what state it keeps, a summary.

    ``uses_beliefs``: human-like people with types, slopes and beliefs about others;
    ``learns_from_payoff``: they also keep a propensity learnt from their own earnings.
    """

    uses_beliefs: bool = False
    learns_from_payoff: bool = False
    uses_payoff_bounds: bool = False

    @property
    def code(self) -> int:
        return self.entry


#: rule name -> rule, in the order the command line lists them
RULES = Registry("update rules (--rule)")

UPDATES = ("synchronous", "asynchronous")

# ----------------------------------------------------------------------- learning
RULE = Param("rule", "human", "update rule name", kind=str, choices=RULES,
             sort_choices=True)
UPDATE = Param("update", "synchronous", "synchronous or asynchronous (random-sequential)",
               kind=str, choices=UPDATES)
TEMPERATURE = Param("temperature", 0.5, "Fermi noise K", low=0.0, low_open=True)
SELECTION = Param("selection", 0.1, "selection intensity w for death–birth (fitness 1 - w + w "
                  "* payoff)", low=0.0, high=1.0)
MUTATION = Param("mutation", 0.01, "per-update probability of exploring a random strategy "
                 "instead (every rule but human)", low=0.0, high=1.0)
#: the ``learning`` settings, in the order of the command line
LEARNING = (RULE, UPDATE, TEMPERATURE, SELECTION, MUTATION)

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
        name="human",
        entry=k.HUMAN,
        summary="calibrated people: conditional cooperation plus learning from own earnings",
        source="Fischbacher, Gächter & Fehr 2001; Fischbacher & Gächter 2010; aspiration "
        "learning (Ezaki, Horita, Takezawa & Masuda 2016, PLoS Comput Biol 12:e1005034)",
        parameters=HUMAN_LIKE,
        uses_beliefs=True,
        learns_from_payoff=True,
    ),
    Rule(
        name="conditional",
        entry=k.CONDITIONAL,
        summary="the human rule without learning from earnings (others' giving only)",
        source="Fischbacher, Gächter & Fehr 2001; Fischbacher & Gächter 2010",
        parameters=(*HUMAN_LIKE[:8], MUTATION),
        uses_beliefs=True,
    ),
):
    RULES.add(_rule)


def check(config: Settings) -> None:
    """Settings the rules need together (each field is checked alone before)."""
    check_shares(config)
