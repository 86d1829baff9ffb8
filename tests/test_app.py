"""The browser app (models/public_goods/app.py, ``cascade viz``): model, page, a real browser.

The fast tests build the app's model, its statistics and drawings, and render the page in
Python. The browser tests start one ``cascade viz`` on a free loopback port for the module,
with its HTTP(S) proxy pointed at a local trap that counts connections (so any call the server
makes to the internet would be seen), and drive Debian's ``chromium`` through Playwright (never
a downloaded browser); they skip only when chromium is not installed. Numbers are never quoted
from a development run: each check reads the page's own numbers.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time

import numpy as np
import pytest

from cli.viz import (
    chromium_options,
    free_port,
    server_command,
    server_environment,
    start_server,
)
from models.public_goods.downloads import DownloadButton
from models.public_goods.drawing import (
    ROLE_COLOURS,
    ChartSpec,
    chart_svg,
    charts_figure,
    contribution_legend,
    network_figure,
    network_layout,
    network_svg,
    round_ticks,
    to_png,
    value_ticks,
)
from models.public_goods.policy_lab import (
    PolicyLab,
    changed_labels,
    combine_policies,
    controls,
    default_settings,
    in_page_words,
    organisations_scenarios,
    policy_registry,
)
from models.public_goods.scenarios import Results, Scenario, Study, play
from sim.config import SimulationConfig

#: a small study: two scenarios that differ only by policy
SMALL = dict(people="60", rounds="6", replicates="3")
POLICIES = [p for p in ("competition", "cooperation") if p in policy_registry()]


def small_lab(**changes) -> PolicyLab:
    scenarios = changes.pop("scenarios", [{"policy": p, "team_size": "10"} for p in POLICIES]
                            or [{"team_size": "10"}])
    return PolicyLab(scenarios=scenarios, **{**SMALL, **changes})


# ------------------------------------------------------------------ the model
def test_lab_plays_the_drawn_replicate_which_is_replicate_one_of_the_statistics():
    lab = small_lab()
    assert lab.problem is None and lab.running and lab.round == 0
    assert [run.engine.n for run in lab.runs.values()] == [60] * len(lab.runs)
    for _ in range(6):
        lab.step()
    assert lab.finished and not lab.running
    lab.step()  # after the last round: nothing
    assert lab.round == 6
    for label in lab.labels:
        for metric in ("mean_contribution", "welfare"):
            drawn = lab.drawn_series(metric)[label]
            assert np.array_equal(drawn, lab.results.series[label][metric][0])


def test_replicate_k_shares_its_seed_across_scenarios_and_differs_between_replicates():
    lab = small_lab()
    study = lab.study
    seeds = [study.replicate_seed(k) for k in range(study.replicates)]
    assert len(set(seeds)) == len(seeds) and all(0 <= s < 2**63 for s in seeds)
    if len(lab.labels) == 2:
        a, b = (lab.runs[label].engine for label in lab.labels)
        assert np.array_equal(a.graph.indptr, b.graph.indptr)
        assert np.array_equal(a.graph.indices, b.graph.indices)
        assert np.array_equal(a.contribution, b.contribution)  # the same people
        assert lab.same_network()
    again = small_lab()
    for label in lab.labels:
        assert np.array_equal(again.results.series[label]["welfare"],
                              lab.results.series[label]["welfare"])


def test_bands_cover_the_mean_and_stay_inside_the_range_of_a_contribution():
    lab = small_lab()
    for label in lab.labels:
        mean, low, high = lab.results.band(label, "mean_contribution")
        assert mean.shape == (6,) and np.all(low <= mean + 1e-12) and np.all(mean <= high + 1e-12)
        assert np.all(low >= 0) and np.all(high <= lab.endowment)
        est = lab.results.estimate(label, "welfare")
        runs = lab.results.run_means(label, "welfare")
        assert est.low <= runs.mean() <= est.high
        assert est.mean == pytest.approx(runs.mean())


def _results(a: np.ndarray, b: np.ndarray, welfare_shift: float = 0.0) -> Results:
    """Results of two made-up scenarios (replicates x rounds)."""
    config = SimulationConfig(n=10, rounds=a.shape[1])
    study = Study((Scenario("A", config), Scenario("B", config)), a.shape[0], 1)
    return Results(study, {
        "A": {"mean_contribution": a, "welfare": 20 + a},
        "B": {"mean_contribution": b, "welfare": 20 + b + welfare_shift},
    })


def test_the_sentence_says_which_gives_more_by_how_much_and_whether_intervals_separate():
    rng = np.random.default_rng(3)
    a = 5 + rng.normal(0, 0.2, (20, 10))
    results = _results(a, a + 3.0)
    names = {"A": "A (competition)", "B": "B (cooperation)"}
    text = results.sentence(names, "Policy")
    est_a, est_b = (results.estimate(x, "mean_contribution") for x in "AB")
    assert "B (cooperation) gives more cooperation than A (competition)" in text
    assert f"{est_b.mean:.1f} against {est_a.mean:.1f}" in text
    assert "do not overlap" in text and "more than chance" in text

    close = _results(a, a + rng.normal(0, 0.2, a.shape))
    assert "overlap" in close.sentence(names) and "could be chance" in close.sentence(names)

    same = _results(a, a.copy())
    text = same.sentence(names, "Policy")
    assert "exactly the same cooperation and welfare in every replicate" in text
    assert "(Policy)" in text

    money_only = _results(a, a.copy(), welfare_shift=1.0)
    text = money_only.sentence(names)
    assert "the same cooperation" in text and "more welfare" in text

    one = _results(a[:1], a[:1] + 1)
    assert "One replicate only" in one.sentence(names)


@pytest.mark.skipif(len(POLICIES) < 2, reason="needs competition and cooperation")
def test_the_page_sentence_matches_the_table_of_a_real_comparison():
    lab = small_lab()
    text = lab.results.sentence(lab.names, ", ".join(lab.differs))
    assert lab.differs == ["Policy"]
    assert lab.names == {"A": "A (competition)", "B": "B (cooperation)"}
    pairs = [(float(b), float(a)) for b, a in re.findall(r"([\d.]+) against ([\d.]+)", text)]
    for metric in ("mean_contribution", "welfare"):
        a, b = (lab.results.estimate(x, metric) for x in "AB")
        if not lab.results.identical("A", "B", metric):  # quoted, as rounded in the sentence
            assert any(abs(pb - b.mean) < 0.051 and abs(pa - a.mean) < 0.051
                       for pb, pa in pairs), (text, a, b)


def test_any_setting_can_differ_between_scenarios():
    scenarios = [{"organisation": "silos", "bridging": 0.0, "team_size": "10"},
                 {"organisation": "small world", "weaving": 0.05, "mpcr": 0.6}]
    if "punishment" in policy_registry():
        scenarios[1]["punishment"] = True
    lab = small_lab(scenarios=scenarios)
    assert lab.problem is None
    a, b = (s.config for s in lab.study.scenarios)
    assert (a.network, a.bridging, b.network, b.weaving, b.mpcr) == (
        "silos", 0.0, "small-world", 0.05, 0.6)
    assert not lab.same_network()
    assert "bridging 0.00" in lab.names["A"] and "return 0.60" in lab.names["B"]
    ties = len(lab.edges("B"))
    positions = lab.layout("B").xy.copy()
    for _ in range(4):
        lab.step()
    assert len(lab.edges("B")) > ties  # people wove new ties
    assert np.array_equal(lab.layout("B").xy, positions)  # and nobody moved on the page


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"people": "5"}, "Number of people must be a whole number from 10 to 2,000 (got 5)"),
        ({"people": "lots"}, "Number of people must be a whole number from 10 to 2,000 "
                             "(got 'lots')"),
        ({"seed": "-1"}, "Seed must be a whole number from 0 to 999,999,999"),
        ({"rounds": "0"}, "Rounds must be a whole number from 1 to 1,000"),
        ({"replicates": "500"}, "Replicates must be a whole number from 1 to 100"),
        ({"scenarios": [{}, {"team_size": "0"}]}, "Scenario B: Team size must be a whole "
                                                  "number from 2 to 60"),
        ({"scenarios": [{"team_size": "3", "ties": 6}]},
         "Scenario A: Team size 3 is too small"),
        ({"scenarios": [{"mpcr": 1.5}]},
         "Scenario A: Return on contributions must be a number from 0.05 to 1"),
        ({"scenarios": [{"organisation": "random", "ties": 12}], "people": "12"},
         "Close colleagues per person must be fewer than the number of people"),
    ],
)
def test_bad_settings_give_one_line_in_the_page_words_not_an_exception(values, expected):
    lab = small_lab(**values)
    assert lab.problem is not None and expected in lab.problem, lab.problem
    assert "\n" not in lab.problem and "--" not in lab.problem and not lab.running
    lab.step()  # a no-op, never a crash
    assert lab.drawn_frame().empty


def test_engine_messages_are_put_in_the_page_words():
    text = in_page_words("--team-size must be > degree for silos (with --degree 6) n=500")
    assert text == ('"Team size" must be > degree for silos (with "Close colleagues per person" '
                    '6) the number of people (500)')
    lab = small_lab(scenarios=[{"contagion": "complex", "rule": "fermi", "team_size": "10"}])
    if lab.problem:  # the engine's rule, in the page's words
        assert '"Spread of behaviour"' in lab.problem and "--" not in lab.problem


def test_controls_come_from_the_registries_and_explain_themselves():
    items = controls()
    names = [c.name for c in items]
    assert {"people", "rounds", "replicates", "seed", "organisation", "bridging", "mpcr",
            "rule", "weaving"} <= set(names)
    for c in items:
        assert c.explanation and "\n" not in c.explanation and c.label
        assert c.mesa_param()["label"] == c.label
    policies = policy_registry()
    if policies:
        spec = next(c for c in items if c.name == "policy")
        assert set(spec.choices) == set(policies) - {"punishment"}
    rule = next(c for c in items if c.name == "rule")
    assert rule.default == SimulationConfig().rule  # the engine's default behaviour
    bridging = next(c for c in items if c.name == "bridging")
    assert bridging.display(0.1) == "0.10" and not bridging.applies({"organisation": "random"})


@pytest.mark.skipif("punishment" not in policy_registry(), reason="no punishment policy")
def test_punishment_switch_combines_with_the_chosen_policy():
    assert combine_policies("baseline", True) == "punishment"
    assert combine_policies("cooperation", True) == "cooperation+punishment"
    assert combine_policies("cooperation", False) == "cooperation"
    lab = small_lab(scenarios=[{"policy": "cooperation", "punishment": True,
                                "team_size": "10"}])
    assert lab.problem is None and lab.study.scenarios[0].config.policy == (
        "cooperation+punishment")
    assert "Only one scenario" in lab.results.sentence(lab.names)


def test_pending_changes_are_named_by_scenario_and_label():
    applied = small_lab().values
    draft = {**applied, "rounds": "9",
             "scenarios": [dict(applied["scenarios"][0], bridging=0.2),
                           *applied["scenarios"][1:]]}
    assert changed_labels(draft, applied) == ["Rounds", "Scenario A · Bridging share"]
    assert changed_labels(applied, applied) == []
    more = {**applied, "scenarios": [*applied["scenarios"], applied["scenarios"][0]]}
    assert changed_labels(more, applied)[-1].endswith("added")


def test_colour_by_role_and_campaign_team_ringed():
    lab = small_lab(scenarios=[{"campaign_size": "4", "campaign_placement": "brokers",
                                "team_size": "10"}])
    assert lab.problem is None
    roles = lab.roles("A")
    assert len(roles) == 60 and set(roles) <= set(ROLE_COLOURS)
    assert list(lab.colours("A", "role")) == [ROLE_COLOURS[r] for r in roles]
    members = lab.campaign_members("A")
    assert len(members) == 4
    svg = network_svg(lab.layout("A"), lab.colours("A"), lab.edges("A"), highlighted=members)
    assert svg.count('stroke="currentColor" stroke-width="4"') == 4
    assert svg.count("<circle") == 60 and 'data-nodes="60"' in svg


def test_silos_are_drawn_as_teams_at_any_bridging_share():
    for bridging in (0.0, 0.1, 0.3):
        lab = small_lab(people="400", scenarios=[{"bridging": bridging}])
        graph = lab.graph("A")
        xy, team = lab.layout("A").xy, np.asarray(graph.team)
        centres = np.array([xy[team == t].mean(axis=0) for t in np.unique(team)])
        spread = np.mean([np.linalg.norm(xy[team == t] - centres[i], axis=1).max()
                          for i, t in enumerate(np.unique(team))])
        gaps = np.linalg.norm(centres[:, None] - centres[None], axis=-1)
        nearest = np.min(gaps + np.eye(len(centres)) * 1e9)
        assert spread < nearest / 2, (bridging, spread, nearest)  # teams do not overlap
    again = network_layout(graph, lab.study.seed)
    assert again is lab.layout("A")  # computed once per network and seed
    fresh = small_lab(people="400", scenarios=[{"bridging": 0.3}])
    assert np.array_equal(fresh.layout("A").xy, lab.layout("A").xy)  # seeded, stable


def test_axes_have_round_ticks_and_start_at_zero():
    assert round_ticks(100) == [1, 20, 40, 60, 80, 100]
    for rounds in (2, 6, 37, 1000):
        ticks = round_ticks(rounds)
        assert ticks[0] == 1 and ticks[-1] <= rounds and ticks == sorted(set(ticks))
        assert all(isinstance(t, int) for t in ticks)
    low, high, ticks = value_ticks(164.0, 255.0)  # welfare: the axis starts at 0
    assert (low, high, ticks) == (0.0, 300.0, [0.0, 100.0, 200.0, 300.0])
    assert value_ticks(-3.0, 12.0)[0] < 0  # fines can make earnings negative


def test_charts_draw_a_band_and_a_mean_per_scenario_in_the_page_colour():
    lab = small_lab()
    for _ in range(2):
        lab.step()
    spec = ChartSpec("welfare", "Welfare", "MU a person earns per round")
    bands = {label: lab.results.band(label, "welfare") for label in lab.labels}
    svg = chart_svg(spec, bands, lab.drawn_series("welfare"), lab.rounds)
    k = len(lab.labels)
    assert svg.count("<polygon data-band") == k and svg.count("data-mean=") == k
    assert svg.count("data-drawn=") == k and 'fill="currentColor"' in svg
    assert "MU a person earns per round" in svg and ">round<" in svg


def test_downloads_carry_the_settings_and_legends():
    lab = small_lab()
    for _ in range(2):
        lab.step()
    for text in (lab.summary_csv(), lab.replicates_csv(), lab.people_csv()):
        header = [line for line in text.splitlines() if line.startswith("# ")]
        assert header[0] == "# Cooperation on networks: a policy lab"
        assert any("Number of people: 60" in line for line in header)
        assert any(line.startswith("# Scenario A:") for line in header)
        assert any("MU" in line for line in header)
    rows = [line for line in lab.summary_csv().splitlines() if not line.startswith("#")]
    assert rows[0].startswith("scenario,round,mean_contribution,mean_contribution_low")
    assert len(rows) == 1 + 6 * len(lab.labels)
    replicate_rows = [x for x in lab.replicates_csv().splitlines() if not x.startswith("#")]
    assert len(replicate_rows) == 1 + 6 * 3 * len(lab.labels)
    png = b"\x89PNG\r\n\x1a\n"
    specs = [ChartSpec("welfare", "Welfare", "MU a person earns per round")]
    bands = {"welfare": {label: lab.results.band(label, "welfare") for label in lab.labels}}
    figure = charts_figure(specs, bands, lab.names, 3, lab.rounds,
                           sentence="a sentence", settings=lab.settings_lines())
    texts = [t.get_text() for t in figure.texts] + [
        t.get_text() for legend in figure.legends for t in legend.get_texts()]
    assert any("Number of people: 60" in t for t in texts)
    assert any("95% interval" in t for t in texts)
    assert to_png(figure).startswith(png)
    panels = {label: (lab.layout(label), lab.colours(label), lab.edges(label),
                      lab.campaign_members(label)) for label in lab.labels}
    net = network_figure(panels, contribution_legend(), settings=lab.settings_lines())
    assert [t.get_text() for t in net.legends[0].get_texts()][0] == "gives nothing"
    assert to_png(net).startswith(png)


def test_download_button_sends_the_whole_file_on_every_click():
    sent = []
    button = DownloadButton(filename="x.csv", mime_type="text/csv",
                            content=lambda: "# header\na,b\n1,2\n")
    button.send = lambda content, buffers=None: sent.append((content, buffers))
    button.vue_request({})
    button.vue_request({})
    assert [c["args"] for c, _ in sent] == [["x.csv", "text/csv"]] * 2
    assert [b[0] for _, b in sent] == [b"# header\na,b\n1,2\n"] * 2
    assert button.saved == 2 and not button.busy


def test_the_study_plays_with_progress_and_can_be_cancelled():
    from models.public_goods.scenarios import Cancelled

    study = small_lab().study
    seen = []
    play(study, progress=lambda done, total: seen.append((done, total)))
    total = len(study.scenarios) * study.replicates
    assert seen[-1] == (total, total) and len(seen) == total
    with pytest.raises(Cancelled):
        play(study, cancelled=lambda: True)


def test_app_renders_with_its_own_parts_and_keeps_mesa_for_other_models():
    import solara
    from mesa.visualization import SolaraViz

    from models.public_goods import PublicGoodsModel, app

    assert set(app.model_params()) == {"people", "rounds", "replicates", "seed", "scenarios"}
    opening = app.draft.value
    app.draft.set({**default_settings(), **SMALL,
                   "scenarios": [{"policy": p, "team_size": "10"} for p in POLICIES]})

    @solara.component
    def Served():
        with solara.AppLayout():  # as the server shows it: with the sidebar
            app.Page()

    try:
        box, rc = solara.render(Served(), handle_error=False)
        labels = _texts(rc)
        assert "Apply" not in labels and "Play" in labels  # nothing pending at first
        assert not any(t.startswith("Page ") or t.startswith("Time:") for t in labels)
        assert any("Every setting is applied" in t for t in labels)
        assert _with_class(rc, "cascade-verdict")
        assert len(_with_class(rc, "cascade-network")) == len(POLICIES) or 1
        rc.close()
    finally:
        app.draft.set(opening)

    @solara.component
    def Other():
        with solara.AppLayout():
            SolaraViz(PublicGoodsModel(n=20, rng=1), name="other",
                      components=[(lambda model: solara.Text("a view"), 0)])

    box, rc = solara.render(Other(), handle_error=False)
    labels = _texts(rc)
    assert {"Page 0", "Render Interval (steps)", "▶"} <= set(labels)  # Mesa's own parts
    assert "Play" not in labels
    rc.close()


def _texts(rc) -> list[str]:
    out, todo = [], list(rc.find().widgets)
    while todo:
        w = todo.pop()
        todo.extend(c for c in getattr(w, "children", None) or () if hasattr(c, "keys"))
        for attr in ("label", "value", "v_model"):
            v = getattr(w, attr, None)
            if isinstance(v, str):
                out.append(v)
        out.extend(c for c in getattr(w, "children", None) or () if isinstance(c, str))
    return out


def _with_class(rc, name: str) -> list:
    """Rendered widgets carrying the CSS class ``name`` (however the widget stores classes)."""
    found, todo = [], list(rc.find().widgets)
    while todo:
        w = todo.pop()
        todo.extend(c for c in getattr(w, "children", None) or () if hasattr(c, "keys"))
        classes = " ".join([*getattr(w, "_dom_classes", ()), getattr(w, "class_", "") or "",
                            (getattr(w, "attributes", None) or {}).get("class", "")])
        if name in classes.split():
            found.append(w)
    return found


def test_cascade_viz_rejects_bad_port_and_host(capsys):
    from cli.main import main

    assert main(["viz", "--port", "70000"]) == 2
    assert "--port must be from 1 to 65535" in capsys.readouterr().err
    assert main(["viz", "--host", "no-such-host.invalid"]) == 2
    assert "--host 'no-such-host.invalid'" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["viz", "--port", str(port)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and f"--port {port} is already in use" in err


def test_server_makes_no_call_home_and_shows_no_badge():
    command = server_command("127.0.0.1", 8765)
    assert "--no-check-version" in command and command[command.index("--host") + 1] == (
        "127.0.0.1")
    env = server_environment({})
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SOLARA_THEME_SHOW_BANNER"] == "False"


# ---------------------------------------------------------------- the browser
class ConnectionTrap:
    """A loopback port that counts the connections made to it (the server's proxy)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.count += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


needs_chromium = pytest.mark.skipif(shutil.which("chromium") is None,
                                    reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def server():
    """One ``cascade viz`` for the browser tests, its internet traffic sent to a trap."""
    trap = ConnectionTrap()
    proxy = f"http://127.0.0.1:{trap.port}"
    env = server_environment()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        env[name] = proxy
    env["NO_PROXY"] = env["no_proxy"] = ""
    port = free_port()
    proc = start_server(port, env=env)
    try:
        yield f"http://127.0.0.1:{port}/", trap
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        trap.close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(**chromium_options())
        yield chromium
        chromium.close()


def open_page(browser, url: str, *, width: int = 1400, height: int = 900,
              dark: bool = False):
    context = browser.new_context(viewport={"width": width, "height": height},
                                  color_scheme="dark" if dark else "light",
                                  accept_downloads=True)
    page = context.new_page()
    page.goto(url, timeout=60_000)
    page.wait_for_selector(".cascade-network svg circle", timeout=90_000)
    return context, page


def type_into(page, label: str, text: str) -> None:
    """Replace a typed field's text with the keyboard, then leave it (Tab): it counts then."""
    field = page.get_by_label(label, exact=True)
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Tab")
    page.wait_for_function("([e, t]) => e.value === t", arg=[field.element_handle(), text])


def apply_and_wait(page, timeout: float = 60_000) -> None:
    """Press Apply with the keyboard; wait until the new settings' results are shown (nothing
    is pending any more)."""
    page.get_by_role("button", name="Apply").focus()
    page.keyboard.press("Enter")
    page.locator(".cascade-apply", has_text="Every setting is applied").wait_for(
        timeout=timeout)


def press(page, name) -> None:
    """Press a button with the keyboard."""
    page.get_by_role("button", name=name).first.focus()
    page.keyboard.press("Enter")


def make_small(page, rounds: str = "8") -> None:
    """Few people, rounds and replicates (typed), so that the browser tests stay fast."""
    type_into(page, "Number of people", "80")
    type_into(page, "Rounds", rounds)
    type_into(page, "Replicates", "4")
    for scenario in ("A", "B"):
        edit_scenario(page, scenario)
        type_into(page, "Team size", "10")


def edit_scenario(page, label: str) -> None:
    """Show a scenario's settings (with the keyboard); wait until its controls are there."""
    press(page, re.compile(f"^{label}( •)?$"))
    page.locator(f".cascade-control[data-control=organisation][data-scenario={label}]"
                 ).wait_for()


def step(page, to_round: int) -> None:
    page.get_by_role("button", name="Step").click()
    page.wait_for_function(
        "r => { const n = [...document.querySelectorAll('.cascade-network')];"
        " return n.length > 0 && n.every(e => e.dataset.round === String(r)); }",
        arg=to_round, timeout=20_000)


def numbers(text: str) -> list[float]:
    return [float(x.replace("−", "-")) for x in re.findall(r"[−-]?\d+\.\d+", text)]


@needs_chromium
def test_browser_two_scenarios_with_bands_and_a_sentence(server, browser, tmp_path):
    url, _ = server
    context, page = open_page(browser, url)
    try:
        defaults = default_settings()
        people = defaults["people"]
        nets = page.locator(".cascade-network")
        assert nets.count() == 2
        assert [nets.nth(i).get_attribute("data-scenario") for i in range(2)] == ["A", "B"]
        for i in range(2):
            assert nets.nth(i).locator("svg circle").count() == people
        for metric in ("mean_contribution", "welfare"):
            chart = page.locator(f".cascade-chart[data-metric={metric}] svg")
            assert chart.locator("polygon[data-band]").count() == 2  # a 95% band each
            assert chart.locator("polyline[data-mean]").count() == 2
        verdict = page.locator(".cascade-verdict").inner_text()
        captions = [c.inner_text().strip() for c in page.locator(".cascade-caption").all()]
        assert all(name in verdict for name in captions)
        assert "95% interval" in verdict and "replicates" in verdict
        table = page.locator(".cascade-table").inner_text()
        for value in numbers(verdict)[:2]:  # the sentence quotes the table's averages
            assert any(abs(value - t) < 0.051 for t in numbers(table))

        fills = "cs => cs.map(c => c.getAttribute('fill'))"
        before = nets.nth(0).locator("circle").evaluate_all(fills)
        for r in (1, 2):
            step(page, r)
        assert nets.nth(0).locator("circle").evaluate_all(fills) != before
        assert page.locator(".cascade-chart polyline[data-drawn]").count() == 4
        status = page.locator(".cascade-run-controls .cascade-status")
        assert status.get_attribute("data-state") == "paused" and "round 2" in status.inner_text()
        text = page.locator("body").inner_text()
        for internal in ("PAGE 0", "Page 0", "Render Interval", "Use Threads", "Time:",
                         "runs on Solara", "--"):
            assert internal not in text
        page.screenshot(path=str(tmp_path / "comparison.png"))
    finally:
        context.close()


@needs_chromium
def test_browser_keyboard_slider_change_reaches_the_model_and_play_finishes(server, browser):
    url, _ = server
    context, page = open_page(browser, url)
    try:
        make_small(page, rounds="5")
        edit_scenario(page, "A")
        slider = page.get_by_role("slider", name="Bridging share")
        slider.focus()
        page.keyboard.press("ArrowRight")
        control = page.locator(".cascade-control[data-control=bridging]")
        control.locator(".cascade-value", has_text="0.15").wait_for(timeout=10_000)
        assert "cascade-pending" in control.get_attribute("class")  # marked as not applied
        pending = page.locator(".cascade-apply").inner_text()
        assert re.search(r"Scenario A: [^;]*Bridging share", pending), pending
        apply_and_wait(page)
        captions = page.locator(".cascade-caption").all_inner_texts()
        assert "bridging 0.15" in captions[0] and "bridging 0.10" in captions[1]
        assert page.locator(".cascade-network").first.locator("circle").count() == 80
        assert "Every setting is applied" in page.locator(".cascade-apply").inner_text()

        page.get_by_role("button", name="Play").click()
        status = page.locator(".cascade-run-controls .cascade-status")
        page.wait_for_function(
            "() => document.querySelector('.cascade-run-controls .cascade-status')"
            ".dataset.state === 'finished'", timeout=30_000)
        assert "Finished: all 5 rounds played" in status.inner_text()
        assert page.get_by_role("button", name="Play").is_disabled()
        assert page.get_by_role("button", name="Step").is_disabled()
    finally:
        context.close()


def _luminance(css_colour: str) -> float:
    r, g, b = (int(x) for x in re.findall(r"\d+", css_colour)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


@needs_chromium
def test_browser_dark_mode_charts_are_legible(server, browser, tmp_path):
    url, _ = server
    context, page = open_page(browser, url, dark=True)
    try:
        text = page.locator(".cascade-chart svg text").first
        text.scroll_into_view_if_needed()
        fill = text.evaluate("e => getComputedStyle(e).fill")
        background = page.locator(".cascade-main").evaluate(
            "e => { let x = e; while (x) { const c = getComputedStyle(x).backgroundColor;"
            " if (c && !c.endsWith(', 0)') && c !== 'transparent') return c;"
            " x = x.parentElement; } return 'rgb(255, 255, 255)'; }")
        assert _luminance(background) < 0.3, background
        assert _luminance(fill) > 0.7, fill  # light text on the dark page
        page.screenshot(path=str(tmp_path / "dark.png"))
    finally:
        context.close()
    context, page = open_page(browser, url)
    try:
        fill = page.locator(".cascade-chart svg text").first.evaluate(
            "e => getComputedStyle(e).fill")
        assert _luminance(fill) < 0.3, fill  # dark text on the light page
    finally:
        context.close()


@needs_chromium
def test_browser_1024x768_shows_both_scenarios_with_readable_charts(server, browser, tmp_path):
    url, _ = server
    context, page = open_page(browser, url, width=1024, height=768)
    try:
        for box in (n.bounding_box() for n in page.locator(".cascade-network").all()):
            assert box["y"] >= 0 and box["y"] + box["height"] <= 768
            assert box["x"] + box["width"] <= 1024
        tick = page.locator(".cascade-chart svg text.tick").first
        tick.scroll_into_view_if_needed()
        size = tick.evaluate("e => e.getBoundingClientRect().height")
        assert size >= 10, f"chart text is {size:.1f} px high"
        page.screenshot(path=str(tmp_path / "1024.png"))
    finally:
        context.close()


@needs_chromium
def test_browser_two_quick_download_clicks_give_two_full_files(server, browser):
    url, _ = server
    context, page = open_page(browser, url)
    downloads = []
    page.on("download", lambda download: downloads.append(download))
    try:
        for name, start in (("Summary (CSV)", b"# Cooperation on networks"),
                            ("Charts (PNG)", b"\x89PNG")):
            downloads.clear()
            button = page.get_by_role("button", name=f"Download {name}")
            button.click()
            button.click()  # at once, before the first file arrives
            deadline = time.monotonic() + 30
            while len(downloads) < 2 and time.monotonic() < deadline:
                page.wait_for_timeout(100)
            assert len(downloads) == 2
            data = [open(d.path(), "rb").read() for d in downloads]
            assert all(d.startswith(start) for d in data), [d[:20] for d in data]
            assert data[0] == data[1] and len(data[0]) > 1000

        make_small(page)  # new settings, then a download: the file of the new settings
        apply_and_wait(page)
        downloads.clear()
        page.get_by_role("button", name="Download Summary (CSV)").click()
        deadline = time.monotonic() + 30
        while not downloads and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        text = open(downloads[0].path(), encoding="utf-8").read()
        assert "Number of people: 80" in text and "Replicates: 4" in text
        rows = [x for x in text.splitlines() if not x.startswith("#")]
        assert len(rows) == 1 + 8 * 2  # the header, then 8 rounds of two scenarios
    finally:
        context.close()


@needs_chromium
def test_browser_two_users_do_not_disturb_each_other_and_bad_input_is_one_line(server,
                                                                               browser):
    url, trap = server
    first_context, first = open_page(browser, url)
    second_context, second = open_page(browser, url)
    try:
        make_small(first, rounds="7")
        apply_and_wait(first)
        step(first, 1)
        assert second.locator(".cascade-network").first.get_attribute("data-round") == "0"
        assert second.locator(".cascade-network").first.locator("circle").count() == (
            default_settings()["people"])
        assert "Every setting is applied" in second.locator(".cascade-apply").inner_text()
        assert second.get_by_label("Rounds", exact=True).input_value() == str(
            default_settings()["rounds"])
        assert first.get_by_label("Rounds", exact=True).input_value() == "7"

        type_into(second, "Number of people", "5")
        second.get_by_role("button", name="Apply").click()
        problem = second.locator(".cascade-overview .cascade-problem")
        problem.wait_for(timeout=20_000)
        message = problem.inner_text()
        assert "Number of people must be a whole number from 10 to 2,000 (got 5)" in message
        assert "--" not in message and "Traceback" not in second.locator("body").inner_text()
        assert first.locator(".cascade-problem").count() == 0  # the other user sees nothing
        assert second.locator(".cascade-network").count() == 2  # the last results stay
        time.sleep(0.5)
        assert trap.count == 0  # the server called nothing outside this machine
    finally:
        first_context.close()
        second_context.close()


# ------------------------------------------------------------- organisations (two levels)
def test_organisations_view_compares_league_table_with_system_reward_on_one_world():
    scenarios = organisations_scenarios({"team_size": "10"})
    assert [s["organisation_policy"] for s in scenarios] == ["league-table", "system-reward"]
    lab = small_lab(scenarios=scenarios)
    assert lab.problem is None and lab.two_level_labels == ["A", "B"]
    assert lab.same_network() and lab.differs == ["Policy between organisations"]
    sentence = lab.results.levels_sentence(lab.names)
    system = {x: lab.results.estimate(x, "system_given").mean for x in "AB"}
    more, less = sorted("AB", key=lambda x: -system[x])
    assert sentence.startswith(f"{lab.names[more]} gives more to the system than "
                               f"{lab.names[less]}")
    assert "95% intervals of giving to the system" in sentence
    lab.step()
    drawn = lab.drawn_levels("A")
    assert np.array_equal(drawn["system_given"], lab.results.series["A"]["system_given"][0, :1])
    svg = network_svg(lab.layout("A"), lab.colours("A", "system share"), lab.edges("A"),
                      regions=lab.regions("A"))
    assert svg.count('class="organisation"') == 60 // 10
    assert "local_given" in lab.results.summary_frame()
    assert "system_share" in lab.people_frame()


def test_two_level_settings_that_do_not_fit_are_refused_in_the_page_words():
    base = {**organisations_scenarios()[0], "team_size": "10"}
    lab = small_lab(scenarios=[{**base, "policy": "competition"}])
    assert lab.problem is not None and "--" not in lab.problem
    assert '"Policy between organisations" league-table and "Policy" competition' in lab.problem
    lab = small_lab(scenarios=[{**base, "organisation": "small world"}])
    assert "needs organisations" in lab.problem and '"Kind of organisation"' in lab.problem


def _level_points(page) -> list[str | None]:
    return page.locator(".cascade-chart[data-metric=levels] polyline[data-drawn]").evaluate_all(
        "ps => ps.map(p => p.getAttribute('points'))")


@needs_chromium
def test_browser_organisations_view_side_by_side_and_it_plays(server, browser, tmp_path):
    url, _ = server
    context, page = open_page(browser, url, width=1024, height=768)
    try:
        make_small(page, rounds="8")
        press(page, "Organisations view")
        page.locator(".cascade-chart[data-metric=levels][data-scenario=B]").wait_for(
            timeout=90_000)
        page.locator(".cascade-apply", has_text="Every setting is applied").wait_for(
            timeout=60_000)
        charts = page.locator(".cascade-chart[data-metric=levels]")
        assert charts.count() == 2  # side by side: one per scenario
        for i in range(2):
            assert charts.nth(i).locator("polygon[data-band]").count() == 2  # each level
            assert charts.nth(i).locator("polyline[data-mean]").count() == 2
        captions = page.locator(".cascade-caption").all_inner_texts()
        assert "league-table" in captions[0] and "system-reward" in captions[1]
        verdict = page.locator(".cascade-levels-verdict").inner_text()
        assert "gives more to the system than" in verdict and "95% intervals" in verdict
        assert all(c.strip() in verdict for c in captions)
        nets = page.locator(".cascade-network")
        assert nets.first.locator("rect.organisation").count() == 8  # 80 people, teams of 10
        assert "gives all to the system" in page.locator(".cascade-legend").first.inner_text()
        assert page.get_by_role("button", name="Colour by system share").count() == 1
        assert _level_points(page) == []  # round 0: nothing drawn yet

        step(page, 1)
        page.wait_for_function(  # the charts redraw just after the networks
            "() => [...document.querySelectorAll('.cascade-chart[data-metric=levels]')]"
            ".every(c => c.dataset.round === '1')", timeout=10_000)
        first = _level_points(page)
        assert len(first) == 4  # two levels in two scenarios
        page.get_by_role("button", name="Play").click()
        page.wait_for_function(
            "() => document.querySelector('.cascade-run-controls .cascade-status')"
            ".dataset.state === 'finished'", timeout=30_000)
        page.wait_for_function(  # the charts redraw just after the status line
            "() => [...document.querySelectorAll('.cascade-chart[data-metric=levels]')]"
            ".every(c => c.dataset.round === '8')", timeout=10_000)
        assert all(len(b.split()) == 8 for b in _level_points(page))
        assert _level_points(page) != first
        page.locator(".cascade-levels-view").scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "organisations-1024.png"))
        nets.first.scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / "organisations-1024-networks.png"))
    finally:
        context.close()


@needs_chromium
def test_browser_an_invalid_two_level_combination_is_one_line_in_page_words(server, browser):
    url, _ = server
    context, page = open_page(browser, url)
    try:
        edit_scenario(page, "A")
        slider = page.get_by_role("slider", name="Return of the system's pool")
        slider.focus()
        page.keyboard.press("ArrowRight")  # above 0: the two-level game
        control = page.locator(".cascade-control[data-control=mpcr_system][data-scenario=A]")
        control.locator(".cascade-value", has_text="0.05").wait_for(timeout=10_000)
        chooser = page.locator(
            ".cascade-control[data-control=organisation_policy][data-scenario=A]")
        chooser.wait_for(timeout=10_000)
        chooser.locator(".v-select__slot").click()
        page.get_by_role("option", name="league-table").click()
        page.get_by_role("button", name="Apply").click()
        problem = page.locator(".cascade-overview .cascade-problem")
        problem.wait_for(timeout=20_000)
        message = problem.inner_text()
        assert '"Policy between organisations" league-table and "Policy"' in message, message
        assert "--" not in message and "Traceback" not in page.locator("body").inner_text()
        assert page.locator(".cascade-network").count() == 2  # the last results stay
    finally:
        context.close()
