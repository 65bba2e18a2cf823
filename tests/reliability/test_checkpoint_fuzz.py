"""Damaged checkpoint and ``autograd_core.save`` files: whatever the damage, loading either
gives back a usable state or raises ``CheckpointError`` naming the file -- never another
exception, never a state that fails later inside a training step. And a save killed with
SIGKILL mid-write leaves the previous file intact and a temporary file that the next save
removes.

The fuzz is seeded (the same few hundred cases every run): truncations, byte flips
anywhere in the file, flips in the zip headers, and malformed metadata (JSON subtrees
replaced by junk, deep nesting, huge numbers, wrong markers).
"""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.serialization import CheckpointError

SEED = 14
JUNK = [
    [], {}, "x", "", 1.5, -1, 0, None, True, 10**400, float("nan"), [[[]]], [1, "a"],
    {"__array__": 3}, {"__array__": "model/0.weight"}, {"__tensor__": "nowhere"},
    {"__tensor__": "model/0.weight", "requires_grad": "yes"},
    {"__dict__": [[1]]}, {"__dict__": "x"}, {"__dict__": [[None, 1]]}, {"__tuple__": "x"}, {"__tuple__": [1, 2]},
    {"__what__": 1}, {"__array__": "a", "__tuple__": []}, {"lr": "0.1"},
]


def make_model() -> nn.Module:
    ag.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


def train_step(model, optimizer) -> None:
    optimizer.zero_grad()
    F.cross_entropy(model(ag.randn(5, 3)), ag.tensor([0, 1, 1, 0, 1])).backward()
    optimizer.step()


def owners():
    model = make_model()
    optimizer = nn.optim.Adam(model.parameters(), lr=1e-2)
    return model, optimizer, nn.optim.lr_scheduler.StepLR(optimizer, step_size=3)


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("originals")
    model, optimizer, scheduler = owners()
    train_step(model, optimizer)
    scheduler.step()
    checkpoint = nn.save_checkpoint(folder / "c.npz", model, optimizer, scheduler, epoch=1,
                                    extra={"history": [0.5, 0.25], "best": (1, "x")})
    ag.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "tags": ["a", None]}, folder / "s.pt")
    return {"checkpoint": checkpoint.read_bytes(), "saved": (folder / "s.pt").read_bytes()}


def members(data: bytes, folder: Path) -> dict[str, bytes]:
    (folder / "source.zip").write_bytes(data)
    with zipfile.ZipFile(folder / "source.zip") as archive:
        return {item.filename: archive.read(item) for item in archive.infolist()}


def zipped(entries: list[tuple[str, bytes]], path: Path) -> bytes:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return path.read_bytes()


def mutate_metadata(meta, rng: np.random.Generator):
    """``meta`` with one randomly chosen node replaced by junk (or nested very deep)."""
    nodes = [(None, None)]
    stack = [meta]
    while stack:
        node = stack.pop()
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in children:
            nodes.append((node, key))
            stack.append(child)
    parent, key = nodes[int(rng.integers(len(nodes)))]
    choice = int(rng.integers(len(JUNK) + 1))
    replacement = JUNK[choice] if choice < len(JUNK) else json.loads("[" * 300 + "]" * 300)
    if parent is None:
        return replacement
    parent[key] = replacement
    return meta


def cases(originals: dict[str, bytes], folder: Path):
    """(description, file bytes) for every damaged file, the same every run."""
    rng = np.random.default_rng(SEED)
    for kind, data in originals.items():
        for _ in range(40):
            cut = int(rng.integers(0, len(data)))
            yield f"{kind} truncated to {cut} bytes", data[:cut]
        for _ in range(60):
            damaged = bytearray(data)
            for position in rng.integers(0, len(data), int(rng.integers(1, 4))):
                damaged[position] ^= 1 << int(rng.integers(8))
            yield f"{kind} with bits flipped", bytes(damaged)
        headers = [position for position in range(len(data) - 4) if data[position:position + 2] == b"PK"]
        for _ in range(20):
            damaged = bytearray(data)
            position = int(rng.choice(headers)) + int(rng.integers(4, 12))  # version, flags, method, time
            damaged[position] ^= 1 << int(rng.integers(8))
            yield f"{kind} with a zip header field flipped at {position}", bytes(damaged)
        entries = members(data, folder)
        meta_text = entries["__checkpoint__.npy"]
        for number in range(40):
            meta = json.loads(np.lib.format.read_array(io.BytesIO(meta_text)).tobytes())
            meta = mutate_metadata(meta, rng)
            changed = {**entries, "__checkpoint__.npy": npy(np.frombuffer(json.dumps(meta).encode(), np.uint8))}
            yield f"{kind} metadata mutation {number}", zipped(list(changed.items()), folder / "m.zip")
        items, first = list(entries.items()), list(entries.values())[0]
        arrays_only = [(name, data) for name, data in items if name != "__checkpoint__.npy"]
        rebuilt = {
            "a duplicate member": [*items, (items[1][0], first)],
            "a member missing": items[1:],
            "a member more": [*items, ("extra.npy", first)],
            "a member that is not .npy": [*items, ("notes.txt", b"hi")],
            "metadata that is a JSON list": [*arrays_only, ("__checkpoint__.npy", npy(np.frombuffer(b"[]", np.uint8)))],
            "metadata of another dtype": [*arrays_only, ("__checkpoint__.npy", npy(np.zeros(3, np.float32)))],
        }
        for what, members_list in rebuilt.items():
            yield f"{kind} with {what}", zipped(members_list, folder / "rebuilt.zip")
    yield "empty file", b""
    yield "an empty zip", zipped([], folder / "e.zip")


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_every_damaged_file_loads_usably_or_raises_checkpoint_error_naming_it(originals, tmp_path):
    count, refused, failures = 0, 0, []
    for description, data in cases(originals, tmp_path):
        count += 1
        path = tmp_path / "damaged.npz"
        path.write_bytes(data)
        for loader in ("load_checkpoint", "load"):
            try:
                if loader == "load":
                    ag.load(path)
                else:
                    model, optimizer, scheduler = owners()
                    nn.load_checkpoint(path, model, optimizer, scheduler)
                    train_step(model, optimizer)  # what was loaded must train
                    scheduler.step()
            except CheckpointError as error:
                refused += 1
                if "damaged.npz" not in str(error):
                    failures.append(f"{description} ({loader}): the message does not name the file: {error}")
            except Exception as error:  # noqa: BLE001  (what the test looks for)
                failures.append(f"{description} ({loader}): {type(error).__name__}: {error}")
    assert not failures, f"{len(failures)} of {count} damaged files:\n" + "\n".join(failures[:20])
    assert count > 300 and refused > count  # most damage is detected (two loaders per file)


WRITER = textwrap.dedent("""
    import sys
    import numpy as np
    import autograd_core as ag
    path = sys.argv[1]
    for version in range(1, 1000):
        ag.save({"version": version, "values": np.full(4_000_000, float(version))}, path)
""")


def test_a_save_killed_mid_write_keeps_the_old_file_and_the_next_save_cleans_up(tmp_path):
    path = tmp_path / "big.pt"
    ag.save({"version": 0, "values": np.zeros(4_000_000)}, path)
    environment = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    for _ in range(5):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], env=environment)
        deadline = time.monotonic() + 60
        try:
            while not list(tmp_path.glob(".big.pt.*.tmp")) and time.monotonic() < deadline:
                time.sleep(0.001)
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait()
        left = list(tmp_path.glob(".big.pt.*.tmp"))
        if left:
            break
    assert left, "the writer was never caught mid-write"
    content = ag.load(path)  # the last complete version, whole
    assert (content["values"] == float(content["version"])).all()
    ag.save({"version": -1, "values": np.ones(3)}, path)
    assert sorted(item.name for item in tmp_path.iterdir()) == ["big.pt"]
    assert ag.load(path)["version"] == -1
