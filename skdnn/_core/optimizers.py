"""Update rules on the flat parameter buffer.

``theta`` holds every trainable parameter; its first ``n_weights`` entries are the
connection weights (the only penalised ones), the rest biases. Optimizer state is a
2-D array ``state`` of shape (n_slots, n_params) so each rule is one fused loop.
"""

import math

from numba import njit

from ._jit import JIT
from .codes import ADAM, SGD

# columns of the float optimizer configuration ``opt_f``
OPT_BETA_1 = 0
OPT_BETA_2 = 1
OPT_EPSILON = 2
OPT_L2 = 3  # alpha / S: gradient of the L2 term is OPT_L2 * W
OPT_COLS = 4

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
def squared_weight_norm(theta, n_weights):
    """Sum of squares of the connection weights, accumulated in float64."""
    s = 0.0
    for i in range(n_weights):
        w = float(theta[i])
        s += w * w
    return s


@njit(**JIT)
def apply_update(theta, grad, state, step, lr, momentum, opt_i, opt_f):
    """One optimizer step (in place on ``theta``, ``state`` and ``step``).

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
    """
    code = opt_i[OPT_CODE]
    n = theta.shape[0]
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
