"""Hidden-layer activations: the forward pass and, beside it, its derivative.

Each function works on a whole layer at once. The branch on the activation code sits
outside the element loops so that every loop stays a simple, vectorisable one.
"""

import math

from numba import njit

from ._jit import JIT
from .codes import (
    ELU,
    GELU,
    IDENTITY,
    LEAKY_RELU,
    LOGISTIC,
    RELU,
    SELU,
    SELU_ALPHA,
    SELU_SCALE,
    SOFTPLUS,
    SWISH,
    TANH,
)

_INV_SQRT2 = 0.7071067811865476
_INV_SQRT_2PI = 0.3989422804014327


@njit(inline="always", **JIT)
def sigmoid(z):
    """Numerically stable logistic function of a scalar."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(**JIT)
def activation_forward(Z, b, A, code, param):
    """Add the bias to the pre-activations and apply the activation.

    Parameters
    ----------
    Z : ndarray of shape (n, units)
        Pre-activations ``X @ W``; changed in place to ``X @ W + b``.
    b : ndarray of shape (units,)
        Bias.
    A : ndarray of shape (n, units)
        Output, written in place: ``f(Z)``.
    code : int
        Activation code from :mod:`skdnn._core.codes`.
    param : float
        The activation's parameter (leaky slope, ELU alpha); ignored by the others.
    """
    n, m = Z.shape
    if code == IDENTITY:
        for i in range(n):
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                A[i, j] = z
    elif code == RELU:
        for i in range(n):
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                A[i, j] = z if z > 0 else 0.0
    elif code == LEAKY_RELU:
        for i in range(n):
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                A[i, j] = z if z > 0 else param * z
    elif code == TANH:
        for i in range(n):
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                A[i, j] = math.tanh(z)
    elif code == LOGISTIC:
        for i in range(n):
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                A[i, j] = sigmoid(z)
    elif code == ELU:
        for i in range(n):
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                A[i, j] = z if z > 0 else param * math.expm1(z)
    elif code == SELU:
        for i in range(n):
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                if z > 0:
                    A[i, j] = SELU_SCALE * z
                else:
                    A[i, j] = SELU_SCALE * SELU_ALPHA * math.expm1(z)
    elif code == SOFTPLUS:
        for i in range(n):
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                A[i, j] = max(z, 0.0) + math.log1p(math.exp(-abs(z)))
    elif code == GELU:
        for i in range(n):
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                A[i, j] = 0.5 * z * (1.0 + math.erf(z * _INV_SQRT2))
    elif code == SWISH:
        for i in range(n):
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                A[i, j] = z * sigmoid(z)


@njit(**JIT)
def activation_backward(Z, A, D, code, param):
    """Multiply the back-propagated error by the activation's derivative.

    Parameters
    ----------
    Z : ndarray of shape (n, units)
        Pre-activations (bias included) of the forward pass.
    A : ndarray of shape (n, units)
        Activations ``f(Z)`` of the forward pass.
    D : ndarray of shape (n, units)
        dLoss/dA on entry; changed in place to dLoss/dZ.
    code, param
        As in :func:`activation_forward`.
    """
    n, m = Z.shape
    if code == IDENTITY:
        return
    elif code == RELU:
        for i in range(n):
            for j in range(m):
                if Z[i, j] <= 0:
                    D[i, j] = 0.0
    elif code == LEAKY_RELU:
        for i in range(n):
            for j in range(m):
                if Z[i, j] <= 0:
                    D[i, j] *= param
    elif code == TANH:
        for i in range(n):
            for j in range(m):
                a = A[i, j]
                D[i, j] *= 1.0 - a * a
    elif code == LOGISTIC:
        for i in range(n):
            for j in range(m):
                a = A[i, j]
                D[i, j] *= a * (1.0 - a)
    elif code == ELU:
        for i in range(n):
            for j in range(m):
                if Z[i, j] <= 0:
                    D[i, j] *= A[i, j] + param
    elif code == SELU:
        for i in range(n):
            for j in range(m):
                if Z[i, j] > 0:
                    D[i, j] *= SELU_SCALE
                else:
                    D[i, j] *= A[i, j] + SELU_SCALE * SELU_ALPHA
    elif code == SOFTPLUS:
        for i in range(n):
            for j in range(m):
                D[i, j] *= sigmoid(Z[i, j])
    elif code == GELU:
        for i in range(n):
            for j in range(m):
                z = Z[i, j]
                cdf = 0.5 * (1.0 + math.erf(z * _INV_SQRT2))
                pdf = _INV_SQRT_2PI * math.exp(-0.5 * z * z)
                D[i, j] *= cdf + z * pdf
    elif code == SWISH:
        for i in range(n):
            for j in range(m):
                s = sigmoid(Z[i, j])
                D[i, j] *= s + A[i, j] * (1.0 - s)
