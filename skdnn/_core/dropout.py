"""Dropout masks from the counter-based generator: inverted and alpha dropout.

Element (i, j) of a buffer region at column offset ``off`` draws the uniform number
of index ``(row0 + i) * width + off + j`` of the step's stream, so a mask depends
only on (seed, step, row, column): bitwise reproducible whatever the thread count.
"""

from numba import njit

from ._jit import KERNEL
from .codes import DROP_INVERTED
from .random import random_uniform


@njit(**KERNEL)
def dropout_forward(X, M, Y, mode, rate, a, b, sat, key, row0, width, off):
    """Drop each element of X with probability ``rate``; write ``Y`` and ``M``.

    Inverted dropout: ``Y = X * keep / (1 - rate)``. Alpha dropout (SELU): dropped
    elements take the saturation value ``sat``, then ``Y = a * Y + b`` restores mean
    0 and variance 1. ``M`` receives dY/dX (the multiplier of each element).
    """
    n, m = X.shape
    if mode == DROP_INVERTED:
        scale = 1.0 / (1.0 - rate)
        for i in range(n):
            base = (row0 + i) * width + off
            for j in range(m):
                mult = scale if random_uniform(key, base + j) >= rate else 0.0
                M[i, j] = mult
                Y[i, j] = X[i, j] * mult
    else:
        dropped = a * sat + b
        for i in range(n):
            base = (row0 + i) * width + off
            for j in range(m):
                if random_uniform(key, base + j) >= rate:
                    M[i, j] = a
                    Y[i, j] = a * X[i, j] + b
                else:
                    M[i, j] = 0.0
                    Y[i, j] = dropped


@njit(**KERNEL)
def dropout_backward(DY, M, DX):
    """``DX = DY * M``."""
    n, m = DY.shape
    for i in range(n):
        for j in range(m):
            DX[i, j] = DY[i, j] * M[i, j]
