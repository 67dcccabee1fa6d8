"""Whole-epoch training, full-batch objective and prediction kernels.

The network arrives as data:

- ``theta`` (n_params,): every trainable parameter: all weight matrices first (the
  penalised prefix ``theta[:n_weights]``), then biases, batch-normalisation gammas and
  betas, and PReLU slopes, at the offsets given in ``layers``.
- ``layers`` (n_layers,) of LAYER records (:mod:`skdnn._core.records`): one per
  weight layer, computing
  ``source -> [BN] -> [dropout] -> x @ W -> [BN] or [+ bias] -> activation``; the
  output layer's record also names the output function and its loss.
- ``opt``: one OPTIMIZER record (update rule, penalties, clipping).
- ``bn_run`` (2, n_stats): running means and variances of every normalised column;
  ``bn_batch`` (2, n_stats): work space for the batch means and inverse deviations.

The input arrives as the tuple ``source = (X, data, indices, indptr, sparse)``: either
dense (``X`` of shape (n, p), C-contiguous; ``sparse=False``) or CSR (``data``,
``indices``, ``indptr``; ``sparse=True``); the unused form is an empty array of the
right type. The kernels gather each minibatch into a dense, preallocated buffer, so
one compiled version serves both.

Work buffers, the tuple ``work = (xbuf, ybuf, swbuf, abuf, dbuf, bn_batch, bs)``
(allocated once per fit, see ``skdnn._network.Workspace``):
``xb`` (batch * p), ``abuf``/``dbuf`` (batch * width: every intermediate array of the
forward pass, and its gradient at the same offset), ``yb`` (batch * k), ``swb``
(batch), all 1-D; views of them are taken per batch.

Randomness (dropout masks, RReLU slopes) comes from the stream ``key``; element
(i, j) of the region at column offset ``off`` uses index ``(row0 + i) * width + off
+ j``, see :mod:`skdnn._core.dropout`.
"""

import math

import numpy as np
from numba import njit

from ._jit import JIT, KERNEL
from .activations import activation_backward, activation_forward
from .codes import DROP_NONE, MODE_OBJECTIVE, MODE_PREDICT, MODE_TRAIN
from .dropout import dropout_backward, dropout_forward
from .losses import output_forward, output_loss_delta
from .normalization import bn_backward, bn_forward
from .optimizers import (
    add_l2_gradient,
    apply_update,
    clip_gradient,
    max_norm_project,
    penalty,
)
from .random import shuffle_inplace, step_key, stream_key


@njit(**KERNEL)
def _view(buf, bs, off, nb, units):
    start = bs * off
    return buf[start : start + nb * units].reshape((nb, units))


@njit(**KERNEL)
def gather_batch(X, data, indices, indptr, sparse, rows, nb, xb):
    """Copy the rows ``rows[:nb]`` of X into the dense batch ``xb`` (nb, p)."""
    if sparse:
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


@njit(**KERNEL)
def forward_hidden(xb, swb, theta, layers, bn_run, bn_batch, abuf, bs, mode, key,
                   row0):  # fmt: skip
    """Forward pass up to the output layer's pre-activation (without its bias).

    Writes every intermediate array into ``abuf`` (views at the rows' offsets) and
    returns the output layer's Z view. ``mode`` is one of the ``MODE_*`` codes;
    ``swb`` holds the batch's sample weights (batch statistics only).
    """
    nb = xb.shape[0]
    width = abuf.shape[0] // bs
    n_layers = layers.shape[0]
    random_slopes = mode == MODE_TRAIN or mode == MODE_OBJECTIVE
    drop_on = mode != MODE_PREDICT
    for layer in range(n_layers):
        L = layers[layer]
        fan_in = L.fan_in
        fan_out = L.fan_out
        w_cols = L.w_cols
        src = L.src
        x = xb if src < 0 else _view(abuf, bs, src, nb, fan_in)
        if L.in_bn:
            p = L.in_bn_p
            s = L.in_bn_s
            Y = _view(abuf, bs, L.in_bn_y, nb, fan_in)
            bn_forward(
                x, _view(abuf, bs, L.in_bn_h, nb, fan_in), Y,
                theta[p : p + fan_in], theta[p + fan_in : p + 2 * fan_in],
                bn_run[0, s : s + fan_in], bn_run[1, s : s + fan_in],
                bn_batch[0, s : s + fan_in], bn_batch[1, s : s + fan_in], swb, mode,
                L.bn_momentum, L.bn_epsilon,
                fan_in > 0,  # add beta; a comparison, not a literal True
            )  # fmt: skip
            x = Y
        drop = L.in_drop
        if drop != DROP_NONE and drop_on:
            Y = _view(abuf, bs, L.in_drop_y, nb, fan_in)
            dropout_forward(
                x, _view(abuf, bs, L.in_drop_m, nb, fan_in), Y, drop,
                L.drop_rate, L.drop_a,
                L.drop_b, L.drop_sat, key, row0,
                width, L.in_drop_m,
            )  # fmt: skip
            x = Y
        w_off = L.w_off
        W = theta[w_off : w_off + fan_in * w_cols].reshape((fan_in, w_cols))
        Z = _view(abuf, bs, L.z, nb, w_cols)
        if L.pre_bn:
            # Z = gamma * x_hat; beta is the layer's bias, added with the activation
            p = L.pre_bn_p
            s = L.pre_bn_s
            H = _view(abuf, bs, L.pre_bn_h, nb, w_cols)
            np.dot(x, W, H)
            bn_forward(
                H, H, Z, theta[p : p + w_cols], theta[p + w_cols : p + 2 * w_cols],
                bn_run[0, s : s + w_cols], bn_run[1, s : s + w_cols],
                bn_batch[0, s : s + w_cols], bn_batch[1, s : s + w_cols], swb, mode,
                L.bn_momentum, L.bn_epsilon,
                w_cols < 0,  # beta comes with the activation; a non-literal False
            )  # fmt: skip
        else:
            np.dot(x, W, Z)
            if layer == n_layers - 1:
                return Z
        b_off = L.b_off
        po = L.prelu_off
        slopes = theta[po : po + fan_out] if po >= 0 else theta[:0]
        activation_forward(
            Z, theta[b_off : b_off + w_cols],
            _view(abuf, bs, L.a, nb, fan_out), L.act,
            L.act_param, L.act_param2, slopes,
            random_slopes, key, row0, width, L.a,
        )  # fmt: skip
    # unreachable (the output row returns above); zeros that are not literals, so
    # that _view is not compiled a second time for Literal[int](0) arguments
    zero = nb - nb
    return _view(abuf, bs, zero, zero, zero)


@njit(**KERNEL)
def backward(xb, swb, theta, grad, layers, bn_batch, abuf, dbuf, bs):
    """Back-propagate the output error (already in ``dbuf``) and write ``grad``.

    ``grad`` is overwritten with dLoss/dtheta for every parameter.
    """
    nb = xb.shape[0]
    n_layers = layers.shape[0]
    for layer in range(n_layers - 1, -1, -1):
        L = layers[layer]
        fan_in = L.fan_in
        fan_out = L.fan_out
        w_cols = L.w_cols
        w_off = L.w_off
        z_off = L.z
        DZ = _view(dbuf, bs, z_off, nb, w_cols)
        if layer < n_layers - 1:
            a_off = L.a
            po = L.prelu_off
            slopes = theta[po : po + fan_out] if po >= 0 else theta[:0]
            gslopes = grad[po : po + fan_out] if po >= 0 else grad[:0]
            activation_backward(
                _view(abuf, bs, z_off, nb, w_cols),
                _view(abuf, bs, a_off, nb, fan_out),
                _view(dbuf, bs, a_off, nb, fan_out), DZ, L.act,
                L.act_param, L.act_param2, slopes,
                gslopes,
            )  # fmt: skip
        if L.pre_bn:
            p = L.pre_bn_p
            s = L.pre_bn_s
            h_off = L.pre_bn_h
            DW_in = _view(dbuf, bs, h_off, nb, w_cols)
            bn_backward(
                DZ, _view(abuf, bs, h_off, nb, w_cols), theta[p : p + w_cols],
                bn_batch[1, s : s + w_cols], swb, DW_in, grad[p : p + w_cols],
                grad[p + w_cols : p + 2 * w_cols], w_cols > 0,  # need dX: True
            )  # fmt: skip
        else:
            DW_in = DZ
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
        x = xb if x_off < 0 else _view(abuf, bs, x_off, nb, fan_in)
        gW = grad[w_off : w_off + fan_in * w_cols].reshape((fan_in, w_cols))
        np.dot(x.T, DW_in, gW)
        in_bn = L.in_bn
        if src < 0 and not in_bn:
            continue  # the inputs need no gradient
        W = theta[w_off : w_off + fan_in * w_cols].reshape((fan_in, w_cols))
        Dx = _view(dbuf, bs, x_off, nb, fan_in)
        np.dot(DW_in, W.T, Dx)
        if L.in_drop != DROP_NONE:
            pre = L.in_bn_y if in_bn else src
            M = _view(abuf, bs, L.in_drop_m, nb, fan_in)
            dropout_backward(Dx, M, _view(dbuf, bs, pre, nb, fan_in))
        if in_bn:
            p = L.in_bn_p
            s = L.in_bn_s
            DY = _view(dbuf, bs, L.in_bn_y, nb, fan_in)
            DX = _view(dbuf, bs, src, nb, fan_in) if src >= 0 else DY
            bn_backward(
                DY, _view(abuf, bs, L.in_bn_h, nb, fan_in),
                theta[p : p + fan_in], bn_batch[1, s : s + fan_in], swb, DX,
                grad[p : p + fan_in], grad[p + fan_in : p + 2 * fan_in], src >= 0,
            )  # fmt: skip


# inlined (Numba IR) into its two callers: one LLVM optimisation of the linked
# module fewer, about 2 s of cold compilation
@njit(inline="always", **JIT)
def _batch_loss_grad(source, Y, sw, rows, nb, scale, theta, grad, layers, bn_run, mode,
                     key, work):  # fmt: skip
    """Gather a batch, run forward and backward; ``grad`` gets ``scale`` * gradient.

    Returns the batch's ``sum_i sw_i * loss_i`` (unscaled).
    """
    X, data, indices, indptr, sparse = source
    xbuf, ybuf, swbuf, abuf, dbuf, bn_batch, bs = work
    out = layers[layers.shape[0] - 1]
    p = layers[0].fan_in
    k = out.fan_out
    xb = xbuf[: nb * p].reshape((nb, p))
    gather_batch(X, data, indices, indptr, sparse, rows, nb, xb)
    yb = ybuf[: nb * k].reshape((nb, k))
    swb = swbuf[:nb]
    for r in range(nb):
        i = rows[r]
        swb[r] = sw[i]
        for j in range(k):
            yb[r, j] = Y[i, j]
    # np.int64(0): a literal 0 would compile another specialisation of the callee
    Z = forward_hidden(
        xb, swb, theta, layers, bn_run, bn_batch, abuf, bs, mode, key, np.int64(0)
    )
    D = _view(dbuf, bs, out.z, nb, k)
    b = theta[out.b_off : out.b_off + k]
    loss = output_loss_delta(Z, b, yb, swb, scale, D, out.loss)
    backward(xb, swb, theta, grad, layers, bn_batch, abuf, dbuf, bs)
    return loss


@njit(**JIT)
def run_epoch(source, Y, sw, perm, shuffle, seed, epoch, theta, grad, state, step,
              layers, bn_run, opt, lrs, moms, step_losses, frozen, work):  # fmt: skip
    """One epoch of minibatch training, entirely in compiled code.

    Parameters
    ----------
    source : tuple
        The training inputs ``(X, data, indices, indptr, sparse)`` (see the module
        docstring).
    Y : ndarray of shape (n, k)
        Targets.
    sw : ndarray of shape (n,)
        Sample weights (class weights folded in).
    perm : ndarray of shape (n,), int64
        Sample order; shuffled in place first when ``shuffle`` is true.
    shuffle : bool
    seed : uint64
        The fit's random key; the epoch's shuffle uses stream ``epoch``, the
        dropout masks and RReLU slopes of each step the stream ``step``.
    epoch : int
    theta, grad : ndarray of shape (n_params,)
        Parameters (updated in place) and a gradient work buffer.
    state, step
        Optimizer slots and update counter (updated in place).
    layers, bn_run
        The network's LAYER records and its running BN statistics (updated in
        place).
    opt : OPTIMIZER record
        The update rule and its hyperparameters, the penalties and clipping.
    lrs, moms : ndarray of shape (n_batches,), float64
        Learning rate and momentum (beta_1 for the Adam family) of every step.
    step_losses : ndarray of shape (n_batches,), float64
        Written: each step's minibatch objective (weighted mean loss + penalty).
    frozen : ndarray of shape (n_params,) or (0,), bool
        Parameters that must not change (transfer learning); empty: none. Their
        gradient is zeroed before clipping and the update, and any change of the
        update itself (L1 shrinkage, max-norm) is undone.
    work : tuple
        Work buffers ``(xbuf, ybuf, swbuf, abuf, dbuf, bn_batch, bs)`` sized for
        the batch size ``bs``.

    Returns
    -------
    data_loss : float
        ``sum_i sw_i * loss_i`` over the epoch (each batch at its parameters).
    penalty : float
        ``sum_B sw_B * ((alpha / 2S) ||W||^2 + l1 ||W||_1)`` over the batches B, each
        at the parameters its step started from.
    n_done : int
        Batches completed; fewer than ``len(lrs)`` when a loss became non-finite.
    """
    n = perm.shape[0]
    bs = work[6]
    mode = np.int64(MODE_TRAIN)  # not a literal: one specialisation of the callees
    if shuffle:
        shuffle_inplace(perm, stream_key(seed, epoch))
    n_weights = opt.n_weights
    l2 = opt.l2
    l1 = opt.l1
    pen = penalty(theta, n_weights, l2, l1)
    n_params = theta.shape[0]
    has_frozen = frozen.shape[0] > 0
    # frozen parameters are restored after every update: their values now
    anchor = theta.copy() if has_frozen else theta[:0]
    data_loss = 0.0
    pen_loss = 0.0
    n_batches = lrs.shape[0]
    for b in range(n_batches):
        start = b * bs
        nb = min(bs, n - start)
        rows = perm[start : start + nb]
        sw_b = 0.0
        for r in range(nb):
            sw_b += sw[rows[r]]
        if sw_b <= 0.0:
            continue  # a batch of zero-weight samples carries no gradient
        loss = _batch_loss_grad(
            source, Y, sw, rows, nb, 1.0 / sw_b, theta, grad, layers, bn_run, mode,
            step_key(seed, step[0]), work,
        )  # fmt: skip
        if not math.isfinite(loss):
            return data_loss, pen_loss, b
        data_loss += loss
        pen_loss += sw_b * pen
        step_losses[b] = loss / sw_b + pen
        add_l2_gradient(grad, theta, n_weights, l2)
        if has_frozen:
            for i in range(n_params):
                if frozen[i]:
                    grad[i] = 0.0
        clip_gradient(grad, opt.clipnorm, opt.clipvalue)
        apply_update(theta, grad, state, step, lrs[b], moms[b], opt)
        if opt.max_norm > 0.0:  # the projection follows every update (0 = off)
            max_norm_project(theta, layers, opt.max_norm)
        if has_frozen:
            for i in range(n_params):
                if frozen[i]:
                    theta[i] = anchor[i]
        pen = penalty(theta, n_weights, l2, l1)
    return data_loss, pen_loss, n_batches


@njit(**JIT)
def full_loss_grad(source, Y, sw, rows, theta, grad, gtmp, layers, bn_run, opt, mode,
                   key, sw_total, work):  # fmt: skip
    """The smooth part of the full objective and its gradient (written to ``grad``).

    ``sum_i sw_i loss_i / S + (alpha / 2S) ||W||^2`` with ``opt.l2 = alpha / S`` and
    ``S = sw_total`` (the L1 term is left to the caller: OWL-QN); the data are
    processed in chunks of ``bs`` rows of ``rows`` (with batch normalisation, pass
    ``bs = len(rows)``: one batch). ``mode`` is
    ``MODE_OBJECTIVE`` (or ``MODE_TRAIN`` to set the running statistics); dropout
    masks and RReLU slopes come from ``key``, fixed for the whole call.
    """
    n = rows.shape[0]
    bs = work[6]
    for i in range(grad.shape[0]):
        grad[i] = 0.0
    total = 0.0
    inv = 1.0 / sw_total
    for start in range(0, n, bs):
        nb = min(bs, n - start)
        total += _batch_loss_grad(
            source, Y, sw, rows[start : start + nb], nb, inv, theta, gtmp, layers,
            bn_run, mode, key, work,
        )  # fmt: skip
        for i in range(grad.shape[0]):
            grad[i] += gtmp[i]
    add_l2_gradient(grad, theta, opt.n_weights, opt.l2)
    return total * inv + penalty(theta, opt.n_weights, opt.l2, 0.0)


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
def predict_forward(source, lo, hi, theta, layers, bn_run, width, mode, key, chunk,
                    out):  # fmt: skip
    """Network output for the rows ``lo:hi`` of X, written to ``out[lo:hi]``.

    ``mode`` is ``MODE_PREDICT`` or ``MODE_MC`` (dropout on, masks from ``key`` and
    each row's index in X, so that a split of the rows gives the same masks).
    Processes the rows in chunks of ``chunk`` rows with buffers allocated here
    (prediction runs outside the training loop), and releases the GIL: callers may
    run disjoint row ranges in parallel threads.

    Returns whether the first layer's products ``x @ W`` were all finite. A NaN or
    infinite input value makes its row's products non-finite (``inf * 0`` and
    ``inf - inf`` are NaN), so a True answer proves the input finite; a False one
    comes from a non-finite input or from overflow, and the caller decides which.
    """
    X, data, indices, indptr, sparse = source
    first = layers[0]
    last = layers[layers.shape[0] - 1]
    p = first.fan_in
    k = last.fan_out
    z0 = first.pre_bn_h if first.pre_bn else first.z
    bs = min(hi - lo, chunk)
    if bs <= 0:
        return True
    dtype = theta.dtype
    # dense rows are read in place: the gather buffer and row indices are for CSR
    xbuf = np.empty(bs * p if sparse else 0, dtype=dtype)
    rows = np.arange(lo, hi if sparse else lo)
    abuf = np.empty(bs * width, dtype=dtype)
    bn_batch = np.empty_like(bn_run)
    swb = np.empty(0, dtype=dtype)
    b = theta[last.b_off : last.b_off + k]
    finite = True
    for start in range(lo, hi, bs):
        nb = min(bs, hi - start)
        if sparse:
            xb = xbuf[: nb * p].reshape((nb, p))
            r0 = start - lo
            gather_batch(X, data, indices, indptr, sparse, rows[r0 : r0 + nb], nb, xb)
        else:
            xb = X[start : start + nb]  # rows in order: no copy needed
        Z = forward_hidden(
            xb, swb, theta, layers, bn_run, bn_batch, abuf, bs, mode, key, start
        )
        finite = finite and all_finite(_view(abuf, bs, z0, nb, first.w_cols))
        output_forward(Z, b, out[start : start + nb], last.act)
    return finite


@njit(**JIT)
def forward_all(source, theta, layers, bn_run, mode, key, xbuf, abuf):
    """Forward pass of every row of X as one batch, leaving every intermediate
    array in ``abuf`` (``xbuf`` holds n * p, ``abuf`` n * width values)."""
    X, data, indices, indptr, sparse = source
    p = layers[0].fan_in
    n = xbuf.shape[0] // p
    xb = xbuf.reshape((n, p))
    gather_batch(X, data, indices, indptr, sparse, np.arange(n), n, xb)
    bn_batch = np.empty_like(bn_run)
    swb = np.ones(n, dtype=theta.dtype)
    forward_hidden(
        xb, swb, theta, layers, bn_run, bn_batch, abuf, n, mode, key, np.int64(0)
    )
