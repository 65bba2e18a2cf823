"""Exceptions raised for user errors.

Each subclasses the built-in type a NumPy or PyTorch user would catch
(``ValueError`` for shapes, ``TypeError`` for dtypes, ``IndexError`` for dims,
``RuntimeError`` for graph misuse), so ``except ValueError`` keeps working.
Messages name the op, the shapes or values involved, and the fix.
"""


class ShapeError(ValueError):
    """Shapes that cannot be broadcast, multiplied, reshaped or concatenated."""


class DtypeError(TypeError):
    """A dtype an op cannot take, e.g. an integer tensor that requires grad."""


class DimError(IndexError):
    """A ``dim`` argument outside ``[-ndim, ndim)``."""


class GraphError(RuntimeError):
    """Misuse of the autograd graph: a second backward, a stale saved value, ..."""
