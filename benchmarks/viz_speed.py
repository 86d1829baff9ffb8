"""Browser app speed: rounds per second for a 500-person network drawn in headless Chromium.

Starts ``cascade viz`` on a free loopback port, opens the page in Debian's ``chromium`` through
Playwright and measures, for many rounds, the time from clicking Step to the browser showing the
network of the new round (every ``.cascade-network`` carries the round it draws, and the new
round's SVG is in the page). The server renders the network SVG and the charts PNG each round,
so the figure covers the whole loop: the engine's round, drawing, transfer and the browser's
repaint. Then the same with two policies side by side (two networks, two curves), and Play
(▶) for a few seconds.

    python benchmarks/viz_speed.py [--rounds 40] [--play-seconds 8] [--json]

Target (benchmarks/README.md, browser app): at least 2 rounds per second for 500 people.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cli.viz import chromium_options, free_port, start_server  # noqa: E402
from models.public_goods.policy_lab import default_settings, policy_registry  # noqa: E402

TARGET = 2.0
WAIT_ROUND = (
    "([r, c]) => { const n = document.querySelectorAll('.cascade-network');"
    " return n.length === c && [...n].every(e => e.dataset.round === String(r)"
    " && e.querySelector('svg circle')); }"
)


def step_times(page, rounds: int, networks: int) -> list[float]:
    """Seconds from clicking Step to the new round's network(s) in the page, per round."""
    times = []
    button = page.get_by_role("button", name="Step")
    for r in range(1, rounds + 1):
        start = time.perf_counter()
        button.click()
        page.wait_for_function(WAIT_ROUND, arg=[r, networks], timeout=30_000, polling="raf")
        times.append(time.perf_counter() - start)
    return times


def reset(page, networks: int) -> None:
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function(WAIT_ROUND, arg=[0, networks], timeout=60_000)


def choose(page, label: str, option: str) -> None:
    page.locator(".v-select", has=page.locator("label", has_text=label)).first.click()
    page.locator(".menuable__content__active .v-list-item").filter(has_text=option).first.click()


def played_rounds(page, seconds: float) -> tuple[int, float]:
    """Rounds drawn while Play runs, from a reset, for ``seconds`` or until the last round.

    Mesa's play loop waits its play interval (50 ms here) between rounds.
    """
    def current() -> int:
        return int(page.locator(".cascade-network").first.get_attribute("data-round"))

    reset(page, 1)
    last_round = int(default_settings()["rounds"])
    page.get_by_role("button", name="▶").click()
    start = time.perf_counter()
    played = 0
    while time.perf_counter() - start < seconds and played < last_round:
        time.sleep(0.05)
        played = current()
    elapsed = time.perf_counter() - start
    if played < last_round:
        page.get_by_role("button", name="❚❚").click()
    return played, elapsed


def summarise(label: str, times: list[float]) -> dict:
    mean = statistics.fmean(times)
    return {"case": label, "rounds": len(times), "mean_s": mean,
            "median_s": statistics.median(times), "max_s": max(times),
            "rounds_per_s": 1.0 / mean}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40, help="Step clicks per case")
    parser.add_argument("--play-seconds", type=float, default=8.0, help="how long Play runs")
    parser.add_argument("--json", action="store_true", help="one JSON object per case")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    people = int(default_settings()["people"])
    load = os.getloadavg()
    port = free_port()
    server = start_server(port)
    rows = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(**chromium_options())
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
            page.wait_for_selector(".cascade-network svg circle", timeout=120_000)
            load_s = time.perf_counter() - start
            drawn = page.locator(".cascade-network").first.locator("svg circle").count()
            assert drawn == people, f"the page drew {drawn} people, expected {people}"
            rows.append(summarise(f"one policy, {people} people", step_times(page, args.rounds, 1)))
            played, elapsed = played_rounds(page, args.play_seconds)
            rows.append({"case": f"Play, one policy, {people} people", "rounds": played,
                         "seconds": elapsed, "rounds_per_s": played / elapsed})
            others = [n for n in policy_registry() if n not in ("baseline", "punishment")]
            if others:
                choose(page, "Compare with policy", others[0])
                reset(page, 2)
                rows.append(summarise(f"side by side (baseline vs {others[0]}), {people} people",
                                      step_times(page, args.rounds, 2)))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)

    load_after = os.getloadavg()
    if args.json:
        for row in rows:
            print(json.dumps({**row, "load_before": load[0], "load_after": load_after[0]}))
        return 0
    print(f"cascade viz in headless Chromium ({chromium_options()['executable_path']}), "
          f"page load {load_s:.1f} s")
    print(f"load average before {load[0]:.2f} / after {load_after[0]:.2f} "
          f"({os.cpu_count()} CPUs); target {TARGET:g} rounds/s")
    print(f"{'case':<52} {'rounds':>6} {'mean s':>7} {'max s':>6} {'rounds/s':>9}")
    for row in rows:
        mean = f"{row['mean_s']:.3f}" if "mean_s" in row else "-"
        worst = f"{row['max_s']:.2f}" if "max_s" in row else "-"
        print(f"{row['case']:<52} {row['rounds']:>6} {mean:>7} {worst:>6} "
              f"{row['rounds_per_s']:>9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
