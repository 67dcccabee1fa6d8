"""Update rules on the flat parameter buffer.

``theta`` holds every trainable parameter; its first ``n_weights`` entries are the
connection weights (the only penalised ones), the rest biases. Optimizer state is a
2-D array ``state`` of shape (3, n_params) so each rule is one fused loop.
"""

import math

import numpy as np
from numba import njit

from ._jit import JIT, KERNEL
from .codes import ADADELTA, ADAGRAD, ADAM, ADAMAX, NADAM, RADAM, RMSPROP, SGD


@njit(**KERNEL)
def add_l2_gradient(grad, theta, n_weights, l2):
    """``grad[:n_weights] += l2 * theta[:n_weights]`` (in place)."""
    if l2 != 0.0:
        for i in range(n_weights):
            grad[i] += l2 * theta[i]


@njit(**KERNEL)
def penalty(theta, n_weights, l2, l1):
    """``(l2 / 2) * ||W||^2 + l1 * ||W||_1`` over the connection weights (float64)."""
    if l2 == 0.0 and l1 == 0.0:
        return 0.0
    sq = 0.0
    ab = 0.0
    for i in range(n_weights):
        w = float(theta[i])
        sq += w * w
        ab += abs(w)
    return 0.5 * l2 * sq + l1 * ab


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


# ---------------------------------------------------------------------------------
# One kernel per update rule. Each takes plain arrays and scalars (never the
# configuration tables: only ``apply_update`` reads those) and is inlined into the
# dispatcher at Numba's IR level, so the rules cost no calls and no extra compiled
# functions. ``theta``, ``grad`` and every state row have shape (n_params,). The
# adaptive rules write each coordinate's step size to ``s``, which the dispatcher
# passes as ``grad`` itself (the gradient is dead by then): the L1 proximal step
# reads it. Each element is read from ``grad`` before ``s`` is written at the same
# index, so the two may alias.
#
# The SGD and Adam loops compute in theta's dtype (``T = theta.dtype.type``):
# float32 models update in float32 (twice the SIMD width), float64 ones exactly as
# in float64 arithmetic. The other rules compute in float64 scalars and round once
# when they store.
# ---------------------------------------------------------------------------------


@njit(inline="always", **JIT)
def sgd_step(theta, grad, v, lr, momentum, nesterov):
    """Plain SGD (``momentum == 0``), classical momentum or Nesterov's.

    ``theta`` and the velocity ``v`` (shape (n_params,)) change in place; ``v`` is
    neither read nor written when ``momentum == 0``. ``grad`` is only read.
    """
    T = theta.dtype.type
    n = theta.shape[0]
    lr_ = T(lr)
    mom = T(momentum)
    if momentum == 0.0:
        for i in range(n):
            theta[i] -= lr_ * grad[i]
    elif nesterov:
        for i in range(n):
            g = lr_ * grad[i]
            vi = mom * v[i] - g
            v[i] = vi
            theta[i] += mom * vi - g
    else:
        for i in range(n):
            vi = mom * v[i] - lr_ * grad[i]
            v[i] = vi
            theta[i] += vi


@njit(inline="always", **JIT)
def adam_step(
    theta, grad, m, v, vmax, s, t, lr, beta_1, beta_2, epsilon, amsgrad, store_s
):  # fmt: skip
    """Adam, or AMSGrad when ``amsgrad``; ``t`` is this step's count (from 1).

    Changes ``theta`` and the moments ``m``, ``v`` in place (and the running
    maximum ``vmax`` with AMSGrad; untouched otherwise). Writes each coordinate's
    step size to ``s`` only when ``store_s`` (the L1 step is the only reader).
    All arrays have shape (n_params,).
    """
    T = theta.dtype.type
    n = theta.shape[0]
    b1 = beta_1
    b2 = beta_2
    # scikit-learn's (and the paper's section 2 "efficient") form: the bias
    # corrections are folded into the step size
    lr_t = T(lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t))
    b1_, c1_, b2_, c2_, eps_ = T(b1), T(1.0 - b1), T(b2), T(1.0 - b2), T(epsilon)
    # two loops, not one with an ``if amsgrad`` inside: LLVM then left the plain
    # Adam loop unvectorised (1,015 against 150 us for 235k float32 parameters)
    if amsgrad:
        for i in range(n):
            g = grad[i]
            mi = b1_ * m[i] + c1_ * g
            vi = b2_ * v[i] + c2_ * g * g
            m[i] = mi
            v[i] = vi
            vi = max(vmax[i], vi)
            vmax[i] = vi
            si = lr_t / (np.sqrt(vi) + eps_)
            theta[i] -= si * mi
            if store_s:
                s[i] = si
    else:
        for i in range(n):
            g = grad[i]
            mi = b1_ * m[i] + c1_ * g
            vi = b2_ * v[i] + c2_ * g * g
            m[i] = mi
            v[i] = vi
            si = lr_t / (np.sqrt(vi) + eps_)
            theta[i] -= si * mi
            if store_s:
                s[i] = si


@njit(inline="always", **JIT)
def nadam_step(theta, grad, m, v, s, t, lr, beta_1, beta_2, epsilon):
    """Nadam: Dozat (2016) without the momentum schedule (Nesterov look-ahead on m).

    Changes ``theta``, ``m`` and ``v`` in place and writes each coordinate's step
    size to ``s``. All arrays have shape (n_params,); ``t`` counts from 1.
    """
    n = theta.shape[0]
    b1 = beta_1
    b2 = beta_2
    c1 = (1.0 - b1) / (1.0 - b1**t)
    c2 = b1 / (1.0 - b1 ** (t + 1))
    c3 = 1.0 / (1.0 - b2**t)
    for i in range(n):
        g = grad[i]
        mi = b1 * m[i] + (1.0 - b1) * g
        vi = b2 * v[i] + (1.0 - b2) * g * g
        m[i] = mi
        v[i] = vi
        si = lr / (math.sqrt(vi * c3) + epsilon)
        theta[i] -= si * (c2 * mi + c1 * g)
        s[i] = si


@njit(inline="always", **JIT)
def adamax_step(theta, grad, m, u, s, t, lr, beta_1, beta_2, epsilon):
    """Adamax (the infinity-norm Adam variant).

    Changes ``theta``, the first moment ``m`` and the weighted infinity norm ``u``
    in place and writes each coordinate's step size to ``s``. All arrays have
    shape (n_params,); ``t`` counts from 1.
    """
    n = theta.shape[0]
    b1 = beta_1
    b2 = beta_2
    lr_t = lr / (1.0 - b1**t)
    for i in range(n):
        g = grad[i]
        mi = b1 * m[i] + (1.0 - b1) * g
        ui = max(b2 * u[i], abs(g))
        m[i] = mi
        u[i] = ui
        si = lr_t / (ui + epsilon)
        theta[i] -= si * mi
        s[i] = si


@njit(inline="always", **JIT)
def radam_step(theta, grad, m, v, s, t, lr, beta_1, beta_2, epsilon):
    """RAdam: Adam with the variance rectification; while the rectification term
    is undefined (``rho_t <= 5``), steps of ``lr`` along the bias-corrected m.

    Changes ``theta``, ``m`` and ``v`` in place and writes each coordinate's step
    size (bias correction included) to ``s``. All arrays have shape (n_params,);
    ``t`` counts from 1.
    """
    n = theta.shape[0]
    b1 = beta_1
    b2 = beta_2
    rho_inf = 2.0 / (1.0 - b2) - 1.0
    b2t = b2**t
    rho_t = rho_inf - 2.0 * t * b2t / (1.0 - b2t)
    c1 = 1.0 / (1.0 - b1**t)
    rectify = rho_t > 5.0
    r = 0.0
    if rectify:
        r = math.sqrt(
            (rho_t - 4.0) * (rho_t - 2.0) * rho_inf
            / ((rho_inf - 4.0) * (rho_inf - 2.0) * rho_t)
        )  # fmt: skip
    c2 = 1.0 / (1.0 - b2t)
    for i in range(n):
        g = grad[i]
        mi = b1 * m[i] + (1.0 - b1) * g
        vi = b2 * v[i] + (1.0 - b2) * g * g
        m[i] = mi
        v[i] = vi
        if rectify:
            si = lr * r / (math.sqrt(vi * c2) + epsilon)
        else:
            si = lr
        theta[i] -= si * c1 * mi
        s[i] = si * c1


@njit(inline="always", **JIT)
def adagrad_step(theta, grad, acc, s, t, lr, epsilon, initial_accumulator):
    """AdaGrad. At ``t == 1`` the accumulator ``acc`` is first filled with
    ``initial_accumulator``.

    Changes ``theta`` and ``acc`` in place and writes each coordinate's step size
    to ``s``. All arrays have shape (n_params,).
    """
    n = theta.shape[0]
    if t == 1:
        for i in range(n):
            acc[i] = initial_accumulator
    for i in range(n):
        g = grad[i]
        ai = acc[i] + g * g
        acc[i] = ai
        si = lr / (math.sqrt(ai) + epsilon)
        theta[i] -= si * g
        s[i] = si


@njit(inline="always", **JIT)
def rmsprop_step(theta, grad, acc, s, lr, rho, epsilon):
    """RMSProp (no momentum, not centred).

    Changes ``theta`` and the squared-gradient average ``acc`` in place and writes
    each coordinate's step size to ``s``. All arrays have shape (n_params,).
    """
    n = theta.shape[0]
    for i in range(n):
        g = grad[i]
        ai = rho * acc[i] + (1.0 - rho) * g * g
        acc[i] = ai
        si = lr / (math.sqrt(ai) + epsilon)
        theta[i] -= si * g
        s[i] = si


@njit(inline="always", **JIT)
def adadelta_step(theta, grad, acc_g, acc_dx, s, lr, rho, epsilon):
    """Adadelta (scaled by ``lr`` as in Keras).

    Changes ``theta`` and the averages of the squared gradients ``acc_g`` and of
    the squared updates ``acc_dx`` in place and writes each coordinate's step size
    to ``s``. All arrays have shape (n_params,).
    """
    n = theta.shape[0]
    for i in range(n):
        g = grad[i]
        ag = rho * acc_g[i] + (1.0 - rho) * g * g
        acc_g[i] = ag
        ratio = math.sqrt(acc_dx[i] + epsilon) / math.sqrt(ag + epsilon)
        dx = ratio * g
        acc_dx[i] = rho * acc_dx[i] + (1.0 - rho) * dx * dx
        si = lr * ratio
        theta[i] -= si * g
        s[i] = si


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


@njit(**KERNEL)
def apply_update(theta, grad, state, step, lr, momentum, opt):
    """One optimizer step (in place on ``theta``, ``state``, ``step`` and ``grad``).

    Increments the step count, runs the rule chosen by ``opt.rule`` (one of
    the ``*_step`` kernels above), then the L1 proximal step (soft-thresholding of
    the weights by ``l1`` times the step size, per coordinate for the adaptive
    rules). The max-norm projection and gradient clipping are the caller's
    (``run_epoch``).

    Parameters
    ----------
    theta, grad : ndarray of shape (n_params,)
        Parameters and the gradient of the minibatch objective (penalty included).
        The adaptive rules overwrite ``grad`` with each coordinate's step size
        (Adam only with L1 on).
    state : ndarray of shape (3, n_params)
        Optimizer slots (see ``skdnn.optimizers`` for which rule uses which).
    step : ndarray of shape (1,), int64
        Number of updates done so far; incremented.
    lr : float
        This step's learning rate.
    momentum : float
        This step's momentum (SGD) or first-moment decay beta_1 (the Adam
        family); a schedule such as 1cycle may change it every step.
    opt : OPTIMIZER record
        The rule and its hyperparameters (:mod:`skdnn._core.records`).
    """
    code = opt.rule
    n_weights = opt.n_weights
    l1 = opt.l1
    b1 = momentum
    b2 = opt.beta_2
    eps = opt.epsilon
    rho = opt.rho
    step[0] += 1
    t = step[0]
    s = grad  # adaptive rules: per-coordinate step size, written over the gradient
    if code == SGD:
        nesterov = opt.nesterov
        v = state[0]
        sgd_step(theta, grad, v, lr, momentum, nesterov)
        if l1 > 0.0:
            # one step size c * lr for every weight, momentum feedback into v (see
            # l1_prox)
            c = 1.0 + momentum if (nesterov and momentum != 0.0) else 1.0
            l1_prox(theta, n_weights, False, s, c * lr, l1, momentum != 0.0, v, c)
        return
    if code == ADAM:
        # only the L1 step reads s: without L1, Adam's loops skip that store (the
        # test is hoisted out of the loop by LLVM's loop unswitching; the default
        # solver only, to keep the compiled code small)
        adam_step(
            theta, grad, state[0], state[1], state[2], s, t, lr, b1, b2, eps,
            opt.amsgrad, l1 > 0.0,
        )  # fmt: skip
    elif code == NADAM:
        nadam_step(theta, grad, state[0], state[1], s, t, lr, b1, b2, eps)
    elif code == ADAMAX:
        adamax_step(theta, grad, state[0], state[1], s, t, lr, b1, b2, eps)
    elif code == RADAM:
        radam_step(theta, grad, state[0], state[1], s, t, lr, b1, b2, eps)
    elif code == ADAGRAD:
        acc0 = opt.initial_accumulator
        adagrad_step(theta, grad, state[0], s, t, lr, eps, acc0)
    elif code == RMSPROP:
        rmsprop_step(theta, grad, state[0], s, lr, rho, eps)
    elif code == ADADELTA:
        adadelta_step(theta, grad, state[0], state[1], s, lr, rho, eps)
    if l1 > 0.0:
        # per-coordinate step sizes, no velocity feedback
        l1_prox(theta, n_weights, True, s, 0.0, l1, False, s, 1.0)
