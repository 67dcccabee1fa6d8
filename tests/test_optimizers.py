"""Update rules against NumPy references written from the published rules."""

import numpy as np
import pytest

from skdnn import MLPRegressor
from skdnn._core import codes
from skdnn._core.optimizers import (
    OPT_BETA_1,
    OPT_BETA_2,
    OPT_CODE,
    OPT_COLS,
    OPT_EPSILON,
    OPT_I_COLS,
    OPT_NESTEROV,
    apply_update,
)


def _run(code, grads, lr, momentum=0.0, nesterov=False, b1=0.9, b2=0.999, eps=1e-8):
    theta = np.linspace(-1, 1, grads.shape[1])
    state = np.zeros((2, theta.shape[0]))
    step = np.zeros(1, dtype=np.int64)
    opt_i = np.zeros(OPT_I_COLS, dtype=np.int64)
    opt_i[OPT_CODE] = code
    opt_i[OPT_NESTEROV] = int(nesterov)
    opt_f = np.zeros(OPT_COLS)
    opt_f[[OPT_BETA_1, OPT_BETA_2, OPT_EPSILON]] = b1, b2, eps
    for g in grads:
        apply_update(theta, g.copy(), state, step, lr, momentum, opt_i, opt_f)
    return theta, step[0]


@pytest.fixture
def grads():
    return np.random.RandomState(0).normal(size=(50, 7))


def test_plain_sgd(grads):
    theta, steps = _run(codes.SGD, grads, lr=0.1)
    expected = np.linspace(-1, 1, 7) - 0.1 * grads.sum(axis=0)
    np.testing.assert_allclose(theta, expected, rtol=1e-12)
    assert steps == 50


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_and_nesterov(grads, nesterov):
    # Sutskever et al. (2013) in scikit-learn's form:
    #   v <- mu v - lr g;  theta <- theta + v             (classical momentum)
    #   theta <- theta + mu v - lr g  with the new v      (Nesterov)
    lr, mu = 0.05, 0.9
    ref = np.linspace(-1, 1, 7)
    v = np.zeros(7)
    for g in grads:
        v = mu * v - lr * g
        ref = ref + (mu * v - lr * g if nesterov else v)
    theta, _ = _run(codes.SGD, grads, lr, momentum=mu, nesterov=nesterov)
    np.testing.assert_allclose(theta, ref, rtol=1e-6, atol=1e-12)


def test_adam(grads):
    # Kingma & Ba (2015), algorithm 1 with explicit bias corrections
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    ref = np.linspace(-1, 1, 7)
    m = np.zeros(7)
    v = np.zeros(7)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = m / (1 - b1**t)
        v_hat = v / (1 - b2**t)
        # the "efficient" ordering of section 2 puts eps next to sqrt(v) without the
        # bias correction; with eps this small the two agree to ~1e-6 relative
        ref = ref - lr * m_hat / (np.sqrt(v_hat) + eps)
    theta, _ = _run(codes.ADAM, grads, lr, b1=b1, b2=b2, eps=eps)
    np.testing.assert_allclose(theta, ref, rtol=1e-6)


def test_one_sgd_step_by_hand():
    # A linear network y = w x + b, squared error, one sample, full batch, lr 0.1.
    # x = 2, y = 1, w0 = 0.5 (set below), b0 = 0 (bias_init):
    #   f = 0.5 * 2 + 0 = 1.0;   no error -> take y = 3 instead:
    #   residual r = f - y = 1 - 3 = -2
    #   dJ/dw = r * x = -4,  dJ/db = r = -2      (alpha = 0: no penalty)
    #   w1 = 0.5 - 0.1 * (-4) = 0.9,  b1 = 0 - 0.1 * (-2) = 0.2
    reg = MLPRegressor(
        hidden_layer_sizes=(),
        solver="sgd",
        momentum=0.0,
        alpha=0.0,
        learning_rate_init=0.1,
        init="zeros",
        shuffle=False,
    )
    X, y = np.array([[2.0]]), np.array([3.0])
    reg.partial_fit(X, y)  # builds the network and takes one step from w=0
    # reset to the worked example's starting point and step once more
    reg.coefs_[0][0, 0] = 0.5
    reg.intercepts_[0][0] = 0.0
    reg.partial_fit(X, y)
    assert reg.coefs_[0][0, 0] == pytest.approx(0.9, abs=1e-12)
    assert reg.intercepts_[0][0] == pytest.approx(0.2, abs=1e-12)
    # loss_ is J at the parameters the step started from: 0.5 * r^2 = 2
    assert reg.loss_ == pytest.approx(2.0, abs=1e-12)
