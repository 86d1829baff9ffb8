"""Browser app speed: what a policy team waits for in the scenarios page, against the bare engine.

Starts ``cascade viz`` on a free loopback port, opens the page in Debian's ``chromium``
(``--no-sandbox --headless``) through Playwright and times three waits:

- **first page**: from starting the server to the page showing the default study in full: both
  scenarios' networks, both charts with a 95% band per scenario, and the sentence under them.
  The server plays every replicate of the default study for it (2 scenarios x 20 replicates,
  500 people, 100 rounds), after starting Python, Solara and Mesa and loading the kernels;
- **Apply**: scenario B's bridging share moved one notch with the keyboard, then Apply, until
  every setting is applied and the sentence names the new value. Each Apply asks for a study
  the server has not played, so its replicates are computed, never taken from its cache;
- **Play**: rounds drawn per second once Play runs (the networks' round counted for a few
  seconds from round 0), at the page's opening play speed and at its fastest (Play speed
  slider at its minimum, moved with the Home key). Target: at least 2 rounds per second.

Beside each, the bare engine's time for the same work, in this process after the browser
and server are closed: :func:`models.public_goods.scenarios.play` of the same study (first
page, Apply: every replicate of every scenario, kernels already loaded), and for Play one round
of replicate 1 of each scenario with :meth:`sim.simulation.Simulation.step` (the rounds the
page draws), on one Numba thread as the app runs. The ratio is page time / bare time.

    python benchmarks/viz_speed.py [--applies 3] [--play-seconds 6] [--quick] [--json]

``--quick``: one Apply and 3 s of Play at each speed (under a minute on the 2-core machine).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numba  # noqa: E402

from cli.viz import chromium_options, free_port, start_server  # noqa: E402
from models.public_goods.app import PLAY_MS  # noqa: E402
from models.public_goods.policy_lab import (  # noqa: E402
    PolicyLab,
    default_settings,
    parse_settings,
)
from models.public_goods.scenarios import Study, play  # noqa: E402
from sim.simulation import Simulation  # noqa: E402

#: rounds per second the page should draw while playing, 500 people (benchmarks/README.md)
TARGET = 2.0
#: the page is complete: every scenario's network, a band per scenario in both charts, the
#: sentence
FULL_PAGE = (
    "c => { const nets = document.querySelectorAll('.cascade-network');"
    " const charts = ['mean_contribution', 'welfare'].map(m => document.querySelectorAll("
    "`.cascade-chart[data-metric=${m}] svg polygon[data-band]`).length);"
    " const verdict = document.querySelector('.cascade-verdict');"
    " return nets.length === c && [...nets].every(n => n.querySelector('svg circle'))"
    " && charts.every(k => k === c) && verdict && verdict.innerText.trim().length > 0; }"
)
#: the Apply is done: nothing pending, and the sentence names the new bridging share
APPLIED = (
    "([wanted, before]) => { const bar = document.querySelector('.cascade-apply');"
    " const verdict = document.querySelector('.cascade-verdict');"
    " return bar && bar.innerText.includes('Every setting is applied') && verdict"
    " && verdict.innerText !== before && verdict.innerText.includes(wanted); }"
)
DRAWN_ROUND = "() => Number(document.querySelector('.cascade-network').dataset.round)"
STATE = ("() => document.querySelector('.cascade-run-controls .cascade-status')"
         ".dataset.state")


def first_page(page, url: str, scenarios: int) -> float:
    """Seconds from opening ``url`` to the full page."""
    start = time.perf_counter()
    page.goto(url, timeout=180_000)
    page.wait_for_function(FULL_PAGE, arg=scenarios, timeout=300_000, polling=50)
    return time.perf_counter() - start


def press(page, name) -> None:
    """Press a button with the keyboard (as a keyboard-only user would)."""
    page.get_by_role("button", name=name).first.focus()
    page.keyboard.press("Enter")


def edit_scenario(page, label: str) -> None:
    press(page, re.compile(f"^{label}( •)?$"))
    page.locator(f".cascade-control[data-control=bridging][data-scenario={label}]").wait_for()


def apply_bridging(page, wanted: str) -> float:
    """Move scenario B's bridging share one notch up, then time Apply until it shows."""
    edit_scenario(page, "B")
    slider = page.get_by_role("slider", name="Bridging share")
    slider.focus()
    page.keyboard.press("ArrowRight")
    control = page.locator(".cascade-control[data-control=bridging][data-scenario=B]")
    control.locator(".cascade-value", has_text=wanted).wait_for(timeout=20_000)
    page.locator(".cascade-apply", has_text="Not applied yet").wait_for(timeout=20_000)
    before = page.locator(".cascade-verdict").inner_text()
    page.get_by_role("button", name="Apply").focus()
    start = time.perf_counter()
    page.keyboard.press("Enter")
    page.wait_for_function(APPLIED, arg=[f"bridging {wanted}", before], timeout=300_000,
                           polling=50)
    return time.perf_counter() - start


def reset(page) -> None:
    press(page, "Reset")
    page.wait_for_function(f"() => ({DRAWN_ROUND})() === 0 && ({STATE})() === 'ready'",
                           timeout=120_000, polling=50)


def set_speed_fastest(page) -> int:
    """Move the Play speed slider to its minimum with the Home key; return its ms."""
    slider = page.get_by_role("slider", name="Play speed")
    slider.focus()
    page.keyboard.press("Home")
    page.locator(".cascade-value", has_text="a round every 20 ms").wait_for(timeout=20_000)
    return 20


#: records, in the page, each round the first network shows and when (one check per frame)
RECORD = (
    "() => { const log = []; window.__cascadeRounds = log; window.__cascadeStart ="
    " performance.now(); let last = -1; const tick = (t) => {"
    " const net = document.querySelector('.cascade-network');"
    " const r = net ? Number(net.dataset.round) : -1;"
    " if (r !== last) { log.push([performance.now(), r]); last = r; }"
    " if (window.__cascadeRounds === log) requestAnimationFrame(tick); };"
    " requestAnimationFrame(tick); }"
)
STOP = ("() => { const log = window.__cascadeRounds; window.__cascadeRounds = null;"
        " return [window.__cascadeStart, log]; }")


def played(page, seconds: float) -> dict:
    """Play from round 0 for ``seconds`` (or to the last round); rounds per second drawn.

    The page itself notes, frame by frame, each new round the networks show, so the figure is
    what the browser draws, however far the server is ahead of it. ``rounds_per_s`` runs from
    the first round drawn to the last (the wait for the first round, one play interval, is not
    counted); ``from_click_s`` is the time from pressing Play to the last round drawn.
    """
    button = page.get_by_role("button", name="Play")
    page.wait_for_function("b => !b.disabled", arg=button.element_handle(), timeout=60_000)
    page.evaluate(RECORD)
    press(page, "Play")
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        time.sleep(0.2)
        if page.evaluate(STATE) == "finished":
            break
    clicked, log = page.evaluate(STOP)
    if page.evaluate(STATE) == "playing":
        press(page, "Pause")
    moving = [(t, r) for t, r in log if r > 0]
    if len(moving) < 2:
        raise RuntimeError(f"Play drew {len(moving)} rounds in {seconds:g} s")
    (t0, r0), (t1, r1) = moving[0], moving[-1]
    return {"rounds": r1, "rounds_per_s": 1000 * (r1 - r0) / (t1 - t0),
            "from_click_s": (t1 - clicked) / 1000}


def bare_study(values: dict) -> tuple[Study, float]:
    """The study the page plays for ``values``, and the seconds ``scenarios.play`` takes."""
    study = parse_settings(values).study
    start = time.perf_counter()
    play(study)
    return study, time.perf_counter() - start


def bare_round(study: Study) -> float:
    """Seconds per round for replicate 1 of every scenario, stepped with Simulation.step."""
    previous = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        runs = [Simulation(s.config, seed=study.replicate_seed(0)) for s in study.scenarios]
        rounds = study.scenarios[0].config.rounds
        start = time.perf_counter()
        for _ in range(rounds):
            for run in runs:
                run.step()
        return (time.perf_counter() - start) / rounds
    finally:
        numba.set_num_threads(previous)


def with_bridging(values: dict, bridging: float) -> dict:
    scenarios = [dict(s) for s in values["scenarios"]]
    scenarios[1]["bridging"] = bridging
    return {**values, "scenarios": scenarios}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applies", type=int, default=3,
                        help="Apply clicks, each after one notch of bridging share (default 3)")
    parser.add_argument("--play-seconds", type=float, default=6.0,
                        help="how long Play runs at each speed (default 6)")
    parser.add_argument("--quick", action="store_true",
                        help="one Apply and 3 s of Play per speed (under a minute)")
    parser.add_argument("--json", action="store_true", help="one JSON object per row")
    args = parser.parse_args(argv)
    applies = 1 if args.quick else args.applies
    play_seconds = 3.0 if args.quick else args.play_seconds
    if not 1 <= applies <= 8:
        parser.error("--applies must be from 1 to 8")

    from playwright.sync_api import sync_playwright

    settings = default_settings()
    scenarios = len(settings["scenarios"])
    start_bridging = float(settings["scenarios"][1]["bridging"])
    bridgings = [round(start_bridging + 0.05 * (k + 1), 2) for k in range(applies)]
    load = [os.getloadavg()[0]]

    # ---- the page (the browser is open before the server starts, as a user's would be)
    with sync_playwright() as p:
        browser = p.chromium.launch(**chromium_options())
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        port = free_port()
        start = time.perf_counter()
        server = start_server(port, timeout=120.0)
        listening_s = time.perf_counter() - start
        try:
            page_s = first_page(page, f"http://127.0.0.1:{port}/", scenarios)
            first_s = time.perf_counter() - start
            people = page.locator(".cascade-network").first.locator("svg circle").count()
            if people != settings["people"]:
                raise RuntimeError(f"the page drew {people} people, not {settings['people']}")
            plays = [(PLAY_MS, played(page, play_seconds))]
            reset(page)
            plays.append((set_speed_fastest(page), played(page, play_seconds)))
            apply_s = [apply_bridging(page, f"{b:.2f}") for b in bridgings]
        finally:
            browser.close()
            server.terminate()
            server.wait(timeout=10)
    load.append(os.getloadavg()[0])

    # ---- the bare engine, the same work (kernels loaded first, as in the warm server)
    warm = parse_settings({**settings, "people": 60, "rounds": 3, "replicates": 1,
                           "scenarios": [dict(s, team_size=10) for s in settings["scenarios"]]})
    play(warm.study)
    study, bare_first_s = bare_study(settings)
    bare_apply_s = [bare_study(with_bridging(settings, b))[1] for b in bridgings]
    start = time.perf_counter()  # the page's model without a page: replicates, Mesa, layouts
    PolicyLab(**with_bridging(settings, bridgings[0]))
    lab_apply_s = time.perf_counter() - start
    bare_round_s = bare_round(study)
    load.append(os.getloadavg()[0])

    work = (f"{scenarios} scenarios x {settings['replicates']} replicates, "
            f"{settings['people']} people, {settings['rounds']} rounds")
    rows = [{"case": "first page (server start to full page)", "page_s": first_s,
             "bare_s": bare_first_s, "listening_s": listening_s, "page_load_s": page_s},
            {"case": f"Apply (median of {applies})", "page_s": statistics.median(apply_s),
             "bare_s": statistics.median(bare_apply_s), "each_page_s": apply_s,
             "each_bare_s": bare_apply_s, "lab_s": lab_apply_s}]
    for interval, result in plays:
        per_round = 1.0 / result["rounds_per_s"]
        rows.append({"case": f"Play, a round every {interval} ms (s per round)",
                     "page_s": per_round, "bare_s": bare_round_s, "interval_s": interval / 1000,
                     **result})
    for row in rows:
        row["ratio"] = row["page_s"] / row["bare_s"]

    if args.json:
        for row in rows:
            print(json.dumps({**row, "work": work, "load_start": load[0],
                              "load_after_page": load[1], "load_end": load[2]}))
        return 0
    print(f"cascade viz in headless Chromium ({chromium_options()['executable_path']}); "
          f"the default study: {work}")
    print(f"load average {load[0]:.2f} at start, {load[1]:.2f} after the page, "
          f"{load[2]:.2f} at the end ({os.cpu_count()} CPUs)")
    print(f"{'case':<46} {'page s':>8} {'bare s':>8} {'page/bare':>10}")
    for row in rows:
        print(f"{row['case']:<46} {row['page_s']:>8.3f} {row['bare_s']:>8.4f} "
              f"{row['ratio']:>10.1f}")
    print(f"first page: server listening after {listening_s:.1f} s, then {page_s:.1f} s "
          "to the full page; bare: scenarios.play of the same study")
    print("Apply, each: page " + ", ".join(f"{x:.2f}" for x in apply_s) + " s; bare "
          + ", ".join(f"{x:.2f}" for x in bare_apply_s) + " s (bridging share of B "
          + ", ".join(f"{b:.2f}" for b in bridgings) + f"); the page's model alone "
          f"(PolicyLab: replicates, replicate 1 as Mesa models, layouts) {lab_apply_s:.2f} s")
    for interval, result in plays:
        beyond = 1000 / result["rounds_per_s"] - interval
        met = "met" if result["rounds_per_s"] >= TARGET else "NOT met"
        print(f"Play at {interval} ms: {result['rounds_per_s']:.2f} rounds/s (target {TARGET:g}: "
              f"{met}), {beyond:.0f} ms a round beyond the interval ({result['rounds']} rounds "
              f"drawn, the last {result['from_click_s']:.1f} s after pressing Play)")
    print(f"bare Play: Simulation.step of both scenarios' replicate 1, {1000 * bare_round_s:.2f} "
          f"ms a round ({1.0 / bare_round_s:,.0f} rounds/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
