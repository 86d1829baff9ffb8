"""Progress of a long job (an experiment's tasks, a sweep's runs) on stderr: a bar with rate and ETA
on a terminal, plain lines otherwise."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Counts finished runs.

    On a terminal this is a ``tqdm`` bar (runs done, percentage, runs/s, elapsed and remaining
    time). Elsewhere (a log file, a batch job) it prints a line every ``every`` seconds and at
    the end, so that logs stay readable. ``enabled=False`` prints nothing.
    """

    def __init__(
        self,
        total: int,
        initial: int = 0,
        *,
        enabled: bool = True,
        stream: TextIO | None = None,
        every: float = 10.0,
        label: str = "sweep",
    ):
        self.total = total
        self.initial = initial
        self.count = initial
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.every = every
        self.label = label
        self._bar = None
        self._start = time.perf_counter()
        self._last = self._start
        if not enabled:
            return
        if _is_terminal(self.stream):
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                initial=initial,
                unit="run",
                desc=label,
                file=self.stream,
                dynamic_ncols=True,
                smoothing=0.1,
            )

    def update(self, n: int = 1) -> None:
        self.count += n
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.perf_counter()
        if now - self._last >= self.every:
            self._last = now
            self._line(now)

    def close(self) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif self.count > self.initial:
            self._line(time.perf_counter())
        self.enabled = False

    def _line(self, now: float) -> None:
        done = self.count - self.initial
        elapsed = max(now - self._start, 1e-9)
        rate = done / elapsed
        left = self.total - self.count
        eta = format_duration(left / rate) if rate > 0 else "?"
        pct = 100.0 * self.count / self.total if self.total else 100.0
        print(
            f"{self.label}: {self.count:,}/{self.total:,} runs ({pct:.0f}%), "
            f"{rate:.3g} runs/s, elapsed {format_duration(elapsed)}, ETA {eta}",
            file=self.stream,
            flush=True,
        )


def format_duration(seconds: float) -> str:
    """``75.2`` -> ``'1:15'``; ``3725`` -> ``'1:02:05'``."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _is_terminal(stream: TextIO) -> bool:
    """A terminal with a width (a pseudo-terminal of width 0 gets plain lines)."""
    import os

    try:
        return stream.isatty() and os.get_terminal_size(stream.fileno()).columns > 0
    except (AttributeError, ValueError, OSError):
        return False
