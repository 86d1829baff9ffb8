"""Analysis of runs: cascade regressions, causal cascades, and more."""
