"""Output activations fused with their losses and the output-layer error.

Every loss is paired with its canonical link, so that dLoss/dZ of the output layer is
``output - y`` in all four cases:

=================  ==================  ==============================================
loss               output activation   per-sample loss
=================  ==================  ==============================================
squared error      identity            1/2 sum_k (a_k - y_k)^2
binary log-loss    logistic            sum_k softplus(z_k) - y_k z_k
log-loss           softmax             logsumexp(z) - sum_k y_k z_k
Poisson deviance   exp                 sum_k y_k log(y_k / a_k) - y_k + a_k
=================  ==================  ==============================================

The log-losses are computed from the pre-activations (log-sum-exp), never from clipped
probabilities, so they stay finite and exact for any finite ``z``. Neither assumes
one-hot targets: the binary log-loss is the cross-entropy
``-(y log a + (1 - y) log(1 - a))`` for any ``y`` in [0, 1], and the log-loss
``-sum_k y_k log a_k`` for any row ``y`` that sums to 1 (such as label-smoothed
targets), which is the form in the table.
"""

import math

from numba import njit

from ._jit import KERNEL
from .activations import sigmoid
from .codes import (
    BINARY_LOG_LOSS,
    EXP,
    IDENTITY,
    LOG_LOSS,
    LOGISTIC,
    POISSON,
    SOFTMAX,
    SQUARED_ERROR,
)


@njit(**KERNEL)
def output_forward(Z, b, A, code):
    """Add the bias and apply the output activation (prediction path).

    ``Z`` (n, k) is changed in place to ``Z + b``; ``A`` (n, k) receives the output.
    """
    n, m = Z.shape
    for i in range(n):
        for j in range(m):
            Z[i, j] += b[j]
    if code == IDENTITY:
        for i in range(n):
            for j in range(m):
                A[i, j] = Z[i, j]
    elif code == LOGISTIC:
        for i in range(n):
            for j in range(m):
                A[i, j] = sigmoid(Z[i, j])
    elif code == EXP:
        for i in range(n):
            for j in range(m):
                A[i, j] = math.exp(Z[i, j])
    elif code == SOFTMAX:
        for i in range(n):
            zmax = Z[i, 0]
            for j in range(1, m):
                zmax = max(zmax, Z[i, j])
            total = 0.0
            for j in range(m):
                e = math.exp(Z[i, j] - zmax)
                A[i, j] = e
                total += e
            for j in range(m):
                A[i, j] /= total


@njit(**KERNEL)
def output_loss_delta(Z, b, Y, sw, scale, D, loss_code):
    """Output layer: bias, activation, weighted loss and dLoss/dZ in one pass.

    Parameters
    ----------
    Z : ndarray of shape (n, k)
        Pre-activations without bias; changed in place to ``Z + b``.
    b : ndarray of shape (k,)
    Y : ndarray of shape (n, k)
        Targets (indicator columns for classification, or soft targets in
        [0, 1]: each row summing to 1 for the log-loss).
    sw : ndarray of shape (n,)
        Sample weights.
    scale : float
        Multiplies the error written to ``D`` (``1 / sum(sw)`` for a minibatch).
    D : ndarray of shape (n, k)
        Written in place: ``scale * sw_i * (output - y)``.
    loss_code : int

    Returns
    -------
    loss : float
        ``sum_i sw_i * loss_i`` (not scaled).
    """
    n, m = Z.shape
    total = 0.0
    if loss_code == SQUARED_ERROR:
        for i in range(n):
            s = 0.0
            w = sw[i] * scale
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                r = z - Y[i, j]
                s += r * r
                D[i, j] = w * r
            total += sw[i] * 0.5 * s
    elif loss_code == BINARY_LOG_LOSS:
        for i in range(n):
            s = 0.0
            w = sw[i] * scale
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                y = Y[i, j]
                s += max(z, 0.0) - y * z + math.log1p(math.exp(-abs(z)))
                D[i, j] = w * (sigmoid(z) - y)
            total += sw[i] * s
    elif loss_code == LOG_LOSS:
        for i in range(n):
            zmax = -math.inf
            yz = 0.0
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                zmax = max(zmax, z)
                yz += Y[i, j] * z
            # one exp per element: D holds exp(z - zmax) until it is normalised
            se = 0.0
            for j in range(m):
                e = math.exp(Z[i, j] - zmax)
                D[i, j] = e
                se += e
            w = sw[i] * scale
            inv = 1.0 / se
            for j in range(m):
                D[i, j] = w * (D[i, j] * inv - Y[i, j])
            total += sw[i] * (zmax + math.log(se) - yz)
    elif loss_code == POISSON:
        for i in range(n):
            s = 0.0
            w = sw[i] * scale
            for j in range(m):
                z = Z[i, j] + b[j]
                Z[i, j] = z
                a = math.exp(z)
                y = Y[i, j]
                if y > 0:
                    s += y * (math.log(y) - z) - y + a
                else:
                    s += a
                D[i, j] = w * (a - y)
            total += sw[i] * s
    return total
