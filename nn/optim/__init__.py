"""``nn.optim``: optimisers and learning-rate schedulers with PyTorch's names and update rules.

    >>> optimizer = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    >>> loss.backward(); optimizer.step(); optimizer.zero_grad()
"""
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW"]
