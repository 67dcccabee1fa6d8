"""Prediction kernels: the network's output for many rows, and every hidden layer's
activation (inspection). See :mod:`skdnn._core.epoch` for the layout of the
arguments (``extras``, ``emb``: see :func:`skdnn._core.epoch.run_epoch`).
"""

import numpy as np
from numba import njit

from ._jit import JIT, KERNEL
from .layers import buffer_view, forward_hidden
from .losses import output_forward
from .sparse import first_layer_input


@njit(**KERNEL)
def all_finite(Z):
    """Whether every value of the 2-D array ``Z`` is finite (a vectorised pass)."""
    n, m = Z.shape
    bad = 0
    for i in range(n):
        for j in range(m):
            d = Z[i, j] - Z[i, j]  # NaN exactly when Z[i, j] is NaN or infinite
            bad += d != d
    return bad == 0


@njit(**JIT)
def predict_forward(X, data, indices, indptr, sparse, lo, hi, theta, layers, bn_run,
                    mode, key, chunk, out, work, extras, emb):  # fmt: skip
    """Network output for the rows ``lo:hi`` of X, written to ``out[lo:hi]``.

    ``mode`` is ``MODE_PREDICT`` or ``MODE_MC`` (dropout on, masks from ``key`` and
    each row's index in X, so that a split of the rows gives the same masks).
    Processes the rows in chunks of ``chunk`` rows, and releases the GIL: callers
    may run disjoint row ranges in parallel threads, each with its own ``work``
    buffers (:func:`skdnn._network.predict_work`; made by the caller so that this
    kernel compiles none of NumPy's allocation functions: a first predict compiles
    faster).

    Returns whether the first layer's products ``x @ W`` were all finite. A NaN or
    infinite input value makes its row's products non-finite (``inf * 0`` and
    ``inf - inf`` are NaN), so a True answer proves the input finite; a False one
    comes from a non-finite input or from overflow, and the caller decides which.

    With ``m = layers[0].members`` ensemble members, each row is ``m`` rows of
    the expanded chunk (row ``i``'s member ``j`` at ``i * m + j``, its dropout
    masks drawn for row ``start * m + i * m + j``) and ``out`` receives the mean
    of the members' outputs (after the output function).
    """
    first = layers[0]
    last = layers[layers.shape[0] - 1]
    m = first.members
    k = last.fan_out
    z0 = first.pre_bn_h if first.pre_bn else first.z
    bs = min(hi - lo, chunk)
    if bs <= 0:
        return True
    xbuf, rows, abuf, members_out, bn_batch, swb = work
    b = theta[last.b_off : last.b_off + k]
    finite = True
    for start in range(lo, hi, bs):
        nb = min(bs, hi - start)
        if sparse is not None:
            r0 = start - lo
            xb = first_layer_input(
                X, data, indices, indptr, sparse, rows[r0 : r0 + nb], nb, xbuf,
                theta, layers, abuf, bs * m, swb, bn_run, bn_batch, mode, extras,
            )  # fmt: skip
        else:
            xb = X[start : start + nb]  # rows in order: no copy needed
        Z = forward_hidden(
            xb, swb, theta, layers, bn_run, bn_batch, abuf, bs * m, mode, key,
            start * m, extras, emb,
        )  # fmt: skip
        finite = finite and all_finite(
            buffer_view(abuf, bs * m, z0, nb * m, first.w_cols)
        )
        dest = out[start : start + nb] if m == 1 else members_out[: nb * m]
        output_forward(Z, b, dest, last.act)
        if m > 1:  # the members' mean
            for i in range(nb):
                for c in range(k):
                    s = 0.0
                    for j in range(m):
                        s += dest[i * m + j, c]
                    out[start + i, c] = s / m
    return finite


@njit(**JIT)
def forward_all(X, data, indices, indptr, sparse, theta, layers, bn_run, mode, key,
                xbuf, abuf, row0, extras, emb):  # fmt: skip
    """Forward pass of every row of X as one batch, leaving every intermediate
    array in ``abuf`` (``n * m * width`` values, ``m = layers[0].members``: row
    ``i``'s member ``j`` is row ``i * m + j``).

    ``row0`` is the index of X's first (expanded) row in the random streams: a
    caller that splits its rows into pieces passes each piece's start times
    ``m``. Dense X is read in place; CSR X is gathered into ``xbuf`` (n * p
    values) only when layer 0 cannot compute its products from it
    (:mod:`skdnn._core.sparse`; ``xbuf`` may be empty then).
    """
    m = layers[0].members
    n = indptr.shape[0] - 1 if sparse is not None else X.shape[0]
    bn_batch = np.empty_like(bn_run)
    swb = np.ones(n * m, dtype=theta.dtype)
    if sparse is not None:
        xb = first_layer_input(
            X, data, indices, indptr, sparse, np.arange(n), n, xbuf, theta, layers,
            abuf, n * m, swb, bn_run, bn_batch, mode, extras,
        )  # fmt: skip
    else:
        xb = X
    forward_hidden(
        xb, swb, theta, layers, bn_run, bn_batch, abuf, n * m, mode, key, row0,
        extras, emb,
    )  # fmt: skip
