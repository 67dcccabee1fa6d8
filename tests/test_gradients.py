"""Kernels against the NumPy reference, and finite-difference gradient checks."""

import numpy as np
import pytest

from skdnn._core import codes
from skdnn._layout import NetworkSpec
from skdnn._network import Network, input_arrays
from skdnn.activations import ACTIVATION_NAMES, resolve_activation

from . import _naive
from ._kernels import activation_backward, activation_forward

# the activations with a closed-form NumPy reference in _naive (no state, no pieces)
PLAIN_NAMES = sorted(ACTIVATION_NAMES - {"prelu", "rrelu", "maxout"})

LOSSES = {
    # loss name -> (output code, loss code, target maker)
    "squared_error": (codes.IDENTITY, codes.SQUARED_ERROR, "real"),
    "binary_log_loss": (codes.LOGISTIC, codes.BINARY_LOG_LOSS, "binary"),
    "log_loss": (codes.SOFTMAX, codes.LOG_LOSS, "onehot"),
    "poisson": (codes.EXP, codes.POISSON, "counts"),
}


def _targets(kind, n, k, rng):
    if kind == "real":
        return rng.normal(size=(n, k))
    if kind == "binary":  # multilabel indicator (binary when k == 1)
        return (rng.uniform(size=(n, k)) < 0.5).astype(float)
    if kind == "onehot":
        return np.eye(k)[rng.randint(k, size=n)]
    return rng.poisson(1.5, size=(n, k)).astype(float)


def make_spec(hidden, units, out_code, **kwargs):
    act = resolve_activation(hidden)
    return NetworkSpec(
        list(units), act.code, act.param, out_code, hidden_param2=act.param2,
        pieces=act.pieces, alpha_dropout=act.code == codes.SELU, **kwargs,
    )  # fmt: skip


def _problem(hidden, loss, units=(4, 6, 5), k=3, n=23, seed=0, **spec_kwargs):
    rng = np.random.RandomState(seed)
    out_code, loss_code, kind = LOSSES[loss]
    spec = make_spec(hidden, [*units, k], out_code, **spec_kwargs)
    theta = rng.normal(scale=0.6, size=spec.n_params)
    X = rng.normal(size=(n, units[0]))
    Y = _targets(kind, n, k, rng)
    sw = rng.uniform(0.2, 2.0, size=n)
    return spec, theta, X, Y, sw, loss_code


def _objective(spec, theta, X, Y, sw, loss_code, alpha, batch=7, key=12345):
    """J and its gradient from the compiled kernel, in chunks of ``batch`` rows.

    Batch statistics, and dropout masks and RReLU slopes fixed by ``key``.
    """
    grad = np.empty_like(theta)
    net = Network(spec, theta, np.zeros((2, spec.n_stats)), seed=0)
    assert spec.layers[-1]["loss"] == loss_code
    J = net.loss_and_gradient(
        input_arrays(X, np.float64),
        Y,
        sw,
        net.optimizer(alpha, sw.sum()),
        grad,
        key=key,
        batch_size=batch,
    )
    return J, grad


def _act(Z, A, name, rand=False, key=0, slopes=None, b=None):
    act = resolve_activation(name)
    if slopes is None:
        slopes = Z[0, :0]
    if b is None:
        b = np.zeros(Z.shape[1], dtype=Z.dtype)
    activation_forward(
        Z, b, A, act.code, act.param, act.param2, slopes, rand, np.uint64(key), 0,
        100, 0,
    )  # fmt: skip
    return act


def _act_backward(Z, A, DA, DZ, act, slopes=None, gslopes=None):
    if slopes is None:
        slopes = gslopes = Z[0, :0]
    activation_backward(Z, A, DA, DZ, act.code, act.param, act.param2, slopes, gslopes)


# activations whose derivative is computed from A alone
_A_ONLY = {"identity", "relu", "selu", "tanh", "logistic"}


@pytest.mark.parametrize("name", PLAIN_NAMES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_activation_kernels_match_reference(name, dtype):
    rng = np.random.RandomState(1)
    Z0 = rng.normal(scale=3, size=(9, 7)).astype(dtype)
    b = rng.normal(size=7).astype(dtype)
    Z, A = Z0.copy(), np.empty_like(Z0)
    act = _act(Z, A, name, b=b)
    z = Z0.astype(np.float64) + b.astype(np.float64)
    if name in _A_ONLY:
        # the derivative needs only A: Z + b is not stored (and the backward pass
        # below, given Z without the bias, must not read it)
        np.testing.assert_array_equal(Z, Z0)
    else:
        np.testing.assert_allclose(Z, z, rtol=1e-6)  # the bias is added in place
    tol = (
        dict(rtol=1e-5, atol=1e-6)
        if dtype == np.float32
        else dict(rtol=1e-12, atol=1e-14)
    )
    np.testing.assert_allclose(A, _naive.activation(name, z), **tol)
    D = rng.normal(size=Z.shape).astype(dtype)
    expected = D * _naive.activation_derivative(name, z)
    DZ = np.empty_like(D)
    _act_backward(Z, A, D, DZ, act)
    np.testing.assert_allclose(DZ, expected, **tol)


def test_stateful_activation_kernels_match_reference():
    rng = np.random.RandomState(2)
    Z = rng.normal(scale=3, size=(9, 6))
    D = rng.normal(size=Z.shape)
    # PReLU: one slope per unit, and dLoss/dslope = sum over negative z of D * z
    slopes = rng.uniform(0.05, 0.5, size=6)
    A, DZ, gs = np.empty_like(Z), np.empty_like(Z), np.empty(6)
    act = _act(Z, A, "prelu", slopes=slopes)
    np.testing.assert_allclose(A, np.where(Z > 0, Z, slopes * Z), rtol=1e-14)
    _act_backward(Z, A, D, DZ, act, slopes, gs)
    np.testing.assert_allclose(DZ, np.where(Z > 0, D, slopes * D), rtol=1e-14)
    np.testing.assert_allclose(gs, (D * np.minimum(Z, 0)).sum(axis=0), rtol=1e-12)
    # RReLU: the mean slope at inference, slopes in [1/8, 1/3] while training
    act = _act(Z, A, "rrelu")
    np.testing.assert_allclose(A, np.where(Z > 0, Z, (11 / 48) * Z), rtol=1e-14)
    _act(Z, A, "rrelu", rand=True, key=7)
    ratio = (A / Z)[Z < 0]
    assert 1 / 8 <= ratio.min() and ratio.max() <= 1 / 3 and ratio.std() > 0.03
    np.testing.assert_array_equal(A[Z > 0], Z[Z > 0])
    _act_backward(Z, A, D, DZ, act)
    np.testing.assert_allclose(DZ, np.where(Z > 0, D, D * A / Z), rtol=1e-14)
    # maxout: unit j is the max of columns 2j and 2j+1; its gradient goes there
    A3, DA3 = np.empty((9, 3)), rng.normal(size=(9, 3))
    act = _act(Z, A3, "maxout")
    pairs = Z.reshape(9, 3, 2)
    np.testing.assert_array_equal(A3, pairs.max(axis=2))
    _act_backward(Z, A3, DA3, DZ, act)
    hit = np.eye(2)[pairs.argmax(axis=2)]
    np.testing.assert_array_equal(DZ, (DA3[:, :, None] * hit).reshape(9, 6))


@pytest.mark.parametrize("name", PLAIN_NAMES)
@pytest.mark.parametrize("loss", ["squared_error", "log_loss"])
def test_objective_matches_reference(name, loss):
    spec, theta, X, Y, sw, loss_code = _problem(name, loss)
    alpha = 0.3
    J, _ = _objective(spec, theta, X, Y, sw, loss_code, alpha)
    coefs, intercepts = spec.coefs(theta), spec.intercepts(theta)
    expected = _naive.objective(X, Y, sw, coefs, intercepts, name, loss, alpha)
    np.testing.assert_allclose(J, expected, rtol=1e-12)


def _finite_difference(f, theta, eps=1e-6):
    g = np.empty_like(theta)
    for i in range(theta.shape[0]):
        t = theta.copy()
        t[i] += eps
        fp = f(t)
        t[i] -= 2 * eps
        fm = f(t)
        g[i] = (fp - fm) / (2 * eps)
    return g


@pytest.mark.parametrize("name", sorted(ACTIVATION_NAMES))
def test_gradient_every_activation(name):
    spec, theta, X, Y, sw, loss_code = _problem(name, "squared_error")
    J, grad = _objective(spec, theta, X, Y, sw, loss_code, alpha=0.5)
    fd = _finite_difference(
        lambda t: _objective(spec, t, X, Y, sw, loss_code, alpha=0.5)[0], theta
    )
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize(
    "loss, k",
    [
        ("squared_error", 1),
        ("squared_error", 3),
        ("binary_log_loss", 1),  # binary classification
        ("binary_log_loss", 4),  # multilabel
        ("log_loss", 5),  # multiclass
        ("poisson", 2),
    ],
)
def test_gradient_every_loss(loss, k):
    spec, theta, X, Y, sw, loss_code = _problem("tanh", loss, k=k)
    theta *= 0.5  # keeps exp outputs moderate for the Poisson loss
    J, grad = _objective(spec, theta, X, Y, sw, loss_code, alpha=0.1)
    coefs, intercepts = spec.coefs(theta), spec.intercepts(theta)
    expected = _naive.objective(X, Y, sw, coefs, intercepts, "tanh", loss, 0.1)
    np.testing.assert_allclose(J, expected, rtol=1e-12)
    fd = _finite_difference(
        lambda t: _naive.objective(
            X, Y, sw, spec.coefs(t), spec.intercepts(t), "tanh", loss, 0.1
        ),
        theta,
    )
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-7)


def test_gradient_of_linear_network():
    # no hidden layer: the network is a generalised linear model
    spec, theta, X, Y, sw, loss_code = _problem("relu", "log_loss", units=(4,), k=3)
    J, grad = _objective(spec, theta, X, Y, sw, loss_code, alpha=1.0)
    fd = _finite_difference(
        lambda t: _objective(spec, t, X, Y, sw, loss_code, alpha=1.0)[0], theta
    )
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)


def test_chunking_does_not_change_the_objective():
    spec, theta, X, Y, sw, loss_code = _problem("elu", "log_loss")
    J1, g1 = _objective(spec, theta, X, Y, sw, loss_code, 0.2, batch=1)
    J2, g2 = _objective(spec, theta, X, Y, sw, loss_code, 0.2, batch=X.shape[0])
    np.testing.assert_allclose(J1, J2, rtol=1e-12)
    np.testing.assert_allclose(g1, g2, rtol=1e-10, atol=1e-12)


def test_sparse_input_gives_the_dense_result():
    sp = pytest.importorskip("scipy.sparse")
    spec, theta, X, Y, sw, loss_code = _problem("relu", "log_loss")
    X[X < 0.3] = 0.0
    out_dense = np.empty((X.shape[0], 3))
    out_sparse = np.empty_like(out_dense)
    net = Network(spec, theta, np.zeros((2, 0)), seed=0)
    assert spec.layers[-1]["act"] == codes.SOFTMAX
    for Xin, out in ((X, out_dense), (sp.csr_matrix(X), out_sparse)):
        out[:] = net.forward(Xin)[0]
    np.testing.assert_allclose(out_sparse, out_dense, rtol=1e-12)
    np.testing.assert_allclose(out_dense.sum(axis=1), 1.0, rtol=1e-12)


_LAYER_CASES = {
    "bn_before": dict(batch_norm="before"),
    "bn_after": dict(batch_norm="after"),
    "input_bn": dict(input_batch_norm=True),
    "dropout": dict(dropout=(0.3, 0.5), input_dropout=0.2),
    "everything": dict(
        batch_norm="after", input_batch_norm=True, dropout=(0.2, 0.4), input_dropout=0.1
    ),
    "bn_before_dropout": dict(batch_norm="before", dropout=(0.3, 0.3)),
}


@pytest.mark.parametrize("case", sorted(_LAYER_CASES))
@pytest.mark.parametrize("hidden", ["tanh", "prelu", "maxout", "rrelu", "selu"])
@pytest.mark.parametrize("batch", [7, 23])
def test_gradient_through_batch_norm_dropout_and_stateful_activations(
    case, hidden, batch
):
    # batch statistics (sample-weighted) over each chunk of ``batch`` rows; dropout
    # masks and RReLU slopes fixed by the key, so the objective is deterministic
    spec, theta, X, Y, sw, loss_code = _problem(
        hidden, "log_loss", **_LAYER_CASES[case]
    )
    J, grad = _objective(spec, theta, X, Y, sw, loss_code, 0.5, batch=batch)
    fd = _finite_difference(
        lambda t: _objective(spec, t, X, Y, sw, loss_code, 0.5, batch=batch)[0],
        theta,
    )
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-7)
