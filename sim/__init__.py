"""The simulation engine: networks, groups, Numba kernels, history. It knows nothing of Mesa.

Typical use:

>>> from sim import Simulation, SimulationConfig
>>> history = Simulation(SimulationConfig(n=500, network="small-world"), seed=1).run()
>>> len(history.mean_contribution)  # one value per round
50

Importing ``sim`` registers nothing: the registries are filled by the modules that declare
them, and :mod:`sim.simulation` lists the features whose hooks a config may ask for.
"""

from sim.config import ConfigError, SimulationConfig
from sim.history import History
from sim.simulation import Simulation

__all__ = ["ConfigError", "History", "Simulation", "SimulationConfig"]
