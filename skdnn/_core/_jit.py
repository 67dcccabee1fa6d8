"""The one shared set of Numba options for every kernel.

``error_model="numpy"`` lets LLVM vectorise loops that divide (no Python
ZeroDivisionError checks); ``fastmath`` stays off so that losses, logs and NaN checks
keep IEEE semantics. ``cache=True`` writes compiled code next to the sources so that a
second process does not compile again.
"""

JIT = dict(cache=True, nogil=True, error_model="numpy")
