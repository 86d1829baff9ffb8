"""The machine's floor: memory bandwidth, random-gather rate and clock, measured in Numba.

Prints (or, with ``--json``, emits one JSON row per measurement):

* STREAM-like ``copy`` (a[i] = b[i]) and ``triad`` (a[i] = b[i] + s c[i]) bandwidth over arrays
  far larger than the caches (McCalpin 1995, "Memory bandwidth and machine balance"), counting
  the bytes the kernel names (read + written; write-allocate traffic not counted);
* random gathers per second: ``out[i] = sum_k x[idx[4 i + k]]`` with uniform random ``idx``, the
  access pattern of a degree-4 neighbourhood sum on a random graph, for tables of 10^6 and
  10^7 values (inside and far outside the 32 MiB L3) in float64 and float32;
* the clock, from a chain of dependent shift, xor and 64-bit multiply (1 + 1 + 3 cycles on
  AMD Zen 4; the compiler cannot shorten the chain).

Each at 1 and at all Numba threads. Used to write the floor in ``benchmarks/NOTES.md``.

    python benchmarks/floor.py [--json] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numba as nb
import numpy as np


@nb.njit(parallel=True, cache=True)
def _copy(a, b):
    for i in nb.prange(len(a)):
        a[i] = b[i]


@nb.njit(parallel=True, cache=True)
def _triad(a, b, c, s):
    for i in nb.prange(len(a)):
        a[i] = b[i] + s * c[i]


@nb.njit(parallel=True, cache=True)
def _gather4(x, idx, out):
    for i in nb.prange(len(out)):
        s = 0.0
        for k in range(4 * i, 4 * i + 4):
            s += x[idx[k]]
        out[i] = s


@nb.njit(cache=True)
def _dependent_chain(steps, seed):
    z = np.uint64(seed)
    m = np.uint64(0xBF58476D1CE4E5B9)
    s = np.uint64(29)
    for _ in range(steps):
        z = (z ^ (z >> s)) * m
    return z


def _best_seconds(fn, repeats: int = 5) -> float:
    fn()  # compile or warm the caches
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def clock_ghz(steps: int = 200_000_000) -> float:
    """Clock estimate: a dependent shift (1 cycle), xor (1) and 64-bit multiply (3) chain."""
    seconds = _best_seconds(lambda: _dependent_chain(steps, 1), repeats=3)
    return 5 * steps / seconds / 1e9


def measure(quick: bool = False) -> list[dict]:
    """All floor measurements, at 1 thread and at all threads."""
    rows = []
    n_stream = 5_000_000 if quick else 40_000_000
    a, b, c = (np.ones(n_stream) for _ in range(3))
    rng = np.random.default_rng(0)
    tables = [10**5, 10**6] if quick else [10**6, 10**7]
    gathers = 10**6 if quick else 4 * 10**6
    threads_all = nb.config.NUMBA_NUM_THREADS
    for threads in sorted({1, threads_all}):
        nb.set_num_threads(threads)
        t = _best_seconds(lambda: _copy(a, b))
        rows.append(dict(kind="copy", threads=threads, size=n_stream,
                         gb_per_s=16 * n_stream / t / 1e9))
        t = _best_seconds(lambda: _triad(a, b, c, 3.0))
        rows.append(dict(kind="triad", threads=threads, size=n_stream,
                         gb_per_s=24 * n_stream / t / 1e9))
        for size in tables:
            idx = rng.integers(0, size, 4 * gathers).astype(np.int32)
            out = np.empty(gathers)
            for dtype in (np.float64, np.float32):
                x = rng.random(size).astype(dtype)
                t = _best_seconds(lambda x=x, idx=idx, out=out: _gather4(x, idx, out))
                rows.append(dict(kind=f"gather {np.dtype(dtype).name}", threads=threads, size=size,
                                 per_s=4 * gathers / t, table_mb=x.nbytes / 2**20))
    nb.set_num_threads(threads_all)
    rows.append(dict(kind="clock", threads=1, ghz=clock_ghz(20_000_000 if quick else 200_000_000)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON rows")
    parser.add_argument("--quick", action="store_true", help="small arrays, a few seconds")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    rows = measure(args.quick)
    for r in rows:
        r["load"] = load
    if args.json:
        for r in rows:
            print(json.dumps(r))
        return 0
    print(f"load average at start: {load:.2f}")
    for r in rows:
        if "gb_per_s" in r:
            print(f"{r['kind']:<16} threads={r['threads']}  {r['gb_per_s']:6.1f} GB/s")
        elif "per_s" in r:
            print(f"{r['kind']:<16} threads={r['threads']}  table {r['table_mb']:6.1f} MiB  "
                  f"{r['per_s']:.3g} random reads/s")
        else:
            print(f"clock            {r['ghz']:.2f} GHz (dependent shift-xor-multiply chain)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
