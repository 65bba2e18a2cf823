"""Names PyTorch has and this project does not (``unsupported.py``): a message naming them and what to use."""
from __future__ import annotations

import importlib
import traceback

import pytest

import autograd_core as ag
from autograd_core.unsupported import UNSUPPORTED

LISTED = [(namespace, name) for namespace, names in UNSUPPORTED.items() for name in names]


@pytest.mark.parametrize("namespace, name", LISTED)
def test_each_listed_name_is_missing_and_explained(namespace, name):
    module = importlib.import_module(namespace)
    assert name not in vars(module), f"{namespace}.{name} exists now: remove it from unsupported.UNSUPPORTED"
    with pytest.raises(AttributeError) as error:
        getattr(module, name)
    message = str(error.value)
    assert message.startswith(f"{namespace}.{name} (PyTorch's ") and "is not part of autograd-core: " in message
    assert message.endswith(UNSUPPORTED[namespace][name])
    assert "Did you mean" not in "".join(traceback.format_exception(error.value))


@pytest.mark.parametrize("namespace", sorted(UNSUPPORTED))
def test_unknown_names_still_give_the_usual_error(namespace):
    module = importlib.import_module(namespace)
    with pytest.raises(AttributeError, match=f"^module '{namespace}' has no attribute 'no_such_name'$") as error:
        module.no_such_name
    assert error.value.name == "no_such_name" and error.value.obj is module
    assert not hasattr(module, "no_such_name")


def test_pytorch_module_paths_point_to_their_homes_here():
    with pytest.raises(AttributeError, match=r"torch.nn is the top-level package nn here: `import nn`"):
        ag.nn
    with pytest.raises(AttributeError, match="torch.utils.data is nn.data here"):
        ag.utils
    with pytest.raises(AttributeError, match="this project runs eagerly"):
        ag.compile


def test_submodules_still_import_through_the_module_getattr():
    from autograd_core import autograd, backends, cuda  # noqa: F401  (module __getattr__ must not block these)
    from autograd_core.autograd import functional  # noqa: F401
