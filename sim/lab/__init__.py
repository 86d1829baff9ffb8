"""The Fehr & Gächter (2002, Nature 415:137) laboratory, simulated.

Sessions of 24 subjects re-matched every period into groups of four as perfect strangers, six
periods without and six with punishment in counterbalanced order, played by the project's
human-like people (:mod:`sim.behaviour`: Fischbacher, Gächter & Fehr 2001 types, beliefs after
Fischbacher & Gächter 2010, learning from own earnings after Ezaki et al. 2016).
Many sessions run at once in one Numba kernel; paired runs with common random numbers measure
what one extra MU causes.

Typical use:

>>> from sim.behaviour.parameters import Behaviour
>>> from sim.lab import LabDesign, paired_runs, run_lab
>>> lab = run_lab(LabDesign(sessions=10), Behaviour(), seed=1)
>>> table = lab.to_frame()        # session, period, subject, group, contribution, ...
>>> edges = lab.network_frame()   # the time-ordered interaction network
>>> pairs = paired_runs(LabDesign(), Behaviour(), seed=2, pairs=1000)
"""

from sim.lab.counterfactual import PairedRuns, paired_runs
from sim.lab.design import LabDesign
from sim.lab.lab import LabResult, panel, run_lab, run_sessions

__all__ = [
    "LabDesign",
    "LabResult",
    "PairedRuns",
    "paired_runs",
    "panel",
    "run_lab",
    "run_sessions",
]
