"""The shared sets of Numba options for every kernel.

``error_model="numpy"`` lets LLVM vectorise loops that divide (no Python
ZeroDivisionError checks); ``fastmath`` stays off so that losses, logs and NaN checks
keep IEEE semantics. ``cache=True`` writes compiled code next to the sources so that a
second process does not compile again.

``JIT`` is for the entry points the estimators call from Python (``run_epoch``,
``full_loss_grad``, ``predict_forward``, ``forward_all``). ``KERNEL`` is for everything
only other kernels call: it skips the CPython wrapper (argument unboxing for every
array and scalar, and its machine code), which cuts a cold compile of a default fit by
about 1 s (14.3 -> 13.1 s measured). Tests that call such a kernel directly go through
a small jitted shim.
"""

JIT = dict(cache=True, nogil=True, error_model="numpy")
KERNEL = dict(JIT, no_cpython_wrapper=True)
# the one kernel with ``parallel=True`` (the two halves of a training batch on two
# threads, :func:`skdnn._core.epoch._halves_parallel`)
PARALLEL = dict(KERNEL, parallel=True)
