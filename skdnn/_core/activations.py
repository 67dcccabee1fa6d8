"""Hidden-layer activations: one small kernel per activation, its derivative beside it.

For every activation, ``_<name>_forward`` (add the bias, apply f) is followed by
``_<name>_backward`` (multiply by f'). They share one layout:

- forward ``(Z, b, A, ...)``: Z of shape (n, m * pieces) holds the pre-activations,
  b of shape (m * pieces,) the bias, A of shape (n, m) receives ``f(Z + b)``;
- backward: those of ``(Z, A, DA, DZ)`` it reads or writes, then parameters. Z and A
  are as the forward pass left them, DA of shape (n, m) is dLoss/dA, DZ of shape
  (n, m * pieces) receives dLoss/dZ.

Each works on a whole layer at once, and :func:`activation_forward` and
:func:`activation_backward` pick one by the activation code. That branch sits outside
the element loops so that every loop stays a simple, vectorisable one. The
per-activation kernels are inlined into the two dispatchers (``inline="always"``), so
they are no compiled functions of their own. Measured as the CPU time of a first call
of both dispatchers from a jitted shim, with an empty cache (medians): 3.2 s inlined,
4.6 s compiled separately (``KERNEL``), 2.8 s for the same loops written out in two big
functions. The difference is Numba's inliner, which runs its untyped passes on each
inlined function and copies its IR; the machine code is about the same (5,324
against 5,305 instructions for the two dispatchers) and runs as fast.
"""

import math

from numba import njit

from ._jit import JIT, KERNEL
from .activations_param import (
    maxout_backward,
    maxout_forward,
    prelu_backward,
    prelu_forward,
    rrelu_backward,
    rrelu_forward,
)
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

_INV_SQRT2 = 0.7071067811865476
_INV_SQRT_2PI = 0.3989422804014327


@njit(inline="always", **JIT)
def sigmoid(z):
    """Numerically stable logistic function of a scalar."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


# Identity, ReLU, tanh, logistic and SELU: the derivative needs only A, so the
# forward pass does not store Z + b (see activation_forward) and the backward pass
# never reads Z.


@njit(inline="always", **JIT)
def _identity_forward(Z, b, A):
    """``A = Z + b``. Z (n, m), b (m,); writes A (n, m); Z unchanged."""
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            z = Z[i, j] + b[j]
            A[i, j] = z


@njit(inline="always", **JIT)
def _identity_backward(DA, DZ):
    """``DZ = DA``. DA (n, m); writes DZ (n, m)."""
    n, m = DA.shape
    for i in range(n):
        for j in range(m):
            DZ[i, j] = DA[i, j]


@njit(inline="always", **JIT)
def _relu_forward(Z, b, A):
    """``A = max(Z + b, 0)``. Z (n, m), b (m,); writes A (n, m); Z unchanged."""
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            z = Z[i, j] + b[j]
            A[i, j] = z if z > 0 else 0.0


@njit(inline="always", **JIT)
def _relu_backward(A, DA, DZ):
    """``DZ = DA * (A > 0)``. A, DA (n, m); writes DZ (n, m)."""
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            DZ[i, j] = DA[i, j] if A[i, j] > 0 else 0.0  # A > 0 exactly when Z > 0


@njit(inline="always", **JIT)
def _tanh_forward(Z, b, A):
    """``A = tanh(Z + b)``. Z (n, m), b (m,); writes A (n, m); Z unchanged."""
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            z = Z[i, j] + b[j]
            A[i, j] = math.tanh(z)


@njit(inline="always", **JIT)
def _tanh_backward(A, DA, DZ):
    """``DZ = DA * (1 - A**2)``. A, DA (n, m); writes DZ (n, m)."""
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            a = A[i, j]
            DZ[i, j] = DA[i, j] * (1.0 - a * a)


@njit(inline="always", **JIT)
def _logistic_forward(Z, b, A):
    """``A = sigmoid(Z + b)``. Z (n, m), b (m,); writes A (n, m); Z unchanged."""
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            z = Z[i, j] + b[j]
            A[i, j] = sigmoid(z)


@njit(inline="always", **JIT)
def _logistic_backward(A, DA, DZ):
    """``DZ = DA * A * (1 - A)``. A, DA (n, m); writes DZ (n, m)."""
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            a = A[i, j]
            DZ[i, j] = DA[i, j] * (a * (1.0 - a))


@njit(inline="always", **JIT)
def _selu_forward(Z, b, A):
    """``A = selu(Z + b)``. Z (n, m), b (m,); writes A (n, m); Z unchanged."""
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            z = Z[i, j] + b[j]
            if z > 0:
                A[i, j] = SELU_SCALE * z
            else:
                A[i, j] = SELU_SCALE * SELU_ALPHA * math.expm1(z)


@njit(inline="always", **JIT)
def _selu_backward(A, DA, DZ):
    """``DZ = DA * selu'(Z)``, from A. A, DA (n, m); writes DZ (n, m)."""
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            d = DA[i, j]
            if A[i, j] > 0:  # exactly when Z > 0
                DZ[i, j] = d * SELU_SCALE
            else:
                DZ[i, j] = d * (A[i, j] + SELU_SCALE * SELU_ALPHA)


# The others read Z in the backward pass: the forward pass stores Z + b in Z.


@njit(inline="always", **JIT)
def _leaky_relu_forward(Z, b, A, slope):
    """``A = Z + b`` where positive, ``slope * (Z + b)`` elsewhere.

    Z (n, m), changed in place to ``Z + b``; b (m,); writes A (n, m).
    """
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            z = Z[i, j] + b[j]
            Z[i, j] = z
            A[i, j] = z if z > 0 else slope * z


@njit(inline="always", **JIT)
def _leaky_relu_backward(Z, DA, DZ, slope):
    """``DZ = DA`` where Z > 0, ``DA * slope`` elsewhere. Z, DA (n, m); writes DZ."""
    n, m = DA.shape
    for i in range(n):
        for j in range(m):
            d = DA[i, j]
            DZ[i, j] = d if Z[i, j] > 0 else d * slope


@njit(inline="always", **JIT)
def _elu_forward(Z, b, A, alpha):
    """``A = Z + b`` where positive, ``alpha * expm1(Z + b)`` elsewhere.

    Z (n, m), changed in place to ``Z + b``; b (m,); writes A (n, m).
    """
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            z = Z[i, j] + b[j]
            Z[i, j] = z
            A[i, j] = z if z > 0 else alpha * math.expm1(z)


@njit(inline="always", **JIT)
def _elu_backward(Z, A, DA, DZ, alpha):
    """``DZ = DA`` where Z > 0, ``DA * (A + alpha)`` elsewhere.

    Z, A, DA (n, m); writes DZ (n, m).
    """
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            d = DA[i, j]
            DZ[i, j] = d if Z[i, j] > 0 else d * (A[i, j] + alpha)


@njit(inline="always", **JIT)
def _softplus_forward(Z, b, A):
    """``A = log(1 + exp(Z + b))``, stably.

    Z (n, m), changed in place to ``Z + b``; b (m,); writes A (n, m).
    """
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            z = Z[i, j] + b[j]
            Z[i, j] = z
            A[i, j] = max(z, 0.0) + math.log1p(math.exp(-abs(z)))


@njit(inline="always", **JIT)
def _softplus_backward(Z, DA, DZ):
    """``DZ = DA * sigmoid(Z)``. Z, DA (n, m); writes DZ (n, m)."""
    n, m = DA.shape
    for i in range(n):
        for j in range(m):
            DZ[i, j] = DA[i, j] * sigmoid(Z[i, j])


@njit(inline="always", **JIT)
def _gelu_forward(Z, b, A):
    """``A = (Z + b) * Phi(Z + b)`` (exact GELU, Phi the normal CDF).

    Z (n, m), changed in place to ``Z + b``; b (m,); writes A (n, m).
    """
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            z = Z[i, j] + b[j]
            Z[i, j] = z
            A[i, j] = 0.5 * z * (1.0 + math.erf(z * _INV_SQRT2))


@njit(inline="always", **JIT)
def _gelu_backward(Z, DA, DZ):
    """``DZ = DA * (Phi(Z) + Z * phi(Z))``. Z, DA (n, m); writes DZ (n, m)."""
    n, m = DA.shape
    for i in range(n):
        for j in range(m):
            z = Z[i, j]
            cdf = 0.5 * (1.0 + math.erf(z * _INV_SQRT2))
            pdf = _INV_SQRT_2PI * math.exp(-0.5 * z * z)
            DZ[i, j] = DA[i, j] * (cdf + z * pdf)


@njit(inline="always", **JIT)
def _swish_forward(Z, b, A):
    """``A = (Z + b) * sigmoid(Z + b)``.

    Z (n, m), changed in place to ``Z + b``; b (m,); writes A (n, m).
    """
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            z = Z[i, j] + b[j]
            Z[i, j] = z
            A[i, j] = z * sigmoid(z)


@njit(inline="always", **JIT)
def _swish_backward(Z, A, DA, DZ):
    """``DZ = DA * (s + A * (1 - s))`` with ``s = sigmoid(Z)``.

    Z, A, DA (n, m); writes DZ (n, m).
    """
    n, m = A.shape
    for i in range(n):
        for j in range(m):
            s = sigmoid(Z[i, j])
            DZ[i, j] = DA[i, j] * (s + A[i, j] * (1.0 - s))


@njit(**KERNEL)
def activation_forward(
    Z, b, A, code, param, param2, slopes, rand, key, row0, width, off, extras
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
    extras : None or array
        None: only identity, ReLU, tanh and logistic (scikit-learn's four) are
        compiled, and the other codes do nothing (see
        :func:`skdnn._core.layers.forward_hidden`).
    """
    if code == RRELU and not rand:
        # outside training, RReLU is the leaky ReLU of the mean slope (the same
        # inlined loop, not a second copy of it)
        code = LEAKY_RELU
        param = 0.5 * (param + param2)
    if code == IDENTITY:
        _identity_forward(Z, b, A)
    elif code == RELU:
        _relu_forward(Z, b, A)
    elif code == TANH:
        _tanh_forward(Z, b, A)
    elif code == LOGISTIC:
        _logistic_forward(Z, b, A)
    elif extras is not None:  # None: only scikit-learn's four are compiled
        if code == LEAKY_RELU:
            _leaky_relu_forward(Z, b, A, param)
        elif code == ELU:
            _elu_forward(Z, b, A, param)
        elif code == SELU:
            _selu_forward(Z, b, A)
        elif code == SOFTPLUS:
            _softplus_forward(Z, b, A)
        elif code == GELU:
            _gelu_forward(Z, b, A)
        elif code == SWISH:
            _swish_forward(Z, b, A)
        elif code == PRELU:
            prelu_forward(Z, b, A, slopes)
        elif code == RRELU:
            rrelu_forward(Z, b, A, param, param2, key, row0, width, off)
        elif code == MAXOUT:
            maxout_forward(Z, b, A)


@njit(**KERNEL)
def activation_backward(
    Z, A, DA, DZ, code, param, param2, slopes, gslopes, extras
):  # fmt: skip:
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
    extras
        As in :func:`activation_forward`.
    """
    if code == IDENTITY:
        _identity_backward(DA, DZ)
    elif code == RELU:
        _relu_backward(A, DA, DZ)
    elif code == TANH:
        _tanh_backward(A, DA, DZ)
    elif code == LOGISTIC:
        _logistic_backward(A, DA, DZ)
    elif extras is not None:  # None: only scikit-learn's four are compiled
        if code == LEAKY_RELU:
            _leaky_relu_backward(Z, DA, DZ, param)
        elif code == ELU:
            _elu_backward(Z, A, DA, DZ, param)
        elif code == SELU:
            _selu_backward(A, DA, DZ)
        elif code == SOFTPLUS:
            _softplus_backward(Z, DA, DZ)
        elif code == GELU:
            _gelu_backward(Z, DA, DZ)
        elif code == SWISH:
            _swish_backward(Z, A, DA, DZ)
        elif code == PRELU:
            prelu_backward(Z, DA, DZ, slopes, gslopes)
        elif code == RRELU:
            rrelu_backward(Z, A, DA, DZ, param, param2)
        elif code == MAXOUT:
            maxout_backward(Z, A, DA, DZ)
