"""Kernels: Numba loops that compile on first use, cache on disk, and are never waited for.

A kernel is a plain Python loop (``@lazy_njit()``) that Numba compiles, plus, for most
kernels, a NumPy *twin* (``@kernel.twin``) that computes the same numbers **bit for bit**:
the same IEEE operations in the same order (the tests prove it over hypothesis-drawn
inputs). Because the two agree exactly, which one runs is a matter of speed only, and the
engine uses that freedom to hide Numba's start-up:

``background`` (the default)
    A call whose argument types have no machine code yet runs the twin and asks a
    background thread to load that code from Numba's disk cache (or compile it); later
    calls run the Numba code. Nothing waits for Numba: starting Numba costs 0.7-1 s on a
    2-core machine even with every kernel cached (importing it, building its type
    registry), and compiling LeNet-5's kernels from scratch costs several seconds.
``wait``
    The call loads or compiles and waits for it (Numba's own behaviour).
``numpy``
    Twins only: Numba is never imported (kernels without a twin still use Numba).

Pick one with the environment variable ``AUTOGRAD_CORE_JIT`` or ``set_mode``; ``wait_for_kernels``
blocks until the background thread has nothing left to do (benchmarks call it before timing).

``@lazy_njit(literal=(2, 3))`` compiles the int arguments at those positions as constants
(``numba.types.literal``): one machine code per value, found by value at the call. A loop
bound or index step that the compiler knows lets it vectorise loops it otherwise leaves
scalar (it cannot rule out that runtime-sized row writes overlap the reads): Winograd's tile
transforms over 16 x 16 tiles ran 2-4x faster so. Use it for arguments with few values.

``cache=True`` is used when Numba finds a writable cache folder (the package's
``__pycache__`` or ``NUMBA_CACHE_DIR``); without one (a read-only install) a kernel is
compiled without a disk cache instead of failing. A damaged cache entry (random bytes,
a truncated or empty ``.nbi``/``.nbc`` file) never breaks a call in any mode: Numba's
error while loading it is caught, the kernel's cache index is emptied, the code is
compiled afresh (which rewrites the entry) and a ``KernelCacheWarning`` says so once per
kernel; if the cache still fails, the kernel is compiled without one. Importing a
module of kernels costs nothing: Numba is imported at the first call that needs it.
"""

from __future__ import annotations

import atexit
import collections
import functools
import os
import threading
import traceback
import types
import warnings
import weakref
from pathlib import Path
from typing import Any, Callable

import numpy as np

MODES = ("background", "wait", "numpy")
ENVIRONMENT_VARIABLE = "AUTOGRAD_CORE_JIT"


def _mode_from_environment() -> str:
    mode = os.environ.get(ENVIRONMENT_VARIABLE, "").strip().lower() or "background"
    if mode not in MODES:
        raise ValueError(
            f"{ENVIRONMENT_VARIABLE}={os.environ[ENVIRONMENT_VARIABLE]!r} is not a kernel mode; "
            f"set it to one of {', '.join(MODES)} (or leave it unset for background)."
        )
    return mode


_mode = _mode_from_environment()


def set_mode(mode: str) -> str:
    """Choose how kernels meet Numba: ``'background'``, ``'wait'`` or ``'numpy'`` (see the
    module docstring). Returns the previous mode."""
    global _mode
    if mode not in MODES:
        raise ValueError(f"set_mode: unknown kernel mode {mode!r}; use one of {', '.join(map(repr, MODES))}.")
    previous, _mode = _mode, mode
    return previous


def get_mode() -> str:
    """The current kernel mode (see ``set_mode``)."""
    return _mode


def signature_key(args: tuple) -> tuple:
    """What Numba's dispatch looks at, without importing Numba: per array its dtype, ndim,
    layout (``'C'``, ``'F'`` or ``'A'``, as ``numba.typeof``) and writeability; per
    other argument its type."""
    key = []
    for arg in args:
        if type(arg) is np.ndarray:
            flags = arg.flags
            layout = "C" if flags.c_contiguous else "F" if flags.f_contiguous else "A"
            key.append((arg.dtype, arg.ndim, layout, flags.writeable))
        else:
            key.append(type(arg))
    return tuple(key)


def _example(entry: Any) -> Any:
    """A value whose ``numba.typeof`` is the type a ``signature_key`` entry stands for."""
    if not isinstance(entry, tuple):
        return entry()  # int() == 0, float(), bool(), np.float32(), np.int8(), ...
    dtype, ndim, layout, writeable = entry
    if layout == "C":
        example = np.empty((1,) * ndim, dtype)
    elif layout == "F":
        example = np.empty((2,) * ndim, dtype, order="F")
    else:  # every other element along every axis: neither C nor F contiguous
        example = np.empty((4,) * ndim, dtype)[(slice(None, None, 2),) * ndim]
    example.flags.writeable = writeable
    return example


_NO_HIGHLIGHTING = "NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING"


def import_numba() -> Any:
    """``import numba``, the first time without its coloured error messages.

    Numba colours messages with colorama, whose ``init()``/``deinit()`` (hundreds of times
    per compile, from the loader thread) replace ``sys.stdout`` and put back the stream
    they saw: a ``print`` in the main thread meanwhile (in a ``redirect_stdout``, pytest's
    ``capsys``, a Jupyter cell) could land on a stale stream. The variable that turns the
    colours off is read when Numba is imported, so it is set for that import only and then
    removed again (the caller's environment is left as it was). Where the caller imported
    Numba first, or set the variable, nothing changes.
    """
    import sys

    if "numba" in sys.modules or _NO_HIGHLIGHTING in os.environ:
        import numba

        return numba
    os.environ[_NO_HIGHLIGHTING] = "1"
    try:
        import numba
    finally:
        os.environ.pop(_NO_HIGHLIGHTING, None)
    return numba


def compile_kernel(py_func: Callable, options: dict, cache: bool = True) -> Callable:
    """``numba.njit(cache=True, **options)(py_func)``, or without the cache when Numba finds
    no writable cache folder (or ``cache`` is False). A kernel may call other kernels: the
    compiled code calls their compiled code (see ``_calling_compiled_kernels``)."""
    numba = import_numba()
    py_func = _calling_compiled_kernels(py_func)

    if cache:
        try:
            return numba.njit(cache=True, **options)(py_func)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            pass
    return numba.njit(cache=False, **options)(py_func)


def _calling_compiled_kernels(py_func: Callable) -> Callable:
    """``py_func`` with the kernels it names (module globals that are ``Kernel`` objects) bound
    to their Numba dispatchers, which Numba compiles into its code; itself if it names none.
    Run as Python (the twins) the same names stay the ``Kernel`` objects."""
    called = [name for name in py_func.__code__.co_names if isinstance(py_func.__globals__.get(name), Kernel)]
    if not called:
        return py_func
    namespace = dict(py_func.__globals__)
    for name in called:
        namespace[name] = namespace[name].dispatcher()
    function = types.FunctionType(
        py_func.__code__, namespace, py_func.__name__, py_func.__defaults__, py_func.__closure__
    )
    function.__qualname__, function.__doc__ = py_func.__qualname__, py_func.__doc__
    return function


class KernelCacheWarning(RuntimeWarning):
    """Numba's disk cache held a damaged entry for a kernel; it was compiled afresh."""


def _from_numba_cache(error: BaseException) -> bool:
    """Whether ``error`` was raised while Numba loaded (or saved) a disk cache entry."""
    return any(Path(frame.filename).parts[-3:] == ("numba", "core", "caching.py")
               for frame in traceback.extract_tb(error.__traceback__))


_reported: set[str] = set()  # kernels whose cache damage was reported (once each)


def _report_cache_damage(kernel: "Kernel", dispatcher: Any, error: BaseException) -> None:
    if kernel.__qualname__ in _reported:
        return
    _reported.add(kernel.__qualname__)
    where = getattr(getattr(dispatcher, "_cache", None), "cache_path", None) or "Numba's cache folder"
    warnings.warn(
        f"kernel {kernel.__qualname__}: Numba's disk cache entry in {where} is damaged "
        f"({type(error).__name__}: {error}); the kernel was compiled afresh and the entry rewritten.",
        KernelCacheWarning,
        stacklevel=2,
    )


class Kernel:
    """A Numba kernel and its optional NumPy twin; calling it runs whichever the mode picks."""

    def __init__(self, py_func: Callable, options: dict) -> None:
        functools.update_wrapper(self, py_func)
        options = dict(options)
        #: positions of the int arguments compiled as constants (see the module docstring)
        self.literal: tuple[int, ...] = tuple(options.pop("literal", ()))
        self.py_func, self.options = py_func, options
        self.numpy: Callable | None = None  # the twin
        self._dispatcher: Callable | None = None
        self._ready: dict[tuple, Callable] = {}  # signature key -> the dispatcher, once compiled
        self._lock = threading.Lock()
        _kernels.add(self)

    def twin(self, numpy_func: Callable) -> Callable:
        """Decorator: register the NumPy function that computes this kernel's results bit
        for bit (same arguments, same outputs written)."""
        self.numpy = numpy_func
        return numpy_func

    def key(self, args: tuple) -> tuple:
        """What selects the machine code for ``args``: their ``signature_key``, then the values of
        the literal arguments."""
        key = signature_key(args)
        if self.literal:
            key += tuple(int(args[position]) for position in self.literal)
        return key

    def __call__(self, *args: Any) -> Any:
        if self.numpy is None or _mode == "wait":
            return self.compiled(*args)
        key = self.key(args) if self.literal else signature_key(args)
        compiled = self._ready.get(key)
        if compiled is not None:
            return compiled(*args)
        if _mode == "background":
            _loader.request(self, key)
        return self._quiet_twin(*args)

    def resolve(self, *args: Any) -> Callable:
        """What a call with arguments of these types runs now, to call many times with arguments of
        the same types (a loop over steps: each call then skips working the types out, ~2 us for six
        arrays): the Numba dispatcher where its code is ready (``wait`` mode, or no twin: after
        loading it), else the twin (``background`` mode asks for the code, as a call does; a later
        ``resolve`` gets it). Called with other types (or other literal values: the machine code is
        that of these), the result is not valid: resolve again."""
        key = self.key(args)
        if self.numpy is None or _mode == "wait":
            if key not in self._ready:
                self.load(key)
            return self._ready[key]
        compiled = self._ready.get(key)
        if compiled is not None:
            return compiled
        if _mode == "background":
            _loader.request(self, key)
        return self._quiet_twin

    def _quiet_twin(self, *args: Any) -> Any:
        with np.errstate(all="ignore"):  # as the Numba code: inf - inf is NaN without a warning
            return self.numpy(*args)

    def compiled(self, *args: Any) -> Any:
        """Run the Numba code, loading or compiling it first if needed (and waiting)."""
        if self.literal:  # by value: the dispatcher alone would compile a version for any int
            key = self.key(args)
            if key not in self._ready:
                self.load(key)
            return self._ready[key](*args)
        try:
            return self.dispatcher()(*args)
        except Exception as error:
            if not _from_numba_cache(error):
                raise
            failure = error  # the code never ran: loading it failed
        return self._without_damaged_cache(failure, lambda dispatcher: dispatcher(*args))

    def dispatcher(self) -> Callable:
        """The Numba dispatcher (created on first use; it compiles per signature)."""
        with self._lock:
            if self._dispatcher is None:
                self._dispatcher = compile_kernel(self.py_func, self.options)
            return self._dispatcher

    def load(self, key: tuple) -> None:
        """Load (or compile) the machine code for the argument types ``key`` stands for."""
        numba = import_numba()

        count = len(key) - len(self.literal)
        types = [numba.typeof(_example(entry)) for entry in key[:count]]
        for position, value in zip(self.literal, key[count:]):
            types[position] = numba.types.literal(value)
        types = tuple(types)

        def compile_types(dispatcher: Any) -> Any:
            dispatcher.compile(types)
            return dispatcher

        try:
            dispatcher = compile_types(self.dispatcher())
        except Exception as error:
            if not _from_numba_cache(error):
                raise
            dispatcher = self._without_damaged_cache(error, compile_types)
        # a literal kernel's code for these values itself: called with ints, the dispatcher would not pick it
        self._ready[key] = dispatcher.overloads[types].entry_point if self.literal else dispatcher

    def _without_damaged_cache(self, error: BaseException, retry: Callable[[Any], Any]) -> Any:
        """After Numba failed to load this kernel's disk cache entry: report it (once), empty
        the kernel's cache index so the entry is rebuilt, and ``retry(dispatcher)``; if the
        cache fails again, retry with a dispatcher that has no disk cache."""
        dispatcher = self.dispatcher()
        _report_cache_damage(self, dispatcher, error)
        try:
            dispatcher._cache.flush()  # an empty, valid index: the next compile saves afresh
        except (AttributeError, OSError):
            pass
        try:
            return retry(dispatcher)
        except Exception as second:
            if not _from_numba_cache(second):
                raise
        with self._lock:
            self._dispatcher = compile_kernel(self.py_func, self.options, cache=False)
        return retry(self._dispatcher)

    def __repr__(self) -> str:
        return f"<kernel {self.__name__}{' with a NumPy twin' if self.numpy else ''}>"


_kernels: weakref.WeakSet[Kernel] = weakref.WeakSet()


class _Loader:
    """One daemon thread that loads or compiles the (kernel, argument types) pairs that
    calls asked for, in order; it ends when nothing is left and restarts on the next request."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pending: collections.deque[tuple[Kernel, tuple]] = collections.deque()
        self.requested: set[tuple[Kernel, tuple]] = set()  # the kernel itself: an id could be reused
        self.thread: threading.Thread | None = None
        self.idle = threading.Event()
        self.idle.set()
        self.stopping = False
        #: (kernel name, signature key, exception) for argument types that failed to compile:
        #: their twin keeps serving them.
        self.failures: list[tuple[str, tuple, BaseException]] = []

    def request(self, kernel: Kernel, key: tuple) -> None:
        with self.lock:
            if (kernel, key) in self.requested or self.stopping:
                return
            self.requested.add((kernel, key))
            self.pending.append((kernel, key))
            self.idle.clear()
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="autograd_core kernel loader", daemon=True)
                self.thread.start()

    def _run(self) -> None:
        while True:
            with self.lock:
                if not self.pending or self.stopping:
                    self.thread = None
                    self.idle.set()
                    return
                kernel, key = self.pending.popleft()
            try:
                kernel.load(key)
            except Exception as error:  # noqa: BLE001 - the twin keeps serving these types
                self.failures.append((kernel.__name__, key, error))

    def stop(self) -> None:
        """At exit: finish the kernel being loaded (so its cache file is whole), skip the rest."""
        with self.lock:
            self.stopping = True
            thread = self.thread
        if thread is not None:
            thread.join()

    def reset_after_fork(self) -> None:
        """A forked child has none of the parent's threads: start over with fresh locks."""
        self.__init__()
        for kernel in list(_kernels):
            kernel._lock = threading.Lock()


_loader = _Loader()
atexit.register(_loader.stop)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_loader.reset_after_fork)


def wait_for_kernels(timeout: float | None = None) -> bool:
    """Block until the background thread has loaded or compiled every kernel asked for so
    far; False if ``timeout`` seconds passed first."""
    return _loader.idle.wait(timeout)


def lazy_njit(**options: Any) -> Callable[[Callable], Kernel]:
    """Decorator: a ``Kernel`` running ``numba.njit(cache=True, **options)(py_func)``,
    compiled at the first call that needs it. Register a twin with ``@kernel.twin``.
    ``literal=(positions)``: int arguments compiled as constants (see the module docstring)."""

    def decorate(py_func: Callable) -> Kernel:
        return Kernel(py_func, options)

    return decorate
