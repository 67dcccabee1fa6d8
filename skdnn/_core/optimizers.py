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


@njit(**KERNEL)
def apply_update(theta, grad, state, step, lr, momentum, opt, layers):
    """One optimizer step (in place on ``theta``, ``state``, ``step`` and ``grad``).

    The rule is chosen by ``opt.rule``. After the step come the L1 proximal
    step (soft-thresholding of the weights by ``l1`` times the step size, per
    coordinate for the adaptive rules) and the max-norm projection.

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
        The rule's configuration (:mod:`skdnn._core.records`).
    layers : ndarray of LAYER records
        The network (for the max-norm projection).
    """
    code = opt.rule
    n = theta.shape[0]
    n_weights = opt.n_weights
    l1 = opt.l1
    b1 = momentum
    b2 = opt.beta_2
    eps = opt.epsilon
    rho = opt.rho
    step[0] += 1
    t = step[0]
    s = grad  # adaptive rules: per-coordinate step size, written over the gradient
    # only the L1 step reads it: without L1, Adam's loops skip that store (the test
    # is hoisted out of the loop by LLVM's loop unswitching; the default solver
    # only, to keep the compiled code small)
    need_s = l1 > 0.0
    # the hot loops compute in theta's dtype: float32 models update in float32
    # (twice the SIMD width), float64 ones exactly as in float64 arithmetic
    T = theta.dtype.type
    if code == SGD:
        v = state[0]
        lr_ = T(lr)
        mom = T(momentum)
        if momentum == 0.0:
            for i in range(n):
                theta[i] -= lr_ * grad[i]
        elif opt.nesterov:
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
        if l1 > 0.0:
            # Proximal step with momentum. The shrink is fed back into the velocity
            # as if l1 * sign(w) were part of the gradient, so the velocity of a
            # weight held at zero decays instead of accumulating. With threshold
            # t, the fixed points (v = 0) satisfy w = prox_t(w - c lr g), c = 1
            # (classical) or 1 + momentum (Nesterov), t = c lr l1: exactly the
            # Lasso optimality conditions.
            c = 1.0 + momentum if (opt.nesterov and momentum != 0.0) else 1.0
            thr = c * lr * l1
            for i in range(n_weights):
                w = theta[i]
                shrunk = _soft_threshold(w, thr)
                theta[i] = shrunk
                if momentum != 0.0:
                    v[i] += (shrunk - w) / c
        if opt.max_norm > 0.0:
            max_norm_project(theta, layers, opt.max_norm)
        return
    if code == ADAM:
        # scikit-learn's (and the paper's section 2 "efficient") form: the bias
        # corrections are folded into the step size
        lr_t = T(lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t))
        m, v, vmax = state[0], state[1], state[2]
        b1_, c1_, b2_, c2_, eps_ = T(b1), T(1.0 - b1), T(b2), T(1.0 - b2), T(eps)
        # two loops, not one with an ``if amsgrad`` inside: LLVM then left the plain
        # Adam loop unvectorised (1,015 against 150 us for 235k float32 parameters)
        if opt.amsgrad:
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
                if need_s:
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
                if need_s:
                    s[i] = si
    elif code == NADAM:
        # Dozat (2016) without the momentum schedule: Nesterov look-ahead on m
        m, v = state[0], state[1]
        c1 = (1.0 - b1) / (1.0 - b1**t)
        c2 = b1 / (1.0 - b1 ** (t + 1))
        c3 = 1.0 / (1.0 - b2**t)
        for i in range(n):
            g = grad[i]
            mi = b1 * m[i] + (1.0 - b1) * g
            vi = b2 * v[i] + (1.0 - b2) * g * g
            m[i] = mi
            v[i] = vi
            si = lr / (math.sqrt(vi * c3) + eps)
            theta[i] -= si * (c2 * mi + c1 * g)
            s[i] = si
    elif code == ADAMAX:
        m, u = state[0], state[1]
        lr_t = lr / (1.0 - b1**t)
        for i in range(n):
            g = grad[i]
            mi = b1 * m[i] + (1.0 - b1) * g
            ui = max(b2 * u[i], abs(g))
            m[i] = mi
            u[i] = ui
            si = lr_t / (ui + eps)
            theta[i] -= si * mi
            s[i] = si
    elif code == RADAM:
        m, v = state[0], state[1]
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
                si = lr * r / (math.sqrt(vi * c2) + eps)
            else:
                si = lr
            theta[i] -= si * c1 * mi
            s[i] = si * c1
    elif code == ADAGRAD:
        acc = state[0]
        if t == 1:
            for i in range(n):
                acc[i] = opt.initial_accumulator
        for i in range(n):
            g = grad[i]
            ai = acc[i] + g * g
            acc[i] = ai
            si = lr / (math.sqrt(ai) + eps)
            theta[i] -= si * g
            s[i] = si
    elif code == RMSPROP:
        acc = state[0]
        for i in range(n):
            g = grad[i]
            ai = rho * acc[i] + (1.0 - rho) * g * g
            acc[i] = ai
            si = lr / (math.sqrt(ai) + eps)
            theta[i] -= si * g
            s[i] = si
    elif code == ADADELTA:
        acc_g, acc_dx = state[0], state[1]
        for i in range(n):
            g = grad[i]
            ag = rho * acc_g[i] + (1.0 - rho) * g * g
            acc_g[i] = ag
            ratio = math.sqrt(acc_dx[i] + eps) / math.sqrt(ag + eps)
            dx = ratio * g
            acc_dx[i] = rho * acc_dx[i] + (1.0 - rho) * dx * dx
            si = lr * ratio
            theta[i] -= si * g
            s[i] = si
    if l1 > 0.0:
        for i in range(n_weights):
            theta[i] = _soft_threshold(theta[i], s[i] * l1)
    if opt.max_norm > 0.0:
        max_norm_project(theta, layers, opt.max_norm)
