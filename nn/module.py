"""``Module`` and ``Parameter``: the containers of learnable state.

Assigning a ``Parameter``, a ``Module`` or a registered buffer to an attribute
registers it, so ``parameters()``, ``state_dict()`` and ``repr()`` find it, with
dotted names (``encoder.0.weight``) as in PyTorch.
"""
from __future__ import annotations

from collections import OrderedDict, namedtuple
from typing import Any, Callable, Iterator

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.devices import cuda_error, parse_to
from autograd_core.function import RemovableHandle

from .parameter import Parameter

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class StateDictError(RuntimeError):
    """A state dict whose keys or shapes do not fit the module."""


class Module:
    """Base class of layers and models: subclass it, assign parts in ``__init__``, define ``forward``."""

    training: bool

    def __init__(self) -> None:
        set_attribute = object.__setattr__
        set_attribute(self, "training", True)
        set_attribute(self, "_parameters", {})
        set_attribute(self, "_buffers", {})
        set_attribute(self, "_non_persistent", set())
        set_attribute(self, "_modules", {})
        set_attribute(self, "_forward_pre_hooks", [])
        set_attribute(self, "_forward_hooks", [])

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(f"{type(self).__name__} must define forward(...)")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not self._forward_pre_hooks and not self._forward_hooks:
            return self.forward(*args, **kwargs)
        for hook in tuple(self._forward_pre_hooks):
            replaced = hook(self, args)
            if replaced is not None:
                args = replaced if isinstance(replaced, tuple) else (replaced,)
        output = self.forward(*args, **kwargs)
        for hook in tuple(self._forward_hooks):
            replaced = hook(self, args, output)
            if replaced is not None:
                output = replaced
        return output

    # -- registration (attributes live in the instance dict too, for fast lookup) ----
    def __setattr__(self, name: str, value: Any) -> None:
        state = self.__dict__
        if "_parameters" not in state:
            raise AttributeError(f"call super().__init__() in {type(self).__name__}.__init__ before assigning {name!r}")
        parameters, buffers, modules = state["_parameters"], state["_buffers"], state["_modules"]
        if isinstance(value, Parameter):
            self._forget(name)
            parameters[name] = value
        elif isinstance(value, Module):
            self._forget(name)
            modules[name] = value
        elif name in parameters:
            if value is not None:
                raise TypeError(
                    f"cannot assign a {type(value).__name__} to parameter {name!r} of "
                    f"{type(self).__name__}; wrap it in nn.Parameter(...) or assign None"
                )
            parameters[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"buffer {name!r} of {type(self).__name__} must be a Tensor or None")
            buffers[name] = value
        elif name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign a {type(value).__name__} to sub-module {name!r}; assign a Module or None"
                )
            modules[name] = None
        object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        self._buffers.pop(name, None)

    def __delattr__(self, name: str) -> None:
        self._forget(name)
        object.__delattr__(self, name)

    def register_parameter(self, name: str, parameter: Parameter | None) -> None:
        """Register ``parameter`` (or None, a declared-but-absent parameter) as ``name``."""
        if parameter is not None and not isinstance(parameter, Parameter):
            raise TypeError(
                f"register_parameter: {name!r} must be an nn.Parameter or None, got {type(parameter).__name__}"
            )
        self._forget(name)
        self._parameters[name] = parameter
        object.__setattr__(self, name, parameter)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """A tensor that is state but not learned (e.g. BatchNorm's running mean)."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer: {name!r} must be a Tensor or None, got {type(tensor).__name__}")
        self._forget(name)
        (self._non_persistent.discard if persistent else self._non_persistent.add)(name)
        self._buffers[name] = tensor
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {name!r} must be a Module, got {type(module).__name__}")
        self._forget(name)
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module

    # -- traversal -------------------------------------------------------------------
    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """Every module in the tree (self first), each once, with dotted names."""
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield name, module
            children = [
                (f"{name}.{child}" if name else child, sub) for child, sub in module._modules.items() if sub is not None
            ]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

    def children(self) -> Iterator[Module]:
        for _, module in self.named_children():
            yield module

    def _named_members(self, kind: str, prefix: str, recurse: bool) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for module_name, module in modules:
            for name, member in getattr(module, kind).items():
                if member is None or id(member) in seen:
                    continue
                seen.add(id(member))
                yield (f"{module_name}.{name}" if module_name else name), member

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` pairs; a shared parameter appears once."""
        return self._named_members("_parameters", prefix, recurse)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    # -- modes and state ---------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> Module:
        return self.train(False)

    def zero_grad(self, set_to_none: bool = True) -> None:
        for parameter in self.parameters():
            if parameter.grad is not None:
                if set_to_none:
                    parameter.grad = None
                else:
                    parameter.grad = ag.zeros_like(parameter.grad)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    def apply(self, function: Callable[[Module], Any]) -> Module:
        """Call ``function(module)`` on every sub-module (children first) and self."""
        for module in reversed(list(self.modules())):
            function(module)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        """Move or cast the module in place, as PyTorch's: ``to(device)``, ``to(dtype)``,
        ``to(device, dtype)``, ``to(tensor)`` (its dtype), keywords ``device=, dtype=, non_blocking=``.

        A dtype converts every floating parameter and buffer (and their gradients); integer
        buffers keep theirs. Parameters stay the same objects, so an optimiser made before
        still holds them. Devices other than the CPU raise ``DeviceError``. Returns self.
        """
        dtype, _ = parse_to("Module.to", args, kwargs)
        if dtype is not None:
            if dtype.kind != "f":
                raise TypeError(f"Module.to only takes floating point dtypes, got {dtype} (int buffers keep theirs)")
            self._cast_floating(dtype)
        return self

    def _cast_floating(self, dtype: np.dtype) -> None:
        for tensor in list(self.parameters()) + list(self.buffers()):
            if tensor.array.dtype.kind == "f" and tensor.array.dtype != dtype:
                tensor.array = tensor.array.astype(dtype)
                tensor._version.value += 1
                if tensor.grad is not None:
                    tensor.grad = Tensor._make(tensor.grad.array.astype(dtype), False, None)

    def cpu(self) -> Module:
        """The module itself: its tensors are on the CPU already."""
        return self

    def cuda(self, device: Any = None) -> Module:
        raise cuda_error("Module.cuda()")

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    def half(self) -> Module:
        return self.to(np.float16)

    def state_dict(self) -> OrderedDict:
        """Parameters and persistent buffers by dotted name (detached, sharing memory)."""
        state: OrderedDict = OrderedDict()
        for module_name, module in self.named_modules():
            for kind in ("_parameters", "_buffers"):
                for name, tensor in getattr(module, kind).items():
                    if tensor is None or (kind == "_buffers" and name in module._non_persistent):
                        continue
                    state[f"{module_name}.{name}" if module_name else name] = tensor.detach()
        return state

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> IncompatibleKeys:
        """Copy values from ``state_dict`` (name -> Tensor or array) into this module.

        With ``strict`` any missing or unexpected key, and always any shape mismatch,
        raises ``StateDictError`` listing every problem.
        """
        own = self.state_dict()
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        mismatched = [
            f"{key}: expected shape {own[key].shape}, got {tuple(np.shape(_array(state_dict[key])))}"
            for key in own
            if key in state_dict and tuple(np.shape(_array(state_dict[key]))) != own[key].shape
        ]
        problems = []
        if strict and missing:
            problems.append("missing keys: " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys: " + ", ".join(unexpected))
        if mismatched:
            problems.append("shape mismatches: " + "; ".join(mismatched))
        if problems:
            raise StateDictError(
                f"load_state_dict for {type(self).__name__}: " + " | ".join(problems)
                + ". Check that the state dict was saved from the same architecture "
                "(or pass strict=False to skip missing and unexpected keys)."
            )
        for key, target in own.items():
            if key in state_dict:
                target.array[...] = _array(state_dict[key])
                target._version.value += 1
        return IncompatibleKeys(missing, unexpected)

    # -- hooks ---------------------------------------------------------------------------
    def register_forward_pre_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, args)`` runs before forward; it may return new args."""
        return RemovableHandle(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(module, args, output)`` runs after forward; it may return a new output."""
        return RemovableHandle(self._forward_hooks, hook)

    # -- display -------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, module in self._modules.items():
            body = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}(" + (f"{extra}" if extra else "")
        return head + "\n" + "\n".join(lines) + "\n)"

    def summary(self) -> str:
        """A table of every module with its own parameter count, and the totals."""
        rows = [("name", "type", "parameters")]
        for name, module in self.named_modules():
            count = sum(p.numel() for p in module._parameters.values() if p is not None)
            rows.append((name or "(model)", type(module).__name__, f"{count:,}"))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:>{widths[2]}}" for a, b, c in rows]
        total = sum(p.numel() for p in self.parameters())
        trainable = sum(p.numel() for p in self.parameters() if p.requires_grad)
        lines.append(f"total parameters: {total:,} (trainable: {trainable:,})")
        return "\n".join(lines)


def _array(value: Any) -> np.ndarray:
    return value.array if isinstance(value, Tensor) else np.asarray(value)
