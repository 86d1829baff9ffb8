"""The simulation engine: networks, groups, Numba kernels, history. It knows nothing of Mesa.

Typical use::

    from sim import Simulation, SimulationConfig
    history = Simulation(SimulationConfig(n=500, network="small-world"), seed=1).run()
    history.mean_contribution  # one value per round
"""

from sim.config import ConfigError, SimulationConfig
from sim.history import History
from sim.simulation import Simulation

# isort: split
# modules that register round hooks (sim.hooks.HOOK_BUILDERS) when imported
import sim.policies  # noqa: E402, F401, I001
import sim.ties  # noqa: E402, F401, I001

__all__ = ["ConfigError", "History", "Simulation", "SimulationConfig"]
