"""Plain-Python twins of the validation kernels in ``sim.validation.kernels``.

Written from the maths in the kernels' docstring, element by element over Python ints and
floats, with the same counter-based draws (``reference.uniform``) and the same order of
floating-point operations, so results are identical. The death–birth twin computes every
competition, even where all neighbours share the dying agent's strategy (the kernel skips
those), which checks that the shortcut changes nothing.
"""

from __future__ import annotations

import reference as ref

EXTINCT, FIXED, NOT_ABSORBED = 0, 1, -1


def fitness(j, s, nc, indptr, b, c, w):
    """max(0, 1 - w + w (b nc_j - c k_j s_j))."""
    k = int(indptr[j + 1]) - int(indptr[j])
    return max(0.0, 1.0 - w + w * (b * nc[j] - c * k * s[j]))


def draw_site(u, n):
    return min(int(u * n), n - 1)


def db_fixation_run(run, key, indptr, indices, b, c, w, max_events):
    """One death–birth run from one cooperator; returns (outcome, events)."""
    n = len(indptr) - 1
    key = int(key)
    nbrs = [[int(v) for v in indices[indptr[i]:indptr[i + 1]]] for i in range(n)]
    s = [0] * n
    first = draw_site(ref.uniform(key, 0, run, ref.STREAM_MUTANT), n)
    s[first] = 1
    t = 0
    while 0 < sum(s) < n and t < max_events:
        t += 1
        nc = [sum(s[m] for m in nbrs[j]) for j in range(n)]
        i = draw_site(ref.uniform(key, t, run, ref.STREAM_PICK), n)
        if not nbrs[i]:
            continue
        fit = [fitness(j, s, nc, indptr, b, c, w) for j in nbrs[i]]
        total = 0.0
        for f in fit:
            total += f
        u = ref.uniform(key, t, run, ref.STREAM_PARTNER)
        if total <= 0.0:
            parent = nbrs[i][min(int(u * len(nbrs[i])), len(nbrs[i]) - 1)]
        else:
            target = u * total
            acc = 0.0
            parent = nbrs[i][-1]
            for j, f in zip(nbrs[i], fit, strict=True):
                acc += f
                if target < acc:
                    parent = j
                    break
        s[i] = s[parent]
    cooperators = sum(s)
    if cooperators == n:
        return FIXED, t
    if cooperators == 0:
        return EXTINCT, t
    return NOT_ABSORBED, t


def matrix_game_payoffs(s, indptr, indices, game, self_interaction):
    """Sum of game[s_i, s_j] over i's neighbours (self first if ``self_interaction``)."""
    out = []
    for i in range(len(s)):
        mine = int(s[i])
        p = float(game[mine][mine]) if self_interaction else 0.0
        for k in range(int(indptr[i]), int(indptr[i + 1])):
            p += float(game[mine][int(s[int(indices[k])])])
        out.append(p)
    return out
