"""The teaching notebooks (notebooks/*.ipynb): in sync with their sources, saved without
outputs, and every one runs from a clean copy without an error.

Running them is marked ``notebooks`` (deselect with ``-m "not notebooks"``); each is executed
with nbclient in a temporary directory, by a kernel running this test's own Python (the
project's ``.venv``), whatever kernels the machine has installed.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
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


def execute_notebook(notebook: Path, workdir: Path) -> tuple[nbformat.NotebookNode, float]:
    """Run a clean copy of ``notebook`` in ``workdir``; return it with outputs and the seconds."""
    from nbclient import NotebookClient

    copy = workdir / notebook.name
    shutil.copyfile(notebook, copy)
    nb = nbformat.read(copy, as_version=4)
    km = venv_kernel_manager(workdir / "kernels")
    client = NotebookClient(nb, km=km, timeout=CELL_TIMEOUT,
                            resources={"metadata": {"path": str(workdir)}})
    start = time.perf_counter()
    client.execute()
    return nb, time.perf_counter() - start


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
    """Learning goals first, exercises with hidden answers, and code that imports the package."""
    nb = nbformat.read(notebook, as_version=4)
    first = nb.cells[0]
    assert first.cell_type == "markdown" and "Learning goals" in first.source
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "## Exercises" in markdown
    answers = markdown.count("<details><summary>Answer</summary>")
    assert 2 <= answers <= 4, f"{notebook.name}: {answers} exercises with answers"
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "from sim" in code or "from models" in code
    hidden = [c for c in nb.cells if "answer" in c.metadata.get("tags", [])]
    assert all(c.metadata["jupyter"]["source_hidden"] for c in hidden)


def test_build_parses_cells_and_rejects_stray_code():
    cells = build.parse_cells("# %% [markdown]\n# # Title\n#\n# text\n\n# %%\nx = 1\n"
                              "# %% [answer]\nprint(x)\n")
    assert cells == [("markdown", "# Title\n\ntext"), ("code", "x = 1"), ("answer", "print(x)")]
    with pytest.raises(ValueError, match="before the first cell"):
        build.parse_cells("x = 1\n# %%\ny = 2\n")
    with pytest.raises(ValueError, match="must start with"):
        build.parse_cells("# %% [markdown]\nnot a comment\n")


@pytest.mark.notebooks
@pytest.mark.parametrize("source,notebook", PAIRS, ids=[n.stem for _, n in PAIRS])
def test_notebook_runs_from_a_clean_copy(source, notebook, tmp_path, kernel_env):
    nb, seconds = execute_notebook(notebook, tmp_path)
    print(f"{notebook.name}: {seconds:.1f} s")
    errors = [out for cell in nb.cells if cell.cell_type == "code"
              for out in cell.outputs if out.output_type == "error"]
    assert not errors
    figures = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
               if "image/png" in out.get("data", {})]
    assert figures, f"{notebook.name} drew no figure"
    # the original is untouched: outputs go to the copy only
    assert nbformat.read(notebook, as_version=4).cells[-1].get("outputs", []) == []
