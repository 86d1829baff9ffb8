"""The errors a command reports as one line: light on purpose (no imports), so the ``cascade``
command can catch them without loading the engine or Dask.

- :class:`UsageError`: bad input from the user; exit status 2.
- :class:`OutputError`: the work succeeded but its results could not be written; exit 1.
- :class:`ClusterError`: a job failed, or the Dask cluster could not run it; exit 1.
"""


class UsageError(Exception):
    """Bad input from the user (e.g. an unusable ``--out``): one line, exit status 2."""


class OutputError(Exception):
    """The work succeeded but its results could not be written: one line, exit status 1."""


class ClusterError(Exception):
    """A job failed, or the cluster could not run it (one line, for the user): exit 1."""
