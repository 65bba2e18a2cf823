"""``ParameterList`` and ``ParameterDict``: registration, list/dict behaviour and errors as PyTorch's."""
from collections import OrderedDict

import numpy as np
import pytest

import autograd_core as ag
import nn
from tests.helpers import compare_module_with_torch, requires_torch, torch


def mixture(library, sizes=(3, 4, 2)):
    """A model whose weights live in a ParameterList and a ParameterDict, in this engine or PyTorch."""
    base = torch.nn if library is torch else nn
    make = torch.randn if library is torch else ag.randn

    class Mixture(base.Module):
        def __init__(self):
            super().__init__()
            self.layers = base.ParameterList([make(a, b) for a, b in zip(sizes[:-1], sizes[1:])])
            self.extra = base.ParameterDict({"scale": make(sizes[-1]), "bias": make(sizes[-1])})

        def forward(self, x):
            for weight in self.layers:
                x = (x @ weight).tanh()
            return x * self.extra["scale"] + self.extra["bias"]

    return Mixture()


@requires_torch
def test_a_model_built_on_parameter_containers_matches_pytorch():
    ours, theirs = mixture(ag), mixture(torch)
    assert list(ours.state_dict()) == list(theirs.state_dict()) == [
        "layers.0", "layers.1", "extra.bias", "extra.scale"]
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    compare_module_with_torch(ours, theirs, [x])
    assert "(layers): ParameterList(" in repr(ours)


def test_parameter_list_is_a_list_of_registered_parameters():
    weight = nn.Parameter(ag.zeros(3))
    plain = ag.ones(2, 2)
    params = nn.ParameterList([weight, plain])
    assert params[0] is weight and isinstance(params[1], nn.Parameter) and params[1].requires_grad
    assert params[1].array is plain.array  # shares the tensor's memory
    assert len(params) == 2 and list(params) == [params[0], params[1]] and params[-1] is params[1]
    params.append(ag.zeros(1)).extend([ag.zeros(4), ag.zeros(5)])
    params += (ag.zeros(6),)
    assert [p.shape for p in params] == [(3,), (2, 2), (1,), (4,), (5,), (6,)]
    assert [name for name, _ in params.named_parameters()] == ["0", "1", "2", "3", "4", "5"]
    part = params[1:3]
    assert isinstance(part, nn.ParameterList) and part[0] is params[1] and len(part) == 2
    params[0] = ag.ones(7)
    assert params[0].shape == (7,) and params.state_dict()["0"].shape == (7,)
    optimizer = nn.optim.SGD(params.parameters(), lr=0.1)
    assert len(optimizer.param_groups[0]["params"]) == 6


def test_parameter_list_keeps_other_objects_and_refuses_bad_use():
    params = nn.ParameterList()
    params.append(3)
    assert params[0] == 3 and list(params.parameters()) == []
    with pytest.raises(IndexError, match="ParameterList: index 5 is out of range for 1 entries"):
        params[5]
    with pytest.raises(TypeError, match="ParameterList.extend should be called with an iterable, but got int"):
        params.extend(3)
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        params(ag.zeros(1))
    with pytest.raises(TypeError):
        params["a"]


def test_parameter_dict_is_an_ordered_dict_of_registered_parameters():
    table = nn.ParameterDict({"b": ag.ones(3), "a": nn.Parameter(ag.zeros(2))})
    assert list(table) == list(table.keys()) == ["a", "b"]  # a plain dict is taken sorted, as PyTorch
    assert "a" in table and "z" not in table and len(table) == 2
    assert isinstance(table["b"], nn.Parameter)
    table.update(OrderedDict([("z", ag.zeros(1)), ("c", ag.zeros(1))]))
    table["b"] = ag.zeros(4)  # replacing keeps the position
    assert list(table) == ["a", "b", "z", "c"] and table["b"].shape == (4,)
    assert [name for name, _ in table.named_parameters()] == ["a", "b", "z", "c"]
    assert list(table.state_dict()) == ["a", "b", "z", "c"]
    assert table.pop("z").shape == (1,) and list(table) == ["a", "b", "c"]
    key, value = table.popitem()
    assert key == "c" and value.shape == (1,)
    del table["a"]
    assert list(table) == ["b"] and [k for k, _ in table.items()] == ["b"] and len(list(table.values())) == 1
    assert table.get("missing") is None and table.setdefault("d", ag.zeros(2)).shape == (2,)
    copied = table.copy()
    assert copied["b"] is table["b"] and list(copied) == ["b", "d"]
    merged = table | [("e", ag.zeros(1))]
    assert list(merged) == ["b", "d", "e"] and list(table) == ["b", "d"]
    assert list(nn.ParameterDict.fromkeys(["x", "y"], ag.zeros(1))) == ["x", "y"]
    table.clear()
    assert len(table) == 0 and list(table.parameters()) == []


def test_parameter_dict_errors_name_the_key():
    table = nn.ParameterDict()
    with pytest.raises(KeyError, match="no parameter named 'nothing'"):
        table["nothing"]
    with pytest.raises(TypeError, match="ParameterDict: keys must be strings, got int 1"):
        table[1]
    with pytest.raises(KeyError, match="attribute 'keys' already exists"):
        table["keys"] = ag.zeros(1)
    with pytest.raises(KeyError, match="name can.+t contain"):
        table["a.b"] = ag.zeros(1)
    with pytest.raises(KeyError, match="empty string"):
        table[""] = ag.zeros(1)
    assert len(table) == 0  # a refused key is not half-added
    with pytest.raises(ValueError, match="element #0 has length 3; 2 is required"):
        table.update([("q", ag.zeros(1), 3)])
    with pytest.raises(TypeError, match="ParameterDict.update should be called with a mapping"):
        table.update(3)


@requires_torch
def test_reprs_match_pytorchs_layout():
    ours = nn.ParameterList([ag.zeros(3), ag.zeros(2, 2)])
    theirs = torch.nn.ParameterList([torch.zeros(3), torch.zeros(2, 2)])
    assert repr(ours) == repr(theirs).replace("torch.", "autograd_core.")
    one = nn.ParameterDict({"a": ag.zeros(2)})
    assert repr(one) == "ParameterDict(  (a): Parameter containing: [autograd_core.float32 of size 2])"
    assert repr(nn.ParameterList()) == repr(torch.nn.ParameterList())


def test_parameter_containers_sit_where_pytorch_has_them():
    from nn.modules.container import ParameterDict, ParameterList

    assert ParameterList is nn.ParameterList and ParameterDict is nn.ParameterDict
