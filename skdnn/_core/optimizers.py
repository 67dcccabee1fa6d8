"""Update rules on the flat parameter buffer.

``theta`` holds every trainable parameter; its first ``n_weights`` entries are the
connection weights (the only penalised ones), the rest biases. Optimizer state is a
2-D array ``state`` of shape (n_slots, n_params) so each rule is one fused loop.
"""

import math

from numba import njit

from ._jit import JIT
from .codes import ADAM, NET_FAN_IN, NET_FAN_OUT, NET_W_OFF, SGD

# columns of the float optimizer configuration ``opt_f``
OPT_BETA_1 = 0
OPT_BETA_2 = 1
OPT_EPSILON = 2
OPT_L2 = 3  # alpha / S: gradient of the L2 term is OPT_L2 * W
OPT_L1 = 4  # l1: strength of the L1 term, applied by a proximal step
OPT_MAX_NORM = 5  # max-norm bound on each unit's incoming weights; 0 = off
OPT_COLS = 6

# columns of the integer optimizer configuration ``opt_i``
OPT_CODE = 0
OPT_NESTEROV = 1
OPT_N_WEIGHTS = 2
OPT_I_COLS = 3


@njit(**JIT)
def add_l2_gradient(grad, theta, n_weights, l2):
    """``grad[:n_weights] += l2 * theta[:n_weights]`` (in place)."""
    if l2 != 0.0:
        for i in range(n_weights):
            grad[i] += l2 * theta[i]


@njit(**JIT)
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


@njit(**JIT)
def max_norm_project(theta, net, bound):
    """Rescale each unit's incoming weight vector to L2 norm <= ``bound``.

    For every layer's W (fan_in, fan_out), column j (the weights into unit j) is
    multiplied by ``bound / ||W[:, j]||`` when that norm exceeds ``bound`` (Keras'
    ``max_norm(axis=0)``). Changes ``theta`` in place.
    """
    for layer in range(net.shape[0]):
        fan_in = net[layer, NET_FAN_IN]
        fan_out = net[layer, NET_FAN_OUT]
        w_off = net[layer, NET_W_OFF]
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


@njit(**JIT)
def apply_update(theta, grad, state, step, lr, momentum, opt_i, opt_f, net):
    """One optimizer step (in place on ``theta``, ``state`` and ``step``).

    After the step, the L1 proximal step (soft-thresholding of the weights by the
    step size times ``l1``; per coordinate for adaptive rules) and the max-norm
    projection are applied.

    Parameters
    ----------
    theta, grad : ndarray of shape (n_params,)
        Parameters and the gradient of the minibatch objective (penalty included).
    state : ndarray of shape (2, n_params)
        Optimizer slots: velocity for SGD; first and second moments for Adam.
    step : ndarray of shape (1,), int64
        Number of updates done so far; incremented.
    lr, momentum : float
        This step's learning rate and momentum.
    opt_i, opt_f : ndarray
        Integer and float optimizer configuration (``OPT_*`` columns).
    net : ndarray
        Layer table (for the max-norm projection).
    """
    code = opt_i[OPT_CODE]
    n = theta.shape[0]
    n_weights = opt_i[OPT_N_WEIGHTS]
    l1 = opt_f[OPT_L1]
    step[0] += 1
    if code == SGD:
        v = state[0]
        if momentum == 0.0:
            for i in range(n):
                theta[i] -= lr * grad[i]
        elif opt_i[OPT_NESTEROV]:
            for i in range(n):
                vi = momentum * v[i] - lr * grad[i]
                v[i] = vi
                theta[i] += momentum * vi - lr * grad[i]
        else:
            for i in range(n):
                vi = momentum * v[i] - lr * grad[i]
                v[i] = vi
                theta[i] += vi
        if l1 > 0.0:
            # Proximal step with momentum. The shrink is fed back into the velocity
            # as if l1 * sign(w) were part of the gradient, so the velocity of a
            # weight held at zero decays instead of accumulating. With threshold
            # t, the fixed points (v = 0) satisfy w = prox_t(w - c lr g), c = 1
            # (classical) or 1 + momentum (Nesterov), t = c lr l1: exactly the
            # Lasso optimality conditions.
            c = 1.0 + momentum if (opt_i[OPT_NESTEROV] and momentum != 0.0) else 1.0
            t = c * lr * l1
            for i in range(n_weights):
                w = theta[i]
                shrunk = _soft_threshold(w, t)
                theta[i] = shrunk
                if momentum != 0.0:
                    v[i] += (shrunk - w) / c
    elif code == ADAM:
        b1 = opt_f[OPT_BETA_1]
        b2 = opt_f[OPT_BETA_2]
        eps = opt_f[OPT_EPSILON]
        t = step[0]
        # scikit-learn's (and the paper's section 2 "efficient") form of the bias
        # correction: folded into the step size.
        lr_t = lr * math.sqrt(1.0 - b2**t) / (1.0 - b1**t)
        m = state[0]
        v = state[1]
        for i in range(n):
            g = grad[i]
            mi = b1 * m[i] + (1.0 - b1) * g
            vi = b2 * v[i] + (1.0 - b2) * g * g
            m[i] = mi
            v[i] = vi
            theta[i] -= lr_t * mi / (math.sqrt(vi) + eps)
        if l1 > 0.0:
            for i in range(n_weights):
                t = lr_t * l1 / (math.sqrt(v[i]) + eps)
                theta[i] = _soft_threshold(theta[i], t)
    if opt_f[OPT_MAX_NORM] > 0.0:
        max_norm_project(theta, net, opt_f[OPT_MAX_NORM])
