"""Input adapters: the front scale (``front_scale``) and TabM-mini's ensemble
members (``n_members``), against NumPy references and finite differences."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_iris, make_regression
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skdnn import MLPClassifier, MLPRegressor
from skdnn._core import codes
from skdnn._core.layers import EXTRAS
from skdnn._core.predict import predict_forward
from skdnn._network import Network, input_arrays, predict_work
from skdnn.inspection import hidden_activations, layer_gradients
from skdnn.optimizers import SGD

from . import _naive
from .test_gradients import _finite_difference, _objective, _problem

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

_CASES = {
    "plain": {},
    "input_bn": dict(input_batch_norm=True),
    "input_dropout": dict(input_dropout=0.3, dropout=(0.2, 0.2)),
    "everything": dict(
        input_batch_norm=True, batch_norm="after", input_dropout=0.2, dropout=(0.3, 0.1)
    ),
}
# (front_scale, n_members): the front scale, and three members
_ADAPTERS = {"front_scale": dict(front_scale=True), "members_3": dict(n_members=3)}


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _fit(est, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y, **kwargs)


# --------------------------------------------------------------- the layout
def test_adapters_come_last_and_unpenalised():
    spec, *_ = _problem("tanh", "log_loss", n_members=3)
    plain, *_ = _problem("tanh", "log_loss")
    p = spec.layer_units[0]
    assert spec.adapter_off == plain.n_params
    assert spec.n_params == plain.n_params + 3 * p
    assert spec.n_weights == plain.n_weights  # the penalised prefix is the same
    assert spec.layers[0]["adapt_off"] == spec.adapter_off
    assert spec.layers[0]["members"] == 3
    assert plain.adapter_off == -1 and plain.adapters(np.zeros(5)) is None
    theta = np.arange(spec.n_params, dtype=float)
    assert spec.adapters(theta).shape == (3, p)
    assert np.shares_memory(spec.adapters(theta), theta)


# ------------------------------------------------------ gradients (float64)
@pytest.mark.parametrize("case", sorted(_CASES))
@pytest.mark.parametrize("adapter", sorted(_ADAPTERS))
def test_gradient_with_adapters(case, adapter):
    # every parameter, the adapters included; batch statistics over the expanded
    # chunks of 9 rows (27 with 3 members); dropout masks fixed by the key
    spec, theta, X, Y, sw, loss_code = _problem(
        "tanh", "log_loss", n=18, **_CASES[case], **_ADAPTERS[adapter]
    )
    assert spec.has_adapter
    J, grad = _objective(spec, theta, X, Y, sw, loss_code, 0.5, batch=9)
    fd = _finite_difference(
        lambda t: _objective(spec, t, X, Y, sw, loss_code, 0.5, batch=9)[0], theta
    )
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-7)
    off = spec.adapter_off
    assert np.abs(grad[off:]).max() > 1e-3  # the adapters do get a gradient


@pytest.mark.parametrize("k", [1, 3])
@pytest.mark.parametrize("loss", ["squared_error", "log_loss", "binary_log_loss"])
def test_objective_and_gradient_match_the_members_reference(k, loss):
    spec, theta, X, Y, sw, loss_code = _problem(
        "tanh", loss, front_scale=True, n_members=k
    )
    alpha = 0.7

    def reference(t):
        return _naive.members_objective(
            X, Y, sw, spec.adapters(t), spec.coefs(t), spec.intercepts(t), "tanh",
            loss, alpha,
        )  # fmt: skip

    J, grad = _objective(spec, theta, X, Y, sw, loss_code, alpha)
    np.testing.assert_allclose(J, reference(theta), rtol=1e-12)
    np.testing.assert_allclose(grad, _finite_difference(reference, theta),
                               rtol=1e-5, atol=1e-7)  # fmt: skip


def test_identical_members_are_the_single_network():
    # k members whose adapters are all 1 compute k copies of the same network:
    # the same objective, gradient (batch statistics over the repeated rows are
    # those of the rows) and predictions as the network without adapters
    spec, theta, X, Y, sw, loss_code = _problem(
        "elu", "log_loss", input_batch_norm=True, batch_norm="before"
    )
    spec4, *_ = _problem(
        "elu", "log_loss", input_batch_norm=True, batch_norm="before", n_members=4
    )
    theta4 = np.concatenate([theta, np.ones(4 * X.shape[1])])
    J, g = _objective(spec, theta, X, Y, sw, loss_code, 0.2, batch=23)
    J4, g4 = _objective(spec4, theta4, X, Y, sw, loss_code, 0.2, batch=23)
    np.testing.assert_allclose(J4, J, rtol=1e-12)
    np.testing.assert_allclose(g4[: spec.n_params], g, rtol=1e-9, atol=1e-12)
    # the adapters' gradient: the 4 members' share of the scale's gradient
    spec1, *_ = _problem(
        "elu", "log_loss", input_batch_norm=True, batch_norm="before", front_scale=True
    )
    theta1 = np.concatenate([theta, np.ones(X.shape[1])])
    _, g1 = _objective(spec1, theta1, X, Y, sw, loss_code, 0.2, batch=23)
    for r in spec4.adapters(g4):
        np.testing.assert_allclose(r, spec1.adapters(g1)[0] / 4, rtol=1e-9)
    stats = np.random.RandomState(3).uniform(0.5, 2.0, size=(2, spec.n_stats))
    out = Network(spec, theta, stats, seed=0).forward(X)[0]
    out4 = Network(spec4, theta4, stats, seed=0).forward(X)[0]
    np.testing.assert_allclose(out4, out, rtol=1e-12)


# ------------------------------------------------------------- prediction
@pytest.mark.parametrize("out, loss", [("softmax", "log_loss"),
                                       ("identity", "squared_error"),
                                       ("exp", "poisson")])  # fmt: skip
def test_forward_is_the_members_mean(out, loss):
    spec, theta, X, Y, sw, loss_code = _problem("relu", loss, n_members=3)
    theta *= 0.5
    expected = _naive.members_predict(
        X, spec.adapters(theta), spec.coefs(theta), spec.intercepts(theta), "relu", out
    )
    net = Network(spec, theta, np.zeros((2, 0)), seed=0)
    np.testing.assert_allclose(net.forward(X)[0], expected, rtol=1e-12)
    # sparse input: the same outputs
    Xs = X.copy()
    Xs[np.abs(Xs) < 0.5] = 0.0
    np.testing.assert_array_equal(net.forward(sp.csr_matrix(Xs))[0], net.forward(Xs)[0])


def test_monte_carlo_masks_do_not_depend_on_the_split():
    # row i's member j draws its masks as row i * k + j of the whole input, so
    # chunks of any size, and disjoint row ranges (threads), give the same outputs
    spec, theta, X, *_ = _problem("tanh", "log_loss", n=40, n_members=3,
                                  input_dropout=0.3, dropout=(0.3, 0.3))  # fmt: skip
    source = input_arrays(X, np.float64)
    key = np.uint64(5)

    def run(ranges, chunk):
        out = np.zeros((40, 3))
        for lo, hi in ranges:
            bn = np.zeros((2, 0))
            work = predict_work(spec, lo, hi, chunk, False, bn, theta.dtype)
            predict_forward(
                *source, lo, hi, theta, spec.layers, bn, codes.MODE_MC, key, chunk,
                out, work, EXTRAS, None,
            )  # fmt: skip
        return out

    whole = run([(0, 40)], 40)
    np.testing.assert_array_equal(run([(0, 40)], 7), whole)
    np.testing.assert_array_equal(run([(0, 17), (17, 40)], 40), whole)
    net = Network(spec, theta, np.zeros((2, 0)), seed=0)
    assert not np.allclose(whole, net.forward(X)[0])  # the masks do act


def test_classifier_predicts_the_members_mean(iris):
    X, y = iris
    clf = MLPClassifier((8,), n_members=3, max_iter=60, learning_rate_init=0.02,
                        random_state=0)  # fmt: skip
    _fit(clf, X, y)
    r = clf.input_scale_
    assert r.shape == (3, 4)
    # trained away from the random signs of the start
    assert not np.array_equal(np.abs(r), np.ones_like(r))
    expected = _naive.members_predict(
        X, r, clf.coefs_, clf.intercepts_, "relu", "softmax"
    )
    np.testing.assert_allclose(clf.predict_proba(X), expected, rtol=1e-10)
    assert clf.score(X, y) > 0.9


def test_signs_at_the_start_and_the_front_scale_at_one():
    X, y = make_regression(60, 5, random_state=0)
    kw = dict(hidden_layer_sizes=(6,), max_iter=1, learning_rate_init=1e-12,
              random_state=0)  # fmt: skip
    r = _fit(MLPRegressor(n_members=8, **kw), X, y).input_scale_
    np.testing.assert_allclose(np.abs(r), 1.0, rtol=1e-9)
    assert 0.2 < (r > 0).mean() < 0.8  # both signs
    s = _fit(MLPRegressor(front_scale=True, **kw), X, y).input_scale_
    assert s.shape == (1, 5)
    np.testing.assert_allclose(s, 1.0, rtol=1e-9)
    # front_scale with several members: the members' adapters, signs at the start
    both = _fit(MLPRegressor(front_scale=True, n_members=8, **kw), X, y)
    np.testing.assert_allclose(both.input_scale_, r, rtol=1e-9)
    assert _fit(MLPRegressor(**kw), X, y).input_scale_ is None


# ------------------------------------------------------------- estimators
def test_lbfgs_minimises_the_members_objective():
    X, y = make_regression(80, 4, noise=5.0, random_state=0)
    y = y / y.std()
    reg = MLPRegressor(hidden_layer_sizes=(5,), solver="lbfgs", n_members=3,
                       alpha=0.3, max_iter=300, random_state=0,
                       activation="tanh")  # fmt: skip
    _fit(reg, X, y)
    expected = _naive.members_objective(
        X, y[:, None], np.ones(80), reg.input_scale_, reg.coefs_, reg.intercepts_,
        "tanh", "squared_error", 0.3,
    )  # fmt: skip
    np.testing.assert_allclose(reg.loss_, expected, rtol=1e-10)
    assert reg.score(X, y) > 0.9


@pytest.mark.parametrize("n", [25, 21])  # 21: a last batch of 11 rows
def test_an_epoch_is_sgd_on_each_batch(n):
    # partial_fit, one epoch of plain SGD over batches of 10 rows (in order),
    # takes a step along the gradient of each batch's objective; with batch
    # normalisation over the 2 members' rows of each batch
    X, y = make_regression(n, 3, random_state=0)
    y = y / y.std()
    sw = np.random.RandomState(1).uniform(0.5, 2, n)
    reg = MLPRegressor(hidden_layer_sizes=(4,), n_members=2, input_batch_norm=True,
                       batch_norm="after", solver=SGD(momentum=0.0), alpha=0.0,
                       batch_size=10, shuffle=False, learning_rate_init=0.1,
                       random_state=0)  # fmt: skip
    reg.partial_fit(X, y, sample_weight=sw)
    net = reg._net
    theta = net.theta.copy()
    reg.partial_fit(X, y, sample_weight=sw)
    grad = np.empty_like(theta)
    steps = [np.arange(0, 10), np.arange(10, 20), np.arange(20, n)]
    if n == 21:
        steps = [np.arange(0, 10), np.arange(10, 21)]
    for rows in steps:
        other = Network(net.spec, theta, net.bn_stats.copy(), seed=0)
        other.loss_and_gradient(
            input_arrays(X[rows], np.float64), y[rows, None], sw[rows],
            other.optimizer(0.0, sw[rows].sum()), grad,
        )  # fmt: skip
        theta = theta - 0.1 * grad
    np.testing.assert_allclose(net.theta, theta, rtol=1e-10, atol=1e-13)


def test_float32_and_sparse_input(iris):
    X, y = iris
    kw = dict(hidden_layer_sizes=(8,), n_members=3, input_batch_norm=True,
              max_iter=20, random_state=0)  # fmt: skip
    c32 = _fit(MLPClassifier(**kw), X.astype(np.float32), y)
    assert c32.input_scale_.dtype == np.float32
    assert c32.predict_proba(X.astype(np.float32)).dtype == np.float32
    c64 = _fit(MLPClassifier(**kw), X, y)
    np.testing.assert_allclose(c32.input_scale_, c64.input_scale_, rtol=1e-3)
    Xs = np.where(np.abs(X) < 0.5, 0.0, X)
    dense = _fit(MLPClassifier(**kw), Xs, y)
    sparse = _fit(MLPClassifier(**kw), sp.csr_matrix(Xs), y)
    np.testing.assert_array_equal(sparse.input_scale_, dense.input_scale_)
    np.testing.assert_array_equal(sparse.predict_proba(Xs), dense.predict_proba(Xs))


def test_sample_weight_counts_as_repeated_rows():
    # the objective with weight 2 on a row is that with the row twice
    spec, theta, X, Y, sw, loss_code = _problem(
        "tanh", "squared_error", n_members=3, input_batch_norm=True
    )
    sw2 = np.ones(X.shape[0])
    sw2[:5] = 2.0
    rows = np.r_[np.arange(X.shape[0]), np.arange(5)]
    J, g = _objective(spec, theta, X, Y, sw2, loss_code, 0.1, batch=X.shape[0])
    Jd, gd = _objective(spec, theta, X[rows], Y[rows], np.ones(len(rows)),
                        loss_code, 0.1, batch=len(rows))  # fmt: skip
    np.testing.assert_allclose(J, Jd, rtol=1e-12)
    np.testing.assert_allclose(g, gd, rtol=1e-9, atol=1e-12)


def test_precise_bn_statistics_of_the_expanded_batch():
    # one batch of every row: the running statistics of the input normalisation
    # are the mean and variance over every member's adapted inputs
    X, y = make_regression(50, 3, random_state=0)
    sw = np.random.RandomState(0).uniform(0.5, 2, 50)
    reg = MLPRegressor(hidden_layer_sizes=(4,), n_members=3, input_batch_norm=True,
                       batch_size=50, max_iter=3, random_state=0)  # fmt: skip
    _fit(reg, X, y / 100, sample_weight=sw)
    A = np.vstack([X * r for r in reg.input_scale_])
    w = np.tile(sw, 3)
    mean = np.average(A, axis=0, weights=w)
    var = np.average((A - mean) ** 2, axis=0, weights=w)
    bn = reg.batch_norm_[0]
    np.testing.assert_allclose(bn["moving_mean"], mean, rtol=1e-10)
    np.testing.assert_allclose(bn["moving_variance"], var, rtol=1e-10)


def test_continued_training_pickling_and_monte_carlo(iris):
    X, y = iris
    clf = MLPClassifier((6,), n_members=2, dropout=0.2, max_iter=5, random_state=0)
    _fit(clf, X, y)
    clf.partial_fit(X, y)
    assert np.shares_memory(clf.input_scale_, clf._net.theta)
    loaded = pickle.loads(pickle.dumps(clf))
    assert np.shares_memory(loaded.input_scale_, loaded._net.theta)
    np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
    p1 = clf.mc_predict_proba(X, n_samples=4, random_state=0)
    np.testing.assert_allclose(p1.sum(axis=1), 1.0, rtol=1e-12)
    assert not np.allclose(p1, clf.predict_proba(X))
    clf.set_params(warm_start=True, max_iter=2)
    before = clf.input_scale_.copy()
    _fit(clf, X, y)
    assert not np.array_equal(before, clf.input_scale_)
    clf.set_params(n_members=3)
    with pytest.raises(ValueError, match="n_members"):
        clf.fit(X, y)


def test_inspection_shows_every_member(iris):
    X, y = iris
    clf = _fit(MLPClassifier((5, 4), n_members=3, max_iter=5, random_state=0), X, y)
    acts = hidden_activations(clf, X)
    assert [a.shape for a in acts] == [(150, 3, 5), (150, 3, 4)]
    for j, r in enumerate(clf.input_scale_):
        expected = np.maximum((X * r) @ clf.coefs_[0] + clf.intercepts_[0], 0)
        np.testing.assert_allclose(acts[0][:, j], expected, rtol=1e-12, atol=1e-15)
    grads = layer_gradients(clf, X, y)
    assert [g.shape for g in grads] == [c.shape for c in clf.coefs_]
    front = _fit(MLPClassifier((5,), front_scale=True, max_iter=5), X, y)
    assert hidden_activations(front, X)[0].shape == (150, 5)


def test_transfer_copies_adapters_of_the_same_shape(iris):
    X, y = iris
    source = _fit(MLPClassifier((6,), n_members=3, max_iter=20, random_state=0), X, y)
    kw = dict(max_iter=1, learning_rate_init=1e-12, random_state=1)
    same = _fit(MLPClassifier((6,), n_members=3, init=source, **kw), X, y)
    assert same.transferred_layers_ == 1
    np.testing.assert_allclose(same.input_scale_, source.input_scale_, rtol=1e-9)
    other = _fit(MLPClassifier((6,), n_members=2, init=source, **kw), X, y)
    assert other.transferred_layers_ == 1
    np.testing.assert_allclose(np.abs(other.input_scale_), 1.0, rtol=1e-9)


@pytest.mark.parametrize(
    "params, match",
    [({"n_members": 0}, "n_members"), ({"n_members": 1.5}, "n_members"),
     ({"front_scale": "yes"}, "front_scale")],
)  # fmt: skip
def test_invalid_parameters(iris, params, match):
    X, y = iris
    with pytest.raises(InvalidParameterError, match=match):
        MLPClassifier(**params).fit(X, y)


def test_no_adapter_by_default():
    # the network reads the inputs themselves, and theta holds nothing more
    X, y = make_regression(30, 3, random_state=0)
    reg = _fit(MLPRegressor(hidden_layer_sizes=(4,), max_iter=2), X, y)
    assert reg.input_scale_ is None
    spec = reg._net.spec
    assert spec.layers[0]["src"] == -1 and spec.layers[0]["adapt_off"] == -1
    assert spec.n_params == sum(c.size for c in reg.coefs_) + sum(
        b.size for b in reg.intercepts_
    )


def test_lr_factor_of_the_scale_group_scales_the_adapters_steps():
    # plain SGD, one full-batch step: the adapters move by factor * lr * gradient
    rng = np.random.default_rng(0)
    X = rng.normal(size=(32, 4))
    y = X[:, 0] - X[:, 1]
    common = dict(
        hidden_layer_sizes=(5,), solver="sgd", momentum=0.0, batch_size=32,
        front_scale=True, random_state=0, shuffle=False,
    )  # fmt: skip
    a = MLPRegressor(**common).partial_fit(X, y)
    b = MLPRegressor(lr_factors={"scale": 3.0}, **common).partial_fit(X, y)
    np.testing.assert_allclose(b.input_scale_ - 1.0, 3.0 * (a.input_scale_ - 1.0))
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
