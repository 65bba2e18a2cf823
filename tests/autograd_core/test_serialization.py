"""``autograd_core.save`` / ``load`` (serialization.py): what PyTorch users save round-trips
exactly, in a format that never unpickles; bad values are refused at save and bad files
at load with ``CheckpointError`` naming the file."""
from __future__ import annotations

import io
import json
import math
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core.serialization import MAX_DEPTH, CheckpointError
from tests.helpers import requires_torch, torch


def assert_same(loaded, expected) -> None:
    """Equal values and equal types, all the way down (tuples stay tuples, Tensors Tensors)."""
    if isinstance(expected, ag.Tensor):
        assert isinstance(loaded, ag.Tensor) and loaded.dtype == expected.dtype
        assert loaded.requires_grad == expected.requires_grad
        np.testing.assert_array_equal(loaded.array, expected.array)
    elif isinstance(expected, np.ndarray):
        assert isinstance(loaded, np.ndarray) and loaded.dtype == expected.dtype
        np.testing.assert_array_equal(loaded, expected)
    elif isinstance(expected, dict):
        assert isinstance(loaded, dict) and list(loaded) == list(expected)
        for key in expected:
            assert_same(loaded[key], expected[key])
    elif isinstance(expected, (list, tuple)):
        assert type(loaded) is type(expected) and len(loaded) == len(expected)
        for item, expected_item in zip(loaded, expected):
            assert_same(item, expected_item)
    elif isinstance(expected, float) and math.isnan(expected):
        assert isinstance(loaded, float) and math.isnan(loaded)
    else:
        assert type(loaded) is type(expected) and loaded == expected


NESTED = {
    "weights": [ag.tensor([[1.0, 2.0]]), ag.tensor([3, 4]), ag.tensor(5.0, dtype=ag.float64, requires_grad=True)],
    "pair": (1, "two", None, True, 2.5, float("inf"), float("nan"), -0.0),
    "by_index": {0: {"step": 3, "exp_avg": np.arange(4, dtype=np.float32)}, 7: []},
    "arrays": {"bools": np.array([True, False]), "text": np.array(["a", "bc"]), "scalar": np.float32(1.5),
               "int": np.int64(-3), "empty": np.zeros((0, 3))},
    "nested": [[[{"deep": (ag.zeros(2),)}]]],
    "empty": {},
    "__dunder": "a key that looks like a marker",
    "big": 2**80,
}


def test_nested_structures_round_trip_exactly(tmp_path):
    ag.save(NESTED, tmp_path / "nested.pt")
    assert_same(ag.load(tmp_path / "nested.pt"), NESTED)


def test_every_kind_of_top_level_value(tmp_path):
    for value in (ag.tensor([1.0, 2.0]), [1, 2], (3,), 4, "five", None, False, np.arange(3)):
        ag.save(value, tmp_path / "value.pt")
        assert_same(ag.load(tmp_path / "value.pt"), value)


def test_torch_style_model_and_optimizer_state_dicts(tmp_path):
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    optimizer = nn.optim.Adam(model.parameters(), lr=1e-2)
    for _ in range(2):
        optimizer.zero_grad()
        F.cross_entropy(model(ag.randn(5, 4)), ag.tensor([0, 1, 2, 0, 1])).backward()
        optimizer.step()
    ag.save(model.state_dict(), tmp_path / "model.pt")
    ag.save({"optimizer": optimizer.state_dict(), "epoch": 2}, tmp_path / "optimizer.pt")

    ag.manual_seed(1)
    restored = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    restored.load_state_dict(ag.load(tmp_path / "model.pt"))
    restored_optimizer = nn.optim.Adam(restored.parameters(), lr=0.5)
    saved = ag.load(tmp_path / "optimizer.pt")
    restored_optimizer.load_state_dict(saved["optimizer"])
    assert saved["epoch"] == 2 and restored_optimizer.param_groups[0]["betas"] == (0.9, 0.999)
    assert_same(restored_optimizer.state_dict(), optimizer.state_dict())
    for name, tensor in model.state_dict().items():
        np.testing.assert_array_equal(restored.state_dict()[name].array, tensor.array)
    with np.load(tmp_path / "model.pt", allow_pickle=False) as archive:  # plain arrays, named by key
        assert set(archive.files) == {"0.weight", "0.bias", "2.weight", "2.bias", "__checkpoint__"}


def test_an_ordered_dict_loads_as_a_dict_in_the_same_order(tmp_path):
    state = OrderedDict([("b", ag.ones(1)), ("a", ag.zeros(1))])
    ag.save(state, tmp_path / "s.pt")
    assert list(ag.load(tmp_path / "s.pt")) == ["b", "a"]


def test_binary_file_objects(tmp_path):
    buffer = io.BytesIO()
    ag.save(NESTED, buffer)
    buffer.seek(0)
    assert_same(ag.load(buffer), NESTED)
    with open(tmp_path / "f.pt", "wb") as handle:
        ag.save([ag.ones(2)], handle)
    with open(tmp_path / "f.pt", "rb") as handle:
        assert_same(ag.load(handle), [ag.ones(2)])


@pytest.mark.parametrize("map_location", [None, "cpu", "cpu:0", ag.device("cpu"), {"cuda:0": "cpu"}, {"cpu": "cpu"},
                                          lambda storage, location: storage, lambda storage, location: None])
def test_map_location_forms_that_load_on_the_cpu(tmp_path, map_location):
    ag.save({"w": ag.ones(3)}, tmp_path / "m.pt")
    assert_same(ag.load(tmp_path / "m.pt", map_location=map_location), {"w": ag.ones(3)})
    assert_same(ag.load(tmp_path / "m.pt", map_location, weights_only=False), {"w": ag.ones(3)})


def test_a_map_location_callable_sees_each_tensor_on_the_cpu(tmp_path):
    ag.save({"w": ag.ones(2), "b": [ag.zeros(1)]}, tmp_path / "m.pt")
    seen = []

    def doubled(tensor, location):
        seen.append(location)
        return tensor * 2

    loaded = ag.load(tmp_path / "m.pt", map_location=doubled)
    assert seen == ["cpu", "cpu"] and loaded["w"].tolist() == [2.0, 2.0] and loaded["b"][0].tolist() == [0.0]
    with pytest.raises(TypeError, match="returned a str; return a Tensor or None"):
        ag.load(tmp_path / "m.pt", map_location=lambda tensor, location: "cuda")


@requires_torch
def test_map_location_takes_a_torch_device(tmp_path):
    ag.save([ag.ones(1)], tmp_path / "m.pt")
    assert_same(ag.load(tmp_path / "m.pt", map_location=torch.device("cpu")), [ag.ones(1)])


@pytest.mark.parametrize("location", ["cuda", "cuda:0", "mps", {"cpu": "cuda:1"}])
def test_map_location_to_another_device_says_this_build_runs_on_the_cpu(tmp_path, location):
    ag.save([ag.ones(1)], tmp_path / "m.pt")
    with pytest.raises(ag.DeviceError, match=r"load\(map_location=...\): this build of autograd_core runs on the CPU"):
        ag.load(tmp_path / "m.pt", map_location=location)
    with pytest.raises(TypeError, match="map_location must be"):
        ag.load(tmp_path / "m.pt", map_location=3)
    with pytest.raises(TypeError, match="weights_only must be True or False"):
        ag.load(tmp_path / "m.pt", weights_only="yes")


def test_unsupported_values_are_refused_before_the_file_is_touched(tmp_path):
    path = tmp_path / "m.pt"
    path.write_bytes(b"old")
    model = nn.Linear(2, 2)
    with pytest.raises(CheckpointError, match=r"store the value of type Linear.*Save its state_dict\(\) instead"):
        ag.save(model, path)
    with pytest.raises(CheckpointError, match="cannot store f of type function"):
        ag.save({"f": lambda: 0}, path)
    with pytest.raises(CheckpointError, match=r"has a key 1.5; keys must be str or int"):
        ag.save({1.5: 0}, path)
    with pytest.raises(CheckpointError, match="object array"):
        ag.save(np.array([None]), path)
    with pytest.raises(CheckpointError, match="has dtype datetime64"):
        ag.save({"when": np.array(["2020-01-01"], dtype="datetime64[D]")}, path)
    loop: list = []
    loop.append(loop)
    with pytest.raises(CheckpointError, match=f"nested deeper than {MAX_DEPTH} levels \\(or contains itself\\)"):
        ag.save(loop, path)
    assert path.read_bytes() == b"old"
    assert sorted(item.name for item in tmp_path.iterdir()) == ["m.pt"]


def test_nesting_up_to_the_limit_round_trips(tmp_path):
    value: list = [1]
    for _ in range(MAX_DEPTH - 2):
        value = [value]
    ag.save(value, tmp_path / "deep.pt")
    assert ag.load(tmp_path / "deep.pt") == value


def test_folders_and_missing_files(tmp_path):
    with pytest.raises(CheckpointError, match="is a folder; give the path of a file to write"):
        ag.save([1], tmp_path)
    with pytest.raises(CheckpointError, match="is a folder, not a saved file"):
        ag.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="nowhere.pt does not exist"):
        ag.load(tmp_path / "nowhere.pt")


def test_load_reads_a_checkpoint_and_load_checkpoint_names_a_saved_object(tmp_path):
    model = nn.Linear(2, 1)
    nn.save_checkpoint(tmp_path / "c.npz", model, epoch=4)
    content = ag.load(tmp_path / "c.npz")
    assert content["epoch"] == 4 and set(content["model"]) == {"weight", "bias"}
    ag.save(model.state_dict(), tmp_path / "m.pt")
    with pytest.raises(CheckpointError, match=r"m.pt: holds a 'autograd-core saved object', not a checkpoint; load it"):
        nn.load_checkpoint(tmp_path / "m.pt", model)


def test_duplicate_members_are_refused(tmp_path):
    ag.save({"w": ag.ones(2)}, tmp_path / "m.pt")
    with zipfile.ZipFile(tmp_path / "m.pt") as source:
        members = {item.filename: source.read(item) for item in source.infolist()}
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(tmp_path / "twice.pt", "w") as target:
        for name, data in members.items():
            target.writestr(name, data)
        target.writestr("w.npy", members["w.npy"])
    with pytest.raises(CheckpointError, match=r"twice.pt: holds several members named \['w.npy'\]"):
        ag.load(tmp_path / "twice.pt")


def test_metadata_that_is_not_what_the_writer_makes(tmp_path):
    def with_metadata(meta) -> str:
        path = tmp_path / "m.pt"
        np.savez(open(path, "wb"), __checkpoint__=np.frombuffer(json.dumps(meta).encode(), np.uint8))
        return str(path)

    header = {"format": "autograd-core saved object", "version": 1}
    cases = {
        "a JSON list": [1, 2],
        "format=None": {"object": 1},
        "version 7": {**header, "version": 7},
        "holds \\['other'\\] where a saved object has 'object'": {**header, "other": 1},
        "malformed __tuple__": {**header, "object": {"__tuple__": 3}},
        "malformed __dict__": {**header, "object": {"__dict__": [[1.5, 2]]}},
        "malformed __array__": {**header, "object": {"__array__": "x", "other": 1}},
        "unknown entry '__what__'": {**header, "object": {"__what__": 1}},
        "array 'x' its metadata names is missing": {**header, "object": {"__tensor__": "x"}},
        "nested deeper than": {**header, "object": json.loads("[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5))},
        "RecursionError": {**header, "object": json.loads("[" * 50 + "]" * 50)},
    }
    for message, meta in cases.items():
        path = with_metadata(meta)
        if message == "RecursionError":  # nesting JSON's own parser cannot handle
            with open(path, "wb") as handle:
                np.savez(handle, __checkpoint__=np.frombuffer(b"[" * 100000 + b"]" * 100000, np.uint8))
        with pytest.raises(CheckpointError, match=f"m.pt: .*{message}"):
            ag.load(path)


@requires_torch
def test_a_torch_save_file_gets_a_clear_message(tmp_path):
    torch.save({"w": torch.ones(2)}, tmp_path / "torch.pt")
    with pytest.raises(CheckpointError, match="torch.pt: written by torch.save .* cannot be loaded without running"):
        ag.load(tmp_path / "torch.pt")
