import fractions
import subprocess
import sys

import numpy as np
import pytest

from autograd_core.kernels import jit
from autograd_core.kernels.special import erf, erf_reference


def test_import_compiles_nothing_and_does_not_import_numba():
    code = "import sys, autograd_core, autograd_core.kernels.special; print('numba' in sys.modules)"
    assert subprocess.check_output([sys.executable, "-c", code], text=True).strip() == "False"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (5,), (3, 4)])
def test_erf_matches_reference(dtype, shape):
    values = np.random.default_rng(0).uniform(-3, 3, size=shape).astype(dtype)
    got = erf(values)
    assert got.dtype == dtype and got.shape == values.shape
    np.testing.assert_allclose(got, erf_reference(values), rtol=1e-6 if dtype == np.float32 else 1e-15)


def test_erf_on_a_non_contiguous_view():
    values = np.linspace(-2, 2, 24).reshape(4, 6).T[::2]
    np.testing.assert_allclose(erf(values), erf_reference(values), rtol=1e-15)


def test_kernel_compiles_without_a_disk_cache_when_no_cache_folder_is_writable(monkeypatch):
    import numba

    assert jit.wait_for_kernels(timeout=240)  # no background load from earlier tests may call the patched njit
    # Numba's first compile in a process calls njit for its own helpers: done before the patch (where
    # no earlier test compiled anything, as under AUTOGRAD_CORE_JIT=numpy)
    numba.njit(cache=False)(lambda values: values[0] * 2)(np.ones(1))
    real_njit = numba.njit
    calls = []

    def njit(*args, cache=False, **options):
        calls.append(cache)
        if cache:
            raise RuntimeError("cannot cache function 'double': no locator available for file")
        return real_njit(*args, cache=cache, **options)

    monkeypatch.setattr(numba, "njit", njit)

    @jit.lazy_njit()
    def double(values, out):
        for i in range(values.size):
            out[i] = 2 * values[i]

    values, out = np.arange(3.0), np.empty(3)
    double(values, out)
    assert calls == [True, False]
    np.testing.assert_array_equal(out, [0.0, 2.0, 4.0])


# -- modes: background (twin until the Numba code is loaded), wait, numpy -------------


def run_python(code: str, **environment: str) -> str:
    import os

    env = dict(os.environ, **environment)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0 and not result.stderr, result.stderr
    return result.stdout.strip()


@pytest.fixture
def mode():
    """Set a kernel mode for one test; the previous one comes back afterwards."""
    previous = jit.get_mode()
    yield jit.set_mode
    jit.set_mode(previous)


def counting_kernel() -> tuple[jit.Kernel, list[str]]:
    """A fresh kernel (so nothing is compiled yet) whose twin records its calls."""
    calls: list[str] = []

    @jit.lazy_njit()
    def triple(values, out):
        for i in range(values.size):
            out[i] = 3 * values[i]

    @triple.twin
    def triple_numpy(values, out):
        calls.append("twin")
        np.multiply(values, 3, out=out)

    return triple, calls


def test_background_mode_runs_the_twin_until_the_numba_code_is_loaded(mode):
    mode("background")
    triple, calls = counting_kernel()
    values, out = np.arange(4.0), np.empty(4)
    triple(values, out)
    assert calls == ["twin"] and out.tolist() == [0.0, 3.0, 6.0, 9.0]
    assert jit.wait_for_kernels(timeout=120)
    triple(values, out)  # the Numba code now
    assert calls == ["twin"] and out.tolist() == [0.0, 3.0, 6.0, 9.0]
    triple(values.astype(np.float32), out.astype(np.float32))  # new argument types: the twin again, while they load
    assert calls == ["twin", "twin"]


def test_wait_mode_compiles_at_the_first_call_and_numpy_mode_never(mode):
    triple, calls = counting_kernel()
    values, out = np.arange(3.0), np.empty(3)
    mode("numpy")
    triple(values, out)
    assert calls == ["twin"] and triple._dispatcher is None
    mode("wait")
    triple(values, out)
    assert calls == ["twin"] and out.tolist() == [0.0, 3.0, 6.0]


def test_literal_arguments_compile_one_code_per_value_and_select_it_by_value(mode):
    """``literal=``: the int argument is a constant of the machine code, so each value has its own
    code, loaded in the background like new argument types (the twin serves meanwhile) and
    picked by value; wait mode compiles it at the call."""
    calls: list[str] = []

    @jit.lazy_njit(literal=(1,))
    def scale(values, factor, out):
        for i in range(values.size):
            out[i] = factor * values[i]

    @scale.twin
    def scale_numpy(values, factor, out):
        calls.append("twin")
        np.multiply(values, factor, out=out)

    values, out = np.arange(4.0), np.empty(4)
    mode("background")
    scale(values, 2, out)
    assert calls == ["twin"] and out.tolist() == [0.0, 2.0, 4.0, 6.0]
    assert jit.wait_for_kernels(timeout=120)
    scale(values, 2, out)
    assert calls == ["twin"] and out.tolist() == [0.0, 2.0, 4.0, 6.0]
    scale(values, 3, out)  # a new value: its own code, the twin until it is loaded
    assert calls == ["twin", "twin"] and out.tolist() == [0.0, 3.0, 6.0, 9.0]
    mode("wait")
    scale(values, 5, out)
    assert calls == ["twin", "twin"] and out.tolist() == [0.0, 5.0, 10.0, 15.0]
    assert scale.key((values, 5, out)) != scale.key((values, 3, out))
    assert jit.wait_for_kernels(timeout=120)  # 3's code, asked for in the background
    assert {key[-1] for key in scale._ready} == {2, 3, 5}


def test_resolve_gives_what_a_call_with_those_types_runs_now(mode):
    triple, calls = counting_kernel()
    values, out = np.arange(3.0), np.empty(3)
    mode("numpy")
    triple.resolve(values, out)(values, out)
    assert calls == ["twin"] and triple._dispatcher is None and out.tolist() == [0.0, 3.0, 6.0]
    mode("background")
    run = triple.resolve(values, out)  # not loaded yet: the twin, and the code is asked for
    run(values, out)
    assert calls == ["twin", "twin"]
    assert jit.wait_for_kernels(timeout=120)
    out[:] = 0
    triple.resolve(values, out)(values, out)  # the Numba code now
    assert calls == ["twin", "twin"] and out.tolist() == [0.0, 3.0, 6.0]
    mode("wait")
    run = triple.resolve(values.astype(np.float32), out.astype(np.float32))  # loaded, then the dispatcher
    assert calls == ["twin", "twin"] and run is triple.dispatcher()


def test_set_mode_rejects_unknown_modes():
    with pytest.raises(ValueError, match="set_mode: unknown kernel mode 'fast'.*'background', 'wait', 'numpy'"):
        jit.set_mode("fast")


def test_argument_types_that_fail_to_compile_keep_their_twin(mode):
    mode("background")

    @jit.lazy_njit()
    def keys(values, out):
        out[0] = float(fractions.Fraction(len(values)))  # Numba cannot compile this

    @keys.twin
    def keys_numpy(values, out):
        out[0] = float(fractions.Fraction(len(values)))

    out = np.empty(1)
    keys(np.array([1.0, 1.0, 2.0]), out)
    assert jit.wait_for_kernels(timeout=120)
    keys(np.array([1.0, 2.0, 3.0]), out)
    assert out[0] == 3.0
    assert any(name == "keys" for name, _, _ in jit._loader.failures)


@pytest.mark.parametrize(
    "value",
    [
        np.zeros((2, 3), np.float32),
        np.zeros((2, 3), order="F"),
        np.zeros((4, 6))[:, ::2],
        np.zeros(()),
        np.zeros(5, np.int8),
        np.zeros((3, 1)).T,
        3,
        2.5,
        True,
        np.float32(1),
        np.int8(1),
    ],
)
def test_signature_keys_stand_for_the_types_numba_dispatches_on(value):
    import numba

    if isinstance(value, np.ndarray) and value.ndim == 2 and value.dtype == np.float64 and value.flags.c_contiguous:
        value.flags.writeable = False  # read-only arrays are a type of their own
    (entry,) = jit.signature_key((value,))
    assert numba.typeof(jit._example(entry)) == numba.typeof(value)


def test_the_first_lenet_step_does_not_wait_for_numba_and_the_later_ones_give_the_same_bits(tmp_path):
    """In a fresh process: the first step runs the twins (Numba is not ready yet); after
    the kernels are loaded, a step from the same state gives the same numbers."""
    code = """
import time, numpy as np, autograd_core as ag, nn
from autograd_core.kernels import conv, jit
from nn.models import LeNet5
ag.manual_seed(0)
model, x, y = LeNet5(), ag.randn(8, 1, 28, 28), ag.tensor([0, 1, 2, 3, 4, 5, 6, 7])
def step():
    model.zero_grad()
    loss = nn.functional.cross_entropy(model(x), y)
    loss.backward()
    return [loss.array] + [p.grad.array.copy() for p in model.parameters()]
first = step()
ready_at_first_step = bool(conv._im2col._ready)
assert jit.wait_for_kernels(timeout=240)
second = step()
same = all(a.tobytes() == b.tobytes() for a, b in zip(first, second))
print(ready_at_first_step, bool(conv._im2col._ready), same)
"""
    assert run_python(code, NUMBA_CACHE_DIR=str(tmp_path), AUTOGRAD_CORE_JIT="background") == "False True True"


def test_numpy_mode_never_imports_numba_and_exit_mid_compile_is_clean(tmp_path):
    code = """
import sys, autograd_core as ag, nn.functional as F
x, w = ag.randn(2, 3, 8, 8), ag.randn(4, 3, 3, 3, requires_grad=True)
F.max_pool2d(ag.conv2d(x, w, padding=1), 2).sum().backward()
print('numba' in sys.modules)
"""
    assert run_python(code, NUMBA_CACHE_DIR=str(tmp_path), AUTOGRAD_CORE_JIT="numpy") == "False"
    # background mode, fresh cache: the process ends while the kernels compile; it exits cleanly
    run_python(code, NUMBA_CACHE_DIR=str(tmp_path), AUTOGRAD_CORE_JIT="background")  # asserts exit status 0, no stderr


def test_a_forked_child_loads_kernels_with_its_own_thread(tmp_path):
    code = """
import os, numpy as np
from autograd_core.kernels import conv, jit
padded, cols = np.ones((1, 1, 4, 4)), np.empty((1, 9, 4))
conv._im2col(padded, cols, 3, 3, 1, 1, 1, 1, 2, 2)  # starts the loader in the parent
pid = os.fork()
if pid == 0:
    conv._col2im(cols, np.empty((1, 1, 4, 4)), 3, 3, 1, 1, 1, 1, 2, 2)
    os._exit(0 if jit.wait_for_kernels(timeout=240) and conv._col2im._ready else 1)
_, status = os.waitpid(pid, 0)
print(os.waitstatus_to_exitcode(status))
"""
    assert run_python(code, NUMBA_CACHE_DIR=str(tmp_path), AUTOGRAD_CORE_JIT="background") == "0"


def test_an_unknown_mode_in_the_environment_is_a_clear_error():
    import os

    env = dict(os.environ, AUTOGRAD_CORE_JIT="fastest")
    result = subprocess.run([sys.executable, "-c", "import autograd_core"], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "AUTOGRAD_CORE_JIT='fastest' is not a kernel mode; set it to one of background, wait, numpy" in result.stderr


def test_numba_is_imported_without_colorama_swapping_stdout_and_the_environment_is_left_alone(tmp_path):
    """Numba's coloured errors swap sys.stdout from the loader thread (colorama init/deinit):
    jit imports Numba with the colours off, and removes the switch from the environment again."""
    code = """
import os
from autograd_core.kernels import jit
numba = jit.import_numba()
from numba.core import errors
print(type(errors.termcolor()).__name__, "NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING" in os.environ)
"""
    import os

    environment = {key: value for key, value in os.environ.items() if key != "NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING"}
    environment["NUMBA_CACHE_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["NOPColorScheme", "False"]
