"""Writing results into ``--out DIR``: all files or none (``cascade run``, every experiment).

Files are written into a temporary directory beside ``DIR`` (same parent, so same file system)
and moved into place only when every one of them was written. If ``DIR`` did not exist the
temporary directory is renamed to ``DIR`` in one step; otherwise each file replaces its namesake
in ``DIR`` (``os.replace``, atomic per file). On any failure the temporary directory, and any
parent directories created for it, are removed again.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path
from typing import Any

from experiments.errors import OutputError, UsageError


def check_out_dir(out: Path) -> None:
    """Fail early (before running) if ``out`` cannot be created or written.

    Raises:
        UsageError: ``out`` is a file, or its nearest existing ancestor is not a writable
            directory.
    """
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out '{out}' exists and is not a directory")
    existing = out.absolute()
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UsageError(f"--out '{out}': '{existing}' is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"--out '{out}': no permission to write in '{existing}'")


class OutputDir:
    """Context manager: yields a staging directory; publishes it into ``target`` on success.

    Raises:
        OutputError: a file system error while staging or publishing (the message is one line).
    """

    def __init__(self, target: Path):
        self.target = Path(target)
        self.staging: Path | None = None
        self._created: list[Path] = []  # parent directories made for the staging directory

    def __enter__(self) -> Path:
        parent = self.target.absolute().parent
        missing = []
        while not parent.exists():
            missing.append(parent)
            parent = parent.parent
        try:
            for directory in reversed(missing):
                directory.mkdir()
                self._created.append(directory)
            staging = self.target.absolute().parent / (
                f".{self.target.name}.partial-{os.getpid()}-{secrets.token_hex(4)}"
            )
            staging.mkdir()  # mode 0o777 minus umask, like the directory it will become
        except OSError as err:
            self._remove_created()
            raise OutputError(f"could not write --out '{self.target}': {err}") from None
        self.staging = staging
        return staging

    def __exit__(self, exc_type, exc, tb) -> bool:
        assert self.staging is not None
        if exc_type is None:
            try:
                self._publish()
            except OSError as err:
                self._discard()
                raise OutputError(f"could not write --out '{self.target}': {err}") from None
            return False
        self._discard()
        if isinstance(exc, OSError):
            raise OutputError(f"could not write --out '{self.target}': {exc}") from None
        return False  # re-raise anything else unchanged

    def _publish(self) -> None:
        assert self.staging is not None
        if not self.target.exists():
            try:
                os.rename(self.staging, self.target)
                return
            except OSError:
                if not self.target.is_dir():  # e.g. someone created a file there meanwhile
                    raise
        for path in sorted(self.staging.iterdir()):
            os.replace(path, self.target / path.name)
        self.staging.rmdir()

    def _discard(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
        self._remove_created()

    def _remove_created(self) -> None:
        for directory in reversed(self._created):
            try:
                directory.rmdir()
            except OSError:
                break
        self._created.clear()


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, allow_nan=False) + "\n", encoding="utf-8")
