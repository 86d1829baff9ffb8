"""The panel of a laboratory experiment: sessions x periods x subjects as padded arrays.

The simulated laboratory fills it directly (:func:`sim.lab.lab.panel`); the cascade analysis
(:mod:`sim.analysis.cascade`) reads it, and builds it from any long table, real laboratory data
included (:func:`sim.analysis.cascade.panel_from_table`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Panel:
    """A long table as padded arrays: S sessions x P periods x n subject slots.

    Attributes:
        x: contributions, NaN where a subject has no observation.
        group: group labels (integers, -1 where absent); equal labels in a period = same group.
        block: (S, P) treatment-block number within the session (-1 for padding periods).
        treatment: (S, P) treatment label of each period ('' for padding).
        treatment_period: (S, P) period number within its block, from 1 (0 for padding).
        sessions: (S,) the sessions' labels; subjects: (S, n) the subjects' labels.
    """

    x: np.ndarray
    group: np.ndarray
    block: np.ndarray
    treatment: np.ndarray
    treatment_period: np.ndarray
    sessions: np.ndarray
    subjects: np.ndarray

    @property
    def treatments(self) -> list[str]:
        seen: dict[str, None] = {}
        for label in self.treatment.ravel():
            if label:
                seen.setdefault(label, None)
        return list(seen)
