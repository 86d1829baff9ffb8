"""Dedicated kernels for validating the engine against published theory.

The engine's own kernels (:mod:`sim.kernels`) play one run a round at a time. Two published
results need something the engine does not offer, so they get small kernels of their own here,
each with a plain-Python twin in ``tests/reference_validation.py``:

- :mod:`sim.validation.kernels` ``db_fixation_runs``: many independent death–birth runs of the
  donation game, each to fixation or extinction (Ohtsuki et al. 2006, Nature 441:502), in
  parallel over runs. It is the engine's asynchronous ``death-birth`` rule on ``edges`` groups
  with binary strategies (see :mod:`sim.analysis.fixation` for the exact mapping), specialised
  so that a million runs take seconds.
- :mod:`sim.validation.nowak_may`: the spatial prisoner's dilemma of Nowak & May 1992 (Nature
  359:826), whose payoff matrix (R=1, T=b, S=P=0) and self-interaction the engine's public-goods
  games cannot express.
"""
