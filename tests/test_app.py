"""The browser app (models/public_goods/app.py, ``cascade viz``): model, page, a real browser.

The fast tests build the app's model and import the app. The browser test starts ``cascade viz``
on a free loopback port, drives Debian's ``chromium`` through Playwright (never a downloaded
browser) and skips only when chromium is not installed.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess

import numpy as np
import pytest

from cli.viz import chromium_options, free_port, start_server
from models.public_goods.drawing import (
    ROLE_COLOURS,
    charts_figure,
    charts_svg,
    network_figure,
    network_layout,
    network_svg,
    to_png,
)
from models.public_goods.policy_lab import (
    PolicyLab,
    combine_policies,
    controls,
    default_settings,
    policy_registry,
)

SMALL = dict(people="60", team_size="10", rounds="5")


# ------------------------------------------------------------------ the model
def test_lab_plays_rounds_and_reports_them():
    lab = PolicyLab(**SMALL)
    assert lab.problem is None and lab.running
    assert lab.main.engine.n == 60
    for _ in range(3):
        lab.step()
    frame = lab.frame()
    assert list(frame["round"]) == [1, 2, 3]
    assert set(frame.columns) >= {"policy", "round", "mean_contribution", "welfare"}
    csv = lab.csv()
    assert "# seed=1" in csv and "round,mean_contribution" in csv.replace("policy,", "")
    people = lab.people_frame()
    assert len(people) == 60 and np.allclose(people["contribution"], lab.main.engine.contribution)
    for _ in range(5):
        lab.step()
    assert lab.round == 5 and not lab.running  # stops after the configured rounds


def test_same_seed_same_run_and_layout():
    a, b = PolicyLab(**SMALL, seed="7"), PolicyLab(**SMALL, seed="7")
    for lab in (a, b):
        for _ in range(3):
            lab.step()
    assert a.frame().equals(b.frame())
    assert np.array_equal(a.layout.xy, b.layout.xy)
    c = PolicyLab(**SMALL, seed="8")
    assert not np.array_equal(a.layout.xy, c.layout.xy)


@pytest.mark.skipif(len(policy_registry()) < 2, reason="needs two registered policies")
def test_side_by_side_runs_share_network_and_seed_only_policy_differs():
    names = [n for n in policy_registry() if n not in ("baseline", "punishment")]
    other = names[0]
    lab = PolicyLab(**SMALL, policy="baseline", compare_with=other)
    assert lab.comparing and list(lab.runs) == ["baseline", other]
    first, second = lab.runs.values()
    g1, g2 = first.engine.graph, second.engine.graph
    assert np.array_equal(g1.indptr, g2.indptr) and np.array_equal(g1.indices, g2.indices)
    assert np.array_equal(first.engine.contribution, second.engine.contribution)  # same people
    for _ in range(4):
        lab.step()
    frame = lab.frame()
    assert sorted(set(frame["policy"])) == sorted(["baseline", other])
    assert not np.allclose(first.history().welfare, second.history().welfare)


@pytest.mark.skipif("punishment" not in policy_registry(), reason="no punishment policy")
def test_punishment_switch_combines_with_the_chosen_policy():
    assert combine_policies("baseline", True) == "punishment"
    assert combine_policies("cooperation", True) == "cooperation+punishment"
    assert combine_policies("cooperation", False) == "cooperation"
    lab = PolicyLab(**SMALL, policy="cooperation", punishment=True)
    assert lab.problem is None and list(lab.runs) == ["cooperation+punishment"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"people": "5"}, "Number of people must be a whole number from 10 to 2000 (got 5)"),
        ({"people": "lots"}, "Number of people must be a whole number from 10 to 2000 "
                             "(got 'lots')"),
        ({"people": "60", "team_size": "0"}, "Team size must be a whole number from 1 to 60"),
        ({"seed": "-1"}, "Seed must be a whole number"),
        ({"rounds": "0"}, "Rounds must be a whole number from 1 to 1000"),
        ({"people": "60", "organisation": "small world", "ties": 4, "team_size": "10",
          "mpcr": 1.5}, "--mpcr must be a number > 0 and <= 1 (got 1.5)"),
    ],
)
def test_values_out_of_range_give_a_message_not_an_exception(values, expected):
    lab = PolicyLab(**values)
    assert lab.problem is not None and expected in lab.problem
    assert "\n" not in lab.problem and not lab.running
    lab.step()  # a no-op, never a crash
    assert lab.frame().empty


def test_controls_come_from_the_registries_and_explain_themselves():
    items = controls()
    names = [c.name for c in items]
    assert {"organisation", "people", "team_size", "bridging", "mpcr", "seed"} <= set(names)
    for c in items:
        assert c.explanation and "\n" not in c.explanation and c.label
    policies = policy_registry()
    if policies:
        spec = next(c for c in items if c.name == "policy").spec
        assert set(spec["values"]) == set(policies) - {"punishment"}


def test_colour_by_role_and_campaign_team_ringed():
    lab = PolicyLab(**SMALL, colour_by="role", campaign_size="4", campaign_placement="brokers")
    assert lab.problem is None
    policy = next(iter(lab.runs))
    roles = lab.roles()
    assert len(roles) == 60 and set(roles) <= set(ROLE_COLOURS)
    assert list(lab.colours(policy)) == [ROLE_COLOURS[r] for r in roles]
    members = lab.campaign_members(policy)
    assert len(members) == 4
    svg = network_svg(lab.layout, lab.colours(policy), highlighted=members)
    assert svg.count('stroke="#000"') == 4


def test_network_svg_draws_one_circle_per_person():
    lab = PolicyLab(**SMALL)
    layout = network_layout(lab.main.engine.graph, 1)
    assert layout is network_layout(lab.main.engine.graph, 1)  # computed once, reused
    svg = network_svg(layout, lab.colours(next(iter(lab.runs))))
    assert svg.count("<circle") == 60 and 'data-nodes="60"' in svg


def test_downloads_are_csv_and_png():
    lab = PolicyLab(**SMALL)
    for _ in range(2):
        lab.step()
    lines = [line for line in lab.csv().splitlines() if not line.startswith("#")]
    assert lines[0].startswith("policy,round,mean_contribution") and len(lines) == 3
    png = b"\x89PNG\r\n\x1a\n"
    assert to_png(charts_figure(lab.series(), 20.0)).startswith(png)
    network = network_figure(lab.layout, {p: lab.colours(p) for p in lab.runs})
    assert to_png(network).startswith(png)
    svg = charts_svg(lab.series(), 20.0)
    assert svg.count("<polyline") == 2 and "press Step" not in svg
    assert "press Step" in charts_svg(PolicyLab(**SMALL).series(), 20.0)


def test_app_imports_and_renders():
    import solara

    from models.public_goods import app

    assert set(app.model_params()) == set(default_settings())
    box, rc = solara.render(app.Page(), handle_error=False)  # the whole page, no error
    rc.close()

    lab = PolicyLab(**SMALL)
    lab.step()

    @solara.component
    def Views():
        with solara.Column():
            app.network_view(lab)
            app.charts_view(lab)

    box, rc = solara.render(Views(), handle_error=False)
    (network,) = _with_class(rc, "cascade-network")
    assert network.unsafe_innerHTML.count("<circle") == 60
    assert network.attributes["data-round"] == "1"
    (chart,) = _with_class(rc, "cascade-chart")
    assert chart.unsafe_innerHTML.count("<polyline") == 2  # two charts, one policy
    rc.close()

    bad = PolicyLab(people="5")

    @solara.component
    def BadView():
        app.network_view(bad)

    box, rc = solara.render(BadView(), handle_error=False)
    assert len(_with_class(rc, "cascade-problem")) == 1
    assert not _with_class(rc, "cascade-network")
    rc.close()


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


# ---------------------------------------------------------------- the browser
def step(page, to_round: int, count: int = 1) -> None:
    page.get_by_role("button", name="Step").click()
    page.wait_for_function(
        "([r, c]) => { const n = document.querySelectorAll('.cascade-network');"
        " return n.length === c && [...n].every(e => e.dataset.round === String(r)); }",
        arg=[to_round, count], timeout=20_000,
    )


def choose(page, label: str, option: str) -> None:
    """Pick ``option`` in the select labelled ``label`` (a Vuetify v-select)."""
    page.locator(".v-select", has=page.locator("label", has_text=label)).first.click()
    menu = page.locator(".menuable__content__active .v-list-item")
    menu.filter(has_text=re.compile(rf"^\s*{re.escape(option)}\s*$")).first.click()


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="Debian's chromium is not installed (.ci/run installs it)")
def test_browser_steps_compares_and_reports_bad_input(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    port = free_port()
    server = start_server(port)
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(**chromium_options())
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
            page.wait_for_selector(".cascade-network svg circle", timeout=60_000)
            people = int(default_settings()["people"])
            circles = page.locator(".cascade-network svg circle")
            assert circles.count() == people  # the network shows n nodes

            def fills():
                return circles.evaluate_all("cs => cs.map(c => c.getAttribute('fill'))")

            def chart():
                return page.locator(".cascade-chart svg").inner_html()

            before_fills, before_chart = fills(), chart()
            for r in (1, 2, 3):
                step(page, r)
            after_fills = fills()
            assert after_fills != before_fills  # people changed colour
            assert chart() != before_chart  # the chart moved on
            assert "Round 3" in page.locator(".cascade-network-view").inner_text()

            # side by side: a second policy on the same network and seed
            if len(policy_registry()) >= 2:
                other = next(n for n in policy_registry() if n not in ("baseline", "punishment"))
                choose(page, "Compare with policy", other)
                page.get_by_role("button", name="Reset").click()
                page.wait_for_function(
                    "document.querySelectorAll('.cascade-network').length === 2",
                    timeout=20_000,
                )
                step(page, 1, count=2)
                step(page, 2, count=2)
                nets = page.locator(".cascade-network")
                assert [nets.nth(i).get_attribute("data-policy") for i in range(2)] == [
                    "baseline", other]
                for i in range(2):
                    assert nets.nth(i).locator("svg circle").count() == people
                assert page.locator(".cascade-chart svg polyline").count() == 4  # 2 per chart
                charts_text = page.locator(".cascade-charts-view").inner_text()
                assert "only the policy differs" in charts_text
            page.screenshot(path=str(tmp_path / "side-by-side.png"), full_page=True)

            # a value typed out of range: a visible message, the page still works
            field = page.get_by_label("Number of people")
            field.fill("5")
            field.press("Enter")
            page.get_by_role("button", name="Reset").click()
            problem = page.locator(".cascade-problem")
            problem.wait_for(timeout=20_000)
            assert "Number of people must be a whole number from 10 to 2000" in problem.inner_text()
            assert page.locator(".cascade-network").count() == 0
            field.fill("80")
            field.press("Enter")
            page.get_by_role("button", name="Reset").click()
            page.wait_for_function(
                "document.querySelectorAll('.cascade-network svg circle').length >= 80",
                timeout=20_000,
            )
            page.screenshot(path=str(tmp_path / "app.png"), full_page=True)
            assert (tmp_path / "app.png").stat().st_size > 10_000
            browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
