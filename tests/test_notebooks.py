"""The teaching notebooks (notebooks/*.ipynb): in sync with their sources, saved without
outputs, every one runs from a clean copy without an error, and what their prose claims holds
for the numbers they print.

Running them is marked ``notebooks`` (deselect with ``-m "not notebooks"``); each is executed
with nbclient in a temporary directory, by a kernel running this test's own Python (the
project's ``.venv``), whatever kernels the machine has installed. After the notebook's own
cells, the test runs a few *probe* cells in the same kernel: each evaluates one expression of
the notebook (a variable it printed, or an exercise's ``answer_N()``, which prints its numbers
and returns them) and hands the value back as JSON. The claims below check the notebook's prose
against those values, so no test quotes a number from a development run, and a change of the
model that makes a sentence of a notebook false fails here.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def _load_builder():
    """notebooks/build.py (it writes the notebooks from notebooks/src/), under its own name."""
    spec = importlib.util.spec_from_file_location("notebooks_build", NOTEBOOKS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build = _load_builder()

#: seconds one cell may take before the run counts as hung (not a speed target)
CELL_TIMEOUT = 600
KERNEL_NAME = "cascades-test"
PROBE = "@@probe "

PAIRS = build.targets()


def venv_kernel_manager(directory: Path):
    """A kernel manager whose only kernel runs ``sys.executable -m ipykernel_launcher``."""
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    spec_dir = directory / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "cascades test kernel", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    specs = KernelSpecManager(kernel_dirs=[str(directory)], ensure_native_kernel=False)
    return KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=specs)


def probe_cell(name: str, expression: str) -> nbformat.NotebookNode:
    """A cell that evaluates ``expression`` and prints it as one JSON line."""
    code = (
        "import json as _json\n"
        "import numpy as _np\n"
        "def _plain(x):\n"
        "    if isinstance(x, dict):\n"
        "        return {str(k): _plain(v) for k, v in x.items()}\n"
        "    if isinstance(x, (list, tuple)):\n"
        "        return [_plain(v) for v in x]\n"
        "    if isinstance(x, _np.ndarray):\n"
        "        return _plain(x.tolist())\n"
        "    if isinstance(x, _np.generic):\n"
        "        return x.item()\n"
        "    return x\n"
        f"print({PROBE!r} + _json.dumps({{'name': {name!r}, 'value': _plain({expression})}}))\n"
    )
    return nbformat.v4.new_code_cell(code)


def execute_notebook(notebook: Path, workdir: Path,
                     probes: dict[str, str] | None = None
                     ) -> tuple[nbformat.NotebookNode, float, dict]:
    """Run a clean copy of ``notebook`` in ``workdir``, then the probes; return the notebook
    with outputs (probe cells removed), the seconds its own cells took, and the probes'
    values by name."""
    from nbclient import NotebookClient

    copy = workdir / notebook.name
    shutil.copyfile(notebook, copy)
    nb = nbformat.read(copy, as_version=4)
    own = len(nb.cells)
    nb.cells.extend(probe_cell(name, expr) for name, expr in (probes or {}).items())
    km = venv_kernel_manager(workdir / "kernels")
    client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT,
                            resources={"metadata": {"path": str(workdir)}})
    seconds = {}
    with client.setup_kernel():
        start = time.perf_counter()
        for index, cell in enumerate(nb.cells):
            if index == own:
                seconds["own"] = time.perf_counter() - start
            client.execute_cell(cell, index)
    seconds.setdefault("own", time.perf_counter() - start)
    values = {}
    for cell in nb.cells[own:]:
        for out in cell.outputs:
            for line in out.get("text", "").splitlines():
                if line.startswith(PROBE):
                    found = json.loads(line[len(PROBE):])
                    values[found["name"]] = found["value"]
    nb.cells = nb.cells[:own]
    return nb, seconds["own"], values


@pytest.fixture
def kernel_env(monkeypatch):
    """The kernel imports the package from this checkout and draws figures off-screen."""
    path = os.environ.get("PYTHONPATH")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + (os.pathsep + path if path else ""))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")


def test_every_notebook_has_a_source():
    built = {notebook.name for _, notebook in PAIRS}
    saved = {path.name for path in NOTEBOOKS.glob("*.ipynb")}
    assert built and saved == built, f"without a source in notebooks/src/: {saved - built}"


@pytest.mark.parametrize("source,notebook", PAIRS, ids=[n.stem for _, n in PAIRS])
def test_notebook_is_built_from_its_source_without_outputs(source, notebook):
    assert notebook.exists(), f"{notebook.name} missing: run notebooks/build.py"
    assert notebook.read_text(encoding="utf-8") == build.render(source), (
        f"{notebook.name} differs from notebooks/src/{source.name}: run notebooks/build.py")
    nb = nbformat.read(notebook, as_version=4)
    nbformat.validate(nb)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


@pytest.mark.parametrize("source,notebook", PAIRS, ids=[n.stem for _, n in PAIRS])
def test_notebook_teaches(source, notebook):
    """Learning goals and what a student needs first; exercises whose answers are functions
    the student calls; a set-up cell that says how to get the package; code that imports it."""
    nb = nbformat.read(notebook, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "Learning goals" in first.source
    assert "What you need" in first.source
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "## Exercises" in markdown
    answers = markdown.count("<details><summary>Answer</summary>")
    assert 2 <= answers <= 4, f"{notebook.name}: {answers} exercises with answers"
    for k in range(1, answers + 1):
        assert f"answer_{k}()" in markdown  # each answer says which function shows it
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "from sim" in code or "from models" in code
    assert "notebooks/README.md" in nb.cells[1].source  # the set-up cell
    hidden = [c for c in nb.cells if "answer" in c.metadata.get("tags", [])]
    assert hidden and all(c.metadata["jupyter"]["source_hidden"] for c in hidden)
    defined = {m for c in hidden for m in re.findall(r"^def (answer_\d+)\(", c.source, re.M)}
    assert defined == {f"answer_{k}" for k in range(1, answers + 1)}


def test_build_parses_cells_and_rejects_stray_code():
    cells = build.parse_cells("# %% [markdown]\n# # Title\n#\n# text\n\n# %%\nx = 1\n"
                              "# %% [answer]\ndef answer_1():\n    print(x)\n")
    assert cells == [("markdown", "# Title\n\ntext"), ("code", "x = 1"),
                     ("answer", "def answer_1():\n    print(x)")]
    with pytest.raises(ValueError, match="before the first cell"):
        build.parse_cells("x = 1\n# %%\ny = 2\n")
    with pytest.raises(ValueError, match="must start with"):
        build.parse_cells("# %% [markdown]\nnot a comment\n")
    with pytest.raises(ValueError, match="may only define"):  # an answer that prints on Run all
        build.parse_cells("# %% [answer]\ndef answer_1():\n    pass\nprint(1)\n")
    with pytest.raises(ValueError, match="answer_<number>"):
        build.parse_cells("# %% [answer]\ndef helper():\n    pass\n")


# ------------------------------------------------------------------ claims of the prose
def _answers(count: int) -> dict[str, str]:
    return {f"answer_{k}": f"answer_{k}()" for k in range(1, count + 1)}


def claims_01(v: dict) -> None:
    first, last = v["first_last"]
    assert last < first  # "giving ends far below where it started"
    overall = v["by_type"]
    assert min(overall, key=overall.get) == "free-rider" and overall["free-rider"] > 0
    rows = v["answer_1"]

    def final(rule, m):
        return rows[f"{rule}, MPCR {m}"]["final contribution"]

    assert final("conditional", 0.25) == final("conditional", 0.9)  # exactly the same
    for rule in ("human", "fermi"):  # the rules that learn from earnings give more
        assert final(rule, 0.9) > final(rule, 0.25), rule
    assert abs(v["answer_2"]["by hand"] - v["answer_2"]["engine"]) < 1e-6
    for group in v["answer_3"].values():  # who gave least earned most, in every group
        assert group["gave least"] == group["earned most"]


def claims_02(v: dict) -> None:
    final = v["final"]
    assert final["with_punishment"] > final["without_punishment"]  # sustained with punishment
    for row in v["table"]:
        if row["degree"] == 1:
            assert row["ci_low"] > 0, row  # one degree: the interval lies above zero
    assert v["unreached"] == 0  # nobody the cascade has not reached changes
    a1 = v["answer_1"]
    assert {"without_punishment", "with_punishment", "causal"} <= set(a1)
    a2 = v["answer_2"]
    assert a2["12"] == 0  # a gift in the last period changes nothing
    assert a2["1"] > a2["10"]  # an earlier gift does more
    a3 = v["answer_3"]
    without, with_ = a3["without punishment"], a3["with punishment"]
    assert max(without, key=without.get) == "conditional-cooperator"
    assert without["conditional-cooperator"] > without["free-rider"]
    assert with_["free-rider"] > without["free-rider"]  # free riders respond under punishment


def _check_verdicts(lines: list[str], results: list[dict]) -> None:
    """Each plain-reading line says what its own numbers say."""
    pattern = re.compile(r"^(\S+), (\S+): cooperation leads to (more|less) (.+?) than "
                         r"competition \(([-\d.]+) against ([-\d.]+) .*\); the intervals "
                         r"(do not overlap|overlap)")
    metrics = {"giving": "final_mean_contribution", "welfare": "welfare",
               "inequality of earnings": "gini"}
    for line in lines:
        match = pattern.match(line)
        assert match, line
        population, network, word, plain, coop, comp, overlap = match.groups()
        metric = metrics[plain]
        cell = {r["policy"]: r for r in results if r["population"] == population
                and r["network"] == network and r["metric"] == metric}
        a, b = cell["cooperation"], cell["competition"]
        assert (word == "more") == (a["estimate"] > b["estimate"])
        assert abs(float(coop) - a["estimate"]) < 0.006 and abs(float(comp) - b["estimate"]) < 0.006
        separate = a["low"] > b["high"] or b["low"] > a["high"]
        assert (overlap == "do not overlap") == separate


def claims_03(v: dict) -> None:
    _check_verdicts(v["verdicts"], v["results"])
    _check_verdicts(v["answer_1"], v["results"])
    for population, by_policy in v["answer_2"]["money"].items():
        assert all(value < 0 for value in by_policy.values()), population  # fines cost
    ranked = v["answer_3"]
    assert ranked["contribution"]["estimate"] > ranked["payoff"]["estimate"]


def claims_04(v: dict) -> None:
    reach = {(r["seeding"], r["contagion"], r["bridging"], r["weaving"]): r
             for r in v["reach"]}
    for r in reach.values():
        assert 0 <= r["low"] <= r["estimate"] <= r["high"] <= 1  # intervals inside [0, 1]
    seedings = {key[0] for key in reach}

    def at(seeding, contagion, bridging, weaving=0.0):
        return reach[(seeding, contagion, bridging, weaving)]["estimate"]

    narrow_complex = max(at(s, "complex", 0.05) for s in seedings)
    assert narrow_complex < at("brokers", "complex", 0.3)  # wider bridges let it cross
    assert at("brokers", "complex", 0.3) > at("one-team", "complex", 0.3)
    mean = sum(at(s, "simple", 0.05) for s in seedings) / len(seedings)
    assert mean > sum(at(s, "complex", 0.05) for s in seedings) / len(seedings)
    gain = v["answer_2"]
    assert (sum(gain["complex"].values()) > sum(gain["simple"].values()))  # helps the stuck
    roles = v["answer_3"]
    outside = roles["outside"]
    assert outside["broker"] > max(outside["connector"], outside["other"])
    assert roles["with outside ties"] > roles["brokers among them"]  # not every one a broker
    a4 = v["answer_4"]
    for contagion in ("simple", "complex"):
        assert a4["calibrated"][contagion] < a4["stylised"][contagion]


def claims_05(v: dict) -> None:
    mine, builtin = v["mine"], v["builtin"]
    assert mine[-1] < 0.1 * mine[0]  # 90% of what they saw, round after round
    assert builtin[-1] > mine[-1]
    fair = v["answer_1"]["FairReciprocator"]
    assert abs(fair[-1] - fair[0]) < 0.25 * fair[0]  # stays close to where it started
    riders = v["answer_1"]["FairWithFreeRiders"]
    assert riders[-1] < 0.2 * riders[0]  # collapses towards 0
    assert v["answer_2"]["identical"] is True
    a3 = v["answer_3"]
    assert a3["with givers"][-1] > 5 * a3["plain"][-1]  # settles well above the decay


def claims_06(v: dict) -> None:
    a1 = v["answer_1"]
    assert a1["system off"] == 0.0  # the one-level game in the organisations
    assert a1["local off"] == pytest.approx(1.0)  # one pool for everyone
    a2 = v["answer_2"]
    assert a2["0/0.6"] > a2["0/0.1"]  # without learning, system giving rises with m_G
    # with learning, giving moves out of the system at both returns
    assert a2["4/0.1"] < a2["0/0.1"] and a2["4/0.6"] < a2["0/0.6"]
    a3 = v["answer_3"]
    # the league table spreads organisations' earnings apart at every ratio
    assert all(lt > none for lt, none in zip(a3["league-table"], a3["none"], strict=True))


#: per notebook: what to evaluate after its cells, and the claims on those values
PROBES = {
    "01_quickstart": ({"first_last": "[first, last]", "by_type": "overall.to_dict()",
                       **_answers(3)}, claims_01),
    "02_cascades": ({"final": "final", "table": "table.to_dict('records')",
                     "unreached": "cascade.unreached_total", **_answers(3)}, claims_02),
    "03_cooperation_vs_competition": (
        {"results": "results.to_dict('records')",
         "verdicts": "[verdict(p, n, 'final_mean_contribution') "
                     "for p in ('human-like', 'payoff-learning') for n in networks]",
         **_answers(3)}, claims_03),
    "04_strong_and_weak_ties": ({"reach": "reach.to_dict('records')", **_answers(4)},
                                claims_04),
    "05_your_own_agent": ({"mine": "mine.history().mean_contribution",
                           "builtin": "builtin.history().mean_contribution", **_answers(3)},
                          claims_05),
    "06_organisations": ({**_answers(3)}, claims_06),
}


@pytest.mark.notebooks
@pytest.mark.parametrize("source,notebook", PAIRS, ids=[n.stem for _, n in PAIRS])
def test_notebook_runs_and_its_prose_holds(source, notebook, tmp_path, kernel_env):
    probes, claims = PROBES[notebook.stem]
    nb, seconds, values = execute_notebook(notebook, tmp_path, probes)
    print(f"{notebook.name}: {seconds:.1f} s")
    errors = [out for cell in nb.cells if cell.cell_type == "code"
              for out in cell.outputs if out.output_type == "error"]
    assert not errors
    figures = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
               if "image/png" in out.get("data", {})]
    assert figures, f"{notebook.name} drew no figure"
    answers = [c for c in nb.cells if "answer" in c.metadata.get("tags", [])]
    assert all(c.outputs == [] for c in answers)  # Run all shows no answer
    for cell in nb.cells:  # an interactive view is shown as a widget, not as text
        if cell.cell_type == "code" and cell.source.rstrip().endswith("\npage"):
            kinds = {k for out in cell.outputs for k in out.get("data", {})}
            assert "application/vnd.jupyter.widget-view+json" in kinds, kinds
    assert set(values) == set(probes), f"probes without a value: {set(probes) - set(values)}"
    claims(values)
    # the original is untouched: outputs go to the copy only
    assert nbformat.read(notebook, as_version=4).cells[-1].get("outputs", []) == []


@pytest.mark.notebooks
@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_the_interactive_view_of_05_renders_and_steps_without_internet(tmp_path):
    """Notebook 5's Mesa view drawn by a browser: its widgets served by Solara from this
    machine; the server's calls outside it go to a trap, and the page may request nothing
    outside it."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from test_app import ConnectionTrap

    from cli.viz import chromium_options, free_port, server_environment

    trap = ConnectionTrap()
    proxy = f"http://127.0.0.1:{trap.port}"
    env = server_environment()
    env["PYTHONPATH"] = str(ROOT)
    env["MPLBACKEND"] = "agg"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[name] = proxy
    notebook = NOTEBOOKS / "05_your_own_agent.ipynb"
    shutil.copyfile(notebook, tmp_path / notebook.name)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "solara", "run", notebook.name, "--host", "127.0.0.1", "--port",
         str(port), "--production", "--no-open", "--no-check-version"],
        cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "no server"
                time.sleep(0.3)
        options = chromium_options()  # the page may fetch nothing from outside either
        options["args"] = [*options["args"], "--proxy-server=http://127.0.0.1:9"]
        outside = []
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(**options)
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            page.on("request", lambda request: outside.append(request.url)
                    if not request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
                    else None)
            page.goto(f"http://127.0.0.1:{port}/", timeout=180_000)
            view = page.locator(".reciprocator-view")
            view.wait_for(timeout=180_000)
            page.wait_for_function(
                "() => [...document.querySelectorAll('.reciprocator-view img')]"
                ".filter(i => i.naturalWidth > 100).length >= 2", timeout=60_000)
            assert "round 0 of 200" in view.inner_text()
            view.get_by_role("button", name="Step").click()
            view.get_by_text("round 1 of 200").wait_for(timeout=30_000)
            view.screenshot(path=str(tmp_path / "view.png"))
            browser.close()
        assert outside == [] and trap.count == 0  # nothing came from outside this machine
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        trap.close()
