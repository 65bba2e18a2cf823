"""Atomic file writes, and the cleanup of the temporary files that killed writers leave.

``write_atomically(path, write)`` writes to ``.<name>.<host>-<pid>.<random>.tmp`` in the
target's folder, fsyncs it, renames it over ``<name>`` and fsyncs the folder, so a crash
at any point leaves either the old file or the new one, never a mix. A failed write
removes its temporary file; a writer killed mid-write (kill -9, power loss) cannot, so
each write first removes the stale temporary files of the same target: only names
matching this pattern for this target (also the older ``.<name>.<random>.tmp``), and of
those only the ones whose writer process (by the host and pid in the name) no longer
runs on this machine, or that nobody has modified for ``STALE_SECONDS`` (10 minutes:
covers reused pids and writers on other machines sharing the folder). A live writer's
file is never removed: it is modified as it is written and its pid runs.
"""
from __future__ import annotations

import os
import re
import tempfile
import time
import zlib
from pathlib import Path
from typing import BinaryIO, Callable

STALE_SECONDS = 600  # a temporary file untouched this long is an orphan, whoever wrote it


def _host() -> str:
    """This machine, as 8 hex digits in temporary file names."""
    import socket  # here, not at import: ``import autograd_core`` stays light

    return f"{zlib.crc32(socket.gethostname().encode()):08x}"


def write_atomically(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """Replace ``path`` by what ``write(handle)`` writes, atomically (rules above)."""
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temporary_files(path)
    handle = tempfile.NamedTemporaryFile(
        dir=folder, prefix=f".{path.name}.{_host()}-{os.getpid()}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, _file_mode(path))  # temporary files are private (0600); keep the usual mode
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def remove_stale_temporary_files(path: Path) -> list[Path]:
    """Remove the orphaned temporary files of writes to ``path`` (rules above); return them."""
    pattern = re.compile(rf"\.{re.escape(path.name)}\.(?:([0-9a-f]{{8}})-(\d+)\.)?[a-z0-9_]+\.tmp")
    removed, host = [], _host()
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        try:
            if not entry.is_file(follow_symlinks=False):
                continue
            idle = time.time() - entry.stat(follow_symlinks=False).st_mtime
            writer_gone = match.group(1) == host and not _process_runs(int(match.group(2)))
            if writer_gone or idle > STALE_SECONDS:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:  # removed meanwhile, or not ours to remove: leave it
            continue
    return removed


def _process_runs(pid: int) -> bool:
    if os.name == "nt":  # there os.kill(pid, 0) would stop the process: leave such files to the age rule
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # it exists (another user's), or the question cannot be asked: keep its file
    return True


def _file_mode(path: Path) -> int:
    """The mode ``path`` has, or a new file's mode under the current umask."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
