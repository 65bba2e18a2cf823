"""``backends.cudnn``: settable flags with no effect (there is no cuDNN in this build)."""
from __future__ import annotations

benchmark = False
deterministic = False
enabled = True
allow_tf32 = True


def is_available() -> bool:
    return False


def version() -> None:
    """None: no cuDNN."""
    return None
