"""Update rules against NumPy references written from the published rules."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skdnn import MLPClassifier, MLPRegressor
from skdnn._core import codes
from skdnn._core.records import OPTIMIZER, optimizer_record
from skdnn.optimizers import SGD, Adam, AdamW, Nadam

from ._kernels import apply_update, apply_update_with_factors, clip_gradient


def _run(code, grads, lr, momentum=0.0, nesterov=False, b2=0.999, eps=1e-8,
         rho=0.0, acc0=0.0, amsgrad=False, momentum_decay=0.0, state=None,
         theta=None, step=None, **fields):  # fmt: skip
    """Apply the rule to each gradient in turn; ``momentum`` and ``lr`` may be one
    value per step. ``theta``, ``state`` and ``step`` continue a previous run when
    given; ``fields`` are further fields of the OPTIMIZER record."""
    theta = np.linspace(-1, 1, grads.shape[1]) if theta is None else theta
    state = np.zeros((3, theta.shape[0])) if state is None else state
    step = np.zeros(1, dtype=np.int64) if step is None else step
    opt = optimizer_record(
        rule=code, nesterov=nesterov, amsgrad=amsgrad, beta_2=b2, epsilon=eps,
        rho=rho, initial_accumulator=acc0, momentum_decay=momentum_decay, **fields,
    )  # fmt: skip
    moms = np.broadcast_to(momentum, grads.shape[:1])
    lrs = np.broadcast_to(lr, grads.shape[:1])
    for g, mom, lr_t in zip(grads, moms, lrs, strict=True):
        apply_update(theta, g.copy(), state, step, float(lr_t), float(mom), opt)
    return theta, step[0]


@pytest.fixture
def grads():
    # gradients of a fixed small problem: 50 steps of 7 coordinates, some tiny
    g = np.random.RandomState(0).normal(size=(50, 7))
    g[:, 3] *= 1e-3
    return g


W0 = np.linspace(-1, 1, 7)


def test_plain_sgd(grads):
    theta, steps = _run(codes.SGD, grads, lr=0.1)
    np.testing.assert_allclose(theta, W0 - 0.1 * grads.sum(axis=0), rtol=1e-12)
    assert steps == 50


@pytest.mark.parametrize("nesterov", [False, True])
def test_momentum_and_nesterov(grads, nesterov):
    # Sutskever et al. (2013) in scikit-learn's form:
    #   v <- mu v - lr g;  theta <- theta + v             (classical momentum)
    #   theta <- theta + mu v - lr g  with the new v      (Nesterov)
    lr, mu = 0.05, 0.9
    ref, v = W0.copy(), np.zeros(7)
    for g in grads:
        v = mu * v - lr * g
        ref = ref + (mu * v - lr * g if nesterov else v)
    theta, _ = _run(codes.SGD, grads, lr, momentum=mu, nesterov=nesterov)
    np.testing.assert_allclose(theta, ref, rtol=1e-6, atol=1e-12)


def _adam_moments(grads, b1, b2):
    m, v = np.zeros(7), np.zeros(7)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        yield t, g, m, v


@pytest.mark.parametrize("amsgrad", [False, True])
def test_adam(grads, amsgrad):
    # Kingma & Ba (2015), algorithm 1, in the "efficient" form of section 2 (also
    # scikit-learn's): alpha_t = lr sqrt(1 - b2^t) / (1 - b1^t);
    # AMSGrad (Reddi et al., 2018) replaces v by its running maximum.
    lr, b1, b2, eps = 0.01, 0.9, 0.999, 1e-8
    ref, vmax = W0.copy(), np.zeros(7)
    for t, _, m, v in _adam_moments(grads, b1, b2):
        vmax = np.maximum(vmax, v)
        a_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        ref = ref - a_t * m / (np.sqrt(vmax if amsgrad else v) + eps)
    theta, _ = _run(codes.ADAM, grads, lr, momentum=b1, b2=b2, eps=eps, amsgrad=amsgrad)
    np.testing.assert_allclose(theta, ref, rtol=1e-6)


def _adamw_reference(
    grads, lrs, b1, b2, eps, wd, n_weights, decay_lr=None, amsgrad=False
):
    """Loshchilov & Hutter (2019), algorithm 2, as torch.optim.AdamW: before the
    Adam step, theta <- theta - eta_t * wd * theta, eta_t the step's learning rate
    (or ``decay_lr`` at every step); only the first ``n_weights`` coordinates
    decay. The Adam step in the form of ``test_adam``."""
    ref, vmax = W0.copy(), np.zeros(7)
    decays = np.arange(7) < n_weights
    for (t, _, m, v), lr in zip(_adam_moments(grads, b1, b2), lrs, strict=True):
        eta = lr if decay_lr is None else decay_lr
        ref = np.where(decays, ref - eta * wd * ref, ref)
        vmax = np.maximum(vmax, v)
        a_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        ref = ref - a_t * m / (np.sqrt(vmax if amsgrad else v) + eps)
    return ref


@pytest.mark.parametrize("amsgrad", [False, True])
@pytest.mark.parametrize("constant", [False, True], ids=["scheduled", "constant"])
def test_adamw(grads, amsgrad, constant):
    # a decaying learning rate per step: the decay follows it, or stays at the
    # initial rate with the constant schedule; coordinates 5 and 6 are not weights
    b1, b2, eps, wd = 0.9, 0.999, 1e-8, 0.1
    lrs = 0.05 / np.sqrt(np.arange(1, grads.shape[0] + 1))
    decay_lr = lrs[0] if constant else None
    ref = _adamw_reference(grads, lrs, b1, b2, eps, wd, 5, decay_lr, amsgrad)
    theta, _ = _run(
        codes.ADAM, grads, lrs, momentum=b1, b2=b2, eps=eps, amsgrad=amsgrad,
        weight_decay=wd, decay_lr=0.0 if decay_lr is None else decay_lr,
        n_weights=5,
    )  # fmt: skip
    np.testing.assert_allclose(theta, ref, rtol=1e-10, atol=1e-14)
    # the decay changed the weights and only them: not the same as Adam
    adam = _adamw_reference(grads, lrs, b1, b2, eps, 0.0, 5, None, amsgrad)
    assert np.all(np.abs(theta[:5] - adam[:5]) > 1e-4)
    np.testing.assert_allclose(theta[5:], adam[5:], rtol=1e-10)


def test_adamw_matches_torch(grads):
    torch = pytest.importorskip("torch")
    lr, wd = 0.01, 0.1
    # torch adds epsilon to sqrt(v_hat), skdnn (scikit-learn's form) to sqrt(v):
    # a tiny epsilon makes the two forms agree to rounding
    eps = 1e-14
    w = torch.tensor(W0.copy(), dtype=torch.float64, requires_grad=True)
    opt = torch.optim.AdamW([w], lr=lr, eps=eps, weight_decay=wd)
    for g in grads:
        w.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
    theta, _ = _run(codes.ADAM, grads, lr, momentum=0.9, eps=eps, weight_decay=wd,
                    n_weights=7)  # fmt: skip
    np.testing.assert_allclose(theta, w.detach().numpy(), rtol=1e-9)


def _nadam_reference(grads, lr, b1, b2, eps, psi, theta=None):
    """torch.optim.NAdam's rule (Dozat 2016 with the momentum schedule), written
    from its documentation; ``b1`` may be one value per step (a cycled beta_1)."""
    ref = W0.copy() if theta is None else theta.copy()
    m, v, mu_product = np.zeros(7), np.zeros(7), 1.0
    b1s = np.broadcast_to(b1, grads.shape[:1])
    for t, (g, b1) in enumerate(zip(grads, b1s, strict=True), start=1):
        mu = b1 * (1 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * psi))
        mu_product *= mu
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat = mu_next * m / (1 - mu_product * mu_next) + (1 - mu) * g / (
            1 - mu_product
        )
        v_hat = v / (1 - b2**t)
        ref = ref - lr * m_hat / (np.sqrt(v_hat) + eps)
    return ref


@pytest.mark.parametrize("psi", [0.004, 0.0, 0.1])
def test_nadam(grads, psi):
    # Dozat (2016) with the momentum schedule mu_t = b1 (1 - 0.5 * 0.96^(t psi)),
    # the rule of torch.optim.NAdam and Keras (momentum_decay psi = 0.004)
    lr, b1, b2, eps = 0.002, 0.9, 0.999, 1e-8
    ref = _nadam_reference(grads, lr, b1, b2, eps, psi)
    theta, _ = _run(
        codes.NADAM, grads, lr, momentum=b1, b2=b2, eps=eps, momentum_decay=psi
    )
    np.testing.assert_allclose(theta, ref, rtol=1e-10, atol=1e-14)


def test_nadam_with_a_cycled_beta_1(grads):
    # a schedule such as 1cycle passes beta_1 per step: mu_t and mu_(t+1) use it
    lr, b2, eps, psi = 0.002, 0.999, 1e-8, 0.004
    b1 = np.linspace(0.95, 0.85, grads.shape[0])
    ref = _nadam_reference(grads, lr, b1, b2, eps, psi)
    theta, _ = _run(
        codes.NADAM, grads, lr, momentum=b1, b2=b2, eps=eps, momentum_decay=psi
    )
    np.testing.assert_allclose(theta, ref, rtol=1e-10, atol=1e-14)


def test_nadam_product_is_state(grads):
    # the running product of the schedule survives between calls (epochs,
    # partial_fit, pickles: it is kept in the optimizer state, not recomputed)
    lr, b1, b2, eps, psi = 0.002, 0.9, 0.999, 1e-8, 0.004
    state, step = np.zeros((3, 7)), np.zeros(1, dtype=np.int64)
    theta, _ = _run(
        codes.NADAM, grads[:20], lr, momentum=b1, b2=b2, eps=eps,
        momentum_decay=psi, state=state, step=step,
    )  # fmt: skip
    state = pickle.loads(pickle.dumps(state))
    theta, steps = _run(
        codes.NADAM, grads[20:], lr, momentum=b1, b2=b2, eps=eps,
        momentum_decay=psi, state=state, step=step, theta=theta,
    )  # fmt: skip
    assert steps == 50
    ref = _nadam_reference(grads, lr, b1, b2, eps, psi)
    np.testing.assert_allclose(theta, ref, rtol=1e-10, atol=1e-14)


def test_nadam_momentum_decay_reaches_the_estimators():
    # solver="nadam" gets the default decay; Nadam(momentum_decay=...) another
    X, y = np.random.RandomState(0).normal(size=(40, 3)), np.arange(40.0) % 3
    kw = dict(hidden_layer_sizes=(4,), max_iter=3, random_state=0, tol=0)
    with pytest.warns(ConvergenceWarning):
        by_name = MLPRegressor(solver="nadam", **kw).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        default = MLPRegressor(solver=Nadam(), **kw).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        other = MLPRegressor(solver=Nadam(momentum_decay=0.5), **kw).fit(X, y)
    np.testing.assert_array_equal(by_name.coefs_[0], default.coefs_[0])
    assert not np.array_equal(other.coefs_[0], default.coefs_[0])
    assert Nadam().get_params()["momentum_decay"] == 0.004
    with pytest.raises(ValueError, match="momentum_decay"):
        MLPRegressor(solver=Nadam(momentum_decay=-1.0), **kw).fit(X, y)


def test_nadam_matches_torch(grads):
    torch = pytest.importorskip("torch")
    lr, psi = 0.002, 0.004
    # torch keeps NAdam's running product mu_1 ... mu_t in its default dtype
    # (float32 unless changed): a float64 comparison needs float64 there too
    default = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        w = torch.tensor(W0.copy(), dtype=torch.float64, requires_grad=True)
        opt = torch.optim.NAdam([w], lr=lr, momentum_decay=psi)
        for g in grads:
            w.grad = torch.tensor(g, dtype=torch.float64)
            opt.step()
    finally:
        torch.set_default_dtype(default)
    theta, _ = _run(codes.NADAM, grads, lr, momentum=0.9, momentum_decay=psi)
    np.testing.assert_allclose(theta, w.detach().numpy(), rtol=1e-10, atol=1e-14)


def test_adamax(grads):
    # Kingma & Ba (2015), algorithm 2: u_t = max(b2 u, |g|);
    # theta -= lr / (1 - b1^t) m_t / u_t   (eps guards u = 0)
    lr, b1, b2, eps = 0.002, 0.9, 0.999, 1e-8
    ref, m, u = W0.copy(), np.zeros(7), np.zeros(7)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g))
        ref = ref - lr / (1 - b1**t) * m / (u + eps)
    theta, _ = _run(codes.ADAMAX, grads, lr, momentum=b1, b2=b2, eps=eps)
    np.testing.assert_allclose(theta, ref, rtol=1e-6)


def test_radam(grads):
    # Liu et al. (2020), algorithm 2 (threshold rho_t > 5 as in PyTorch)
    lr, b1, b2, eps = 0.001, 0.9, 0.999, 1e-8
    rho_inf = 2 / (1 - b2) - 1
    ref = W0.copy()
    for t, _, m, v in _adam_moments(grads, b1, b2):
        m_hat = m / (1 - b1**t)
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho_t > 5:
            r = np.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf
                / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )  # fmt: skip
            ref = ref - lr * r * m_hat / (np.sqrt(v / (1 - b2**t)) + eps)
        else:
            ref = ref - lr * m_hat
    theta, _ = _run(codes.RADAM, grads, lr, momentum=b1, b2=b2, eps=eps)
    np.testing.assert_allclose(theta, ref, rtol=1e-6)


def test_adagrad(grads):
    # Duchi et al. (2011): G += g^2; theta -= lr g / (sqrt(G) + eps), G0 = 0.1
    lr, eps, acc0 = 0.1, 1e-7, 0.1
    ref, G = W0.copy(), np.full(7, acc0)
    for g in grads:
        G = G + g**2
        ref = ref - lr * g / (np.sqrt(G) + eps)
    theta, _ = _run(codes.ADAGRAD, grads, lr, eps=eps, acc0=acc0)
    np.testing.assert_allclose(theta, ref, rtol=1e-6)


def test_rmsprop(grads):
    # Tieleman & Hinton (2012): E = rho E + (1 - rho) g^2; theta -= lr g/(sqrt(E)+eps)
    lr, rho, eps = 0.01, 0.9, 1e-7
    ref, E = W0.copy(), np.zeros(7)
    for g in grads:
        E = rho * E + (1 - rho) * g**2
        ref = ref - lr * g / (np.sqrt(E) + eps)
    theta, _ = _run(codes.RMSPROP, grads, lr, rho=rho, eps=eps)
    np.testing.assert_allclose(theta, ref, rtol=1e-6)


def test_adadelta(grads):
    # Zeiler (2012), algorithm 1, times the learning rate (Keras):
    #   Eg = rho Eg + (1-rho) g^2; dx = sqrt(Edx + eps)/sqrt(Eg + eps) g
    #   Edx = rho Edx + (1-rho) dx^2; theta -= lr dx
    lr, rho, eps = 1.0, 0.95, 1e-6
    ref, Eg, Edx = W0.copy(), np.zeros(7), np.zeros(7)
    for g in grads:
        Eg = rho * Eg + (1 - rho) * g**2
        dx = np.sqrt(Edx + eps) / np.sqrt(Eg + eps) * g
        Edx = rho * Edx + (1 - rho) * dx**2
        ref = ref - lr * dx
    theta, _ = _run(codes.ADADELTA, grads, lr, rho=rho, eps=eps)
    np.testing.assert_allclose(theta, ref, rtol=1e-6)


def test_clipnorm_example_of_the_seed():
    # seed 000: clipnorm=1 turns [0.9, 100] into [0.00899964, 0.9999595]
    g = np.array([0.9, 100.0])
    clip_gradient(g, 1.0, 0.0)
    np.testing.assert_allclose(g, [0.00899964, 0.9999595], rtol=1e-6)
    assert np.linalg.norm(g) == pytest.approx(1.0)


def test_clipvalue_then_clipnorm():
    g = np.array([0.9, 100.0, -3.0])
    clip_gradient(g, 0.0, 1.0)  # clipvalue only: direction changes
    np.testing.assert_array_equal(g, [0.9, 1.0, -1.0])
    g = np.array([0.3, 0.4])
    clip_gradient(g, 1.0, 0.0)  # norm 0.5 < 1: untouched
    np.testing.assert_array_equal(g, [0.3, 0.4])
    assert {"clipnorm", "clipvalue"} <= set(OPTIMIZER.names)


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


def test_nadam_pickled_before_momentum_decay_gets_the_default():
    state = Nadam(beta_1=0.8).__getstate__()
    del state["momentum_decay"]
    old = Nadam.__new__(Nadam)
    old.__setstate__(state)
    assert old.get_params() == Nadam(beta_1=0.8).get_params()


# ---------------------------------------------------------------------------
# learning-rate factors: the parameters after the weights step as if their
# learning rate were lr * factor


@pytest.mark.parametrize("nesterov", [False, True])
def test_lr_factors_sgd_momentum_reference(grads, nesterov):
    # Sutskever et al.'s rule (test_momentum_and_nesterov) with a learning rate
    # per coordinate: the weights (first 3) lr, the others lr * factor
    lr, mu = 0.05, 0.9
    f = np.array([2.0, 0.5, 3.0, 0.1])
    lr_vec = lr * np.r_[np.ones(3), f]
    ref, v = W0.copy(), np.zeros(7)
    for g in grads:
        v = mu * v - lr_vec * g
        ref = ref + (mu * v - lr_vec * g if nesterov else v)
    opt = optimizer_record(rule=codes.SGD, nesterov=nesterov, n_weights=3)
    theta, state, step = W0.copy(), np.zeros((3, 7)), np.zeros(1, dtype=np.int64)
    for g in grads:
        apply_update_with_factors(theta, g.copy(), state, step, lr, mu, opt, f)
    np.testing.assert_allclose(theta, ref, rtol=1e-9, atol=1e-12)


def test_lr_factors_adam_reference(grads):
    # Kingma & Ba with a learning rate per coordinate (and AdamW's decay on the
    # weights, which have factor 1)
    lr, b1, b2, eps, wd = 0.01, 0.9, 0.999, 1e-8, 0.1
    f = np.array([3.0, 0.25])
    lr_vec = lr * np.r_[np.ones(5), f]
    ref = W0.copy()
    for t, _, m, v in _adam_moments(grads, b1, b2):
        ref[:5] -= lr * wd * ref[:5]
        ref = ref - lr_vec * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
    opt = optimizer_record(rule=codes.ADAM, beta_2=b2, epsilon=eps, n_weights=5,
                           weight_decay=wd)  # fmt: skip
    theta, state, step = W0.copy(), np.zeros((3, 7)), np.zeros(1, dtype=np.int64)
    for g in grads:
        apply_update_with_factors(theta, g.copy(), state, step, lr, b1, opt, f)
    np.testing.assert_allclose(theta, ref, rtol=1e-9, atol=1e-12)


_RULES = {
    "sgd": dict(rule=codes.SGD),
    "momentum": dict(rule=codes.SGD, momentum=0.9),
    "nesterov": dict(rule=codes.SGD, momentum=0.9, nesterov=True),
    "adam": dict(rule=codes.ADAM, momentum=0.9, beta_2=0.999, epsilon=1e-8),
    "amsgrad": dict(rule=codes.ADAM, momentum=0.9, beta_2=0.99, epsilon=1e-8,
                    amsgrad=True),
    "nadam": dict(rule=codes.NADAM, momentum=0.9, beta_2=0.999, epsilon=1e-8,
                  momentum_decay=0.004),
    "adamax": dict(rule=codes.ADAMAX, momentum=0.9, beta_2=0.999, epsilon=1e-8),
    "radam": dict(rule=codes.RADAM, momentum=0.9, beta_2=0.999, epsilon=1e-8),
    "adagrad": dict(rule=codes.ADAGRAD, epsilon=1e-7, initial_accumulator=0.1),
    "rmsprop": dict(rule=codes.RMSPROP, rho=0.9, epsilon=1e-7),
    "adadelta": dict(rule=codes.ADADELTA, rho=0.95, epsilon=1e-6),
}  # fmt: skip


@pytest.mark.parametrize("rule", sorted(_RULES))
def test_lr_factors_are_per_parameter_learning_rates(grads, rule):
    # Every rule acts coordinate by coordinate, so a run with the single learning
    # rate lr * f gives the coordinates of factor f their reference trajectory
    # (each rule's scalar-rate kernel is checked against the paper above)
    kw = dict(_RULES[rule])
    momentum = kw.pop("momentum", 0.0)
    code = kw.pop("rule")
    lr = 1.0 if rule == "adadelta" else 0.01
    f = np.array([1.0, 2.5, 0.3])  # coordinates 4, 5, 6; 0-3 are weights
    opt = optimizer_record(rule=code, n_weights=4, **kw)
    theta, state, step = W0.copy(), np.zeros((3, 7)), np.zeros(1, dtype=np.int64)
    for g in grads:
        apply_update_with_factors(theta, g.copy(), state, step, lr, momentum, opt, f)
    for factor, coords in ((1.0, [0, 1, 2, 3, 4]), (2.5, [5]), (0.3, [6])):
        ref, _ = _run(code, grads, lr * factor, momentum=momentum,
                      nesterov=kw.get("nesterov", False),
                      b2=kw.get("beta_2", 0.999), eps=kw.get("epsilon", 1e-8),
                      rho=kw.get("rho", 0.0), acc0=kw.get("initial_accumulator", 0.0),
                      amsgrad=kw.get("amsgrad", False),
                      momentum_decay=kw.get("momentum_decay", 0.0))  # fmt: skip
        np.testing.assert_allclose(theta[coords], ref[coords], rtol=1e-9, atol=1e-12)


# ---------------------------------------------------------------------------
# AdamW and lr_factors through the estimators

_rs = np.random.RandomState(1)
_X = _rs.normal(size=(50, 4))
_y = _X @ [1.0, -2.0, 0.5, 0.0] + 0.3 + 0.1 * _rs.normal(size=50)


def _linear(solver, lr, **kw):
    """A linear model (no hidden layer) taking full-batch steps."""
    return MLPRegressor(
        hidden_layer_sizes=(), solver=solver, learning_rate_init=lr, batch_size=50,
        alpha=0.5, shuffle=False, random_state=0, **kw,
    )  # fmt: skip


def test_adamw_decays_the_weights_outside_the_objective():
    lr, wd = 0.01, 0.5
    W0 = _linear("adam", 1e-300).partial_fit(_X, _y).coefs_[0].copy()
    adam = _linear("adam", lr).partial_fit(_X, _y)
    adamw = _linear(AdamW(weight_decay=wd), lr).partial_fit(_X, _y)
    # the same gradient at the same start: the first step differs by the decay
    # lr * wd * W0 of the weights alone, and the loss (J at the start) is the same
    np.testing.assert_allclose(
        adamw.coefs_[0] - adam.coefs_[0], -lr * wd * W0, rtol=1e-9, atol=1e-15
    )
    np.testing.assert_array_equal(adamw.intercepts_[0], adam.intercepts_[0])
    assert adamw.loss_ == adam.loss_
    # loss_ is J (data term and alpha's penalty), without a decay term
    w, b = adamw.coefs_[0][:, 0].copy(), adamw.intercepts_[0][0]
    J = 0.5 * np.mean((_X @ w + b - _y) ** 2) + 0.5 / (2 * 50) * np.sum(w**2)
    adamw.partial_fit(_X, _y)
    assert adamw.loss_ == pytest.approx(J, rel=1e-12)


def test_adamw_parameters_reach_the_update():
    kw = dict(max_iter=4, learning_rate="invscaling", power_t=0.5)
    fits = {}
    for name, solver in {
        "adam": "adam",
        "wd0": AdamW(weight_decay=0.0, beta_1=0.8),
        "adam_b1": Adam(beta_1=0.8),
        "by_name": "adamw",
        "object": AdamW(beta_1=0.8, weight_decay=0.01),
        "scheduled": AdamW(weight_decay=0.3),
        "constant": AdamW(weight_decay=0.3, weight_decay_schedule="constant"),
    }.items():
        est = _linear(solver, 0.05, **kw)
        if name == "by_name":
            est.set_params(beta_1=0.8)  # 'adamw' takes the estimator's betas
        with pytest.warns(ConvergenceWarning):
            fits[name] = est.fit(_X, _y)._net.theta
    np.testing.assert_array_equal(fits["wd0"], fits["adam_b1"])
    np.testing.assert_array_equal(fits["by_name"], fits["object"])
    assert not np.array_equal(fits["object"], fits["adam_b1"])
    # with a decaying rate the constant schedule decays more than the scheduled
    assert np.abs(fits["constant"][:4]).sum() < np.abs(fits["scheduled"][:4]).sum()
    # ... and with a constant rate the two schedules are the same
    kw["learning_rate"] = "constant"
    same = [
        _linear(AdamW(weight_decay=0.3, weight_decay_schedule=s), 0.05, **kw)
        for s in ("learning_rate", "constant")
    ]
    with pytest.warns(ConvergenceWarning):
        a, b = (est.fit(_X, _y)._net.theta for est in same)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("batch_norm", ["before", "after"])
def test_lr_factors_scale_each_group(batch_norm):
    # one full-batch plain-SGD step from the same start: each group's step is
    # its factor times the step without factors; the weights' factor is 1
    X, y = _X, (_y > 0).astype(int)
    kw = dict(hidden_layer_sizes=(5, 3), activation="prelu", batch_norm=batch_norm,
              input_batch_norm=True, solver="sgd", momentum=0.0, batch_size=50,
              learning_rate_init=0.1, shuffle=False, random_state=0)  # fmt: skip
    f = {"bias": 2.0, "batch_norm": 0.5, "activation": 3.0}

    def views(est):
        bn = [d for d in est.batch_norm_ if d is not None]
        return {
            "coefs": np.concatenate([c.ravel() for c in est.coefs_]),
            "bias": np.concatenate(est.intercepts_),
            "gamma": np.concatenate([d["gamma"] for d in bn]),
            "beta": np.concatenate([d["beta"] for d in bn]),
            "slopes": np.concatenate(est.prelu_slopes_),
        }

    start = views(MLPClassifier(**{**kw, "learning_rate_init": 1e-300}).fit(X, y))
    plain = views(MLPClassifier(max_iter=1, **kw).fit(X, y))
    scaled = views(MLPClassifier(max_iter=1, lr_factors=f, **kw).fit(X, y))
    # BN's beta that replaces the bias ('before', hidden layers) is in "bias"
    n_in = X.shape[1]
    beta_f = np.full(plain["beta"].shape, f["batch_norm"])
    if batch_norm == "before":
        beta_f[n_in:] = f["bias"]
    expected = {"coefs": 1.0, "bias": f["bias"], "gamma": f["batch_norm"],
                "beta": beta_f, "slopes": f["activation"]}  # fmt: skip
    for name, factor in expected.items():
        step = plain[name] - start[name]
        assert np.all(np.abs(step) > 0), name
        np.testing.assert_allclose(
            scaled[name] - start[name], factor * step, rtol=1e-9, atol=1e-15,
            err_msg=name,
        )  # fmt: skip


def test_lr_factors_of_one_and_validation():
    kw = dict(hidden_layer_sizes=(3,), max_iter=2, random_state=0)
    with pytest.warns(ConvergenceWarning):
        a = MLPRegressor(**kw).fit(_X, _y)._net.theta
    with pytest.warns(ConvergenceWarning):
        b = MLPRegressor(lr_factors={"bias": 1.0}, **kw).fit(_X, _y)._net.theta
    np.testing.assert_array_equal(a, b)
    for bad, match in [
        ({"weights": 2.0}, "unknown parameter group 'weights'.*'bias', "
                           "'batch_norm', 'activation'"),
        ({"bias": 0.0}, "positive finite"),
        ({"bias": np.inf}, "positive finite"),
        ({"bias": "2"}, "positive finite"),
    ]:  # fmt: skip
        with pytest.raises(ValueError, match=match):
            MLPRegressor(lr_factors=bad, **kw).fit(_X, _y)
    with pytest.raises(ValueError, match="lbfgs"):
        MLPRegressor(lr_factors={"bias": 2.0}, solver="lbfgs", **kw).fit(_X, _y)


@pytest.mark.parametrize(
    "kw",
    [
        dict(l1=1e-3),
        dict(solver=AdamW(weight_decay=0.1)),
        dict(solver=Adam(amsgrad=True)),
        dict(clipnorm=0.05),
        dict(clipvalue=1e-3),
        dict(max_norm=0.3),
        dict(lr_factors={"bias": 10.0}),
        dict(solver=SGD(), l1=1e-3),
    ],
    ids=repr,
)
def test_lean_kernels_leave_out_no_option_in_use(kw):
    # a plain network trained by plain SGD or Adam runs the lean kernels, which
    # compile none of these options' code: a fit that uses one must not run
    # them, or the option would be silently ignored
    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 6))
    y = X @ rng.normal(size=6) + 0.1 * rng.normal(size=120)
    common = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0, batch_size=8,
                  learning_rate_init=0.01)  # fmt: skip
    solver = kw.get("solver", "adam")
    plain = {"solver": SGD()} if isinstance(solver, SGD) else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        base = MLPRegressor(**common, **plain).fit(X, y)
        est = MLPRegressor(**common, **kw).fit(X, y)
    assert not all(
        np.array_equal(a, b) for a, b in zip(base.coefs_, est.coefs_, strict=True)
    )
