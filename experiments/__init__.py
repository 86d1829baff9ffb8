"""Experiments: one script per scientific question, with its parameters in a TOML file beside it.

Each experiment is a thin composition of the engine (:mod:`sim`), its analysis and plotting;
none re-implements the model. They are meant to be reachable from the ``cascade`` command.
"""
