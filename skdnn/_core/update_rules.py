"""The update rules: one small kernel per optimizer.

:func:`skdnn._core.optimizers.apply_update` dispatches to them.
"""

import math

import numpy as np
from numba import njit

from ._jit import JIT

# ---------------------------------------------------------------------------------
# One kernel per update rule. Each takes plain arrays and scalars (never the
# OPTIMIZER record: only ``apply_update`` in :mod:`skdnn._core.optimizers` reads
# it) and is inlined into the dispatcher at Numba's IR level, so the rules cost no
# calls and no extra compiled functions. ``theta``, ``grad`` and every state row
# have one shape: every parameter, or a contiguous part of them (a training epoch
# on two threads updates each half of the parameters on its own thread). The
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

    ``theta`` and the velocity ``v`` (of theta's shape) change in place; ``v`` is
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
    All arrays have theta's shape.
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
def nadam_step(
    theta, grad, m, v, mu_prod, s, t, lr, beta_1, beta_2, epsilon, momentum_decay
):  # fmt: skip
    """Nadam (Dozat, 2016) with its momentum schedule, as ``torch.optim.NAdam``.

    ``mu_t = b1 (1 - 0.5 * 0.96^(t psi))`` with ``psi = momentum_decay``; ``b1`` is
    this step's ``beta_1`` (a schedule such as 1cycle may change it every step:
    ``mu_t`` and ``mu_{t+1}`` both use it). With ``P_t = mu_1 ... mu_t``::

        m_hat = mu_{t+1} m_t / (1 - P_t mu_{t+1}) + (1 - mu_t) g / (1 - P_t)
        theta -= lr m_hat / (sqrt(v_t / (1 - b2^t)) + eps)

    Changes ``theta``, ``m``, ``v`` (of theta's shape) and the running product
    ``mu_prod`` (shape (1,): ``P_{t-1}`` in, ``P_t`` out; taken as 1 when
    ``t == 1``, so a reset state starts afresh) in place, and writes each
    coordinate's step size to ``s`` (of theta's shape). ``t`` counts from 1.
    """
    n = theta.shape[0]
    b1 = beta_1
    b2 = beta_2
    mu = b1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    prod = mu if t == 1 else float(mu_prod[0]) * mu
    mu_prod[0] = prod
    c1 = (1.0 - mu) / (1.0 - prod)
    c2 = mu_next / (1.0 - prod * mu_next)
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
    theta's shape; ``t`` counts from 1.
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
    size (bias correction included) to ``s``. All arrays have theta's shape;
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
    to ``s``. All arrays have theta's shape.
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
    each coordinate's step size to ``s``. All arrays have theta's shape.
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
    to ``s``. All arrays have theta's shape.
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
