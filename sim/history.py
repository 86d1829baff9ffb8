"""What a run records: one value per round per metric, optionally per-agent contributions."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: per-round metrics, in column order
METRICS = ("mean_contribution", "welfare", "gini", "cooperators")


@dataclass
class History:
    """Per-round series of a run.

    Attributes:
        mean_contribution: mean contribution per round (in MU, 0..E).
        welfare: mean payoff per agent per round.
        gini: Gini coefficient of payoffs per round (inequality).
        cooperators: share of agents giving at least half the endowment.
        contributions: ``(rounds, n)`` float32 per-agent contributions, if recorded.
        config: the run's configuration as a dict.
        seed: the run's seed (an int, or the SeedSequence's entropy and spawn key).
    """

    mean_contribution: np.ndarray
    welfare: np.ndarray
    gini: np.ndarray
    cooperators: np.ndarray
    contributions: np.ndarray | None = None
    config: dict[str, Any] = field(default_factory=dict)
    seed: Any = None

    @property
    def rounds(self) -> int:
        return len(self.mean_contribution)

    def to_frame(self):
        """A pandas DataFrame, one row per round (``round`` counts from 1)."""
        data = {"round": np.arange(1, self.rounds + 1)}
        data.update({m: getattr(self, m) for m in METRICS})
        import pandas as pd

        return pd.DataFrame(data)

    def agent_frame(self):
        """Per-agent contributions as a long DataFrame (round, agent, contribution)."""
        if self.contributions is None:
            raise ValueError("per-agent contributions were not recorded (use record_agents=True)")
        rounds, n = self.contributions.shape
        import pandas as pd

        return pd.DataFrame(
            {
                "round": np.repeat(np.arange(1, rounds + 1), n),
                "agent": np.tile(np.arange(n), rounds),
                "contribution": self.contributions.ravel(),
            }
        )

    def to_parquet(self, path: str | os.PathLike, agents: bool = False) -> Path:
        """Write the per-round table (or the per-agent one) to Parquet, atomically."""
        frame = self.agent_frame() if agents else self.to_frame()
        return write_parquet_atomically(frame, path)

    def summary(self) -> dict[str, float]:
        """Headline figures: first, last and mean of each metric."""
        out: dict[str, float] = {"rounds": self.rounds}
        for m in METRICS:
            series = getattr(self, m)
            out[f"first_{m}"] = float(series[0])
            out[f"final_{m}"] = float(series[-1])
            out[f"mean_{m}"] = float(np.mean(series))
        return out


def write_parquet_atomically(frame, path: str | os.PathLike) -> Path:
    """Write a DataFrame to a temporary file beside ``path`` and rename it into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
