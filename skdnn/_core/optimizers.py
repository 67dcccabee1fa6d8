"""The optimizer step on the flat parameter buffer: penalties, clipping, decoupled
weight decay, the update rule (dispatched to :mod:`skdnn._core.update_rules`), the L1
proximal step, learning-rate factors and the max-norm projection.

``theta`` holds every trainable parameter; its first ``n_weights`` entries are the
connection weights (the only penalised and decayed ones), the rest biases, batch
normalisation parameters and PReLU slopes. Optimizer state is a 2-D array ``state``
of shape (3, n_params) so each rule is one fused loop.
"""

import math

from numba import njit

from ._jit import JIT, KERNEL
from .codes import ADADELTA, ADAGRAD, ADAM, ADAMAX, NADAM, RADAM, RMSPROP, SGD
from .update_rules import (
    adadelta_step,
    adagrad_step,
    adam_step,
    adamax_step,
    nadam_step,
    radam_step,
    rmsprop_step,
    sgd_step,
)


@njit(**KERNEL)
def add_l2_gradient(grad, theta, n_weights, l2):
    """``grad[:n_weights] += l2 * theta[:n_weights]`` (in place)."""
    if l2 != 0.0:
        for i in range(n_weights):
            grad[i] += l2 * theta[i]


@njit(**KERNEL)
def penalty(theta, n_weights, l2, l1, mid):
    """``(l2 / 2) * ||W||^2 + l1 * ||W||_1`` over the connection weights
    ``theta[:n_weights]`` (float64), summed as the penalty of the weights before
    ``mid`` plus that of the others: in bitwise the same order as the sum of the
    penalties of the two parts of the parallel optimizer step (``_step_part`` in
    :mod:`skdnn._core.epoch`). ``mid >= n_weights``: one sum (plus 0.0)."""
    if l2 == 0.0 and l1 == 0.0:
        return 0.0
    total = 0.0
    lo = 0
    for part in range(2):
        hi = min(mid, n_weights) if part == 0 else n_weights
        sq = 0.0
        ab = 0.0
        for i in range(lo, hi):
            w = float(theta[i])
            sq += w * w
            ab += abs(w)
        total += 0.5 * l2 * sq + l1 * ab
        lo = hi
    return total


@njit(inline="always", **JIT)
def _soft_threshold(w, t):
    if w > t:
        return w - t
    if w < -t:
        return w + t
    return 0.0 * w


@njit(**KERNEL)
def max_norm_project(theta, layers, bound):
    """Rescale each unit's incoming weight vector to L2 norm <= ``bound``.

    For every layer's W (fan_in, fan_out), column j (the weights into unit j) is
    multiplied by ``bound / ||W[:, j]||`` when that norm exceeds ``bound`` (Keras'
    ``max_norm(axis=0)``). Changes ``theta`` in place.
    """
    for layer in range(layers.shape[0]):
        L = layers[layer]
        fan_in = L.fan_in
        fan_out = L.w_cols
        w_off = L.w_off
        W = theta[w_off : w_off + fan_in * fan_out].reshape((fan_in, fan_out))
        for j in range(fan_out):
            sq = 0.0
            for i in range(fan_in):
                sq += float(W[i, j]) * float(W[i, j])
            norm = math.sqrt(sq)
            if norm > bound:
                scale = bound / norm
                for i in range(fan_in):
                    W[i, j] *= scale


@njit(**KERNEL)
def clip_gradient(grad, clipnorm, clipvalue):
    """Clip ``grad`` in place: each component to [-clipvalue, clipvalue], then the
    whole vector to global L2 norm ``clipnorm`` (direction kept). 0 turns either off.
    """
    n = grad.shape[0]
    if clipvalue > 0.0:
        for i in range(n):
            g = grad[i]
            if g > clipvalue:
                grad[i] = clipvalue
            elif g < -clipvalue:
                grad[i] = -clipvalue
    if clipnorm > 0.0:
        sq = 0.0
        for i in range(n):
            sq += float(grad[i]) * float(grad[i])
        norm = math.sqrt(sq)
        if norm > clipnorm:
            scale = clipnorm / norm
            for i in range(n):
                grad[i] *= scale


@njit(inline="always", **JIT)
def l1_prox(theta, n_weights, per_coordinate, s, step_size, l1, feedback, v, c):
    """L1 proximal step: soft-threshold each weight by its step size times ``l1``.

    ``theta[i]`` for ``i < n_weights`` (the connection weights; the biases are not
    penalised) becomes ``prox_thr(theta[i])`` with ``thr = s[i] * l1`` when
    ``per_coordinate`` (the adaptive rules: ``s`` of shape (n_params,) holds each
    coordinate's step size), else ``thr = step_size * l1`` (SGD: one float64 step
    size ``c * lr``, never rounded to theta's dtype; ``s`` is not read). Changes
    ``theta`` in place, and the velocity ``v`` (shape (n_params,)) when
    ``feedback``; otherwise ``v`` and ``c`` are not used.

    SGD with momentum passes ``feedback=True``. The shrink is then fed back into
    the velocity as if l1 * sign(w) were part of the gradient, so the velocity of
    a weight held at zero decays instead of accumulating. With threshold t, the
    fixed points (v = 0) satisfy w = prox_t(w - c lr g), c = 1 (classical) or
    1 + momentum (Nesterov), t = c lr l1: exactly the Lasso optimality conditions.

    One loop for every rule, told apart by flags: ``per_coordinate`` is a literal
    at both call sites and ``feedback`` a literal (adaptive rules) or the
    loop-invariant ``momentum != 0`` (SGD, as before), so LLVM folds or unswitches
    them. Two alternatives compiled slower (CPU time of compiling apply_update
    and max_norm_project, 1.5 s before this split): an ``@overload`` choosing
    ``s[i]`` or the scalar by type, +0.25 s; runtime tests ``s.shape[0] > 0`` and
    ``v.shape[0] > 0`` (empty arrays for "none"), +0.25 s, and fewer loops
    vectorised.
    """
    thr = step_size * l1
    for i in range(n_weights):
        w = theta[i]
        if per_coordinate:
            thr = s[i] * l1
        shrunk = _soft_threshold(w, thr)
        theta[i] = shrunk
        if feedback:
            v[i] += (shrunk - w) / c


@njit(inline="always", **JIT)
def _decay_weights(theta, n_weights, factor):
    """Decoupled weight decay: ``theta[:n_weights] *= factor`` (in theta's dtype)."""
    f = theta.dtype.type(factor)
    for i in range(n_weights):
        theta[i] *= f


@njit(inline="always", **JIT)
def _rule_and_l1(theta, grad, s0, s1, s2, mu_prod, t, lr, momentum, opt, n_weights,
                 extras):  # fmt: skip
    """The update rule of ``opt.rule`` and the L1 proximal step (``t``: this
    step's count, from 1; the other arguments as in :func:`apply_update`).
    With ``extras`` None only SGD and Adam without AMSGrad and L1 are compiled
    (the other rules' codes do nothing; see :func:`apply_update`)."""
    code = opt.rule
    l1 = opt.l1
    b1 = momentum
    b2 = opt.beta_2
    eps = opt.epsilon
    rho = opt.rho
    s = grad  # adaptive rules: per-coordinate step size, written over the gradient
    if code == SGD:
        nesterov = opt.nesterov
        v = s0
        sgd_step(theta, grad, v, lr, momentum, nesterov)
        if extras is not None:
            if l1 > 0.0:
                # one step size c * lr for every weight, momentum feedback into v
                # (see l1_prox)
                c = 1.0 + momentum if (nesterov and momentum != 0.0) else 1.0
                l1_prox(theta, n_weights, False, s, c * lr, l1, momentum != 0.0, v, c)
        return
    if code == ADAM:
        # only the L1 step reads s: without L1, Adam's loops skip that store (the
        # test is hoisted out of the loop by LLVM's loop unswitching; the default
        # solver only, to keep the compiled code small)
        if extras is not None:
            adam_step(
                theta, grad, s0, s1, s2, s, t, lr, b1, b2, eps,
                opt.amsgrad, l1 > 0.0,
            )  # fmt: skip
        else:  # plain Adam: constant flags, LLVM drops the other loops
            adam_step(theta, grad, s0, s1, s2, s, t, lr, b1, b2, eps, False, False)
    elif extras is not None:  # None: the other rules are not compiled
        if code == NADAM:
            # the running product of Dozat's momentum schedule lives in the spare
            # slot state[2, 0] (Nadam uses rows 0 and 1 for m and v)
            nadam_step(
                theta, grad, s0, s1, mu_prod, s, t, lr, b1, b2,
                eps, opt.momentum_decay,
            )  # fmt: skip
        elif code == ADAMAX:
            adamax_step(theta, grad, s0, s1, s, t, lr, b1, b2, eps)
        elif code == RADAM:
            radam_step(theta, grad, s0, s1, s, t, lr, b1, b2, eps)
        elif code == ADAGRAD:
            acc0 = opt.initial_accumulator
            adagrad_step(theta, grad, s0, s, t, lr, eps, acc0)
        elif code == RMSPROP:
            rmsprop_step(theta, grad, s0, s, lr, rho, eps)
        elif code == ADADELTA:
            adadelta_step(theta, grad, s0, s1, s, lr, rho, eps)
    if extras is not None:
        if l1 > 0.0:
            # per-coordinate step sizes, no velocity feedback
            l1_prox(theta, n_weights, True, s, 0.0, l1, False, s, 1.0)


@njit(**KERNEL)
def apply_update(theta, grad, s0, s1, s2, mu_prod, step, lr, momentum, opt, n_weights,
                 factors, old, extras):  # fmt: skip
    """One optimizer step (in place on ``theta``, the state, ``step`` and ``grad``),
    over every parameter or a contiguous part of them: the update is elementwise,
    so the parts of a step may run on different threads and give the bits of the
    whole (see :func:`skdnn._core.epoch.run_epoch_parallel`).

    Increments the step count, applies the decoupled weight decay (when
    ``opt.weight_decay > 0``), runs the rule chosen by ``opt.rule`` (one of the
    ``*_step`` kernels in :mod:`skdnn._core.update_rules`), then the L1 proximal
    step (soft-thresholding of the weights by ``l1`` times the step size, per
    coordinate for the adaptive rules), and finally scales the step of every
    parameter after the weights by its learning-rate factor (when ``factors`` is
    not empty). The max-norm projection and gradient clipping are the caller's
    (``_step_py`` in :mod:`skdnn._core.epoch`).

    Parameters
    ----------
    theta, grad : ndarray of shape (n,)
        Parameters (all, or a part) and the gradient of the minibatch objective
        (penalty included). The adaptive rules overwrite ``grad`` with each
        coordinate's step size (Adam only with L1 on).
    s0, s1, s2 : ndarray of shape (n,)
        The same parameters' rows of the optimizer state ``state`` (3, n_params)
        (see ``skdnn.optimizers`` for which rule uses which), passed as rows:
        the rows of a 2-D slice ``state[:, lo:hi]`` would not be contiguous.
    mu_prod : ndarray of shape (1,)
        Nadam's running product of its momentum schedule (``state[2, :1]``;
        Nadam uses rows 0 and 1 for m and v); read and written by Nadam only.
    step : ndarray of shape (1,), int64
        Number of updates done so far; incremented.
    lr : float
        This step's learning rate.
    momentum : float
        This step's momentum (SGD) or first-moment decay beta_1 (the Adam
        family); a schedule such as 1cycle may change it every step.
    opt : OPTIMIZER record
        The rule and its hyperparameters (:mod:`skdnn._core.records`).
    n_weights : int
        How many of ``theta`` are connection weights (the first ones: the only
        penalised and decayed parameters).
    factors : ndarray of shape (n - n_weights,) or (0,)
        Learning-rate factor of each parameter after the weights (the weights'
        factor is always 1); empty: none. ``theta[n_weights + i]`` moves by
        ``factors[i]`` times the rule's step: every rule's step, momentum
        velocities included, is linear in ``lr``, so this is the rule run with
        the learning rate ``lr * factors[i]`` for that parameter.
    old : ndarray of the shape of ``factors``
        Work space: the values of ``theta[n_weights:]`` before the step.
    extras : None or array
        None (the lean kernels, see :func:`skdnn._core.layers.forward_hidden`):
        only SGD and Adam are compiled, without AMSGrad, L1, decoupled weight
        decay and learning-rate factors (the caller passes None only for a step
        that needs none of them: ``Network._training_extras``).
    """
    scaled = False
    if extras is not None:
        scaled = factors.shape[0] > 0
        if scaled:
            for i in range(factors.shape[0]):
                old[i] = theta[n_weights + i]
    step[0] += 1
    if extras is not None:
        if opt.weight_decay > 0.0:
            # decoupled from the gradient (Loshchilov and Hutter, 2019): before the
            # rule, on the weights only; eta is this step's rate unless the decay
            # has a constant schedule of its own
            eta = opt.decay_lr if opt.decay_lr > 0.0 else lr
            _decay_weights(theta, n_weights, 1.0 - eta * opt.weight_decay)
    _rule_and_l1(
        theta, grad, s0, s1, s2, mu_prod, step[0], lr, momentum, opt, n_weights,
        extras,
    )  # fmt: skip
    if scaled:
        for i in range(factors.shape[0]):
            j = n_weights + i
            theta[j] = old[i] + factors[i] * (theta[j] - old[i])
