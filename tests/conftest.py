import os

from hypothesis import HealthCheck, settings

# Shapes are small, but every example runs gradcheck: keep the count modest in CI.
settings.register_profile(
    "default",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "20")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=bool(os.environ.get("CI")),
)
settings.load_profile("default")

# The tests check values, not speed. On 2 cores, BLAS threads only contend with each other
# (and with Numba's): a (64, 784) @ (784, 64) product was measured 200x slower with the
# default threads on a busy machine. One thread for this process (threadpoolctl, a test
# extra) and for the subprocesses the tests start (scripts, notebook kernels).
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")
try:
    from threadpoolctl import threadpool_limits
except ImportError:  # without it, the environment variables above still reach subprocesses
    pass
else:
    threadpool_limits(limits=1)
