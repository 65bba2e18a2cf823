"""``set_printoptions``: how tensors print (PyTorch's names). As in PyTorch the options hold
for the whole process; they change nothing but the text of ``repr``/``print``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": np.inf, "edgeitems": 3, "linewidth": 80},
}
_options: dict[str, Any] = {"precision": 4, "sci_mode": None}  # only what was set: NumPy's defaults otherwise


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Digits after the point (``precision``, 4), how many elements print in full before the
    middle is elided (``threshold``) and how many are kept at each end (``edgeitems``), the line
    width, a ``profile`` ('default', 'short', 'full') setting all of these, and ``sci_mode``
    (True: always scientific notation, False: never, None: as the values need)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"set_printoptions: profile must be one of {', '.join(_PROFILES)}, got {profile!r}")
        _options.update(_PROFILES[profile])
    for name, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems),
                        ("linewidth", linewidth)):
        if value is not None:
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ValueError(f"set_printoptions: {name} must be a number >= 0, got {value!r}")
            _options[name] = value
    _options["sci_mode"] = sci_mode


def format_array(array: np.ndarray, prefix: str) -> str:
    """The body of a tensor's repr under the current options."""
    options = dict(separator=", ", prefix=prefix, precision=_options["precision"])
    for ours, numpys in (("threshold", "threshold"), ("edgeitems", "edgeitems"), ("linewidth", "max_line_width")):
        if ours in _options:
            options[numpys] = _options[ours] if ours != "threshold" or np.isfinite(_options[ours]) else 2**62
    if _options["sci_mode"] is True:
        options["formatter"] = {"float_kind": f"{{:.{_options['precision']}e}}".format}
    elif _options["sci_mode"] is False:
        options["suppress_small"] = True
        options["floatmode"] = "fixed"
    return np.array2string(array, **options)
