"""alpha, l1 and max_norm mean what Ridge, Lasso and Keras' max_norm mean."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso, LogisticRegression, Ridge
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier, MLPRegressor

LINEAR = dict(hidden_layer_sizes=(), solver="lbfgs", max_iter=10_000, tol=1e-8)


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def diabetes_std(diabetes):
    X, y = diabetes
    return X, (y - y.mean()) / y.std()


def _rel(w, ref):
    return np.max(np.abs(w - ref)) / np.max(np.abs(ref))


@pytest.mark.parametrize("a", [0.1, 1, 10, 100])
def test_alpha_is_ridge_alpha(diabetes, a):
    X, y = diabetes
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(alpha=a, **LINEAR).fit(X, y)
    ridge = Ridge(alpha=a).fit(X, y)
    assert _rel(mlp.coefs_[0].ravel(), ridge.coef_) < 1e-4
    assert mlp.intercepts_[0][0] == pytest.approx(ridge.intercept_, rel=1e-4)


@pytest.mark.parametrize("a", [0.1, 1, 5, 10, 20])
def test_l1_is_lasso_alpha_with_the_same_zeros(diabetes, a):
    X, y = diabetes
    mlp = MLPRegressor(alpha=0.0, l1=a, **LINEAR).fit(X, y)
    lasso = Lasso(alpha=a, tol=1e-12, max_iter=100_000).fit(X, y)
    w = mlp.coefs_[0].ravel()
    assert _rel(w, lasso.coef_) < 1e-4
    np.testing.assert_array_equal(w == 0, lasso.coef_ == 0)
    assert mlp.sparsity_ == np.mean(lasso.coef_ == 0)
    assert mlp.dead_inputs_ == [int(np.sum(lasso.coef_ == 0))]


def test_multi_output_matches_column_by_column(diabetes):
    X, y = diabetes
    Y = np.c_[y, X[:, :3] @ [30.0, -20.0, 10.0] + y / 3]
    ridge = MLPRegressor(alpha=5.0, **LINEAR).fit(X, Y)
    lasso = MLPRegressor(alpha=0.0, l1=2.0, **LINEAR).fit(X, Y)
    for k in range(2):
        r = Ridge(alpha=5.0).fit(X, Y[:, k]).coef_
        la = Lasso(alpha=2.0, tol=1e-12, max_iter=100_000).fit(X, Y[:, k]).coef_
        assert _rel(ridge.coefs_[0][:, k], r) < 1e-4
        assert _rel(lasso.coefs_[0][:, k], la) < 1e-4
        np.testing.assert_array_equal(lasso.coefs_[0][:, k] == 0, la == 0)


def test_weighted_fits_match_weighted_ridge_and_lasso(diabetes):
    X, y = diabetes
    sw = np.random.RandomState(0).uniform(0.1, 3.0, size=y.shape[0])
    ridge = MLPRegressor(alpha=3.0, **LINEAR).fit(X, y, sample_weight=sw)
    ref = Ridge(alpha=3.0).fit(X, y, sample_weight=sw)
    assert _rel(ridge.coefs_[0].ravel(), ref.coef_) < 1e-4
    # Lasso rescales the weights to sum to n: its objective is ours exactly
    lasso = MLPRegressor(alpha=0.0, l1=4.0, **LINEAR).fit(X, y, sample_weight=sw)
    ref = Lasso(alpha=4.0, tol=1e-12, max_iter=100_000).fit(X, y, sample_weight=sw)
    assert _rel(lasso.coefs_[0].ravel(), ref.coef_) < 1e-4
    np.testing.assert_array_equal(lasso.coefs_[0].ravel() == 0, ref.coef_ == 0)


@pytest.mark.parametrize("a", [0.1, 1, 10])
def test_alpha_is_inverse_logistic_regression_C(a):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    mlp = MLPClassifier(alpha=a, **LINEAR).fit(X, y)
    ref = LogisticRegression(C=1 / a, tol=1e-12, max_iter=100_000).fit(X, y)
    assert _rel(mlp.coefs_[0].ravel(), ref.coef_.ravel()) < 1e-4
    assert mlp.intercepts_[0][0] == pytest.approx(ref.intercept_[0], abs=1e-4)


def test_loss_reports_the_whole_objective(diabetes):
    X, y = diabetes
    mlp = MLPRegressor(alpha=2.0, l1=3.0, **LINEAR).fit(X, y)
    W, b = mlp.coefs_[0], mlp.intercepts_[0]
    n = y.shape[0]
    J = (
        0.5 * np.mean((X @ W[:, 0] + b[0] - y) ** 2)
        + 2.0 / (2 * n) * np.sum(W**2)
        + 3.0 * np.abs(W).sum()
    )
    assert mlp.loss_ == pytest.approx(J, rel=1e-10)


STOCHASTIC = {
    # recommended settings: a decaying ('adaptive') learning rate
    "sgd": dict(solver="sgd", learning_rate_init=0.01),
    "adam": dict(solver="adam", learning_rate_init=0.01),
}


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_stochastic_solvers_reach_ridge_and_lasso_at_any_batch_size(
    diabetes_std, solver
):
    X, y = diabetes_std
    ridge = Ridge(alpha=10.0).fit(X, y).coef_
    lasso = Lasso(alpha=0.05, tol=1e-12, max_iter=100_000).fit(X, y).coef_
    for batch_size in (16, 64, X.shape[0]):
        kw = dict(
            hidden_layer_sizes=(),
            batch_size=batch_size,
            learning_rate="adaptive",
            tol=1e-9,
            n_iter_no_change=100,
            max_iter=5000,
            random_state=0,
            **STOCHASTIC[solver],
        )
        r = MLPRegressor(alpha=10.0, **kw).fit(X, y).coefs_[0].ravel()
        la = MLPRegressor(alpha=0.0, l1=0.05, **kw).fit(X, y).coefs_[0].ravel()
        assert _rel(r, ridge) < 1e-2, (batch_size, _rel(r, ridge))
        assert _rel(la, lasso) < 1e-2, (batch_size, _rel(la, lasso))
        # the proximal step produces exact zeros, only where Lasso has them
        assert set(np.flatnonzero(la == 0)) <= set(np.flatnonzero(lasso == 0))
        if solver == "adam" or batch_size == X.shape[0]:
            assert np.sum(la == 0) >= 2


def test_l1_makes_a_deep_network_sparse(diabetes_std):
    X, y = diabetes_std
    kw = dict(hidden_layer_sizes=(32, 16), max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = MLPRegressor(**kw).fit(X, y)
        sparse = MLPRegressor(l1=0.01, **kw).fit(X, y)
    assert dense.sparsity_ == 0.0
    assert sparse.sparsity_ > 0.5
    assert sum(sparse.dead_units_) > 0 or sum(sparse.dead_inputs_) > 0


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_max_norm_bounds_every_unit(diabetes_std, solver):
    X, y = diabetes_std
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        free = MLPRegressor(
            hidden_layer_sizes=(20,), solver=solver, max_iter=100, random_state=0,
            learning_rate_init=0.01,
        ).fit(X, y)  # fmt: skip
        bounded = MLPRegressor(
            hidden_layer_sizes=(20,), solver=solver, max_iter=100, random_state=0,
            learning_rate_init=0.01, max_norm=0.5,
        ).fit(X, y)  # fmt: skip
    assert max(np.linalg.norm(W, axis=0).max() for W in free.coefs_) > 0.5
    for W in bounded.coefs_:
        assert np.all(np.linalg.norm(W, axis=0) <= 0.5 + 1e-6)


@pytest.mark.parametrize("name", ["max_norm", "clipnorm", "clipvalue"])
def test_stochastic_only_parameters_with_lbfgs_are_refused(name):
    with pytest.raises(ValueError, match=f"{name} acts on each stochastic update"):
        MLPRegressor(solver="lbfgs", **{name: 1.0}).fit([[0.0], [1.0]], [0.0, 1.0])


@pytest.mark.parametrize("bad", [0.0, -1.0])
def test_max_norm_must_be_positive(bad):
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="max_norm"):
        MLPRegressor(max_norm=bad).fit([[0.0], [1.0]], [0.0, 1.0])


def test_negative_l1_is_refused():
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="l1"):
        MLPRegressor(l1=-0.1).fit([[0.0], [1.0]], [0.0, 1.0])
