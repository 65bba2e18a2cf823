"""``nn.optim``: optimisers and learning-rate schedulers with PyTorch's names and update rules.

    >>> optimizer = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> scheduler = nn.optim.lr_scheduler.StepLR(optimizer, step_size=10)
    >>> loss.backward(); optimizer.step(); optimizer.zero_grad()   # per batch
    >>> scheduler.step()                                           # per epoch
"""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .asgd import ASGD
from .lbfgs import LBFGS
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "lr_scheduler"]
__all__ += ["Adadelta", "NAdam", "RAdam", "LBFGS", "Adamax", "Rprop", "ASGD"]

from autograd_core.unsupported import missing_attribute as _missing_attribute  # noqa: E402


def __getattr__(name: str) -> object:
    """PyTorch's optim names this project lacks fail naming what to use (``autograd_core/unsupported.py``)."""
    raise _missing_attribute(__name__, name)
