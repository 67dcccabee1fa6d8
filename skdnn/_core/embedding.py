"""Periodic embeddings of numeric input columns ("PLR", Gorishniy et al. 2022,
"On Embeddings for Numerical Features in Tabular Deep Learning", NeurIPS).

Each embedded column ``x`` (the input columns ``first : first + count``) becomes
``d`` values::

    s = [sin(2 pi c x), cos(2 pi c x)]      (2k values; c: the column's k frequencies)
    e = relu(s @ V + u)                    (V: (2k, d), u: (d,), the column's own)

and the embedded row is ``[x[:first], e_first, ..., e_last, x[first + count:stop]]``
(with ``keep``, each ``e`` is followed by the column's value ``x`` itself: ``d + 1``
values per column): the columns before and after the embedded block pass through
unchanged. Layer 0's ``fan_in`` is the embedded row's width, ``n_inputs`` the
input batch's.

Learned embeddings of categorical columns: the last ``cat_count`` input columns
(from ``stop = n_inputs - cat_count`` on) hold integer level codes (0, 1, ...;
anything else, such as -1 for a level unseen in training, means "no level"), and
each becomes the ``cat_d`` values of its level's row in the column's own table
(zeros for no level), appended after the rest of the embedded row. The tables
are one block of ``theta`` at ``cat_off``, shape (cat_count, cat_levels, cat_d)
row-major: every column has ``cat_levels`` rows (the most levels of any coded
column), the rows past a column's own levels are never used.

The parameters are one block of ``theta`` at ``emb_off``: the frequencies
``c`` (count, k), then the maps ``V`` (count, 2k, d), then the biases ``u``
(count, d), each row-major. The forward pass keeps ``s`` and the pre-activations
in the work buffer (``emb_s``, ``emb_h``) for the backward pass.
"""

import math

import numpy as np
from numba import njit

from ._jit import KERNEL
from .buffers import buffer_view

TWO_PI = 2.0 * math.pi


@njit(**KERNEL)
def embed_forward(xb, theta, off, first, count, k, d, keep, stop, abuf, bs, s_off,
                  h_off, E):  # fmt: skip
    """Embed the columns ``:stop`` of the rows of ``xb`` (n, n_inputs) into the
    first columns of ``E`` (n, fan_in).

    Column ``f``'s sines and cosines go to the (n, 2k) array at work-buffer
    column ``s_off + 2k f``, its pre-activations to the (n, d) array at
    ``h_off + d f``: contiguous blocks, so that the map is one BLAS product per
    column here and two in :func:`embed_backward`. The sines and cosines are
    computed in the network's dtype.
    """
    n = xb.shape[0]
    if n == 0:
        return
    w_off = off + count * k
    b_off = w_off + count * 2 * k * d
    w = d + keep  # values per embedded column
    shift = count * (w - 1)  # the columns after the block move right by this
    for i in range(n):
        for c in range(first):
            E[i, c] = xb[i, c]
        for c in range(first + count, stop):
            E[i, c + shift] = xb[i, c]
    for f in range(count):
        S = buffer_view(abuf, bs, s_off + f * 2 * k, n, 2 * k)
        H = buffer_view(abuf, bs, h_off + f * d, n, d)
        S[0, 0] = TWO_PI
        two_pi = S[0, 0]  # 2 pi in the network's dtype (float32: sinf, cosf)
        c0 = off + f * k
        for i in range(n):
            x = two_pi * xb[i, first + f]
            for j in range(k):
                t = theta[c0 + j] * x
                S[i, j] = math.sin(t)
                S[i, k + j] = math.cos(t)
        wf = w_off + f * 2 * k * d
        np.dot(S, theta[wf : wf + 2 * k * d].reshape((2 * k, d)), H)
        u = b_off + f * d
        col = first + f * w
        for i in range(n):
            for e in range(d):
                h = H[i, e] + theta[u + e]
                H[i, e] = h
                E[i, col + e] = h if h > 0.0 else 0.0
            if keep:
                E[i, col + d] = xb[i, first + f]


@njit(**KERNEL)
def embed_backward(xb, theta, grad, off, first, count, k, d, keep, abuf, dbuf, bs,
                   s_off, h_off, DE):  # fmt: skip
    """The embedding's gradient ``grad[off : off + count * (k + 2kd + d)]``
    (overwritten) from that of the embedded rows ``DE`` (n, fan_in); ``dbuf``'s
    blocks at ``s_off`` and ``h_off`` receive the gradients of the sines and
    cosines and of the pre-activations."""
    n = xb.shape[0]
    w_off = off + count * k
    b_off = w_off + count * 2 * k * d
    for q in range(off, b_off + count * d):
        grad[q] = 0.0
    if n == 0:
        return
    for f in range(count):
        S = buffer_view(abuf, bs, s_off + f * 2 * k, n, 2 * k)
        H = buffer_view(abuf, bs, h_off + f * d, n, d)
        DS = buffer_view(dbuf, bs, s_off + f * 2 * k, n, 2 * k)
        DH = buffer_view(dbuf, bs, h_off + f * d, n, d)
        u = b_off + f * d
        col = first + f * (d + keep)
        for i in range(n):
            for e in range(d):
                dh = DE[i, col + e] if H[i, e] > 0.0 else 0.0
                DH[i, e] = dh
                grad[u + e] += dh
        wf = w_off + f * 2 * k * d
        np.dot(S.T, DH, grad[wf : wf + 2 * k * d].reshape((2 * k, d)))
        np.dot(DH, theta[wf : wf + 2 * k * d].reshape((2 * k, d)).T, DS)
        c0 = off + f * k
        for i in range(n):
            x = xb[i, first + f]
            for j in range(k):
                grad[c0 + j] += x * (DS[i, j] * S[i, k + j] - DS[i, k + j] * S[i, j])
        for j in range(k):
            grad[c0 + j] *= TWO_PI


@njit(inline="always", **KERNEL)
def _level(v, levels):
    """The table row of the code ``v``, or -1 for no level (a negative code, one
    past the table, NaN)."""
    if v >= 0.0 and v < levels:  # False for NaN
        return np.int64(v)
    return np.int64(-1)


@njit(**KERNEL)
def categorical_forward(xb, theta, off, first, count, levels, d, E, col):
    """``E[:, col + d f : col + d (f + 1)]`` = the row of table ``f`` at the code
    in ``xb[:, first + f]`` (zeros for no level), for the ``count`` coded
    columns."""
    n = xb.shape[0]
    for i in range(n):
        for f in range(count):
            c = col + f * d
            code = _level(xb[i, first + f], levels)
            if code < 0:
                for e in range(d):
                    E[i, c + e] = 0.0
            else:
                t = off + (f * levels + code) * d
                for e in range(d):
                    E[i, c + e] = theta[t + e]


@njit(**KERNEL)
def categorical_backward(xb, grad, off, first, count, levels, d, DE, col):
    """The tables' gradient ``grad[off : off + count * levels * d]`` (overwritten)
    from that of the embedded rows ``DE``: each row's gradient is added to the
    table row of its code."""
    for q in range(off, off + count * levels * d):
        grad[q] = 0.0
    n = xb.shape[0]
    for i in range(n):
        for f in range(count):
            code = _level(xb[i, first + f], levels)
            if code >= 0:
                c = col + f * d
                t = off + (f * levels + code) * d
                for e in range(d):
                    grad[t + e] += DE[i, c + e]
