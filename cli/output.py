"""``cascade run``'s chart; the all-or-nothing ``--out`` directory is :mod:`experiments.output`."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def write_chart(path: Path, history, config, seed: int, network: dict[str, Any]) -> None:
    """Mean contribution per round (MU, with % of endowment on the right) above welfare."""
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    e = float(config.endowment)
    rounds = np.arange(1, history.rounds + 1)
    fig = Figure(figsize=(8, 6), layout="constrained")
    FigureCanvasAgg(fig)
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    marker = "o" if history.rounds <= 30 else None
    top.plot(rounds, history.mean_contribution, color="tab:blue", marker=marker, ms=3)
    top.set_ylim(0, e)
    top.set_ylabel("mean contribution (MU)")
    pct = top.secondary_yaxis("right", functions=(lambda x: 100 * x / e, lambda p: p * e / 100))
    pct.set_ylabel("% of endowment")
    top.grid(alpha=0.3)
    bottom.plot(rounds, history.welfare, color="tab:green", marker=marker, ms=3)
    bottom.set_ylabel("welfare (mean payoff)")
    bottom.set_xlabel("round")
    bottom.grid(alpha=0.3)
    if history.rounds == 1:
        bottom.set_xlim(0.5, 1.5)
    else:
        bottom.set_xlim(1, history.rounds)
    fig.suptitle(f"{config.network} network (n={network['n']:,}), {config.rule} rule, seed {seed}")
    fig.savefig(path, dpi=120, format="png")
