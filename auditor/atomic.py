"""Writes that check early and leave nothing half-done.

An audit may crawl for hours; the folder it writes to is checked before the crawl starts,
and a report or a site is written to a temporary sibling and moved into place whole, so a
full disk or a lost permission leaves the previous version, never a half-written one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO, TypeVar

T = TypeVar("T")


def check_writable(folder: Path) -> str:
    """Why ``folder`` cannot take the run's output ("" when it can): created if missing,
    then a probe file written and removed."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".auditor-probe-"):
            pass
    except OSError as exc:
        return f"cannot write to {folder}: {exc.strerror or exc}"
    return ""


def write_file(path: Path, fill: Callable[[TextIO], object]) -> None:
    """Write ``path`` (UTF-8 text, by ``fill(handle)``) through a temporary sibling moved into
    place: a full disk leaves the previous file, and no temporary one."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fill(fh)
        tmp.replace(path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def replace_folder(target: Path, write: Callable[[Path], T]) -> T:
    """Run ``write(tmp)`` on a fresh temporary sibling of ``target``, then put it in place of
    ``target``; on any failure the temporary folder goes and ``target`` is untouched."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        result = write(tmp)
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            target.rename(old)
        tmp.rename(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return result
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
