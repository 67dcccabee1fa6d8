"""Test-session setup.

The suite runs with ``pytest -n 2`` on 2 cores: each worker keeps BLAS to one
thread, so that the workers' BLAS threads do not oversubscribe the cores (spinning
OpenBLAS threads make that many times slower).
"""

from threadpoolctl import threadpool_limits

_LIMITS = threadpool_limits(limits=1, user_api="blas")
