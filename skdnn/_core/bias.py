"""Adding a bias row by row (the activations' first step)."""

from numba import njit

from ._jit import KERNEL


@njit(**KERNEL)
def add_bias(Z, b):
    """``Z += b`` row by row: Z of shape (n, m), changed in place; b of shape (m,)."""
    n, m = Z.shape
    for i in range(n):
        for j in range(m):
            Z[i, j] += b[j]
