"""Containers: ``Sequential``, ``ModuleList``, ``ModuleDict``, ``ParameterList``, ``ParameterDict``."""
from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Iterable, Iterator

from autograd_core import Tensor

from .module import Module
from .parameter import Parameter


class Sequential(Module):
    """Modules applied in order; children are named ``0``, ``1``, ... (or by an OrderedDict)."""

    def __init__(self, *modules: Any) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
        else:
            for index, module in enumerate(modules):
                self.add_module(str(index), module)

    def forward(self, x: Any) -> Any:
        for module in self._modules.values():
            x = module(x)
        return x

    def __getitem__(self, index: int | slice) -> Module:
        items = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(items[index]))
        try:
            return items[index][1]
        except IndexError:
            raise IndexError(f"Sequential index {index} is out of range for {len(items)} modules") from None

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> "Sequential":
        self.add_module(str(len(self._modules)), module)
        return self


class ModuleList(Module):
    """A list of modules that registers them (no forward of its own)."""

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        super().__init__()
        self.extend(modules)

    def __getitem__(self, index: int | slice) -> Any:
        items = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(items[index])
        try:
            return items[index]
        except IndexError:
            raise IndexError(f"ModuleList index {index} is out of range for {len(items)} modules") from None

    def __setitem__(self, index: int, module: Module) -> None:
        self.add_module(str(range(len(self))[index]), module)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> "ModuleList":
        self.add_module(str(len(self._modules)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "ModuleList":
        for module in modules:
            self.append(module)
        return self


class ModuleDict(Module):
    """A dict of modules that registers them (no forward of its own)."""

    def __init__(self, modules: Any = None) -> None:
        super().__init__()
        for name, module in dict(modules or {}).items():
            self.add_module(name, module)

    def __getitem__(self, name: str) -> Module:
        return self._modules[name]

    def __setitem__(self, name: str, module: Module) -> None:
        self.add_module(name, module)

    def __contains__(self, name: str) -> bool:
        return name in self._modules

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def keys(self) -> Any:
        return self._modules.keys()

    def values(self) -> Any:
        return self._modules.values()

    def items(self) -> Any:
        return self._modules.items()


def _describe_entry(value: Any) -> str:
    """One line of a parameter container's repr, as PyTorch writes it."""
    if isinstance(value, Tensor):
        size = "x".join(str(side) for side in value.shape)
        kind = "Parameter containing" if isinstance(value, Parameter) else "Tensor"
        return f"{kind}: [autograd_core.{value.dtype} of size {size}]"
    return f"Object of type: {type(value).__name__}"


class _ParameterContainer(Module):
    """What ParameterList and ParameterDict share: entries stored as attributes named by their
    key, Tensors turned into Parameters (so ``parameters()``, ``state_dict()`` and optimisers
    see them), other objects kept as they are; the repr PyTorch prints; no forward."""

    def _put(self, name: str, value: Any) -> None:
        if isinstance(value, Tensor) and not isinstance(value, Parameter):
            value = Parameter(value)  # shares the tensor's memory, as PyTorch's
        if isinstance(value, Parameter) and name in self._parameters:  # replaced where it stands, as PyTorch
            self._parameters[name] = value
            object.__setattr__(self, name, value)
        elif isinstance(value, Parameter):
            self.register_parameter(name, value)
        else:
            self._forget(name)
            object.__setattr__(self, name, value)

    def _entries(self) -> list[tuple[str, Any]]:
        raise TypeError(f"{type(self).__name__} must define _entries()")

    def __repr__(self) -> str:
        lines = [f"  ({key}): {_describe_entry(value)}" for key, value in self._entries()]
        if len(lines) == 1:
            return f"{type(self).__name__}({lines[0]})"
        body = "".join(f"\n  {line}" for line in lines)
        return f"{type(self).__name__}({body}\n)" if lines else f"{type(self).__name__}()"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"{type(self).__name__} should not be called.")


class ParameterList(_ParameterContainer):
    """A list of parameters that registers them under the names ``0``, ``1``, ...

    Tensors given (to the constructor, ``append``, ``extend``, ``+=`` or ``list[i] = t``)
    become ``Parameter``s sharing their memory; ``list[a:b]`` is a new ParameterList of
    the same parameters. As PyTorch's ``torch.nn.ParameterList``.
    """

    def __init__(self, values: Iterable[Any] | None = None) -> None:
        super().__init__()
        self._size = 0
        if values is not None:
            self.extend(values)

    def _name(self, index: Any) -> str:
        position = operator.index(index)
        if not -len(self) <= position < len(self):
            raise IndexError(f"ParameterList: index {position} is out of range for {len(self)} entries")
        return str(position % len(self))

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return ParameterList([self[position] for position in range(len(self))[index]])
        return getattr(self, self._name(index))

    def __setitem__(self, index: int, value: Any) -> None:
        self._put(self._name(index), value)

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[Any]:
        return iter([self[position] for position in range(len(self))])

    def __iadd__(self, values: Iterable[Any]) -> "ParameterList":
        return self.extend(values)

    def append(self, value: Any) -> "ParameterList":
        """Add ``value`` (a Tensor becomes a Parameter) at the end."""
        name = str(self._size)
        self._size += 1
        self._put(name, value)
        return self

    def extend(self, values: Iterable[Any]) -> "ParameterList":
        """Append each of ``values`` (a list, a tuple, another ParameterList, ...)."""
        if isinstance(values, Tensor) or not isinstance(values, Iterable):
            raise TypeError(
                f"ParameterList.extend should be called with an iterable, but got {type(values).__name__}"
            )
        for value in values:
            self.append(value)
        return self

    def _entries(self) -> list[tuple[str, Any]]:
        return [(str(position), self[position]) for position in range(len(self))]


class ParameterDict(_ParameterContainer):
    """A dict of parameters (string keys, insertion order) that registers them under their keys.

    Tensors given become ``Parameter``s sharing their memory. Built from a mapping or from
    ``(key, value)`` pairs; a plain ``dict`` given to the constructor or ``update`` is taken
    in sorted key order, an ``OrderedDict``, a ParameterDict or pairs in their own order, as
    PyTorch's ``torch.nn.ParameterDict``.
    """

    def __init__(self, parameters: Any = None) -> None:
        super().__init__()
        self._keys: dict[str, None] = {}
        if parameters is not None:
            self.update(parameters)

    @staticmethod
    def _check_string(key: Any) -> None:
        if not isinstance(key, str):
            raise TypeError(f"ParameterDict: keys must be strings, got {type(key).__name__} {key!r}")

    def _check_key(self, key: Any) -> None:
        self._check_string(key)
        if key == "":
            raise KeyError('ParameterDict: parameter name can\'t be empty string ""')
        if "." in key:
            raise KeyError(f"ParameterDict: parameter name can't contain \".\", got {key!r}")
        if key not in self._keys and (hasattr(type(self), key) or key in self.__dict__):
            raise KeyError(f"ParameterDict: attribute {key!r} already exists; use another key")

    def __getitem__(self, key: str) -> Any:
        self._check_string(key)
        if key not in self._keys:
            raise KeyError(f"ParameterDict: no parameter named {key!r}; keys are {list(self._keys)}")
        return getattr(self, key)

    def __setitem__(self, key: str, value: Any) -> None:
        self._check_key(key)
        self._keys[key] = None
        self._put(key, value)

    def __delitem__(self, key: str) -> None:
        self[key]  # the KeyError of a missing key
        del self._keys[key]
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._keys)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._keys))

    def __reversed__(self) -> Iterator[str]:
        return reversed(list(self._keys))

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def keys(self) -> Any:
        return self._keys.keys()

    def items(self) -> Iterator[tuple[str, Any]]:
        return iter([(key, self[key]) for key in self._keys])

    def values(self) -> Iterator[Any]:
        return iter([self[key] for key in self._keys])

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default

    def copy(self) -> "ParameterDict":
        """A new ParameterDict holding the same parameters."""
        return ParameterDict(OrderedDict(self.items()))

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def pop(self, key: str) -> Any:
        value = self[key]
        del self[key]
        return value

    def popitem(self) -> tuple[str, Any]:
        if not self._keys:
            raise KeyError("ParameterDict.popitem(): the dictionary is empty")
        key = next(reversed(self._keys))
        return key, self.pop(key)

    def clear(self) -> None:
        for key in list(self._keys):
            del self[key]

    @classmethod
    def fromkeys(cls, keys: Iterable[str], default: Any = None) -> "ParameterDict":
        return cls(OrderedDict((key, default) for key in keys))

    def update(self, parameters: Any) -> None:
        """Add or replace entries from a mapping or an iterable of ``(key, value)`` pairs."""
        if isinstance(parameters, (OrderedDict, ParameterDict)):
            pairs = list(parameters.items())
        elif isinstance(parameters, Mapping):
            pairs = sorted(parameters.items())
        elif isinstance(parameters, Iterable) and not isinstance(parameters, (str, Tensor)):
            pairs = []
            for position, pair in enumerate(parameters):
                if not isinstance(pair, Iterable) or isinstance(pair, (str, Tensor)):
                    raise TypeError(
                        f"ParameterDict update sequence element #{position} should be a (key, value) pair, "
                        f"got {type(pair).__name__}"
                    )
                pair = tuple(pair)
                if len(pair) != 2:
                    raise ValueError(
                        f"ParameterDict update sequence element #{position} has length {len(pair)}; 2 is required"
                    )
                pairs.append(pair)
        else:
            raise TypeError(
                "ParameterDict.update should be called with a mapping or an iterable of key/value pairs, "
                f"but got {type(parameters).__name__}"
            )
        for key, value in pairs:
            self[key] = value

    def __or__(self, other: Any) -> "ParameterDict":
        merged = self.copy()
        merged.update(other)
        return merged

    def __ror__(self, other: Any) -> "ParameterDict":
        merged = ParameterDict(other) if not isinstance(other, ParameterDict) else other.copy()
        merged.update(self)
        return merged

    def __ior__(self, other: Any) -> "ParameterDict":
        self.update(other)
        return self

    def _entries(self) -> list[tuple[str, Any]]:
        return list(self.items())
