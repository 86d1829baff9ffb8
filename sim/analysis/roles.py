"""Network roles of any network: brokers who bridge teams and connectors embedded in them.

The implementation lives with the campaign placements that use it, in :mod:`sim.ties.roles`
(the engine's features sit below the analyses); this module is the analysis-facing name.
"""

from sim.ties.roles import (
    BETWEENNESS_PIVOTS,
    COLUMNS,
    EXACT_BETWEENNESS_MAX,
    ROLE_SHARE,
    betweenness,
    burt_constraint,
    detect_teams,
    network_roles,
    percentile_rank,
    team_clustering,
)

__all__ = [
    "BETWEENNESS_PIVOTS",
    "COLUMNS",
    "EXACT_BETWEENNESS_MAX",
    "ROLE_SHARE",
    "betweenness",
    "burt_constraint",
    "detect_teams",
    "network_roles",
    "percentile_rank",
    "team_clustering",
]
