"""Write the teaching notebooks (``notebooks/*.ipynb``) from their sources (``notebooks/src/*.py``).

Each source is a Python file in the "percent" format: ``# %%`` starts a code cell,
``# %% [markdown]`` a Markdown cell (its lines are comments, ``# `` is stripped), and
``# %% [answer]`` a code cell holding an exercise's answer, saved with its input collapsed
(JupyterLab and Notebook 7 show a bar the student clicks to reveal it). An answer cell only
defines things (``def answer_1(): ...``, classes, imports): running all cells prints no answer,
and the student calls ``answer_1()`` when she wants its numbers. The notebooks are written with
empty outputs and execution counts; cell ids are derived from the cell's position, so
rebuilding an unchanged source rewrites nothing.

Usage (from the repository root)::

    .venv/bin/python notebooks/build.py           # rewrite the notebooks that changed
    .venv/bin/python notebooks/build.py --check   # exit 1 if any notebook is out of date
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "src"
MARKERS = {"# %%": "code", "# %% [markdown]": "markdown", "# %% [answer]": "answer"}
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def parse_cells(text: str) -> list[tuple[str, str]]:
    """Split a percent-format source into ``(kind, source)`` pairs, in order."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        kind = MARKERS.get(line.rstrip())
        if kind is not None:
            cells.append((kind, []))
        elif cells:
            cells[-1][1].append(line)
        elif line.strip() and not line.startswith("#"):
            raise ValueError(f"code before the first cell marker: {line!r}")
    out = []
    for kind, lines in cells:
        if kind == "markdown":
            lines = [_uncomment(line) for line in lines]
        source = "\n".join(lines).strip("\n")
        if not source:
            raise ValueError(f"an empty {kind} cell")
        if kind == "answer":
            check_answer(source)
        out.append((kind, source))
    return out


#: what an answer cell may hold at its top level: definitions only, so it prints nothing
DEFINITIONS = (ast.FunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom)


def check_answer(source: str) -> None:
    """Raise ValueError unless the answer cell only defines functions, classes and imports,
    one of them a function ``answer_<number>``."""
    tree = ast.parse(source)
    for node in tree.body:
        if not isinstance(node, DEFINITIONS) and not (
                isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)):
            raise ValueError(f"an answer cell may only define functions and classes "
                             f"(line {node.lineno} runs code)")
    if not any(isinstance(n, ast.FunctionDef) and n.name.startswith("answer_")
               for n in tree.body):
        raise ValueError("an answer cell must define a function answer_<number>()")


def _uncomment(line: str) -> str:
    if line.startswith("# "):
        return line[2:]
    if line.rstrip() in ("#", ""):
        return ""
    raise ValueError(f"a Markdown line must start with '# ': {line!r}")


def build_notebook(source: Path) -> nbformat.NotebookNode:
    """The notebook of one source file, with no outputs."""
    cells = []
    try:
        parsed = parse_cells(source.read_text(encoding="utf-8"))
    except ValueError as err:
        raise ValueError(f"{source.name}: {err}") from None
    for index, (kind, text) in enumerate(parsed):
        cell_id = f"{source.stem[:40]}-{index:03d}"
        if kind == "markdown":
            cell = new_markdown_cell(text, id=cell_id)
        else:
            cell = new_code_cell(text, id=cell_id)
            if kind == "answer":
                cell.metadata["jupyter"] = {"source_hidden": True}
                cell.metadata["tags"] = ["answer"]
        cells.append(cell)
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.validate(notebook)
    return notebook


def render(source: Path) -> str:
    return nbformat.writes(build_notebook(source)) + "\n"


def targets() -> list[tuple[Path, Path]]:
    """``(source, notebook)`` pairs, in order."""
    return [(src, HERE / f"{src.stem}.ipynb") for src in sorted(SOURCES.glob("[0-9]*.py"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a notebook differs from its source")
    args = parser.parse_args(argv)
    stale = []
    for source, notebook in targets():
        text = render(source)
        if notebook.exists() and notebook.read_text(encoding="utf-8") == text:
            continue
        stale.append(notebook.name)
        if not args.check:
            tmp = notebook.with_suffix(".ipynb.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(notebook)
            print(f"wrote notebooks/{notebook.name}")
    if args.check and stale:
        print("out of date (run notebooks/build.py): " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
