"""Numba kernels for the validation studies (twins: ``tests/reference_validation.py``).

Death–birth fixation runs (Ohtsuki, Hauert, Lieberman & Nowak 2006, Nature 441:502)
-----------------------------------------------------------------------------------
Strategies ``s`` are 1 (cooperate) or 0 (defect) on an undirected CSR graph. Every edge is a
donation game: a cooperator pays ``c`` for each of its ties and gives ``b`` to each neighbour,
and payoffs are accumulated over the ties, so agent j earns

    pi_j = b * nc_j - c * k_j * s_j,     nc_j = number of cooperating neighbours, k_j = degree,

with fitness ``max(0, 1 - w + w * pi_j)``, as in the engine's ``death-birth`` rule. One event: a
uniformly chosen agent i dies and its neighbours compete for the empty site in proportion to
fitness; the winner's strategy takes the site. A run starts with one cooperator at a uniformly
chosen site and ends at fixation (all cooperate), extinction (none), or after ``max_events``
events (counted, never hidden).

Randomness is the engine's counter-based generator (:mod:`sim.rng`) keyed by
``(key, event t, run r, stream)``: the mutant site is ``(key, 0, r, STREAM_MUTANT)``, the agent
that dies in event t is ``(key, t, r, STREAM_PICK)`` and the competition draw is
``(key, t, r, STREAM_PARTNER)``. Every run owns its draws, so results do not depend on the
number of threads or on how runs are split into chunks, and runs ``first_run .. first_run +
runs - 1`` can be added later without changing the earlier ones.

An event whose dying agent has only neighbours of its own strategy cannot change anything; it
is counted but its competition is not computed (no draw is consumed, as the generator is
counter-based, so this changes no result).

Nowak & May (1992, Nature 359:826) payoffs
------------------------------------------
``matrix_game_payoffs`` accumulates a 2x2 game over each agent's ties, plus optionally the game
against itself (Nowak & May's self-interaction). The update itself is the engine's own
``imitate-best`` kernel (:func:`sim.kernels.rules.synchronous_update`).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.rng import STREAM_MUTANT, STREAM_PARTNER, STREAM_PICK, uniform

#: outcome codes of a fixation run
EXTINCT = 0
FIXED = 1
NOT_ABSORBED = -1

#: most chunks the parallel driver splits runs into (the split never changes results)
MAX_CHUNKS = 256


@nb.njit(inline="always", cache=True)
def _fitness(j, s, nc, indptr, b, c, w):
    """max(0, 1 - w + w * pi_j) with pi_j = b * nc_j - c * k_j * s_j."""
    k = indptr[j + 1] - indptr[j]
    f = 1.0 - w + w * (b * nc[j] - c * k * s[j])
    return max(0.0, f)


@nb.njit(inline="always", cache=True)
def _draw_site(u, n):
    i = int(u * n)
    return n - 1 if i >= n else i


@nb.njit(cache=True)
def db_fixation_run(run, key, indptr, indices, b, c, w, max_events, s, nc):
    """One death–birth run from a single cooperator; returns ``(outcome, events)``.

    ``s`` (int8) and ``nc`` (int32) are scratch arrays of length n, overwritten.
    ``outcome`` is :data:`FIXED`, :data:`EXTINCT` or :data:`NOT_ABSORBED`.
    """
    n = len(indptr) - 1
    for i in range(n):
        s[i] = 0
        nc[i] = 0
    first = _draw_site(uniform(key, 0, run, STREAM_MUTANT), n)
    s[first] = 1
    for k in range(indptr[first], indptr[first + 1]):
        nc[indices[k]] += 1
    cooperators = 1
    t = 0
    while 0 < cooperators < n and t < max_events:
        t += 1
        i = _draw_site(uniform(key, t, run, STREAM_PICK), n)
        start = indptr[i]
        end = indptr[i + 1]
        degree = end - start
        if degree == 0:
            continue
        if (s[i] == 0 and nc[i] == 0) or (s[i] == 1 and nc[i] == degree):
            continue  # every neighbour shares i's strategy: the site keeps it
        total = 0.0
        for k in range(start, end):
            total += _fitness(indices[k], s, nc, indptr, b, c, w)
        u = uniform(key, t, run, STREAM_PARTNER)
        if total <= 0.0:
            parent = indices[start + min(int(u * degree), degree - 1)]
        else:
            target = u * total
            acc = 0.0
            parent = indices[end - 1]
            for k in range(start, end):
                acc += _fitness(indices[k], s, nc, indptr, b, c, w)
                if target < acc:
                    parent = indices[k]
                    break
        new = s[parent]
        if new != s[i]:
            s[i] = new
            delta = 1 if new == 1 else -1
            cooperators += delta
            for k in range(start, end):
                nc[indices[k]] += delta
    if cooperators == n:
        return FIXED, t
    if cooperators == 0:
        return EXTINCT, t
    return NOT_ABSORBED, t


@nb.njit(parallel=True, cache=True)
def db_fixation_runs(key, indptr, indices, b, c, w, max_events, first_run, outcome, events):
    """Runs ``first_run .. first_run + len(outcome) - 1`` in parallel; fills ``outcome`` (int8)
    and ``events`` (int64) run by run (see :func:`db_fixation_run`)."""
    n = len(indptr) - 1
    runs = len(outcome)
    chunks = min(runs, MAX_CHUNKS)
    for chunk in nb.prange(chunks):
        s = np.empty(n, dtype=np.int8)
        nc = np.empty(n, dtype=np.int32)
        for r in range(chunk * runs // chunks, (chunk + 1) * runs // chunks):
            o, t = db_fixation_run(first_run + r, key, indptr, indices, b, c, w, max_events, s, nc)
            outcome[r] = o
            events[r] = t


@nb.njit(parallel=True, cache=True)
def matrix_game_payoffs(s, indptr, indices, game, self_interaction, out):
    """Fill ``out[i]`` with agent i's payoff from a 2x2 game played with each neighbour (and with
    itself if ``self_interaction``): the sum of ``game[s_i, s_j]``.

    ``s`` holds 1 for cooperate and 0 for defect; ``game[1, 1] = R``, ``game[1, 0] = S``,
    ``game[0, 1] = T``, ``game[0, 0] = P``. The self term comes first, then the neighbours in
    CSR order.
    """
    for i in nb.prange(len(s)):
        mine = s[i]
        p = game[mine, mine] if self_interaction else 0.0
        for k in range(indptr[i], indptr[i + 1]):
            p += game[mine, s[indices[k]]]
        out[i] = p
