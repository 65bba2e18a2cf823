import numpy as np
import pytest

import autograd_core as ag
from nn.containers import ModuleDict, ModuleList, Sequential
from nn.linear import Flatten, Identity, Linear
from nn.module import Module, Parameter, StateDictError


class Block(Module):
    def __init__(self):
        super().__init__()
        self.encoder = Sequential(Linear(4, 3), Linear(3, 2))
        self.scale = Parameter(ag.ones(2))
        self.register_buffer("steps", ag.zeros(1))
        self.register_buffer("scratch", ag.zeros(1), persistent=False)

    def forward(self, x):
        return self.encoder(x) * self.scale


def test_registration_and_dotted_names():
    block = Block()
    names = [name for name, _ in block.named_parameters()]
    assert names == ["scale", "encoder.0.weight", "encoder.0.bias", "encoder.1.weight", "encoder.1.bias"]
    assert [name for name, _ in block.named_buffers()] == ["steps", "scratch"]
    assert list(block.state_dict()) == names[:1] + ["steps"] + names[1:]
    assert [type(m).__name__ for m in block.modules()] == ["Block", "Sequential", "Linear", "Linear"]
    assert [name for name, _ in block.named_children()] == ["encoder"]


def test_a_shared_parameter_is_listed_once():
    layer = Linear(2, 2)
    model = Sequential(layer, layer)
    assert len(list(model.parameters())) == 2


def test_assigning_a_plain_tensor_to_a_parameter_slot_is_refused():
    layer = Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign a Tensor to parameter 'weight' of Linear; wrap it in nn.Param"):
        layer.weight = ag.zeros(2, 2)


def test_train_eval_zero_grad_and_requires_grad():
    block = Block()
    block.eval()
    assert not any(m.training for m in block.modules())
    block.train()
    assert all(m.training for m in block.modules())
    block(ag.randn(3, 4)).sum().backward()
    assert all(p.grad is not None for p in block.parameters())
    block.zero_grad()
    assert all(p.grad is None for p in block.parameters())
    block.requires_grad_(False)
    assert not any(p.requires_grad for p in block.parameters())


def test_state_dict_round_trip_into_a_fresh_model():
    ag.manual_seed(0)
    source, target = Block(), Block()
    target.load_state_dict(source.state_dict())
    x = ag.randn(2, 4)
    np.testing.assert_array_equal(source(x).array, target(x).array)


def test_load_state_dict_names_missing_unexpected_and_mismatched_keys():
    model = Sequential(Linear(4, 3))
    state = {"0.weight": np.zeros((3, 5)), "extra": np.zeros(1)}
    with pytest.raises(StateDictError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert "missing keys: 0.bias" in message
    assert "unexpected keys: extra" in message
    assert "0.weight: expected shape (3, 4), got (3, 5)" in message


def test_load_state_dict_non_strict_reports_keys():
    model = Sequential(Linear(4, 3))
    result = model.load_state_dict({"0.weight": np.ones((3, 4)), "other": np.zeros(2)}, strict=False)
    assert result.missing_keys == ["0.bias"] and result.unexpected_keys == ["other"]
    np.testing.assert_array_equal(model[0].weight.array, np.ones((3, 4)))


def test_forward_hooks_can_replace_inputs_and_outputs_and_be_removed():
    layer = Identity()
    pre = layer.register_forward_pre_hook(lambda module, args: (args[0] * 2,))
    post = layer.register_forward_hook(lambda module, args, output: output + 1)
    assert layer(ag.tensor(3.0)).item() == 7.0
    pre.remove()
    post.remove()
    assert layer(ag.tensor(3.0)).item() == 3.0


def test_repr_reads_like_an_architecture_table():
    model = Sequential(Flatten(), Linear(784, 10, bias=False))
    assert repr(model) == (
        "Sequential(\n  (0): Flatten(start_dim=1, end_dim=-1)\n"
        "  (1): Linear(in_features=784, out_features=10, bias=False)\n)"
    )
    assert "total parameters: 7,840 (trainable: 7,840)" in model.summary()


def test_containers():
    layers = ModuleList([Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and len(list(layers.parameters())) == 6
    heads = ModuleDict({"a": Linear(2, 1), "b": Linear(2, 3)})
    assert set(heads) == {"a", "b"} and heads["b"].out_features == 3
    model = Sequential(Linear(2, 3), Identity(), Linear(3, 1))
    assert isinstance(model[1], Identity) and len(model[:2]) == 2
    with pytest.raises(IndexError, match="Sequential index 5 is out of range for 3 modules"):
        model[5]


def test_double_converts_parameters_in_place():
    model = Sequential(Linear(2, 2)).double()
    assert all(p.dtype == np.float64 for p in model.parameters())
    assert model(ag.randn(1, 2, dtype=ag.float64)).dtype == np.float64


def test_parameter_shares_memory_and_reprs():
    tensor = ag.zeros(2)
    parameter = Parameter(tensor)
    tensor.array[0] = 5.0
    assert parameter.array[0] == 5.0 and parameter.requires_grad and parameter.is_leaf
    assert repr(parameter).startswith("Parameter containing:\ntensor([5., 0.], requires_grad=True)")


# -- to / cpu / float / double / half -------------------------------------------------------------------------
class WithIntegerBuffer(Module):
    def __init__(self):
        super().__init__()
        self.layer = Linear(3, 2)
        self.register_buffer("running", ag.zeros(2))
        self.register_buffer("count", ag.zeros(1, dtype=ag.int64))

    def forward(self, x):
        return self.layer(x) + self.running


@pytest.mark.parametrize(
    "convert",
    [
        lambda m: m.to(ag.float64),
        lambda m: m.to("cpu", ag.float64),
        lambda m: m.to(device="cpu", dtype=ag.float64),
        lambda m: m.to(ag.device("cpu"), dtype=ag.float64, non_blocking=True),
        lambda m: m.to(ag.zeros(1, dtype=ag.float64)),
        lambda m: m.double(),
    ],
)
def test_to_converts_floating_parameters_buffers_and_grads_in_place(convert):
    model = WithIntegerBuffer()
    model(ag.randn(4, 3)).sum().backward()
    weight = model.layer.weight
    assert convert(model) is model
    assert model.layer.weight is weight and weight.dtype == np.float64 and weight.grad.dtype == np.float64
    assert model.running.dtype == np.float64 and model.count.dtype == np.int64  # integer buffers keep theirs
    assert model(ag.randn(4, 3, dtype=ag.float64)).dtype == np.float64
    assert model.half().layer.bias.dtype == np.float16 and model.float().running.dtype == np.float32


def test_to_a_device_returns_the_module_and_other_devices_raise():
    model = WithIntegerBuffer()
    before = model.layer.weight.array
    assert model.to("cpu") is model and model.cpu() is model and model.to(ag.device("cpu:0")) is model
    assert model.layer.weight.array is before and next(model.parameters()).device == ag.device("cpu")
    for call in (lambda: model.to("cuda"), lambda: model.cuda(), lambda: model.to("mps", ag.float64)):
        with pytest.raises(ag.DeviceError, match="runs on the CPU only"):
            call()
    with pytest.raises(TypeError, match="Module.to only takes floating point dtypes, got int64"):
        model.to(ag.int64)


def test_optimizer_made_before_to_still_trains_the_converted_parameters():
    import nn

    model = Linear(3, 1)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    model.to(ag.float64)
    before = model.weight.array.copy()
    model(ag.ones(2, 3, dtype=ag.float64)).sum().backward()
    optimizer.step()
    assert not np.array_equal(model.weight.array, before) and model.weight.dtype == np.float64


def test_parameter_lives_in_nn_parameter_and_nn_module():
    import nn
    from nn.parameter import Parameter as FromParameter

    assert FromParameter is Parameter is nn.Parameter is nn.parameter.Parameter
