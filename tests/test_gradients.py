"""Kernels against the NumPy reference, and finite-difference gradient checks."""

import numpy as np
import pytest

from skdnn._core import codes
from skdnn._core.activations import activation_backward, activation_forward
from skdnn._core.epoch import full_loss_grad, predict_forward
from skdnn._network import NetworkSpec, Workspace, input_arrays
from skdnn.activations import ACTIVATION_NAMES, resolve_activation

from . import _naive

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


def _problem(hidden, loss, units=(4, 6, 5), k=3, n=23, seed=0):
    rng = np.random.RandomState(seed)
    out_code, loss_code, kind = LOSSES[loss]
    _, code, param, _ = resolve_activation(hidden)
    spec = NetworkSpec([*units, k], code, param, out_code)
    theta = rng.normal(scale=0.6, size=spec.n_params)
    X = rng.normal(size=(n, units[0]))
    Y = _targets(kind, n, k, rng)
    sw = rng.uniform(0.2, 2.0, size=n)
    return spec, theta, X, Y, sw, loss_code


def _objective(spec, theta, X, Y, sw, loss_code, alpha, batch=7):
    """J and its gradient from the compiled kernel, in chunks of ``batch`` rows."""
    grad = np.empty_like(theta)
    S = sw.sum()
    J = full_loss_grad(
        *input_arrays(X, np.float64), Y, sw, np.arange(X.shape[0]), theta, grad,
        np.empty_like(theta), spec.net, spec.netf, loss_code, alpha / S,
        spec.n_weights, S, *Workspace(spec, batch, np.float64).args(),
    )  # fmt: skip
    return J, grad


@pytest.mark.parametrize("name", sorted(ACTIVATION_NAMES))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_activation_kernels_match_reference(name, dtype):
    rng = np.random.RandomState(1)
    _, code, param, _ = resolve_activation(name)
    Z0 = rng.normal(scale=3, size=(9, 7)).astype(dtype)
    b = rng.normal(size=7).astype(dtype)
    Z, A = Z0.copy(), np.empty_like(Z0)
    activation_forward(Z, b, A, code, param)
    z = Z0.astype(np.float64) + b.astype(np.float64)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12)
    np.testing.assert_allclose(Z, z, **tol)
    np.testing.assert_allclose(A, _naive.activation(name, z), **tol)
    D = rng.normal(size=Z.shape).astype(dtype)
    expected = D * _naive.activation_derivative(name, z)
    activation_backward(Z, A, D, code, param)
    np.testing.assert_allclose(D, expected, **tol)


@pytest.mark.parametrize("name", sorted(ACTIVATION_NAMES))
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
    for Xin, out in ((X, out_dense), (sp.csr_matrix(X), out_sparse)):
        predict_forward(
            *input_arrays(Xin, np.float64), theta, spec.net, spec.netf,
            codes.SOFTMAX, out,
        )  # fmt: skip
    np.testing.assert_allclose(out_sparse, out_dense, rtol=1e-12)
    np.testing.assert_allclose(out_dense.sum(axis=1), 1.0, rtol=1e-12)
