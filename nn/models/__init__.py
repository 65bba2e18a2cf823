"""Model zoo: ``LeNet5`` and ``SmallVGG`` (``vision.py``), ``GPT`` (``gpt.py``)."""
from .gpt import GPT, GPTConfig
from .vision import LeNet5, SmallVGG

__all__ = ["LeNet5", "SmallVGG", "GPT", "GPTConfig"]
