"""A counter-based random generator for kernels.

``uniform(key, t, c, s)`` hashes (run key, round ``t``, counter ``c``, stream ``s``) through the
SplitMix64 finaliser (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
generators", OOPSLA) into a float in [0, 1). Each agent (counter) owns its draws in every round,
so parallel loops give the same numbers whatever the thread count.
"""

from __future__ import annotations

import numba as nb
import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_C_COUNTER = np.uint64(0xD1B54A32D192ED03)
_C_STREAM = np.uint64(0x8CB92BA72F3D8DD7)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV_2_53 = 1.0 / 9007199254740992.0

# Streams: which decision a draw is for. A new use takes a new number.
STREAM_PARTNER = 0
STREAM_ACCEPT = 1
STREAM_MUTATE = 2
STREAM_MUTANT = 3
STREAM_NOISE_A = 4
STREAM_NOISE_B = 5
STREAM_ROUNDING = 6
STREAM_PICK = 7


@nb.njit(inline="always", cache=True)
def mix64(z):
    """SplitMix64 finaliser: a bijective avalanche hash of a uint64."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@nb.njit(inline="always", cache=True)
def round_hash(key, t):
    """The first stage of :func:`uniform`: (key, round t), shared by all of a round's draws."""
    return mix64(np.uint64(key) + np.uint64(t + 1) * _GOLDEN)


@nb.njit(inline="always", cache=True)
def counter_hash(h_round, c):
    """The second stage of :func:`uniform`: counter c, shared by all of c's streams."""
    return mix64(h_round + np.uint64(c + 1) * _C_COUNTER)


@nb.njit(inline="always", cache=True)
def stream_uniform(h_counter, s):
    """The last stage of :func:`uniform`: stream s, as a float in [0, 1)."""
    z = mix64(h_counter + np.uint64(s + 1) * _C_STREAM)
    return np.float64(z >> _S11) * _INV_2_53


@nb.njit(inline="always", cache=True)
def uniform(key, t, c, s):
    """A float in [0, 1) determined by (key, round t, counter c, stream s).

    Kernels that draw several streams for many counters in one round may compute the stages
    (:func:`round_hash`, :func:`counter_hash`, :func:`stream_uniform`) once each instead.
    """
    return stream_uniform(counter_hash(round_hash(key, t), c), s)


@nb.njit(inline="always", cache=True)
def normal(key, t, c, s_a, s_b):
    """A standard normal draw by the Box–Muller transform of two counter-based uniforms."""
    u1 = 1.0 - uniform(key, t, c, s_a)  # in (0, 1]
    u2 = uniform(key, t, c, s_b)
    return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)
