"""Numba kernels: the hot loop over arrays. Each has a plain-Python twin in tests/reference.py.

Kernels take only arrays and scalars. Randomness inside them comes from the counter-based
generator in :mod:`sim.rng`, keyed by (run key, round, counter, stream), so a result
never depends on the number of threads or on the order in which threads run.
"""
