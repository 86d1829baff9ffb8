"""The human-like behaviour: one decision, one sanctioning response, one parameter set.

Every part of the project that needs people who behave like laboratory subjects reads this
package: the engine's ``human`` and ``conditional`` rules (:mod:`sim.kernels.rules`), the
simulated laboratory (:mod:`sim.lab`), peer punishment (:mod:`sim.policies.punishment`), the
experiments and the browser app (through :class:`sim.SimulationConfig`'s defaults).

- :mod:`sim.behaviour.kernels`: the decision as Numba kernels (plain-Python twins in
  ``tests/reference_behaviour.py``);
- :mod:`sim.behaviour.parameters`: the settings, each with its range, help and source, and
  :class:`~sim.behaviour.parameters.Behaviour`, the same settings as one validated object for
  the laboratory. The defaults are the calibrated values of
  ``experiments/calibration.toml`` (``experiments/calibrate.py`` fits them).

The model (docs/science.md section 3): a person's type (Fischbacher, Gächter & Fehr 2001,
Economics Letters 71:397) sets what she would give for her belief about what others give; her
belief follows what her co-players gave (Fischbacher & Gächter 2010, AER 100:541); a
propensity learnt from her own earnings by aspiration-based reinforcement (Ezaki, Horita,
Takezawa & Masuda 2016, PLoS Comput Biol 12:e1005034; the Bush-Mosteller update of Macy &
Flache 2002, PNAS 99:7229) pulls her towards what paid; ``payoff_weight`` (fitted) says how much
each part counts.
"""
