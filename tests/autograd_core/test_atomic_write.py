"""atomic_write.py: the rules for removing the temporary files of killed writers, one by one."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from autograd_core.atomic_write import STALE_SECONDS, _host, remove_stale_temporary_files, write_atomically


@pytest.fixture
def dead_pid() -> int:
    """The pid of a process that has exited (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def touch(path, age_seconds: float = 0.0):
    path.write_bytes(b"partial")
    stamp = time.time() - age_seconds
    os.utime(path, (stamp, stamp))
    return path


def test_only_stale_temporary_files_of_the_same_target_are_removed(tmp_path, dead_pid):
    host, alive = _host(), os.getpid()
    target = tmp_path / "model.pt"
    files = {
        "dead writer": touch(tmp_path / f".model.pt.{host}-{dead_pid}.abc123_x.tmp"),
        "live writer, recent": touch(tmp_path / f".model.pt.{host}-{alive}.def456.tmp"),
        "live writer, idle": touch(tmp_path / f".model.pt.{host}-{alive}.ghi789.tmp", STALE_SECONDS + 60),
        "other host, recent": touch(tmp_path / f".model.pt.0badc0de-{dead_pid}.jkl012.tmp"),
        "other host, idle": touch(tmp_path / f".model.pt.0badc0de-{dead_pid}.mno345.tmp", STALE_SECONDS + 60),
        "old naming, recent": touch(tmp_path / ".model.pt.pqr678st.tmp"),
        "old naming, idle": touch(tmp_path / ".model.pt.uvw901xy.tmp", STALE_SECONDS + 60),
        "another target": touch(tmp_path / f".model.pt.bak.{host}-{dead_pid}.zzz.tmp", STALE_SECONDS + 60),
        "not our pattern": touch(tmp_path / ".model.pt.notes.txt", STALE_SECONDS + 60),
        "the target itself": touch(target, STALE_SECONDS + 60),
    }
    removed = remove_stale_temporary_files(target)
    expected = {"dead writer", "live writer, idle", "other host, idle", "old naming, idle"}
    assert sorted(removed) == sorted(files[name] for name in expected)
    assert {name for name, path in files.items() if path.exists()} == set(files) - expected


def test_a_folder_named_like_a_temporary_file_is_left_alone(tmp_path, dead_pid):
    folder = tmp_path / f".m.pt.{_host()}-{dead_pid}.abc.tmp"
    folder.mkdir()
    assert remove_stale_temporary_files(tmp_path / "m.pt") == [] and folder.is_dir()


def test_a_write_removes_orphans_first_and_leaves_no_temporary_file(tmp_path, dead_pid):
    orphan = touch(tmp_path / f".m.pt.{_host()}-{dead_pid}.abc.tmp")
    write_atomically(tmp_path / "m.pt", lambda handle: handle.write(b"new"))
    assert not orphan.exists() and [item.name for item in tmp_path.iterdir()] == ["m.pt"]
    assert (tmp_path / "m.pt").read_bytes() == b"new"


def test_a_failed_write_keeps_the_old_file_and_removes_its_own_temporary_file(tmp_path):
    (tmp_path / "m.pt").write_bytes(b"old")

    def fail(handle):
        handle.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_atomically(tmp_path / "m.pt", fail)
    assert [item.name for item in tmp_path.iterdir()] == ["m.pt"] and (tmp_path / "m.pt").read_bytes() == b"old"
