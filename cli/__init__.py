"""The ``cascade`` command line: one door into the engine in :mod:`sim`.

``cascade run`` plays one simulation and prints a summary (or JSON, or writes Parquet and a
chart). Its options are generated from :class:`sim.SimulationConfig`, so every field of the
config is an option of the same name with dashes for underscores. Bad input of any kind ends
with one line on stderr, ``cascade: error: ...``, and exit status 2.
"""

from cli.main import main

__all__ = ["main"]
