"""One batch through the layers: gather it, the forward pass, back-propagation.

The kernels here take a dense batch and the network's LAYER records; the whole-epoch,
full-objective and prediction kernels (:mod:`skdnn._core.epoch`,
:mod:`skdnn._core.predict`) call them. See :mod:`skdnn._core.epoch` for the layout
of ``theta``, the records and the work buffers.
"""

import numpy as np
from numba import njit

from ._jit import KERNEL
from .activations import activation_backward, activation_forward
from .buffers import buffer_view
from .codes import DROP_NONE, MODE_MC, MODE_OBJECTIVE, MODE_TRAIN
from .dropout import dropout_backward, dropout_forward
from .embedding import (
    categorical_backward,
    categorical_forward,
    embed_backward,
    embed_forward,
)
from .normalization import bn_backward, bn_forward

#: the ``extras`` argument of the kernels for a network with batch
#: normalisation, dropout, input adapters or an activation other than identity,
#: ReLU, tanh and logistic, or trained by a rule other than plain SGD and Adam
#: (see :func:`skdnn._core.optimizers.apply_update`), and
#: their ``emb`` argument for a network with a periodic embedding (None
#: otherwise: see :func:`forward_hidden`)
EXTRAS = np.zeros(0, dtype=np.int64)


@njit(**KERNEL)
def gather_batch(X, data, indices, indptr, sparse, rows, nb, xb):
    """Copy the rows ``rows[:nb]`` of X into the dense batch ``xb`` (nb, p).
    ``sparse``: None for dense X (see :mod:`skdnn._core.epoch`)."""
    if sparse is not None:
        p = xb.shape[1]
        for r in range(nb):
            for j in range(p):
                xb[r, j] = 0.0
            i = rows[r]
            for k in range(indptr[i], indptr[i + 1]):
                xb[r, indices[k]] += data[k]
    else:
        p = X.shape[1]
        for r in range(nb):
            i = rows[r]
            for j in range(p):
                xb[r, j] = X[i, j]


@njit(inline="always", **KERNEL)
def adapt_forward(xb, theta, off, XA):
    """Input adapters ``R = theta[off : off + k * p]`` (k, p), row-major:
    ``XA[i * k + j] = xb[i] * R[j]``; xb (n, p), XA (n * k, p). Row ``i``'s member
    ``j`` is row ``i * k + j`` wherever a batch starts."""
    n, p = xb.shape
    k = XA.shape[0] // max(n, 1)
    for i in range(n):
        for j in range(k):
            for c in range(p):
                XA[i * k + j, c] = xb[i, c] * theta[off + j * p + c]


@njit(inline="always", **KERNEL)
def adapt_backward(xb, DXA, grad, off):
    """The adapters' gradient ``grad[off : off + k * p]`` (k, p) from that of the
    adapted inputs ``DXA`` (n * k, p): ``dR[j] = sum_i xb[i] * DXA[i * k + j]``."""
    n, p = xb.shape
    k = DXA.shape[0] // max(n, 1)
    for q in range(off, off + k * p):
        grad[q] = 0.0
    for i in range(n):
        for j in range(k):
            for c in range(p):
                grad[off + j * p + c] += xb[i, c] * DXA[i * k + j, c]


@njit(inline="always", **KERNEL)
def adapt_input_gradient(theta, off, DXA, DX):
    """The gradient ``DX`` (n, p) of the adapters' inputs from that of the
    adapted inputs ``DXA`` (n * k, p): ``DX[i] = sum_j R[j] * DXA[i * k + j]``."""
    n, p = DX.shape
    k = DXA.shape[0] // max(n, 1)
    for i in range(n):
        for c in range(p):
            s = 0.0
            for j in range(k):
                s += theta[off + j * p + c] * DXA[i * k + j, c]
            DX[i, c] = s


@njit(**KERNEL)
def embed_views(xb, theta, first, abuf, bs):
    """Layer 0's inputs: ``xb`` itself, or its embedding (computed into the work
    buffer) when ``first.emb_out >= 0``: the periodic embedding of numeric
    columns (``first.emb_off >= 0``) and the learned embeddings of the coded
    categorical columns at the end (``first.cat_off >= 0``), see
    :mod:`skdnn._core.embedding`."""
    if first.emb_out < 0:
        return xb
    n = xb.shape[0]
    E = buffer_view(abuf, bs, first.emb_out, n, first.fan_in)
    stop = first.n_inputs - first.cat_count  # the columns before the codes
    if first.emb_off >= 0:
        embed_forward(
            xb, theta, first.emb_off, first.emb_first, first.emb_count, first.emb_k,
            first.emb_d, first.emb_keep, stop, abuf, bs, first.emb_s, first.emb_h, E,
        )  # fmt: skip
    else:
        for i in range(n):
            for c in range(stop):
                E[i, c] = xb[i, c]
    if first.cat_off >= 0:
        categorical_forward(
            xb, theta, first.cat_off, stop, first.cat_count, first.cat_levels,
            first.cat_d, E, first.fan_in - first.cat_count * first.cat_d,
        )  # fmt: skip
    return E


@njit(**KERNEL)
def forward_hidden(xb, swb, theta, layers, bn_run, bn_batch, abuf, bs, mode, key,
                   row0, extras, emb):  # fmt: skip
    """Forward pass up to the output layer's pre-activation (without its bias).

    An ``xb`` without columns (nb, 0) means that layer 0's product ``x @ W`` is
    in its buffer already, computed from CSR input (:mod:`skdnn._core.sparse`).

    Writes every intermediate array into ``abuf`` (views at the rows' offsets) and
    returns the output layer's Z view. ``mode`` is one of the ``MODE_*`` codes;
    ``swb`` holds the batch's sample weights (batch statistics only). With input
    adapters (``layers[0].adapt_off >= 0``) each row of ``xb`` becomes
    ``layers[0].members`` rows (:func:`adapt_forward`): every array then has
    ``members * len(xb)`` rows, and ``swb`` one weight per expanded row. With
    periodic embeddings (``layers[0].emb_off >= 0``) the rows of ``xb`` are
    embedded first (:mod:`skdnn._core.embedding`), then adapted.

    ``extras`` is None for a network without batch normalisation, dropout and input
    adapters whose units are identity, ReLU, tanh or logistic, trained by plain SGD
    or Adam (no AMSGrad, L1, weight decay, learning-rate factors, clipping or
    max-norm), and ``emb`` None for one without periodic embedding: Numba then
    prunes every branch that handles the rest (``if extras is not None``, ``if emb
    is not None``) and compiles none of its code (a default network's cold compile
    takes about half the time). Any other value (:data:`EXTRAS`) compiles the code
    that handles them.
    """
    first = layers[0]
    nb = xb.shape[0] * first.members
    width = first.width  # abuf may hold fewer columns (sparse.py)
    n_layers = layers.shape[0]
    xin = xb
    if emb is not None:
        xin = embed_views(xb, theta, first, abuf, bs)
    if extras is not None:
        if first.adapt_off >= 0:
            XA = buffer_view(abuf, bs, first.src, nb, first.fan_in)
            adapt_forward(xin, theta, first.adapt_off, XA)
    random_slopes = mode == MODE_TRAIN or mode == MODE_OBJECTIVE
    # not in MODE_PREDICT and MODE_STATS
    drop_on = mode == MODE_TRAIN or mode == MODE_OBJECTIVE or mode == MODE_MC
    for layer in range(n_layers):
        L = layers[layer]
        fan_in = L.fan_in
        fan_out = L.fan_out
        w_cols = L.w_cols
        src = L.src
        x = xb if src < 0 else buffer_view(abuf, bs, src, nb, fan_in)
        if extras is not None:
            # (an input without columns: normalised by sparse.csr_bn_dot)
            if L.in_bn and x.shape[1] == fan_in:
                p = L.in_bn_p
                s = L.in_bn_s
                Y = buffer_view(abuf, bs, L.in_bn_y, nb, fan_in)
                bn_forward(
                    x, buffer_view(abuf, bs, L.in_bn_h, nb, fan_in), Y,
                    theta[p : p + fan_in], theta[p + fan_in : p + 2 * fan_in],
                    bn_run[0, s : s + fan_in], bn_run[1, s : s + fan_in],
                    bn_batch[0, s : s + fan_in], bn_batch[1, s : s + fan_in], swb,
                    mode, L.bn_momentum, L.bn_epsilon,
                    fan_in > 0,  # add beta; a comparison, not a literal True
                )  # fmt: skip
                x = Y
            drop = L.in_drop
            if drop != DROP_NONE and drop_on:
                Y = buffer_view(abuf, bs, L.in_drop_y, nb, fan_in)
                dropout_forward(
                    x, buffer_view(abuf, bs, L.in_drop_m, nb, fan_in), Y, drop,
                    L.drop_rate, L.drop_a,
                    L.drop_b, L.drop_sat, key, row0,
                    width, L.in_drop_m,
                )  # fmt: skip
                x = Y
        w_off = L.w_off
        W = theta[w_off : w_off + fan_in * w_cols].reshape((fan_in, w_cols))
        Z = buffer_view(abuf, bs, L.z, nb, w_cols)
        normalised = False
        if extras is not None:
            if L.pre_bn:
                # Z = gamma * x_hat; beta is the layer's bias, added with the
                # activation
                p = L.pre_bn_p
                s = L.pre_bn_s
                H = buffer_view(abuf, bs, L.pre_bn_h, nb, w_cols)
                if x.shape[1] == fan_in:  # else x @ W is there already: sparse.py
                    np.dot(x, W, H)
                bn_forward(
                    H, H, Z, theta[p : p + w_cols], theta[p + w_cols : p + 2 * w_cols],
                    bn_run[0, s : s + w_cols], bn_run[1, s : s + w_cols],
                    bn_batch[0, s : s + w_cols], bn_batch[1, s : s + w_cols], swb,
                    mode, L.bn_momentum, L.bn_epsilon,
                    w_cols < 0,  # beta comes with the activation; a non-literal False
                )  # fmt: skip
                normalised = True
        if not normalised:
            if x.shape[1] == fan_in:  # else x @ W is there already: sparse.py
                np.dot(x, W, Z)
            if layer == n_layers - 1:
                return Z
        b_off = L.b_off
        po = L.prelu_off
        slopes = theta[po : po + fan_out] if po >= 0 else theta[:0]
        activation_forward(
            Z, theta[b_off : b_off + w_cols],
            buffer_view(abuf, bs, L.a, nb, fan_out), L.act,
            L.act_param, L.act_param2, slopes,
            random_slopes, key, row0, width, L.a, extras,
        )  # fmt: skip
    # unreachable (the output row returns above); zeros that are not literals, so
    # that buffer_view is not compiled a second time for Literal[int](0) arguments
    zero = nb - nb
    return buffer_view(abuf, bs, zero, zero, zero)


@njit(**KERNEL)
def backward(xb, swb, theta, grad, layers, bn_batch, abuf, dbuf, bs, extras, emb):
    """Back-propagate the output error (already in ``dbuf``) and write ``grad``.

    ``grad`` is overwritten with dLoss/dtheta for every parameter (the input
    adapters' and the embedding's too: the gradient of the adapted or embedded
    inputs is then kept, as that of layer 0's source), except layer 0's weights
    when ``xb`` has no columns (CSR input:
    :func:`skdnn._core.sparse.first_layer_grad` writes them). ``extras`` and
    ``emb``: as in :func:`forward_hidden`.
    """
    first = layers[0]
    nb = xb.shape[0] * first.members
    n_layers = layers.shape[0]
    for layer in range(n_layers - 1, -1, -1):
        L = layers[layer]
        fan_in = L.fan_in
        fan_out = L.fan_out
        w_cols = L.w_cols
        w_off = L.w_off
        z_off = L.z
        DZ = buffer_view(dbuf, bs, z_off, nb, w_cols)
        if layer < n_layers - 1:
            a_off = L.a
            po = L.prelu_off
            slopes = theta[po : po + fan_out] if po >= 0 else theta[:0]
            gslopes = grad[po : po + fan_out] if po >= 0 else grad[:0]
            activation_backward(
                buffer_view(abuf, bs, z_off, nb, w_cols),
                buffer_view(abuf, bs, a_off, nb, fan_out),
                buffer_view(dbuf, bs, a_off, nb, fan_out), DZ, L.act,
                L.act_param, L.act_param2, slopes,
                gslopes, extras,
            )  # fmt: skip
        DW_in = DZ
        normalised = False
        if extras is not None:
            if L.pre_bn:
                p = L.pre_bn_p
                s = L.pre_bn_s
                h_off = L.pre_bn_h
                DW_in = buffer_view(dbuf, bs, h_off, nb, w_cols)
                bn_backward(
                    DZ, buffer_view(abuf, bs, h_off, nb, w_cols),
                    theta[p : p + w_cols], bn_batch[1, s : s + w_cols], swb, DW_in,
                    grad[p : p + w_cols], grad[p + w_cols : p + 2 * w_cols],
                    w_cols > 0,  # need dX: True
                )  # fmt: skip
                normalised = True
        if not normalised:
            b_off = L.b_off
            gb = grad[b_off : b_off + w_cols]
            for j in range(w_cols):
                gb[j] = 0.0
            for i in range(nb):
                for j in range(w_cols):
                    gb[j] += DZ[i, j]
        src = L.src
        x_off = L.x
        if x_off < 0:
            x_off = src
        # layer 0's products from CSR input: sparse.first_layer_grad computes
        # its gradients (and those of the input batch normalisation)
        from_csr = src < 0 and xb.shape[1] == 0
        gW = grad[w_off : w_off + fan_in * w_cols].reshape((fan_in, w_cols))
        if not from_csr:
            x = xb if x_off < 0 else buffer_view(abuf, bs, x_off, nb, fan_in)
            np.dot(x.T, DW_in, gW)
        in_bn = L.in_bn
        if src < 0 and (from_csr or not in_bn):
            continue  # the inputs need no gradient
        W = theta[w_off : w_off + fan_in * w_cols].reshape((fan_in, w_cols))
        Dx = buffer_view(dbuf, bs, x_off, nb, fan_in)
        np.dot(DW_in, W.T, Dx)
        if extras is not None:
            if L.in_drop != DROP_NONE:
                pre = L.in_bn_y if in_bn else src
                M = buffer_view(abuf, bs, L.in_drop_m, nb, fan_in)
                dropout_backward(Dx, M, buffer_view(dbuf, bs, pre, nb, fan_in))
            if in_bn:
                p = L.in_bn_p
                s = L.in_bn_s
                DY = buffer_view(dbuf, bs, L.in_bn_y, nb, fan_in)
                DX = buffer_view(dbuf, bs, src, nb, fan_in) if src >= 0 else DY
                bn_backward(
                    DY, buffer_view(abuf, bs, L.in_bn_h, nb, fan_in),
                    theta[p : p + fan_in], bn_batch[1, s : s + fan_in], swb, DX,
                    grad[p : p + fan_in], grad[p + fan_in : p + 2 * fan_in],
                    src >= 0,
                )  # fmt: skip
    if emb is None:
        if extras is not None:
            if first.adapt_off >= 0:
                DXA = buffer_view(dbuf, bs, first.src, nb, first.fan_in)
                adapt_backward(xb, DXA, grad, first.adapt_off)
        return
    n = xb.shape[0]
    E = buffer_view(abuf, bs, first.emb_out, n, first.fan_in)
    DE = buffer_view(dbuf, bs, first.emb_out, n, first.fan_in)
    if extras is not None:
        if first.adapt_off >= 0:
            DXA = buffer_view(dbuf, bs, first.src, nb, first.fan_in)
            adapt_backward(E, DXA, grad, first.adapt_off)
            adapt_input_gradient(theta, first.adapt_off, DXA, DE)
    if first.emb_off >= 0:
        embed_backward(
            xb, theta, grad, first.emb_off, first.emb_first, first.emb_count,
            first.emb_k, first.emb_d, first.emb_keep, abuf, dbuf, bs, first.emb_s,
            first.emb_h, DE,
        )  # fmt: skip
    if first.cat_off >= 0:
        categorical_backward(
            xb, grad, first.cat_off, first.n_inputs - first.cat_count,
            first.cat_count, first.cat_levels, first.cat_d, DE,
            first.fan_in - first.cat_count * first.cat_d,
        )  # fmt: skip
