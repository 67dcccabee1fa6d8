"""Whole-epoch training and the full-batch objective (L-BFGS, inspection).

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

The input arrives as ``X, data, indices, indptr, sparse``: either
dense (``X`` of shape (n, p), C-contiguous; ``sparse=None``) or CSR (``data``,
``indices``, ``indptr``; ``sparse=True``); the unused form is an empty array of the
right type. The kernels gather each minibatch into a dense, preallocated buffer;
CSR input is not gathered when the first layer can compute its products from it
(:mod:`skdnn._core.sparse`): ``xbuf`` is then empty. ``sparse`` is None rather
than False for dense input so that Numba prunes the CSR branches (``if sparse is
not None``) and a dense fit compiles none of the CSR kernels (as ``extras`` and
``emb`` do, see :func:`skdnn._core.layers.forward_hidden`).

Work buffers ``xbuf, ybuf, swbuf, abuf, dbuf, bn_batch`` for batches of up to ``bs``
rows (allocated once per fit, see ``skdnn._network.Workspace``). The entry points
take these arrays one by one, not grouped in tuples: tuple arguments made a cold
compile of a default fit about 1.7 s slower (13.4-13.9 s against 11.9 s CPU,
measured side by side), and :class:`skdnn._network.Network`, their only caller,
hides the long argument lists anyway:
``xb`` (batch * p), ``abuf``/``dbuf`` (batch * width: every intermediate array of the
forward pass, and its gradient at the same offset; for CSR input whose first
layer folds the input batch normalisation into its products, batch *
``spec.csr_width``, without that normalisation's arrays, the last columns), ``yb``
(batch * k), ``swb`` (batch), all 1-D; views of them are taken per batch.

Randomness (dropout masks, RReLU slopes) comes from the stream ``key``; element
(i, j) of the region at column offset ``off`` uses index ``(row0 + i) * width + off
+ j`` with ``width = layers[0].width`` (every column, whatever the buffers
hold), see :mod:`skdnn._core.dropout`.
"""

import math

import numpy as np
from numba import njit, prange

from ._jit import JIT, KERNEL, PARALLEL
from .codes import MODE_STATS, MODE_TRAIN
from .layers import backward, buffer_view, forward_hidden
from .losses import output_loss_delta
from .optimizers import (
    add_l2_gradient,
    apply_update,
    clip_gradient,
    max_norm_project,
    penalty,
)
from .random import shuffle_inplace, stats_key, step_key, stream_key
from .records import OPTIMIZER
from .sparse import first_layer_grad, first_layer_input


# inlined (Numba IR) into its two callers: one LLVM optimisation of the linked
# module fewer, about 2 s of cold compilation
@njit(inline="always", **JIT)
def _batch_loss_grad(X, data, indices, indptr, sparse, Y, sw, rows, nb, scale, theta,
                     grad, layers, bn_run, mode, key, xbuf, ybuf, swbuf, abuf, dbuf,
                     bn_batch, bs, row0, extras, emb):  # fmt: skip
    """Gather a batch, run forward and backward; ``grad`` gets ``scale`` * gradient.

    ``row0``: the index of the batch's first row in the random streams (dropout
    masks, RReLU slopes). CSR input is not gathered when layer 0 can compute its
    products from it (:mod:`skdnn._core.sparse`).

    Returns the batch's ``sum_i sw_i * loss_i`` (unscaled). With ``m`` ensemble
    members every row is ``m`` rows of the expanded batch (each with the row's
    target and weight), and ``loss_i`` is the mean of the members' losses.
    """
    out = layers[layers.shape[0] - 1]
    m = layers[0].members
    k = out.fan_out
    yb = ybuf[: nb * m * k].reshape((nb * m, k))
    swb = swbuf[: nb * m]
    for r in range(nb):
        i = rows[r]
        for e in range(r * m, r * m + m):
            swb[e] = sw[i]
            for j in range(k):
                yb[e, j] = Y[i, j]
    xb = first_layer_input(
        X, data, indices, indptr, sparse, rows, nb, xbuf, theta, layers, abuf, bs,
        swb, bn_run, bn_batch, mode, extras,
    )  # fmt: skip
    Z = forward_hidden(
        xb, swb, theta, layers, bn_run, bn_batch, abuf, bs, mode, key, row0, extras, emb
    )
    D = buffer_view(dbuf, bs, out.z, nb * m, k)
    b = theta[out.b_off : out.b_off + k]
    loss = output_loss_delta(Z, b, yb, swb, scale / m, D, out.loss)
    backward(xb, swb, theta, grad, layers, bn_batch, abuf, dbuf, bs, extras, emb)
    first_layer_grad(
        data, indices, indptr, sparse, rows, xb, theta, layers, grad, dbuf, bs,
        bn_batch, extras,
    )  # fmt: skip
    return loss / m


def _part_py(t, h, base, source, Y, sw, rows, nb, scale, theta, grad, layers, bn_run,
             mode, key, work, extras, emb):  # fmt: skip
    """Part ``t`` of a batch split at row ``h``: part 0 the rows ``rows[:h]`` into
    ``grad``, part 1 the rows ``rows[h:nb]`` into ``gb`` (with ``h = nb``: the
    whole batch in part 0), each with its own row of the work buffers (row stride
    ``hs``). A part draws its dropout masks and RReLU slopes at its rows'
    positions in the stream, ``base`` being that of ``rows[0]`` (0 for a
    training batch), so the parts together draw exactly what the whole batch
    would. Returns the part's ``sum_i sw_i * loss_i``.

    ``source`` is ``(X, data, indices, indptr, sparse)``, ``work`` ``(gb, xb2,
    yb2, swb2, ab2, db2, bnb2, hs)`` (:func:`run_epoch`): grouped, because a call
    of 30 arguments or more compiles to ``f(*args)``, which Numba cannot inline.
    """
    X, data, indices, indptr, sparse = source
    gb, xb2, yb2, swb2, ab2, db2, bnb2, hs = work
    lo = t * h
    n_t = min(nb, lo + h) - lo
    g = grad if t == 0 else gb
    if n_t <= 0:
        for i in range(g.shape[0]):
            g[i] = 0.0
        return 0.0
    return _batch_loss_grad(
        X, data, indices, indptr, sparse, Y, sw, rows[lo : lo + n_t], n_t, scale,
        theta, g, layers, bn_run, mode, key, xb2[t], yb2[t], swb2[t], ab2[t], db2[t],
        bnb2[t], hs, np.int64((base + lo) * layers[0].members), extras, emb,
    )  # fmt: skip


# One function, compiled twice: inlined into run_epoch's loop over the parts (one
# optimisation of the batch's code in the serial epoch: a cold compile of a default
# fit as fast as with whole batches), and as a function of its own that the two
# threads of _halves_parallel call (inlining it into a parallel loop would let the
# parfor passes move its temporaries out of the loop, shared by the threads).
# Compiled without fastmath, both give bitwise the same results.
_part = njit(inline="always", **KERNEL)(_part_py)
_part_call = njit(**KERNEL)(_part_py)


@njit(**PARALLEL)
def _halves_parallel(source, Y, sw, rows, nb, h, base, scale, theta, grad, layers,
                     bn_run, mode, key, work, extras, emb, losses):  # fmt: skip
    """The two halves of a batch (:func:`_part_py`) on two threads."""
    for t in prange(2):
        losses[t] = _part_call(
            t, h, base, source, Y, sw, rows, nb, scale, theta, grad, layers, bn_run,
            mode, key, work, extras, emb,
        )  # fmt: skip


# The optimizer step after a minibatch's gradient is elementwise, but for clipping
# by the global norm and the max-norm projection: the parallel epoch runs it over
# two parts of the parameters (each half, cut at a multiple of 16) on its two
# threads, with the bits of one step over all of them. Networks with fewer
# parameters update on one thread (a parallel region would cost more than it
# saves). The penalty is summed over the same two parts in every epoch
# (:func:`~skdnn._core.optimizers.penalty`), each part's on its thread here, so
# that the loss does not depend on the threads either.
PARALLEL_UPDATE_MIN = 1 << 15


@njit(inline="always", **KERNEL)
def _parameter_parts(n_params, opt):
    """Where the parameters' two parts meet (see above): ``n_params`` (one part)
    with global clipping or max-norm."""
    if opt.clipnorm == 0.0 and opt.max_norm == 0.0:
        return (n_params // 2) // 16 * 16
    return n_params


def _step_py(theta, grad, gb, frozen, anchor, s0, s1, s2, mu_prod, step, lr, mom,
             opt, n_weights, factors, old, whole, layers, extras):  # fmt: skip
    """Everything of an optimizer step after the minibatch gradient, on the
    parameters ``theta`` (all of them, or a part whose first ``n_weights`` are
    weights; every other array the same part's: ``s0, s1, s2`` the optimizer
    state's rows): the second half-batch's gradient ``gb`` added (when not
    empty), the L2 gradient, the frozen parameters' gradient zeroed, clipping,
    the update (:func:`~skdnn._core.optimizers.apply_update`, which increments
    ``step`` and Nadam's ``mu_prod``), the max-norm projection of ``whole`` (all
    the parameters) and the frozen parameters restored to ``anchor``. Clipping by
    the norm and max-norm need every parameter: with them, ``theta`` is all of
    them."""
    n = theta.shape[0]
    if gb.shape[0] > 0:
        for i in range(n):
            grad[i] += gb[i]
    add_l2_gradient(grad, theta, n_weights, opt.l2)
    has_frozen = frozen.shape[0] > 0
    if has_frozen:
        for i in range(n):
            if frozen[i]:
                grad[i] = 0.0
    if extras is not None:  # None: no clipping, no max-norm (apply_update)
        clip_gradient(grad, opt.clipnorm, opt.clipvalue)
    apply_update(
        theta, grad, s0, s1, s2, mu_prod, step, lr, mom, opt, n_weights, factors, old,
        extras,
    )  # fmt: skip
    if extras is not None:
        if opt.max_norm > 0.0:  # the projection follows every update (0 = off)
            max_norm_project(whole, layers, opt.max_norm)
    if has_frozen:
        for i in range(n):
            if frozen[i]:
                theta[i] = anchor[i]


# inlined into the epoch (over every parameter), and a function of its own for
# the parts of the parallel update (as _part and _part_call)
_step = njit(inline="always", **KERNEL)(_step_py)
_step_call = njit(**KERNEL)(_step_py)


@njit(**KERNEL)
def _step_part(p, mid, theta, grad, gb, frozen, anchor, layers, state, step, step1,
               mu1, lr, mom, opt, factors, old, extras):  # fmt: skip
    """Part ``p`` of the parallel optimizer step (:func:`_step_py`): part 0 the
    parameters ``[0, mid)`` with the step count and Nadam's product themselves,
    part 1 the others with copies of them (``step1``, ``mu1``: the count and the
    product come out the same). Returns the part's penalty."""
    n = theta.shape[0]
    lo = 0 if p == 0 else mid
    hi = mid if p == 0 else n
    nw = opt.n_weights
    n_w = min(max(nw - lo, 0), hi - lo)  # the part's weights
    # the part's slices; an empty array (no gb, frozen, anchor or factors)
    # slices to an empty one. factors and old cover theta[nw:]
    fa, fb = max(lo, nw) - nw, max(hi, nw) - nw
    st = step if p == 0 else step1
    mu = state[2, :1] if p == 0 else mu1
    _step_call(
        theta[lo:hi], grad[lo:hi], gb[lo:hi], frozen[lo:hi], anchor[lo:hi],
        state[0][lo:hi], state[1][lo:hi], state[2][lo:hi], mu, st, lr, mom, opt,
        n_w, factors[fa:fb], old[fa:fb], theta, layers, extras,
    )  # fmt: skip
    return penalty(theta[lo:hi], n_w, opt.l2, opt.l1, n_w)


@njit(**PARALLEL)
def _steps_parallel(mid, theta, grad, gb, frozen, anchor, layers, state, step, lr,
                    mom, opts, factors, old, extras, pens, step1, mu1):  # fmt: skip
    """The two parts of an optimizer step on two threads (:func:`_step_part`).
    ``opts`` holds the OPTIMIZER record (Numba's parallel loops cannot take a
    record itself: "arg mismatch: [120 x i8]* != [120 x i8]"); ``step1`` and
    ``mu1`` (shape (1,)) receive part 1's copies of the step count and Nadam's
    product."""
    step1[0] = step[0]
    mu1[0] = state[2, 0]
    for p in prange(2):
        pens[p] = _step_part(
            p, mid, theta, grad, gb, frozen, anchor, layers, state, step, step1, mu1,
            lr, mom, opts[0], factors, old, extras,
        )  # fmt: skip


@njit(inline="always", **KERNEL)
def _epoch(source, Y, sw, perm, shuffle, seed, epoch, theta, grad, state, step, layers,
           bn_run, opt, lrs, moms, step_losses, frozen, factors, batch_size, work,
           extras, emb, threads):  # fmt: skip
    """The body of :func:`run_epoch` and :func:`run_epoch_parallel`: ``threads``
    is a literal (False, True) in each, so that only the parallel one compiles
    :func:`_halves_parallel`. ``source`` and ``work`` group arguments as in
    :func:`_part_py`."""
    gb = work[0]
    n = perm.shape[0]
    bs = batch_size
    mode = np.int64(MODE_TRAIN)  # not a literal: one specialisation of the callees
    zero = np.int64(0)  # a batch's first row in the random streams (see _part_py)
    if shuffle:
        shuffle_inplace(perm, stream_key(seed, epoch))
    n_params = theta.shape[0]
    mid = _parameter_parts(n_params, opt)
    parallel_update = n_params >= PARALLEL_UPDATE_MIN and mid < n_params
    pen = penalty(theta, opt.n_weights, opt.l2, opt.l1, mid)
    has_frozen = frozen.shape[0] > 0
    # frozen parameters are restored after every update: their values now
    anchor = theta.copy() if has_frozen else theta[:0]
    old = np.empty_like(factors)  # apply_update's work space (empty without factors)
    split = gb.shape[0] > 0
    losses = np.zeros(2)
    pens = np.zeros(2)
    if threads:  # the parallel step's work space (see _steps_parallel)
        opts = np.empty(1, dtype=OPTIMIZER)
        opts[0] = opt
        step1 = np.empty_like(step)
        mu1 = np.empty_like(state[2, :1])
    data_loss = 0.0
    pen_loss = 0.0
    n_batches = lrs.shape[0]
    for b in range(n_batches):
        start = b * bs
        nb = n - start if b == n_batches - 1 else bs
        rows = perm[start : start + nb]
        sw_b = 0.0
        for r in range(nb):
            sw_b += sw[rows[r]]
        if sw_b <= 0.0:
            continue  # a batch of zero-weight samples carries no gradient
        key = step_key(seed, step[0])
        h = (nb + 1) // 2 if split else nb
        if threads:
            _halves_parallel(
                source, Y, sw, rows, nb, h, zero, 1.0 / sw_b, theta, grad, layers,
                bn_run, mode, key, work, extras, emb, losses,
            )  # fmt: skip
        else:
            for t in range(2 if split else 1):
                losses[t] = _part(
                    t, h, zero, source, Y, sw, rows, nb, 1.0 / sw_b, theta, grad,
                    layers, bn_run, mode, key, work, extras, emb,
                )  # fmt: skip
        loss = losses[0]
        if split:
            loss += losses[1]
        if not math.isfinite(loss):
            return data_loss, pen_loss, b
        data_loss += loss
        pen_loss += sw_b * pen
        step_losses[b] = loss / sw_b + pen
        on_two = False
        if threads:  # a literal: run_epoch compiles no parallel update
            on_two = parallel_update
            if on_two:
                _steps_parallel(
                    mid, theta, grad, gb, frozen, anchor, layers, state, step,
                    lrs[b], moms[b], opts, factors, old, extras, pens, step1, mu1,
                )  # fmt: skip
                pen = pens[0] + pens[1]
        if not on_two:
            _step(
                theta, grad, gb, frozen, anchor, state[0], state[1], state[2],
                state[2, :1], step, lrs[b], moms[b], opt, opt.n_weights, factors,
                old, theta, layers, extras,
            )  # fmt: skip
            pen = penalty(theta, opt.n_weights, opt.l2, opt.l1, mid)
    return data_loss, pen_loss, n_batches


@njit(**JIT)
def run_epoch(X, data, indices, indptr, sparse, Y, sw, perm, shuffle, seed, epoch,
              theta, grad, state, step, layers, bn_run, opt, lrs, moms, step_losses,
              frozen, factors, batch_size, gb, xb2, yb2, swb2, ab2, db2, bnb2, hs,
              extras, emb):  # fmt: skip
    """One epoch of minibatch training, entirely in compiled code.

    Batch ``b`` is ``perm[b * batch_size : (b + 1) * batch_size]``, the last one
    (``b = len(lrs) - 1``) every row from its start to the end of ``perm``: usually
    the remainder, ``batch_size + 1`` rows when a remainder of one row is merged
    into it (batch normalisation).

    Without batch normalisation a batch of ``nb`` rows is trained in two halves:
    its first ``ceil(nb / 2)`` rows and the others, each with its own work
    buffers and gradient (``gb`` the second's), the gradient being their sum in
    that order. Here the halves run one after the other; :func:`run_epoch_parallel`
    runs them on two threads, with bitwise the same result (BLAS must run on one
    thread: every product then gives the same bits whatever runs beside it). The
    halves draw the dropout masks and RReLU slopes the whole batch would. With
    batch normalisation (whose statistics are the whole batch's) batches are
    whole: ``gb`` is empty and the work buffers have one row.

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
    factors : ndarray of shape (n_params - n_weights,) or (0,)
        Learning-rate factors of the parameters after the weights (see
        :func:`~skdnn._core.optimizers.apply_update`); empty: none.
    batch_size : int
    gb : ndarray of shape (n_params,) or (0,)
        The second half's gradient; empty: whole batches.
    xb2, yb2, swb2, ab2, db2, bnb2, hs
        Work buffers, one row per part (two halves, or one whole batch), each
        for up to ``hs`` rows (of the expanded batch with input adapters:
        members * rows): the gathered inputs, targets, sample weights, every
        forward array, their gradients and the batch statistics (see the module
        docstring).
    extras, emb : None or :data:`~skdnn._core.layers.EXTRAS`
        ``extras`` None for a network without batch normalisation, dropout and
        input adapters, with identity, ReLU, tanh or logistic units, trained by
        plain SGD or Adam (``Network._training_extras``); ``emb``
        None for one without periodic embedding: the code that handles the
        others is then not compiled (every entry point takes these arguments;
        see :func:`~skdnn._core.layers.forward_hidden`).

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
    return _epoch(
        (X, data, indices, indptr, sparse), Y, sw, perm, shuffle, seed, epoch, theta,
        grad, state, step, layers, bn_run, opt, lrs, moms, step_losses, frozen,
        factors, batch_size, (gb, xb2, yb2, swb2, ab2, db2, bnb2, hs), extras, emb,
        False,
    )  # fmt: skip


@njit(**JIT)
def run_epoch_parallel(X, data, indices, indptr, sparse, Y, sw, perm, shuffle, seed,
                       epoch, theta, grad, state, step, layers, bn_run, opt, lrs,
                       moms, step_losses, frozen, factors, batch_size, gb, xb2, yb2,
                       swb2, ab2, db2, bnb2, hs, extras, emb):  # fmt: skip
    """:func:`run_epoch` with the two halves of every batch on two threads of
    Numba's threading layer (batches must be split: ``gb`` not empty), and each
    optimizer step over the two parts of the parameters on the same threads
    (:func:`_steps_parallel`: from 32,768 parameters on, without ``clipnorm``
    and ``max_norm``). Compiled
    apart, on demand (``skdnn._threads``): a fit that never uses it does not pay
    for its compilation."""
    return _epoch(
        (X, data, indices, indptr, sparse), Y, sw, perm, shuffle, seed, epoch, theta,
        grad, state, step, layers, bn_run, opt, lrs, moms, step_losses, frozen,
        factors, batch_size, (gb, xb2, yb2, swb2, ab2, db2, bnb2, hs), extras, emb,
        True,
    )  # fmt: skip


@njit(**JIT)
def bn_population_statistics(X, data, indices, indptr, sparse, sw, perm, shuffle,
                             seed, epoch, theta, layers, bn_run, batch_size,
                             n_batches, xbuf, ybuf, swbuf, abuf, dbuf, bn_batch,
                             cap, extras, emb):  # fmt: skip
    """Set the running BN statistics to the average of the batch statistics of one
    pass over the rows ``perm`` with the parameters ``theta`` ("precise BN").

    The batches are formed as in :func:`run_epoch` (``perm`` shuffled in place with
    the stream :func:`~skdnn._core.random.stats_key` of ``(seed, epoch)`` when
    ``shuffle``; ``n_batches`` batches of ``batch_size`` rows, the last one up to the
    end of ``perm``). Each batch is normalised with its own (sample-weighted, biased)
    statistics as in training, but without dropout and with the mean RReLU slopes,
    as in prediction (``MODE_STATS``). Before a batch of total sample weight ``w``,
    every record's ``bn_momentum`` is set to ``seen / (seen + w)``, ``seen`` being
    the weight of the batches before it: the kernels' rule
    ``running = momentum * running + (1 - momentum) * batch`` then leaves in
    ``bn_run`` the weight-averaged means and variances of all batches. Zero-weight
    batches are skipped.

    Parameters
    ----------
    X, data, indices, indptr, sparse
        The inputs (module docstring).
    sw : ndarray of shape (n,)
        Sample weights.
    perm : ndarray of shape (n_rows,), int64
        The rows of the pass (changed in place when ``shuffle``).
    theta : ndarray of shape (n_params,)
        Parameters (read only).
    layers : ndarray of LAYER records
        A copy of the network's records: their ``bn_momentum`` is overwritten.
    bn_run : ndarray of shape (2, n_stats)
        Running statistics, overwritten wherever a batch normalisation sits.
    xbuf, ybuf, swbuf, abuf, dbuf, bn_batch, cap
        Work buffers for batches of up to ``cap`` rows.
    """
    n = perm.shape[0]
    m = layers[0].members
    mode = np.int64(MODE_STATS)
    key = stats_key(seed, epoch)
    if shuffle:
        shuffle_inplace(perm, key)
    seen = 0.0
    for b in range(n_batches):
        start = b * batch_size
        nb = n - start if b == n_batches - 1 else batch_size
        rows = perm[start : start + nb]
        swb = swbuf[: nb * m]  # one weight per row of the expanded batch
        w = 0.0
        for r in range(nb):
            for e in range(r * m, r * m + m):
                swb[e] = sw[rows[r]]
            w += swb[r * m]
        if w <= 0.0:
            continue
        momentum = seen / (seen + w)
        for i in range(layers.shape[0]):
            layers[i].bn_momentum = momentum
        xb = first_layer_input(
            X, data, indices, indptr, sparse, rows, nb, xbuf, theta, layers, abuf, cap,
            swb, bn_run, bn_batch, mode, extras,
        )  # fmt: skip
        forward_hidden(
            xb, swb, theta, layers, bn_run, bn_batch, abuf, cap, mode, key,
            np.int64(0), extras, emb,
        )  # fmt: skip
        seen += w


@njit(inline="always", **KERNEL)
def _full_loss_grad(source, Y, sw, rows, theta, grad, gtmp, layers, bn_run, opt, mode,
                    key, sw_total, work, extras, emb, threads):  # fmt: skip
    """The body of :func:`full_loss_grad` and :func:`full_loss_grad_parallel`
    (``threads`` a literal in each, as in :func:`_epoch`)."""
    n = rows.shape[0]
    for i in range(grad.shape[0]):
        grad[i] = 0.0
    gb = work[0]
    pairs = gb.shape[0] > 0
    chunk = work[7] // layers[0].members  # rows per chunk (of the expanded batch)
    step = 2 * chunk if pairs else chunk
    inv = 1.0 / sw_total
    losses = np.zeros(2)
    total = 0.0
    for start in range(0, n, step):
        nb = min(step, n - start)
        h = min(chunk, nb)
        part = rows[start : start + nb]
        if threads:
            _halves_parallel(
                source, Y, sw, part, nb, h, start, inv, theta, gtmp, layers, bn_run,
                mode, key, work, extras, emb, losses,
            )  # fmt: skip
        else:
            for t in range(2 if nb > h else 1):
                losses[t] = _part(
                    t, h, start, source, Y, sw, part, nb, inv, theta, gtmp, layers,
                    bn_run, mode, key, work, extras, emb,
                )  # fmt: skip
        # the chunks' sums in chunk order, whichever thread computed them
        total += losses[0]
        for i in range(grad.shape[0]):
            grad[i] += gtmp[i]
        if nb > h:
            total += losses[1]
            for i in range(grad.shape[0]):
                grad[i] += gb[i]
    add_l2_gradient(grad, theta, opt.n_weights, opt.l2)
    return total * inv + penalty(theta, opt.n_weights, opt.l2, 0.0, opt.n_weights)


@njit(**JIT)
def full_loss_grad(X, data, indices, indptr, sparse, Y, sw, rows, theta, grad, gtmp,
                   layers, bn_run, opt, mode, key, sw_total, gb, xb2, yb2, swb2, ab2,
                   db2, bnb2, hs, extras, emb):  # fmt: skip
    """The smooth part of the full objective and its gradient (written to ``grad``).

    ``sum_i sw_i loss_i / S + (alpha / 2S) ||W||^2`` with ``opt.l2 = alpha / S`` and
    ``S = sw_total`` (the L1 term is left to the caller: OWL-QN); the data are
    processed in chunks of ``hs`` rows of ``rows`` (of the expanded batch with
    input adapters; with batch normalisation, pass ``len(rows)``: one batch; CSR
    input is then not densified when layer 0 can compute its products from it,
    see :mod:`skdnn._core.sparse`). ``mode`` is ``MODE_OBJECTIVE`` (or
    ``MODE_TRAIN`` to set the running statistics); dropout masks and RReLU
    slopes come from ``key``, fixed for the whole call, row ``i`` of ``rows``
    drawing at index ``i`` (the same for any chunk size).

    The work buffers are those of :func:`run_epoch`, one row per chunk of a
    pair (``gb`` the second chunk's gradient, ``gtmp`` the first's) or one
    row (``gb`` empty) for one chunk at a time: with pairs, chunk ``c`` uses row
    ``c % 2``, here one chunk after the other, in
    :func:`full_loss_grad_parallel` the two of a pair on two threads; the
    chunks' losses and gradients are summed in chunk order, so both give the
    same bits (with BLAS on one thread).
    """
    return _full_loss_grad(
        (X, data, indices, indptr, sparse), Y, sw, rows, theta, grad, gtmp, layers,
        bn_run, opt, mode, key, sw_total, (gb, xb2, yb2, swb2, ab2, db2, bnb2, hs),
        extras, emb, False,
    )  # fmt: skip


@njit(**JIT)
def full_loss_grad_parallel(X, data, indices, indptr, sparse, Y, sw, rows, theta,
                            grad, gtmp, layers, bn_run, opt, mode, key, sw_total, gb,
                            xb2, yb2, swb2, ab2, db2, bnb2, hs, extras,
                            emb):  # fmt: skip
    """:func:`full_loss_grad` with the two chunks of every pair on two threads
    (``gb`` not empty); compiled apart, on demand (``skdnn._threads``)."""
    return _full_loss_grad(
        (X, data, indices, indptr, sparse), Y, sw, rows, theta, grad, gtmp, layers,
        bn_run, opt, mode, key, sw_total, (gb, xb2, yb2, swb2, ab2, db2, bnb2, hs),
        extras, emb, True,
    )  # fmt: skip
