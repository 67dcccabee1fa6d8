"""The activations with parameters or pieces: PReLU (trained slopes), RReLU (random
slopes while training) and maxout (the maximum of affine pieces).

Same layout and conventions as :mod:`skdnn._core.activations`, whose dispatchers
inline these kernels.
"""

from numba import njit

from ._jit import JIT
from .bias import add_bias
from .random import random_uniform


@njit(inline="always", **JIT)
def prelu_forward(Z, b, A, slopes):
    """``A = Z + b`` where positive, ``slopes[j] * (Z + b)`` elsewhere.

    Z (n, m), changed in place to ``Z + b``; b, slopes (m,); writes A (n, m).
    """
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            z = Z[i, j] + b[j]
            Z[i, j] = z
            A[i, j] = z if z > 0 else slopes[j] * z


@njit(inline="always", **JIT)
def prelu_backward(Z, DA, DZ, slopes, gslopes):
    """``DZ = DA`` where Z > 0, ``DA * slopes[j]`` elsewhere; dLoss/dslopes too.

    Z, DA (n, m); slopes (m,); writes DZ (n, m) and gslopes (m,).
    """
    n, m = DA.shape
    for j in range(m):
        gslopes[j] = 0.0
    for i in range(n):
        for j in range(m):
            d = DA[i, j]
            z = Z[i, j]
            if z > 0:
                DZ[i, j] = d
            else:
                gslopes[j] += d * z
                DZ[i, j] = d * slopes[j]


@njit(inline="always", **JIT)
def rrelu_forward(Z, b, A, low, high, key, row0, width, off):
    """Training RReLU: a slope drawn uniformly in [low, high] for each negative unit.

    Element (i, j) draws index ``(row0 + i) * width + off + j`` of the stream
    ``key``. Z (n, m), changed in place to ``Z + b``; b (m,); writes A (n, m).
    Outside training :func:`activation_forward` runs :func:`_leaky_relu_forward`
    with the mean slope instead.
    """
    n, m = A.shape
    spread = high - low
    for i in range(n):
        base = (row0 + i) * width + off
        for j in range(m):
            z = Z[i, j] + b[j]
            Z[i, j] = z
            if z > 0:
                A[i, j] = z
            else:
                u = random_uniform(key, base + j)
                A[i, j] = (low + spread * u) * z


@njit(inline="always", **JIT)
def rrelu_backward(Z, A, DA, DZ, low, high):
    """``DZ = DA`` where Z > 0, ``DA * A / Z`` where Z < 0, the mean slope at 0.

    Z, A, DA (n, m); writes DZ (n, m).
    """
    # the slope of a negative unit is A / Z (the one drawn in the forward pass)
    n, m = A.shape
    mean = 0.5 * (low + high)
    for i in range(n):
        for j in range(m):
            d = DA[i, j]
            z = Z[i, j]
            if z > 0:
                DZ[i, j] = d
            elif z < 0:
                DZ[i, j] = d * (A[i, j] / z)
            else:
                DZ[i, j] = d * mean


@njit(inline="always", **JIT)
def maxout_forward(Z, b, A):
    """``A[:, j] = max(Z + b)`` over the columns ``j * pieces ... + pieces - 1``.

    Z (n, m * pieces), changed in place to ``Z + b``; b (m * pieces,); writes A
    (n, m).
    """
    add_bias(Z, b)
    n, m = A.shape
    pieces = Z.shape[1] // m
    for i in range(n):
        for j in range(m):
            c = j * pieces
            best = Z[i, c]
            for q in range(1, pieces):
                best = max(best, Z[i, c + q])
            A[i, j] = best


@njit(inline="always", **JIT)
def maxout_backward(Z, A, DA, DZ):
    """DA goes to the piece that gave the maximum, 0 to the others.

    Z (n, m * pieces), A, DA (n, m); writes DZ (n, m * pieces), which must not be
    DA.
    """
    # the gradient goes to the first piece that attains the maximum
    n, m = A.shape
    pieces = Z.shape[1] // m
    for i in range(n):
        for j in range(m):
            c = j * pieces
            a = A[i, j]
            hit = False
            for q in range(pieces):
                if not hit and Z[i, c + q] == a:
                    DZ[i, c + q] = DA[i, j]
                    hit = True
                else:
                    DZ[i, c + q] = 0.0
