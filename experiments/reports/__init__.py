"""Tables, reports and figures of the experiments: one module per experiment, everything
generated from a finished run's numbers (the shared number formats are
:mod:`experiments.formatting`)."""
