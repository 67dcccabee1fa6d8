"""Batch normalisation (Ioffe & Szegedy, 2015) on a layer's columns.

Training uses the statistics of the batch, weighted by the sample weights (so that a
weight of 2 counts as a duplicated row); the running statistics follow Keras'
momentum rule ``running = momentum * running + (1 - momentum) * batch`` and replace
the batch statistics at inference. Variances are the biased (population) ones, as in
Keras.
"""

import math

import numpy as np
from numba import njit

from ._jit import JIT, KERNEL
from .codes import MODE_OBJECTIVE, MODE_STATS, MODE_TRAIN


@njit(inline="always", **KERNEL)
def start_moments(sw, n, mean, var):
    """Zero ``mean`` and ``var``; return the sum of ``sw[:n]``."""
    wsum = 0.0
    for i in range(n):
        wsum += sw[i]
    for j in range(mean.shape[0]):
        mean[j] = 0.0
        var[j] = 0.0
    return wsum


@njit(inline="always", **KERNEL)
def _weighted_moments(X, sw, n, mean, var):
    """The mean and biased variance of the columns of ``X[:n]``, weighted by
    ``sw[:n]`` (written to ``mean``, ``var``), accumulated in their dtype:
    float64 products stored to float32 statistics took 55 against 21 us for
    512 x 256."""
    T = mean.dtype.type
    m = mean.shape[0]
    wsum = start_moments(sw, n, mean, var)
    for i in range(n):
        w = T(sw[i] / wsum)
        for j in range(m):
            mean[j] += w * X[i, j]
    for i in range(n):
        w = T(sw[i] / wsum)
        for j in range(m):
            d = X[i, j] - mean[j]
            var[j] += w * d * d


@njit(inline="always", **KERNEL)
def batch_statistics(mode):
    """Whether batch normalisation uses the batch's statistics in ``mode``
    (training, the objective, precise statistics), else the running ones."""
    return mode == MODE_TRAIN or mode == MODE_OBJECTIVE or mode == MODE_STATS


@njit(inline="always", **KERNEL)
def set_statistics(mode, run_mean, run_var, mean, inv_std, momentum, eps):
    """The statistics a batch normalisation uses, in ``mean`` and ``inv_std``:
    with :func:`batch_statistics`, the batch's mean and variance are there on
    entry (the variance in ``inv_std``), the running ones follow them in
    ``MODE_TRAIN`` and ``MODE_STATS``; otherwise the running ones are copied."""
    m = mean.shape[0]
    if batch_statistics(mode):
        if mode == MODE_TRAIN or mode == MODE_STATS:
            for j in range(m):
                run_mean[j] = momentum * run_mean[j] + (1.0 - momentum) * mean[j]
                run_var[j] = momentum * run_var[j] + (1.0 - momentum) * inv_std[j]
        for j in range(m):
            inv_std[j] = 1.0 / math.sqrt(inv_std[j] + eps)
    else:
        for j in range(m):
            mean[j] = run_mean[j]
            inv_std[j] = 1.0 / math.sqrt(run_var[j] + eps)


@njit(**KERNEL)
def bn_forward(X, H, Y, gamma, beta, run_mean, run_var, mean, inv_std, sw, mode,
               momentum, eps, add_beta):  # fmt: skip
    """``H = (X - mean) / sqrt(var + eps)`` and ``Y = gamma * H (+ beta)``.

    Parameters
    ----------
    X : ndarray of shape (n, m)
        Input; may be the same array as ``H``.
    H, Y : ndarray of shape (n, m)
        Written: normalised input and output.
    gamma, beta : ndarray of shape (m,)
        Scale and shift (views of theta). With ``add_beta`` false the shift is
        left to the caller (the activation adds it as the layer's bias).
    run_mean, run_var : ndarray of shape (m,)
        Running statistics; updated in place when ``mode`` is ``MODE_TRAIN`` or
        ``MODE_STATS``.
    mean, inv_std : ndarray of shape (m,)
        Written: the statistics used (kept for the backward pass).
    sw : ndarray of shape (>= n,)
        Sample weights of the batch (training modes only).
    mode : int
        Batch statistics in ``MODE_TRAIN``, ``MODE_OBJECTIVE`` and ``MODE_STATS``,
        running ones otherwise.
    """
    n, m = H.shape
    if batch_statistics(mode):
        _weighted_moments(X, sw, n, mean, inv_std)  # the variance, for now
    set_statistics(mode, run_mean, run_var, mean, inv_std, momentum, eps)
    # In place (X is H: batch norm before the activation) the loops read H itself.
    # With X and H as two arguments LLVM cannot rule out a partial overlap and runs
    # its scalar fallback: 115 against 39 us for 512 x 256 float32.
    if X.ctypes.data == H.ctypes.data:
        if add_beta:
            for i in range(n):
                for j in range(m):
                    h = (H[i, j] - mean[j]) * inv_std[j]
                    H[i, j] = h
                    Y[i, j] = gamma[j] * h + beta[j]
        else:
            for i in range(n):
                for j in range(m):
                    h = (H[i, j] - mean[j]) * inv_std[j]
                    H[i, j] = h
                    Y[i, j] = gamma[j] * h
    elif add_beta:
        for i in range(n):
            for j in range(m):
                h = (X[i, j] - mean[j]) * inv_std[j]
                H[i, j] = h
                Y[i, j] = gamma[j] * h + beta[j]
    else:
        for i in range(n):
            for j in range(m):
                h = (X[i, j] - mean[j]) * inv_std[j]
                H[i, j] = h
                Y[i, j] = gamma[j] * h


@njit(**KERNEL)
def csr_moments(data, indices, indptr, rows, nb, sw, mean, var):
    """The mean and biased variance of the columns of ``X[rows[:nb]]`` for CSR X
    (canonical: no duplicate entries), weighted by ``sw[:nb]`` (written to
    ``mean``, ``var``, accumulated in their dtype). An absent entry is a zero:
    ``var = mean**2 + sum_stored w * x * (x - 2 mean)``, the sum over every row
    of ``w * (x - mean)**2`` with the absent entries' ``mean**2`` taken out of
    the first term."""
    T = mean.dtype.type
    wsum = start_moments(sw, nb, mean, var)
    for r in range(nb):
        w = T(sw[r] / wsum)
        i = rows[r]
        for k in range(indptr[i], indptr[i + 1]):
            mean[indices[k]] += w * data[k]
    for r in range(nb):
        w = T(sw[r] / wsum)
        i = rows[r]
        for k in range(indptr[i], indptr[i + 1]):
            c = indices[k]
            x = data[k]
            var[c] += w * x * (x - 2.0 * mean[c])
    for j in range(mean.shape[0]):
        var[j] = max(var[j] + mean[j] * mean[j], 0.0)


@njit(**JIT)  # an entry point (L-BFGS with input batch normalisation)
def input_statistics(X, data, indices, indptr, sparse, sw, mean, var):
    """The weighted mean and biased variance of every input column over all rows
    (``mean``, ``var`` (p,), float64, written): the statistics that batch
    normalisation of the inputs computes on a batch of every row, without a
    dense copy of CSR input (whose indices must be canonical: sorted, no
    duplicates: :func:`csr_moments`).
    """
    n = sw.shape[0]
    if sparse is None:
        _weighted_moments(X, sw, n, mean, var)
    else:
        csr_moments(data, indices, indptr, np.arange(n), n, sw, mean, var)


@njit(**KERNEL)
def bn_backward(DY, H, gamma, inv_std, sw, DX, ggamma, gbeta, need_dx):
    """Gradients of batch normalisation with batch statistics.

    Writes ``ggamma``, ``gbeta`` (m,) and, when ``need_dx``, dLoss/dX into ``DX``
    (n, m):
    ``DX_ij = gamma_j inv_std_j (DY_ij - c_i (gbeta_j + H_ij ggamma_j))`` with
    ``c_i = sw_i / sum(sw)``, the derivative through the weighted batch mean and
    variance.
    """
    n, m = DY.shape
    for j in range(m):
        ggamma[j] = 0.0
        gbeta[j] = 0.0
    for i in range(n):
        for j in range(m):
            d = DY[i, j]
            gbeta[j] += d
            ggamma[j] += d * H[i, j]
    if not need_dx:
        return
    wsum = 0.0
    for i in range(n):
        wsum += sw[i]
    T = DX.dtype.type
    for i in range(n):
        c = T(sw[i] / wsum)
        for j in range(m):
            DX[i, j] = (
                gamma[j]
                * inv_std[j]
                * (DY[i, j] - c * (gbeta[j] + H[i, j] * ggamma[j]))
            )
