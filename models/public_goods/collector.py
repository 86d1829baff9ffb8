"""A Mesa ``DataCollector`` for agents whose state lives in NumPy arrays.

Mesa's own collector reads every agent reporter once per agent per step in Python. When the
agents are views onto an engine's arrays (as :class:`~models.public_goods.agents.PublicGoodsAgent`
is), that read costs far more than the round itself at large ``n``. :class:`ArrayDataCollector`
instead copies each reported array once per step and builds Mesa's DataFrames only when asked,
so code written for ``mesa.DataCollector`` (``collect``, ``get_model_vars_dataframe``,
``get_agent_vars_dataframe``, ``mesa.batch_run``) keeps working and gets the same frames.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping, Sequence
from itertools import repeat
from typing import Any

import mesa
import numpy as np
import pandas as pd

# the index Mesa's get_agent_vars_dataframe gives its frame
_INDEX = ["Step", "AgentID"]


class _AgentRecords(MutableMapping):
    """Mesa's ``_agent_records`` ({step: [(step, AgentID, value, ...), ...]}) kept as columns.

    ``mesa.DataCollector.collect`` stores ``list(self._record_agents(model))`` under the step,
    here one array per reporter; reading a step back (as ``mesa.batch_run`` does) builds Mesa's
    rows on demand, so a step costs array copies and nothing per agent unless someone asks.
    """

    def __init__(self) -> None:
        self.columns: dict[Any, tuple[np.ndarray, ...]] = {}
        self.ids: np.ndarray = np.empty(0, np.int64)

    def __setitem__(self, step: Any, columns: Sequence[np.ndarray]) -> None:
        self.columns[step] = tuple(columns)

    def __getitem__(self, step: Any) -> list[tuple]:
        columns = self.columns[step]
        return list(zip(repeat(step), self.ids.tolist(), *(c.tolist() for c in columns)))

    def __delitem__(self, step: Any) -> None:
        del self.columns[step]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)


class ArrayDataCollector(mesa.DataCollector):
    """``mesa.DataCollector`` whose agent reporters read whole arrays, one copy per step.

    Args:
        model_reporters: as in Mesa (callables, attribute names, ...); collected by Mesa's code.
        agent_reporters: column name -> name of an array attribute of the source (for example
            ``{"contribution": "contribution"}`` reads ``model.engine.contribution``). Entry i of
            each array is the agent whose id is ``agent_ids[i]``. Only names are accepted: a
            per-agent callable would bring back the per-agent cost; use Mesa's collector for it.
        agenttype_reporters: as in Mesa, collected agent by agent (slow, but it works).
        tables: as in Mesa.
        source: the object holding the arrays: a model attribute name (default ``"engine"``) or
            a callable given the model. It is looked up at every ``collect`` because an engine
            may swap its buffers between rounds.
        agent_ids: the ``unique_id`` of the agent behind each array entry, in array order.
            Default: the ids of ``model.agents`` in iteration order at the first ``collect``,
            which is right when the agents were created in array order and never change.

    The population must be fixed: every collected array must have one entry per agent id.
    Floating-point arrays are stored as float64, so values and dtypes equal Mesa's (which
    stores Python floats).
    """

    def __init__(
        self,
        model_reporters: dict[str, Any] | None = None,
        agent_reporters: dict[str, str] | None = None,
        agenttype_reporters: dict[type, dict[str, Any]] | None = None,
        tables: dict[str, list[str]] | None = None,
        *,
        source: str | Callable[[mesa.Model], Any] = "engine",
        agent_ids: Sequence[int] | np.ndarray | None = None,
    ) -> None:
        super().__init__(model_reporters, agent_reporters, agenttype_reporters, tables)
        self.source = source
        self._agent_ids = None if agent_ids is None else np.asarray(agent_ids, dtype=np.int64)
        # Mesa's collect writes here; columns instead of per-agent tuples
        self._agent_records = _AgentRecords()

    # ------------------------------------------------------ hooks into Mesa's collect
    def _new_agent_reporter(self, name: str, reporter: Any) -> None:
        """Keep the array attribute name (Mesa would wrap it in a per-agent getter)."""
        if not isinstance(reporter, str):
            raise TypeError(
                f"agent reporter {name!r} must name an array attribute of the source, not "
                f"{reporter!r}; use mesa.DataCollector for per-agent callables"
            )
        self.agent_reporters[name] = reporter

    def _record_agents(self, model: mesa.Model) -> list[np.ndarray]:
        """One copy of each reported array (Mesa calls this from ``collect``)."""
        holder = self.source(model) if callable(self.source) else getattr(model, self.source)
        ids = self._ids(model)
        columns = []
        for name, attribute in self.agent_reporters.items():
            values = np.asarray(getattr(holder, attribute))
            # np.array copies: the engine overwrites (or swaps) its arrays next round
            column = np.array(values, dtype=np.float64 if values.dtype.kind == "f" else None)
            if column.shape != ids.shape:
                raise ValueError(
                    f"agent reporter {name!r}: array of shape {column.shape} for "
                    f"{ids.size} agents; the collector needs one entry per agent"
                )
            columns.append(column)
        return columns

    def _ids(self, model: mesa.Model) -> np.ndarray:
        if self._agent_ids is None:
            ids = [agent.unique_id for agent in model.agents]
            self._agent_ids = np.asarray(ids, dtype=np.int64)
        self._agent_records.ids = self._agent_ids
        return self._agent_ids

    # -------------------------------------------------------------------- frames
    def get_agent_vars_dataframe(self) -> pd.DataFrame:
        """Every collected step's agent values, indexed by ("Step", "AgentID") as in Mesa."""
        if not self.agent_reporters:
            raise UserWarning(
                "No agent reporters have been defined in the DataCollector, "
                "returning empty DataFrame."
            )
        names = list(self.agent_reporters)
        records = self._agent_records.columns
        if not records:
            # what Mesa gives before the first collect (from_records of an empty iterator)
            return pd.DataFrame.from_records(iter(()), columns=[*_INDEX, *names], index=_INDEX)
        ids = self._agent_records.ids
        steps = list(records)
        index = pd.MultiIndex.from_arrays(
            [np.repeat(np.array(steps), ids.size), np.tile(ids, len(steps))], names=_INDEX
        )
        data = {
            name: np.concatenate([records[step][k] for step in steps])
            for k, name in enumerate(names)
        }
        return pd.DataFrame(data, index=index, columns=names)
