"""Hidden-layer activations: the forward pass and, beside it, its derivative.

Each function works on a whole layer at once. The branch on the activation code sits
outside the element loops so that every loop stays a simple, vectorisable one.
"""

import math

from numba import njit

from ._jit import JIT, KERNEL
from .codes import (
    ELU,
    GELU,
    IDENTITY,
    LEAKY_RELU,
    LOGISTIC,
    MAXOUT,
    PRELU,
    RELU,
    RRELU,
    SELU,
    SELU_ALPHA,
    SELU_SCALE,
    SOFTPLUS,
    SWISH,
    TANH,
)
from .random import random_uniform

_INV_SQRT2 = 0.7071067811865476
_INV_SQRT_2PI = 0.3989422804014327


@njit(inline="always", **JIT)
def sigmoid(z):
    """Numerically stable logistic function of a scalar."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@njit(**KERNEL)
def add_bias(Z, b):
    """``Z += b`` row by row."""
    n, m = Z.shape
    for i in range(n):
        for j in range(m):
            Z[i, j] += b[j]


@njit(**KERNEL)
def activation_forward(
    Z, b, A, code, param, param2, slopes, rand, key, row0, width, off
):  # fmt: skip
    """Add the bias and apply the activation: ``A = f(Z + b)``; ``Z += b`` too for
    the activations whose derivative reads Z.

    One pass over the layer for every activation but maxout.

    Parameters
    ----------
    Z : ndarray of shape (n, units * pieces)
        Pre-activations ``x @ W`` (or BN's ``gamma * x_hat``). Changed in place to
        ``Z + b`` for the activations whose derivative reads Z (leaky ReLU, ELU,
        softplus, GELU, swish, PReLU, RReLU, maxout); left unchanged for identity,
        ReLU, SELU, tanh and logistic, whose derivative
        (:func:`activation_backward`) needs only A: skipping that store makes
        the pass over the layer about twice as fast.
    b : ndarray of shape (units * pieces,)
        Bias (or BN's beta).
    A : ndarray of shape (n, units)
        Output, written in place. For maxout, unit ``j`` is the maximum of the
        columns ``j * pieces ... j * pieces + pieces - 1`` of Z.
    code : int
        Activation code from :mod:`skdnn._core.codes`.
    param, param2 : float
        The activation's parameters (leaky slope, ELU alpha, RReLU bounds).
    slopes : ndarray of shape (units,)
        PReLU slopes (a view of theta); empty for the other activations.
    rand : bool
        RReLU only: draw each negative slope uniformly in [param, param2] (training)
        instead of using their mean.
    key, row0, width, off : uint64, int, int, int
        RReLU's random stream: element (i, j) uses index
        ``(row0 + i) * width + off + j``.
    """
    n, m = A.shape
    if code == RRELU and not rand:
        # outside training, RReLU is the leaky ReLU of the mean slope
        code = LEAKY_RELU
        param = 0.5 * (param + param2)
    if code == IDENTITY:
        for i in range(n):
            for j in range(m):
                z = Z[i, j] + b[j]
                A[i, j] = z
    elif code == RELU:
        for i in range(n):
            for j in range(m):
                z = Z[i, j] + b[j]
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
                A[i, j] = math.tanh(z)
    elif code == LOGISTIC:
        for i in range(n):
            for j in range(m):
                z = Z[i, j] + b[j]
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
    elif code == PRELU:
        for i in range(n):
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                A[i, j] = z if z > 0 else slopes[j] * z
    elif code == RRELU:
        spread = param2 - param
        for i in range(n):
            base = (row0 + i) * width + off
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                if z > 0:
                    A[i, j] = z
                else:
                    u = random_uniform(key, base + j)
                    A[i, j] = (param + spread * u) * z
    elif code == MAXOUT:
        add_bias(Z, b)
        pieces = Z.shape[1] // m
        for i in range(n):
            for j in range(m):
                c = j * pieces
                best = Z[i, c]
                for q in range(1, pieces):
                    best = max(best, Z[i, c + q])
                A[i, j] = best


@njit(**KERNEL)
def activation_backward(Z, A, DA, DZ, code, param, param2, slopes, gslopes):
    """Back-propagate through the activation: ``DZ = DA * f'(Z)``.

    Parameters
    ----------
    Z, A : ndarray
        Pre-activations and activations of the forward pass. Z holds ``Z + b``
        where the derivative needs it and is not read for identity, ReLU, SELU,
        tanh and logistic (see :func:`activation_forward`).
    DA : ndarray of shape (n, units)
        dLoss/dA.
    DZ : ndarray of shape (n, units * pieces)
        Written: dLoss/dZ. May be the same array as DA (except for maxout).
    code, param, param2, slopes
        As in :func:`activation_forward`.
    gslopes : ndarray of shape (units,)
        PReLU only: written with dLoss/dslopes.
    """
    n, m = A.shape
    if code == IDENTITY:
        for i in range(n):
            for j in range(m):
                DZ[i, j] = DA[i, j]
    elif code == RELU:
        for i in range(n):
            for j in range(m):
                DZ[i, j] = DA[i, j] if A[i, j] > 0 else 0.0  # A > 0 exactly when Z > 0
    elif code == LEAKY_RELU:
        for i in range(n):
            for j in range(m):
                d = DA[i, j]
                DZ[i, j] = d if Z[i, j] > 0 else d * param
    elif code == TANH:
        for i in range(n):
            for j in range(m):
                a = A[i, j]
                DZ[i, j] = DA[i, j] * (1.0 - a * a)
    elif code == LOGISTIC:
        for i in range(n):
            for j in range(m):
                a = A[i, j]
                DZ[i, j] = DA[i, j] * (a * (1.0 - a))
    elif code == ELU:
        for i in range(n):
            for j in range(m):
                d = DA[i, j]
                DZ[i, j] = d if Z[i, j] > 0 else d * (A[i, j] + param)
    elif code == SELU:
        for i in range(n):
            for j in range(m):
                d = DA[i, j]
                if A[i, j] > 0:  # exactly when Z > 0
                    DZ[i, j] = d * SELU_SCALE
                else:
                    DZ[i, j] = d * (A[i, j] + SELU_SCALE * SELU_ALPHA)
    elif code == SOFTPLUS:
        for i in range(n):
            for j in range(m):
                DZ[i, j] = DA[i, j] * sigmoid(Z[i, j])
    elif code == GELU:
        for i in range(n):
            for j in range(m):
                z = Z[i, j]
                cdf = 0.5 * (1.0 + math.erf(z * _INV_SQRT2))
                pdf = _INV_SQRT_2PI * math.exp(-0.5 * z * z)
                DZ[i, j] = DA[i, j] * (cdf + z * pdf)
    elif code == SWISH:
        for i in range(n):
            for j in range(m):
                s = sigmoid(Z[i, j])
                DZ[i, j] = DA[i, j] * (s + A[i, j] * (1.0 - s))
    elif code == PRELU:
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
    elif code == RRELU:
        # the slope of a negative unit is A / Z (the one drawn in the forward pass)
        mean = 0.5 * (param + param2)
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
    elif code == MAXOUT:
        # the gradient goes to the first piece that attains the maximum
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
