"""nn.checkpoint: exact round trips (model, optimizer, RNG), atomic writes, and a named error for every bad file."""
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from nn.checkpoint import CheckpointError, load_checkpoint, save_checkpoint


def make_model(seed: int) -> nn.Sequential:
    ag.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 3))


def train_steps(model, optimizer, steps: int) -> None:
    for _ in range(steps):
        x, y = ag.randn(16, 4), ag.randint(0, 3, (16,))
        optimizer.zero_grad()
        F.cross_entropy(model(x), y).backward()
        optimizer.step()


def assert_same_weights(model_a, model_b) -> None:
    state_b = model_b.state_dict()
    for name, tensor in model_a.state_dict().items():
        np.testing.assert_array_equal(tensor.array, state_b[name].array, err_msg=name)


def test_round_trip_continues_bit_identically(tmp_path):
    model = make_model(0)
    optimizer = nn.optim.Adam(model.parameters(), lr=1e-2)
    train_steps(model, optimizer, 3)
    shuffle = np.random.default_rng(7)
    shuffle.random(5)
    path = save_checkpoint(tmp_path / "run.npz", model, optimizer, epoch=3, extra={"note": "hi", "best": np.arange(3)},
                           generators={"shuffle": shuffle})
    train_steps(model, optimizer, 2)  # the uninterrupted run goes on
    expected_draw = shuffle.random()

    restored, restored_shuffle = make_model(1), np.random.default_rng(99)
    restored_optimizer = nn.optim.Adam(restored.parameters(), lr=0.5)
    content = load_checkpoint(path, restored, restored_optimizer, generators={"shuffle": restored_shuffle})
    assert content["epoch"] == 3 and content["extra"]["note"] == "hi"
    np.testing.assert_array_equal(content["extra"]["best"], np.arange(3))
    group = restored_optimizer.param_groups[0]
    assert group["lr"] == 1e-2 and group["betas"] == (0.9, 0.999)
    train_steps(restored, restored_optimizer, 2)  # draws from the restored global generator
    assert_same_weights(model, restored)
    assert restored_shuffle.random() == expected_draw


def test_file_is_plain_arrays_without_pickle(tmp_path):
    model = make_model(0)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    train_steps(model, optimizer, 1)
    path = save_checkpoint(tmp_path / "c.npz", model, optimizer, epoch=1)
    with np.load(path, allow_pickle=False) as archive:
        names = set(archive.files)
        assert {"model/0.weight", "model/1.bias", "__checkpoint__"} <= names
        assert all(archive[name].dtype != object for name in names)
        meta = json.loads(archive["__checkpoint__"].tobytes())
    assert meta["epoch"] == 1 and meta["format"] == "autograd-core checkpoint"
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]


def test_failed_write_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    model = make_model(0)
    path = save_checkpoint(tmp_path / "c.npz", model, epoch=1)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(path, model, epoch=2)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["c.npz"]  # the temporary file is gone


def test_unsupported_values_are_refused_at_save(tmp_path):
    with pytest.raises(CheckpointError, match="cannot store extra/f of type function"):
        save_checkpoint(tmp_path / "c.npz", extra={"f": lambda: 0})
    with pytest.raises(CheckpointError, match="object array"):
        save_checkpoint(tmp_path / "c.npz", extra={"o": np.array([{}, 1], dtype=object)})


# -- bad files -------------------------------------------------------------------------------
@pytest.fixture
def saved(tmp_path):
    model = make_model(0)
    return save_checkpoint(tmp_path / "good.npz", model, epoch=1), model


def test_not_an_npz(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("hello")
    with pytest.raises(CheckpointError, match=r"notes.npz: not a file written by autograd_core.save or save_"):
        load_checkpoint(path, make_model(0))


def test_pickle_file_is_refused_without_running_it(tmp_path):
    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps({"model": 1}))
    with pytest.raises(CheckpointError, match=r"evil.npz: not a file written by .*this file starts with b'\\x80"):
        load_checkpoint(path)


def test_truncated_file(saved, tmp_path):
    path, model = saved
    truncated = tmp_path / "cut.npz"
    truncated.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(CheckpointError, match="cut.npz: truncated or corrupt"):
        load_checkpoint(truncated, model)


def test_corrupt_member(saved, tmp_path):
    path, model = saved
    data = bytearray(path.read_bytes())
    offset = data.find(b"\x93NUMPY") + 200  # inside the first array's values: the CRC no longer matches
    data[offset:offset + 8] = b"\xff" * 8
    damaged = tmp_path / "damaged.npz"
    damaged.write_bytes(bytes(data))
    with pytest.raises(CheckpointError, match="damaged.npz"):
        load_checkpoint(damaged, model)


def test_object_array_is_refused(saved, tmp_path):
    path, model = saved
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["model/0.bias"] = np.array([object()] * 8, dtype=object)
    evil = tmp_path / "objects.npz"
    np.savez(evil, **arrays)  # np.savez pickles object arrays
    with pytest.raises(CheckpointError, match=r"objects.npz: holds an object \(pickled\) array"):
        load_checkpoint(evil, model)


def test_plain_npz_without_metadata(tmp_path):
    path = tmp_path / "weights.npz"
    np.savez(path, weight=np.zeros(3))
    with pytest.raises(CheckpointError, match=r"weights.npz: not a file written by .*save_checkpoint.*weight"):
        load_checkpoint(path)


def test_missing_array(saved, tmp_path):
    path, model = saved
    incomplete = tmp_path / "incomplete.npz"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(incomplete, "w") as target:
        for item in source.infolist():
            if item.filename != "model/0.weight.npy":
                target.writestr(item, source.read(item))
    with pytest.raises(CheckpointError, match=r"incomplete.npz: the array 'model/0.weight' .* is missing"):
        load_checkpoint(incomplete, model)


def test_wrong_shapes_and_keys_name_the_file_and_parameter(saved):
    path, _ = saved
    wider = nn.Sequential(nn.Linear(4, 9), nn.Linear(9, 3))
    message = r"good.npz: the saved model state does not fit.*0.weight: expected shape \(9, 4\), got \(8, 4\)"
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(path, wider)
    deeper = nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 3), nn.Linear(3, 3))
    with pytest.raises(CheckpointError, match=r"missing keys: 2.weight, 2.bias"):
        load_checkpoint(path, deeper)


def test_state_that_was_not_saved(saved):
    path, model = saved
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(CheckpointError, match="holds no optimizer state"):
        load_checkpoint(path, model, optimizer)
    with pytest.raises(CheckpointError, match="no state for the random generator 'shuffle'"):
        load_checkpoint(path, model, generators={"shuffle": np.random.default_rng()})


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere.npz does not exist"):
        load_checkpoint(tmp_path / "nowhere.npz")


# -- saved state whose types do not fit (item 8 of issue 14): refused before anything is restored
def rewrite(path, edit, target):
    """A copy of checkpoint ``path`` with its metadata JSON changed by ``edit(meta)``."""
    with np.load(path, allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays["__checkpoint__"].tobytes())
    edit(meta)
    arrays["__checkpoint__"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    with open(target, "wb") as handle:
        np.savez(handle, **arrays)
    return target


@pytest.fixture
def trained(tmp_path):
    model = make_model(0)
    optimizer = nn.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = nn.optim.lr_scheduler.StepLR(optimizer, step_size=2)
    train_steps(model, optimizer, 1)
    return save_checkpoint(tmp_path / "run.npz", model, optimizer, scheduler, epoch=1), tmp_path


def set_lr(meta):
    meta["optimizer"]["param_groups"][0]["lr"] = "0.1"


def set_betas(meta):
    meta["optimizer"]["param_groups"][0]["betas"] = {"__tuple__": [0.9, "x"]}


def set_step(meta):
    meta["optimizer"]["state"]["__dict__"][0][1]["step"] = "3"


def set_gamma(meta):
    meta["scheduler"]["gamma"] = [0.1]


def set_params(meta):
    meta["optimizer"]["param_groups"][0]["params"] = ["0"]


def set_epoch(meta):
    meta["epoch"] = "one"


@pytest.mark.parametrize(("edit", "message"), [
    (set_lr, r"param_groups\[0\]\['lr'\] = '0.1' \(a str\) where this Adam has 0.01"),
    (set_betas, r"param_groups\[0\]\['betas'\]\[1\] = 'x' \(a str\) where this Adam has 0.999"),
    (set_step, r"state\[0\]\['step'\] = '3' \(a str\), not a number, an array or a list of them"),
    (set_gamma, r"scheduler state has 'gamma' = \[0.1\] \(a list\) where this StepLR has 0.1"),
    (set_params, r"param_groups\[0\]\['params'\] = \['0'\] \(a list\), not a list of ints"),
    (set_epoch, r"its 'epoch' entry is a str"),
])
def test_optimizer_and_scheduler_state_of_the_wrong_type_is_refused_naming_the_key(trained, edit, message):
    path, folder = trained
    damaged = rewrite(path, edit, folder / "damaged.npz")
    model = make_model(5)
    before = [tensor.array.copy() for tensor in model.state_dict().values()]
    optimizer = nn.optim.Adam(model.parameters(), lr=1e-2)
    scheduler = nn.optim.lr_scheduler.StepLR(optimizer, step_size=2)
    with pytest.raises(CheckpointError, match=f"damaged.npz: .*{message}"):
        load_checkpoint(damaged, model, optimizer, scheduler)
    for tensor, old in zip(model.state_dict().values(), before):  # nothing was restored
        np.testing.assert_array_equal(tensor.array, old)
    assert optimizer.param_groups[0]["lr"] == 1e-2 and not optimizer.state


def test_a_model_state_entry_that_is_not_numbers_is_refused(tmp_path):
    model = make_model(0)
    save_checkpoint(tmp_path / "c.npz", model, extra={"labels": np.array(["cat", "dog"])})
    with np.load(tmp_path / "c.npz") as archive:
        arrays = {name: archive[name] for name in archive.files}
    arrays["model/0.bias"] = np.array(["x"] * 8)
    with open(tmp_path / "text.npz", "wb") as handle:
        np.savez(handle, **arrays)
    with pytest.raises(CheckpointError, match=r"text.npz: the tensor 'model/0.bias' has dtype <U1, which no Tensor"):
        load_checkpoint(tmp_path / "text.npz", make_model(1))

    def as_plain_array(meta):
        meta["model"]["0.bias"] = {"__array__": "model/0.bias"}

    rewrite(tmp_path / "text.npz", as_plain_array, tmp_path / "text2.npz")
    with pytest.raises(CheckpointError, match=r"text2.npz: the saved model state has '0.bias' = an array of dtype <U1"):
        load_checkpoint(tmp_path / "text2.npz", make_model(1))
    assert load_checkpoint(tmp_path / "c.npz", make_model(1))["extra"]["labels"].tolist() == ["cat", "dog"]


OPTIMIZERS = {
    "SGD": lambda params: nn.optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True),
    "Adam": lambda params: nn.optim.Adam(params, lr=1e-2, amsgrad=True),
    "AdamW": lambda params: nn.optim.AdamW(params, lr=1e-2),
    "Adagrad": lambda params: nn.optim.Adagrad(params, lr=0.1),
    "RMSprop": lambda params: nn.optim.RMSprop(params, lr=1e-2, momentum=0.5, centered=True),
    "Adadelta": lambda params: nn.optim.Adadelta(params),
    "NAdam": lambda params: nn.optim.NAdam(params, lr=1e-2),
    "RAdam": lambda params: nn.optim.RAdam(params, lr=1e-2),
}
SCHEDULERS = {
    "StepLR": lambda optimizer: nn.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5),
    "ExponentialLR": lambda optimizer: nn.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9),
    "CosineAnnealingLR": lambda optimizer: nn.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=5),
    "ReduceLROnPlateau": lambda optimizer: nn.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0),
}


def step_scheduler(scheduler, epoch: int) -> None:
    if isinstance(scheduler, nn.optim.lr_scheduler.ReduceLROnPlateau):
        scheduler.step(1.0)  # no improvement: the rate falls
    else:
        scheduler.step()


@pytest.mark.parametrize("optimizer_name", OPTIMIZERS)
@pytest.mark.parametrize("scheduler_name", SCHEDULERS)
def test_every_optimizer_and_scheduler_resumes_exactly(tmp_path, optimizer_name, scheduler_name):
    def build(seed):
        model = make_model(seed)
        optimizer = OPTIMIZERS[optimizer_name](model.parameters())
        return model, optimizer, SCHEDULERS[scheduler_name](optimizer)

    def run(owners, epochs):
        for epoch in epochs:
            train_steps(owners[0], owners[1], 1)
            step_scheduler(owners[2], epoch)

    original = build(0)
    run(original, range(3))
    path = save_checkpoint(tmp_path / "run.npz", *original, epoch=3)
    def options(owners):
        return {key: value for key, value in owners[1].param_groups[0].items() if key != "params"}

    saved = (options(original), original[2].state_dict())
    run(original, range(3, 5))  # the uninterrupted run goes on
    restored = build(1)
    load_checkpoint(path, *restored)  # also restores the generator the training steps draw from
    # the checks' probes (a scheduler step on a copy) left the restored objects as saved
    assert (options(restored), restored[2].state_dict()) == saved
    run(restored, range(3, 5))
    assert_same_weights(original[0], restored[0])
    assert original[1].param_groups[0]["lr"] == restored[1].param_groups[0]["lr"]
