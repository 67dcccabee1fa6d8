"""Whole-epoch training, full-batch objective and prediction kernels.

The network arrives as data:

- ``theta`` (n_params,): every trainable parameter; layer ``l``'s weight matrix is
  ``theta[w_off : w_off + fan_in * fan_out].reshape(fan_in, fan_out)`` and its bias
  ``theta[b_off : b_off + fan_out]``.
- ``net`` (n_layers, NET_COLS) int64: per layer fan_in, fan_out, w_off, b_off,
  activation code and the layer's offset (in units) inside the work buffers.
- ``netf`` (n_layers, NETF_COLS) float64: per layer activation parameter.

Input ``X`` is either dense (``X`` of shape (n, p), C-contiguous; ``sparse=False``) or
CSR (``data``, ``indices``, ``indptr``; ``sparse=True``); the unused form is passed as
an empty array of the right type. The kernels gather each minibatch into a dense,
preallocated buffer, so one compiled version serves both.

Work buffers (allocated once per fit by the caller, see ``_network.Workspace``):
``xb`` (batch * p), ``zbuf``/``abuf``/``dbuf`` (batch * sum of layer widths), ``yb``
(batch * k), ``swb`` (batch), all 1-D; views of them are taken per batch.
"""

import math

import numpy as np
from numba import njit

from ._jit import JIT
from .activations import activation_backward, activation_forward
from .codes import (
    NET_ACT,
    NET_B_OFF,
    NET_BUF_OFF,
    NET_FAN_IN,
    NET_FAN_OUT,
    NET_W_OFF,
    NETF_ACT_PARAM,
)
from .losses import output_forward, output_loss_delta
from .optimizers import (
    OPT_CLIPNORM,
    OPT_CLIPVALUE,
    OPT_L1,
    OPT_L2,
    OPT_N_WEIGHTS,
    add_l2_gradient,
    apply_update,
    clip_gradient,
    penalty,
)
from .random import shuffle_inplace, stream_key


@njit(inline="always", **JIT)
def _view(buf, bs, off, nb, units):
    start = bs * off
    return buf[start : start + nb * units].reshape((nb, units))


@njit(**JIT)
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


@njit(**JIT)
def forward_hidden(xb, theta, net, netf, zbuf, abuf, bs):
    """Forward pass up to the output layer's pre-activation (without its bias).

    Writes every layer's pre-activation into ``zbuf`` and every hidden activation
    into ``abuf`` (views at the layers' offsets). Returns the output layer's Z view.
    """
    nb = xb.shape[0]
    n_layers = net.shape[0]
    a_prev = xb
    for layer in range(n_layers):
        fan_in = net[layer, NET_FAN_IN]
        fan_out = net[layer, NET_FAN_OUT]
        w_off = net[layer, NET_W_OFF]
        b_off = net[layer, NET_B_OFF]
        W = theta[w_off : w_off + fan_in * fan_out].reshape((fan_in, fan_out))
        Z = _view(zbuf, bs, net[layer, NET_BUF_OFF], nb, fan_out)
        np.dot(a_prev, W, Z)
        if layer == n_layers - 1:
            return Z
        A = _view(abuf, bs, net[layer, NET_BUF_OFF], nb, fan_out)
        activation_forward(
            Z,
            theta[b_off : b_off + fan_out],
            A,
            net[layer, NET_ACT],
            netf[layer, NETF_ACT_PARAM],
        )
        a_prev = A
    return a_prev  # unreachable: n_layers >= 1


@njit(**JIT)
def backward(xb, theta, grad, net, netf, zbuf, abuf, dbuf, bs):
    """Back-propagate the output error (already in ``dbuf``) and write ``grad``.

    ``grad`` is overwritten with dLoss/dtheta for every weight and bias.
    """
    nb = xb.shape[0]
    n_layers = net.shape[0]
    for layer in range(n_layers - 1, -1, -1):
        fan_in = net[layer, NET_FAN_IN]
        fan_out = net[layer, NET_FAN_OUT]
        w_off = net[layer, NET_W_OFF]
        b_off = net[layer, NET_B_OFF]
        D = _view(dbuf, bs, net[layer, NET_BUF_OFF], nb, fan_out)
        if layer > 0:
            a_prev = _view(abuf, bs, net[layer - 1, NET_BUF_OFF], nb, fan_in)
        else:
            a_prev = xb
        gW = grad[w_off : w_off + fan_in * fan_out].reshape((fan_in, fan_out))
        np.dot(a_prev.T, D, gW)
        gb = grad[b_off : b_off + fan_out]
        for j in range(fan_out):
            gb[j] = 0.0
        for i in range(nb):
            for j in range(fan_out):
                gb[j] += D[i, j]
        if layer > 0:
            W = theta[w_off : w_off + fan_in * fan_out].reshape((fan_in, fan_out))
            off_prev = net[layer - 1, NET_BUF_OFF]
            D_prev = _view(dbuf, bs, off_prev, nb, fan_in)
            np.dot(D, W.T, D_prev)
            activation_backward(
                _view(zbuf, bs, off_prev, nb, fan_in),
                a_prev,
                D_prev,
                net[layer - 1, NET_ACT],
                netf[layer - 1, NETF_ACT_PARAM],
            )


@njit(**JIT)
def _batch_loss_grad(
    X, data, indices, indptr, sparse, Y, sw, rows, nb, scale, theta, grad, net,
    netf, loss_code, xbuf, ybuf, swbuf, zbuf, abuf, dbuf, bs,
):  # fmt: skip
    """Gather a batch, run forward and backward; ``grad`` gets ``scale`` * gradient.

    Returns the batch's ``sum_i sw_i * loss_i`` (unscaled).
    """
    p = net[0, NET_FAN_IN]
    last = net.shape[0] - 1
    k = net[last, NET_FAN_OUT]
    xb = xbuf[: nb * p].reshape((nb, p))
    gather_batch(X, data, indices, indptr, sparse, rows, nb, xb)
    yb = ybuf[: nb * k].reshape((nb, k))
    swb = swbuf[:nb]
    for r in range(nb):
        i = rows[r]
        swb[r] = sw[i]
        for j in range(k):
            yb[r, j] = Y[i, j]
    Z = forward_hidden(xb, theta, net, netf, zbuf, abuf, bs)
    b_off = net[last, NET_B_OFF]
    D = _view(dbuf, bs, net[last, NET_BUF_OFF], nb, k)
    loss = output_loss_delta(Z, theta[b_off : b_off + k], yb, swb, scale, D, loss_code)
    backward(xb, theta, grad, net, netf, zbuf, abuf, dbuf, bs)
    return loss


@njit(**JIT)
def run_epoch(
    X, data, indices, indptr, sparse, Y, sw, perm, shuffle, seed, epoch,
    theta, grad, state, step, net, netf, loss_code, opt_i, opt_f, lrs, moms,
    step_losses, xbuf, ybuf, swbuf, zbuf, abuf, dbuf, bs,
):  # fmt: skip
    """One epoch of minibatch training, entirely in compiled code.

    Parameters
    ----------
    X, data, indices, indptr, sparse
        The training inputs (see the module docstring).
    Y : ndarray of shape (n, k)
        Targets.
    sw : ndarray of shape (n,)
        Sample weights (class weights folded in).
    perm : ndarray of shape (n,), int64
        Sample order; shuffled in place first when ``shuffle`` is true.
    shuffle : bool
    seed : uint64
        The fit's random key; the epoch's shuffle uses stream ``epoch``.
    epoch : int
    theta, grad : ndarray of shape (n_params,)
        Parameters (updated in place) and a gradient work buffer.
    state, step
        Optimizer slots and update counter (updated in place).
    net, netf, loss_code
        The network (see the module docstring).
    opt_i, opt_f : ndarray
        Optimizer configuration (see :mod:`skdnn._core.optimizers`).
    lrs, moms : ndarray of shape (n_batches,), float64
        Learning rate and momentum (beta_1 for the Adam family) of every step.
    step_losses : ndarray of shape (n_batches,), float64
        Written: each step's minibatch objective (weighted mean loss + penalty).
    xbuf, ybuf, swbuf, zbuf, abuf, dbuf, bs
        Work buffers sized for the batch size ``bs``.

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
    if shuffle:
        shuffle_inplace(perm, stream_key(seed, epoch))
    n_weights = opt_i[OPT_N_WEIGHTS]
    l2 = opt_f[OPT_L2]
    l1 = opt_f[OPT_L1]
    pen = penalty(theta, n_weights, l2, l1)
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
            X, data, indices, indptr, sparse, Y, sw, rows, nb, 1.0 / sw_b, theta,
            grad, net, netf, loss_code, xbuf, ybuf, swbuf, zbuf, abuf, dbuf, bs,
        )  # fmt: skip
        if not math.isfinite(loss):
            return data_loss, pen_loss, b
        data_loss += loss
        pen_loss += sw_b * pen
        step_losses[b] = loss / sw_b + pen
        add_l2_gradient(grad, theta, n_weights, l2)
        clip_gradient(grad, opt_f[OPT_CLIPNORM], opt_f[OPT_CLIPVALUE])
        apply_update(theta, grad, state, step, lrs[b], moms[b], opt_i, opt_f, net)
        pen = penalty(theta, n_weights, l2, l1)
    return data_loss, pen_loss, n_batches


@njit(**JIT)
def full_loss_grad(
    X, data, indices, indptr, sparse, Y, sw, rows, theta, grad, gtmp, net, netf,
    loss_code, l2, n_weights, sw_total, xbuf, ybuf, swbuf, zbuf, abuf, dbuf, bs,
):  # fmt: skip
    """The smooth part of the full objective and its gradient (written to ``grad``).

    ``sum_i sw_i loss_i / S + (alpha / 2S) ||W||^2`` with ``l2 = alpha / S`` and
    ``S = sw_total``; the data are processed in chunks of ``bs`` rows of ``rows``.
    """
    n = rows.shape[0]
    for i in range(grad.shape[0]):
        grad[i] = 0.0
    total = 0.0
    inv = 1.0 / sw_total
    for start in range(0, n, bs):
        nb = min(bs, n - start)
        total += _batch_loss_grad(
            X, data, indices, indptr, sparse, Y, sw, rows[start : start + nb], nb,
            inv, theta, gtmp, net, netf, loss_code, xbuf, ybuf, swbuf, zbuf, abuf,
            dbuf, bs,
        )  # fmt: skip
        for i in range(grad.shape[0]):
            grad[i] += gtmp[i]
    add_l2_gradient(grad, theta, n_weights, l2)
    return total * inv + penalty(theta, n_weights, l2, 0.0)


@njit(**JIT)
def predict_forward(X, data, indices, indptr, sparse, theta, net, netf, out_code, out):
    """Network output for every row of X, written to ``out`` (n, k).

    Processes the rows in chunks with buffers allocated here (prediction runs outside
    the training loop).
    """
    n = out.shape[0]
    n_layers = net.shape[0]
    p = net[0, NET_FAN_IN]
    k = net[n_layers - 1, NET_FAN_OUT]
    width = 0
    for layer in range(n_layers):
        width += net[layer, NET_FAN_OUT]
    bs = min(n, 512)
    if bs == 0:
        return
    dtype = theta.dtype
    xbuf = np.empty(bs * p, dtype=dtype)
    zbuf = np.empty(bs * width, dtype=dtype)
    abuf = np.empty(bs * width, dtype=dtype)
    rows = np.arange(n)
    b_off = net[n_layers - 1, NET_B_OFF]
    for start in range(0, n, bs):
        nb = min(bs, n - start)
        xb = xbuf[: nb * p].reshape((nb, p))
        gather_batch(X, data, indices, indptr, sparse, rows[start : start + nb], nb, xb)
        Z = forward_hidden(xb, theta, net, netf, zbuf, abuf, bs)
        output_forward(Z, theta[b_off : b_off + k], out[start : start + nb], out_code)
