"""Repeated public-goods games on a network: a Mesa model over the Numba engine.

Typical use:

>>> from models.public_goods import PublicGoodsModel
>>> model = PublicGoodsModel(rng=1, n=500, network="small-world", rule="fermi")
>>> model.run_for(50)
>>> frame = model.datacollector.get_model_vars_dataframe()
"""

from .agents import PublicGoodsAgent, PythonFermiAgent
from .model import PublicGoodsModel

__all__ = ["PublicGoodsAgent", "PublicGoodsModel", "PythonFermiAgent"]
