"""The first layer's products straight from CSR input, without a dense batch.

When X is sparse (CSR) and the first layer reads the inputs as they are, or
batch-normalised (no periodic embedding, input dropout or input adapters:
:func:`csr_first_layer`; ``src < 0`` rules out the embedding and the adapters),
the kernels skip the dense gather of a batch: :func:`first_layer_input` computes
``Z0 = X[rows] @ W0`` from the row's nonzeros (an axpy of a row of ``W0`` per
nonzero) and hands :func:`~skdnn._core.layers.forward_hidden` an input of shape
``(nb, 0)``, which tells it that layer 0's product is already in its buffer
(``pre_bn_h`` with batch normalisation before the activation, ``z`` otherwise);
after :func:`~skdnn._core.layers.backward`, which skips layer 0's weight
gradient for such an input, :func:`first_layer_grad` scatters
``gW0 = X[rows]^T @ DZ0``. A row then costs ``2 nnz h`` operations instead of
``2 p h``, and no array of ``batch * p`` values exists.

Batch normalisation of the inputs is folded into these products
(:func:`csr_bn_dot`, :func:`csr_bn_grad`): with ``y = gamma * (x - mean) * inv_std
+ beta`` per column, ``y @ W = x @ (s * W) + c`` with ``s = gamma * inv_std`` and
the row ``c = (beta - s * mean) @ W``, so only the nonzeros of ``x`` are read.
The statistics of a batch come from its nonzeros too (an absent entry is a
zero: :func:`~skdnn._core.normalization.csr_moments`). They depend on the data
only, not on the parameters, so the gradients need ``G = X[rows]^T @ DZ0`` and
the column sums ``g`` of ``DZ0`` alone: ``dW = s * (G - mean g) + beta g``,
``dgamma = inv_std * sum_k W * (G - mean g)``, ``dbeta = sum_k W * g``.

Both products run in a fixed order (rows in order, each row's nonzeros in CSR
order), on one thread: results do not depend on the thread count. They differ
from the dense products (BLAS) by the order of the sums only.
"""

import numpy as np
from numba import njit

from ._jit import KERNEL
from .codes import DROP_NONE
from .layers import buffer_view, gather_batch
from .normalization import batch_statistics, csr_moments, set_statistics


@njit(**KERNEL)
def csr_first_layer(layers):
    """Whether layer 0's products come from CSR input as it is (not from a dense
    batch): the caller checks that the input is CSR.

    Mirrored in Python by :func:`skdnn._network.gathers_batches`, which sizes the
    dense gather buffer.
    """
    L = layers[0]
    return L.src < 0 and L.in_drop == DROP_NONE and L.adapt_off < 0


@njit(**KERNEL)
def csr_dot(data, indices, indptr, rows, W, Z):
    """``Z = X[rows] @ W`` for CSR X; W (p, m), Z (nb, m) overwritten."""
    nb, m = Z.shape
    for r in range(nb):
        i = rows[r]
        for j in range(m):
            Z[r, j] = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            v = data[k]
            c = indices[k]
            for j in range(m):
                Z[r, j] += v * W[c, j]


@njit(**KERNEL)
def csr_dot_t(data, indices, indptr, rows, D, G):
    """``G = X[rows]^T @ D`` for CSR X; D (nb, m), G (p, m) overwritten."""
    nb, m = D.shape
    p = G.shape[0]
    for c in range(p):
        for j in range(m):
            G[c, j] = 0.0
    for r in range(nb):
        i = rows[r]
        for k in range(indptr[i], indptr[i + 1]):
            v = data[k]
            c = indices[k]
            for j in range(m):
                G[c, j] += v * D[r, j]


@njit(**KERNEL)
def csr_bn_dot(data, indices, indptr, rows, swb, theta, L, bn_run, bn_batch, mode,
               W, Z):  # fmt: skip
    """``Z = BN(X[rows]) @ W`` for CSR X, the batch normalisation of the inputs
    (layer record ``L``) folded into the product (module docstring); ``Z`` (nb,
    m) overwritten. The statistics are those of the batch (weights ``swb``) in
    ``MODE_TRAIN``, ``MODE_OBJECTIVE`` and ``MODE_STATS`` (the running ones
    updated in the first and last), the running ones otherwise, as in
    :func:`~skdnn._core.normalization.bn_forward`; written to ``bn_batch``."""
    p = L.fan_in
    o = L.in_bn_p
    s = L.in_bn_s
    gamma = theta[o : o + p]
    beta = theta[o + p : o + 2 * p]
    mean = bn_batch[0, s : s + p]
    inv_std = bn_batch[1, s : s + p]
    nb, m = Z.shape
    if batch_statistics(mode):
        csr_moments(data, indices, indptr, rows, nb, swb, mean, inv_std)
    set_statistics(
        mode, bn_run[0, s : s + p], bn_run[1, s : s + p], mean, inv_std,
        L.bn_momentum, L.bn_epsilon,
    )  # fmt: skip
    if nb == 0:
        return
    # the row c = (beta - gamma * inv_std * mean) @ W into Z[0], then copied into
    # every row (the last first) before the row's nonzeros are added
    for j in range(m):
        Z[0, j] = 0.0
    for c in range(p):
        v = beta[c] - gamma[c] * inv_std[c] * mean[c]
        for j in range(m):
            Z[0, j] += v * W[c, j]
    for r in range(nb - 1, -1, -1):
        if r > 0:
            for j in range(m):
                Z[r, j] = Z[0, j]
        i = rows[r]
        for k in range(indptr[i], indptr[i + 1]):
            c = indices[k]
            v = data[k] * gamma[c] * inv_std[c]
            for j in range(m):
                Z[r, j] += v * W[c, j]


@njit(**KERNEL)
def csr_bn_grad(theta, grad, L, bn_batch, D, G):
    """The gradients of layer 0's weights (``G``, holding ``X[rows]^T @ D`` on
    entry) and of the input batch normalisation's ``gamma`` and ``beta`` (in
    ``grad``) when :func:`csr_bn_dot` computed the layer's product; ``D`` (nb, m)
    is the gradient of that product (module docstring)."""
    p = L.fan_in
    m = D.shape[1]
    o = L.in_bn_p
    s = L.in_bn_s
    W = theta[L.w_off : L.w_off + p * m].reshape((p, m))
    gamma = theta[o : o + p]
    beta = theta[o + p : o + 2 * p]
    ggamma = grad[o : o + p]
    gbeta = grad[o + p : o + 2 * p]
    mean = bn_batch[0, s : s + p]
    inv_std = bn_batch[1, s : s + p]
    g = np.zeros(m, dtype=D.dtype)  # the column sums of D
    for r in range(D.shape[0]):
        for j in range(m):
            g[j] += D[r, j]
    for c in range(p):
        a = 0.0
        b = 0.0
        sc = gamma[c] * inv_std[c]
        for j in range(m):
            h = G[c, j] - mean[c] * g[j]
            a += W[c, j] * h
            b += W[c, j] * g[j]
            G[c, j] = sc * h + beta[c] * g[j]
        ggamma[c] = inv_std[c] * a
        gbeta[c] = b


@njit(**KERNEL)
def first_layer_input(X, data, indices, indptr, sparse, rows, nb, xbuf, theta,
                      layers, abuf, bs, swb, bn_run, bn_batch, mode,
                      extras):  # fmt: skip
    """The batch of the rows ``rows[:nb]`` as ``forward_hidden`` takes it.

    Either the rows gathered into ``xbuf`` (a dense (nb, p) view), or, when
    :func:`csr_first_layer`, layer 0's product written to its buffer in ``abuf``
    (row stride ``bs``) and an empty (nb, 0) view of ``xbuf``; with batch
    normalisation of the inputs, its statistics are set here (:func:`csr_bn_dot`:
    ``swb`` holds the batch's sample weights, ``bn_run``, ``bn_batch`` and
    ``mode`` as in :func:`~skdnn._core.layers.forward_hidden`). ``extras``: as
    there (None: no batch normalisation, whose code is then not compiled).
    """
    L = layers[0]
    # ``sparse is not None``: pruned by Numba for dense X (``sparse=None``)
    if sparse is not None:
        if csr_first_layer(layers):
            fan_in = L.fan_in
            w_cols = L.w_cols
            W = theta[L.w_off : L.w_off + fan_in * w_cols].reshape((fan_in, w_cols))
            off = L.pre_bn_h if L.pre_bn else L.z
            Z = buffer_view(abuf, bs, off, nb, w_cols)
            folded = False
            if extras is not None:
                if L.in_bn:
                    csr_bn_dot(
                        data, indices, indptr, rows, swb, theta, L, bn_run, bn_batch,
                        mode, W, Z,
                    )  # fmt: skip
                    folded = True
            if not folded:
                csr_dot(data, indices, indptr, rows, W, Z)
            return xbuf[:0].reshape((nb, 0))
    p = L.n_inputs  # the input's columns (fan_in counts embedded values)
    xb = xbuf[: nb * p].reshape((nb, p))
    gather_batch(X, data, indices, indptr, sparse, rows, nb, xb)
    return xb


@njit(**KERNEL)
def first_layer_grad(data, indices, indptr, sparse, rows, xb, theta, layers, grad,
                     dbuf, bs, bn_batch, extras):  # fmt: skip
    """Layer 0's weight gradient from CSR after ``backward`` (which leaves it out
    when ``xb`` has no columns): ``X[rows]^T @ DZ0``, DZ0 being the gradient of
    layer 0's product in ``dbuf``, and with batch normalisation of the inputs
    that of its ``gamma`` and ``beta`` too (:func:`csr_bn_grad`). Does nothing
    for a dense batch."""
    if sparse is None:  # dense X: pruned by Numba, compiles no CSR product
        return
    L = layers[0]
    if xb.shape[1] != 0:  # a gathered batch: backward wrote the gradient
        return
    fan_in = L.fan_in
    w_cols = L.w_cols
    off = L.pre_bn_h if L.pre_bn else L.z
    D = buffer_view(dbuf, bs, off, xb.shape[0], w_cols)
    gW = grad[L.w_off : L.w_off + fan_in * w_cols].reshape((fan_in, w_cols))
    csr_dot_t(data, indices, indptr, rows, D, gW)
    if extras is not None:
        if L.in_bn:
            csr_bn_grad(theta, grad, L, bn_batch, D, gW)
