"""Mesa models, one folder per model in Mesa's own convention (model.py, agents.py, README.md).

Each model owns an engine (:class:`sim.Simulation`); its agents are views onto the engine's
arrays, so Mesa's tools work while the rounds run in Numba.
"""
