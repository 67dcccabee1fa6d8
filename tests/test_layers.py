"""Batch normalisation, dropout (inverted, alpha, Monte Carlo), PReLU, RReLU, maxout."""

import pickle

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_regression
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier, MLPRegressor
from skdnn._network import input_arrays
from skdnn.activations import Maxout, PReLU, RReLU
from skdnn.inspection import hidden_activations
from skdnn.optimizers import resolve_optimizer

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=300, n_features=6, noise=5.0, random_state=0)
    X = X * 3.0 + 5.0  # not standardised: input BN has work to do
    return X, y / y.std()


def _bn(x, d, eps):
    return d["gamma"] * (x - d["moving_mean"]) / np.sqrt(d["moving_variance"] + eps)


def _act(z, name):
    return np.maximum(z, 0) if name == "relu" else np.tanh(z)


@pytest.mark.parametrize("placement", ["before", "after"])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_batch_norm_inference_by_hand(regression, placement, activation):
    X, y = regression
    eps = 1e-2
    reg = MLPRegressor(
        hidden_layer_sizes=(7, 5), activation=activation, batch_norm=placement,
        input_batch_norm=True, batch_norm_epsilon=eps, batch_size=32, max_iter=15,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    bn = reg.batch_norm_
    assert len(bn) == 3 and all(d is not None for d in bn)
    a = _bn(X, bn[0], eps) + bn[0]["beta"]
    for i in range(2):
        z = a @ reg.coefs_[i]
        if placement == "before":
            # no bias: intercepts_ is BN's beta
            assert reg.intercepts_[i] is not None
            np.testing.assert_array_equal(reg.intercepts_[i], bn[i + 1]["beta"])
            a = _act(_bn(z, bn[i + 1], eps) + bn[i + 1]["beta"], activation)
        else:
            a = _act(z + reg.intercepts_[i], activation)
            a = _bn(a, bn[i + 1], eps) + bn[i + 1]["beta"]
    expected = a @ reg.coefs_[2] + reg.intercepts_[2]
    np.testing.assert_allclose(reg.predict(X), expected.ravel(), rtol=1e-10)
    # gamma and beta are trained (they moved from 1 and 0)
    assert np.abs(bn[1]["gamma"] - 1).max() > 1e-3
    assert np.abs(bn[1]["beta"]).max() > 1e-3


def test_running_statistics_converge_to_the_data(regression):
    X, y = regression
    reg = MLPRegressor(
        hidden_layer_sizes=(8,),
        input_batch_norm=True,
        batch_size=16,
        max_iter=30,
        random_state=0,
    ).fit(X, y)
    d = reg.batch_norm_[0]
    # ~570 steps with momentum 0.99: the running averages have forgotten their
    # start (0 and 1) and sit within batch noise of the data's statistics
    np.testing.assert_allclose(d["moving_mean"], X.mean(axis=0), atol=0.1 * X.std())
    np.testing.assert_allclose(d["moving_variance"], X.var(axis=0), rtol=0.15)
    # with lbfgs (one batch: the training set) they are the weighted statistics
    sw = np.random.RandomState(0).uniform(0.5, 2, size=X.shape[0])
    reg = MLPRegressor(
        hidden_layer_sizes=(8,), solver="lbfgs", input_batch_norm=True, max_iter=20
    )
    reg.fit(X, y, sample_weight=sw)
    d = reg.batch_norm_[0]
    mean = np.average(X, axis=0, weights=sw)
    np.testing.assert_allclose(d["moving_mean"], mean, rtol=1e-10)
    var = np.average((X - mean) ** 2, axis=0, weights=sw)
    np.testing.assert_allclose(d["moving_variance"], var, rtol=1e-10)


def test_batch_norm_momentum_rule_during_training():
    # one step of batch size n: running = m * start + (1 - m) * batch statistics
    # (the kernels' rule while training; a fit then recomputes the statistics)
    X = np.random.RandomState(1).normal(3.0, 2.0, size=(40, 3))
    y = X.sum(axis=1)
    reg = MLPRegressor(
        hidden_layer_sizes=(4,), input_batch_norm=True, batch_norm_momentum=0.9,
        batch_size=40, max_iter=1, shuffle=False, random_state=0,
    ).fit(X, y)  # fmt: skip
    net = reg._net
    net.bn_stats[0] = 0.0
    net.bn_stats[1] = 1.0
    source = input_arrays(X, net.dtype)
    Y = y.reshape(-1, 1).astype(net.dtype)
    sw = np.ones(40, dtype=net.dtype)
    opt = net.optimizer(0.0, 40.0, resolve_optimizer(reg))
    net.train_epoch(
        source, Y, sw, np.arange(40), False, 0, opt, np.zeros(1), np.full(1, 0.9),
        np.zeros(0, dtype=bool), 40,
    )  # fmt: skip
    d = reg.batch_norm_[0]
    np.testing.assert_allclose(d["moving_mean"], 0.1 * X.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(
        d["moving_variance"], 0.9 + 0.1 * X.var(axis=0), rtol=1e-12
    )


def _batch_statistics(x, sw, bounds):
    """Sample-weight averages of the weighted batch means and biased variances."""
    means, variances, weights = [], [], []
    for lo, hi in bounds:
        w = sw[lo:hi]
        m = np.average(x[lo:hi], axis=0, weights=w)
        means.append(m)
        variances.append(np.average((x[lo:hi] - m) ** 2, axis=0, weights=w))
        weights.append(w.sum())
    return (
        np.average(means, axis=0, weights=weights),
        np.average(variances, axis=0, weights=weights),
    )


@pytest.mark.parametrize("momentum", [0.0, 0.9, 0.99])
def test_fit_recomputes_the_running_statistics(momentum):
    # precise BN: after a fit the statistics are the weight-averaged batch
    # statistics of one pass over the training data, whatever the momentum; 33
    # rows in batches of 16: the remainder of one row joins the last batch
    rng = np.random.RandomState(0)
    X = rng.normal(3.0, 2.0, size=(33, 3))
    y = X.sum(axis=1)
    sw = rng.uniform(0.5, 2.0, size=33)
    reg = MLPRegressor(
        hidden_layer_sizes=(4,), input_batch_norm=True, batch_norm_momentum=momentum,
        batch_size=16, max_iter=3, shuffle=False, random_state=0,
    ).fit(X, y, sample_weight=sw)  # fmt: skip
    mean, var = _batch_statistics(X, sw, [(0, 16), (16, 33)])
    d = reg.batch_norm_[0]
    np.testing.assert_allclose(d["moving_mean"], mean, rtol=1e-12)
    np.testing.assert_allclose(d["moving_variance"], var, rtol=1e-12)
    assert reg._net.step[0] == 3 * 2  # two steps per epoch: 16 and 17 rows


def test_a_remainder_of_one_row_is_merged_only_with_batch_norm():
    X = np.random.RandomState(0).normal(size=(33, 3))
    y = X.sum(axis=1)
    params = dict(hidden_layer_sizes=(4,), batch_size=16, max_iter=1, random_state=0)
    assert MLPRegressor(**params).fit(X, y)._net.step[0] == 3
    assert MLPRegressor(batch_norm=True, **params).fit(X, y)._net.step[0] == 2
    assert MLPRegressor(**params).fit(X[:32], y[:32])._net.step[0] == 2


def test_a_merged_remainder_trains_as_one_batch_of_its_rows():
    # 11 rows, batch_size=10, batch normalisation: one step on a batch of 11
    # rows, the same as batch_size=11 (the merged batch's buffers used to overlap
    # by one row: its step differed by up to 0.039)
    X = np.random.RandomState(0).normal(size=(11, 3))
    y = X.sum(axis=1)
    params = dict(
        hidden_layer_sizes=(4,), batch_norm=True, solver="sgd", momentum=0.0,
        max_iter=1, shuffle=False, random_state=0,
    )  # fmt: skip
    a = MLPRegressor(batch_size=10, **params).fit(X, y)
    b = MLPRegressor(batch_size=11, **params).fit(X, y)
    assert a._net.step[0] == b._net.step[0] == 1
    np.testing.assert_allclose(a._net.theta, b._net.theta, rtol=1e-12, atol=1e-15)


def test_recomputed_statistics_are_those_of_the_network_without_dropout():
    # one batch (the training set): the hidden layers' statistics are those of
    # the final weights with batch statistics and no dropout, as predict sees them
    X, y = make_regression(n_samples=60, n_features=4, random_state=0)
    eps = 1e-3
    reg = MLPRegressor(
        hidden_layer_sizes=(5, 4), batch_norm="before", dropout=0.5,
        batch_norm_epsilon=eps, batch_size=60, max_iter=5, random_state=0,
    ).fit(X, y / y.std())  # fmt: skip
    bn = reg.batch_norm_
    a = X
    for i in (1, 2):
        z = a @ reg.coefs_[i - 1]
        np.testing.assert_allclose(bn[i]["moving_mean"], z.mean(axis=0), rtol=1e-9)
        np.testing.assert_allclose(bn[i]["moving_variance"], z.var(axis=0), rtol=1e-9)
        h = (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0) + eps)
        a = np.maximum(bn[i]["gamma"] * h + bn[i]["beta"], 0)


@pytest.mark.parametrize("how", ["fit", "partial_fit", "early_stopping"])
def test_deep_batch_norm_model_predicts_with_statistics_of_its_weights(digits, how):
    # the case, smaller: the moving averages (momentum 0.99, 70 steps)
    # remembered their start, so that the model scored 0.1 on its own training
    # data (and early stopping saw 0.1 in every epoch) at a training loss of 1.0
    X, y = digits[0][:1400], digits[1][:1400]
    params = dict(
        hidden_layer_sizes=(32,) * 6, init="normal", bias_init=0.0, batch_norm=True,
        max_iter=10, random_state=0,
    )  # fmt: skip
    if how == "early_stopping":
        clf = MLPClassifier(early_stopping=True, n_iter_no_change=50, **params)
        clf.fit(X, y)
        assert max(clf.validation_scores_) > 0.9
    elif how == "fit":
        clf = MLPClassifier(**params).fit(X, y)
    else:
        clf = MLPClassifier(**params)
        for _ in range(10):
            clf.partial_fit(X, y, classes=np.arange(10))
    assert clf.score(X, y) > 0.95
    if how != "early_stopping":  # (which restores an earlier epoch's weights)
        # the prediction-mode loss on the training data matches the training loss
        proba = clf.predict_proba(X)
        assert -np.log(proba[np.arange(len(y)), y]).mean() < 1.2 * clf.loss_


@pytest.mark.parametrize("params", [{"batch_norm": True}, {"input_batch_norm": True}])
def test_batch_norm_refuses_batches_of_one_row(regression, params):
    X, y = regression
    with pytest.raises(ValueError, match="batch_size=1 cannot be used with batch"):
        MLPRegressor(batch_size=1, **params).fit(X, y)
    with pytest.raises(ValueError, match="at least 2 rows"):
        MLPRegressor(**params).partial_fit(X[:1], y[:1])
    # lbfgs ignores batch_size
    MLPRegressor(batch_size=1, solver="lbfgs", max_iter=2, **params).fit(X, y)


def test_partial_fit_warm_start_and_pickle_keep_the_batch_norm_state(regression):
    X, y = regression
    params = dict(hidden_layer_sizes=(6,), batch_norm="after", input_batch_norm=True,
                  dropout=0.2, random_state=0)  # fmt: skip
    full = MLPRegressor(max_iter=4, **params).fit(X, y)
    inc = MLPRegressor(**params)
    for i in range(4):
        inc.partial_fit(X, y)
        if i == 1:  # pickle in the middle of training, continue from the copy
            inc = pickle.loads(pickle.dumps(inc))
    np.testing.assert_array_equal(full._net.theta, inc._net.theta)
    np.testing.assert_array_equal(full._net.bn_stats, inc._net.bn_stats)
    warm = MLPRegressor(max_iter=2, warm_start=True, **params).fit(X, y)
    warm.fit(X, y)
    np.testing.assert_array_equal(full._net.bn_stats, warm._net.bn_stats)
    np.testing.assert_array_equal(full.predict(X), warm.predict(X))
    # fit after partial_fit starts over
    again = inc.set_params(max_iter=4).fit(X, y)
    np.testing.assert_array_equal(again._net.bn_stats, full._net.bn_stats)


def test_dropout_predict_is_deterministic_and_mc_varies(digits):
    X, y = digits
    clf = MLPClassifier((64,), dropout=0.3, input_dropout=0.1, max_iter=10,
                        random_state=0).fit(X, y)  # fmt: skip
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(X))
    p1 = clf.mc_predict_proba(X[:50], n_samples=20, random_state=1)
    p2 = clf.mc_predict_proba(X[:50], n_samples=20, random_state=2)
    p1b = clf.mc_predict_proba(X[:50], n_samples=20, random_state=1)
    np.testing.assert_array_equal(p1, p1b)
    assert np.abs(p1 - p2).max() > 1e-3
    np.testing.assert_allclose(p1.sum(axis=1), 1.0, rtol=1e-12)
    assert (clf.mc_predict(X[:50], 20, random_state=1) == clf.classes_[
        p1.argmax(axis=1)]).all()  # fmt: skip
    assert clf.score(X, y) > 0.9


def test_mc_mean_approaches_predict_as_the_rate_goes_to_zero(regression):
    X, y = regression
    gaps = []
    for rate in (0.3, 0.1, 0.01):
        # (the thresholds below were set with init="auto", the default then)
        reg = MLPRegressor(
            hidden_layer_sizes=(32,), dropout=rate, max_iter=30, random_state=0,
            init="auto", bias_init=0.0,
        ).fit(X, y)  # fmt: skip
        mean, std = reg.mc_predict(X, n_samples=200, return_std=True, random_state=0)
        assert mean.shape == std.shape == y.shape and np.all(std > 0)
        gaps.append(np.abs(mean - reg.predict(X)).mean() / np.abs(y).mean())
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 0.2 * gaps[0]


def test_mc_prediction_needs_dropout(regression):
    X, y = regression
    reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="dropout > 0"):
        reg.mc_predict(X)
    reg = MLPRegressor(
        hidden_layer_sizes=(4,), dropout=0.2, max_iter=2, random_state=0
    ).fit(X, y)
    with pytest.raises(ValueError, match="n_samples"):
        reg.mc_predict(X, n_samples=0)


def test_dropout_training_is_reproducible(digits):
    X, y = digits
    params = dict(hidden_layer_sizes=(16, 16), activation="rrelu", dropout=[0.3, 0.1],
                  input_dropout=0.1, max_iter=3, random_state=5)  # fmt: skip
    a = MLPClassifier(**params).fit(X, y)
    b = MLPClassifier(**params).fit(X, y)
    np.testing.assert_array_equal(a._net.theta, b._net.theta)
    c = MLPClassifier(**{**params, "random_state": 6}).fit(X, y)
    assert not np.array_equal(a._net.theta, c._net.theta)


def test_selu_network_self_normalises(digits):
    # Klambauer et al.: LeCun-normal weights, SELU and alpha dropout keep every
    # layer's activations near mean 0 and standard deviation 1
    X, _ = digits
    clf = MLPClassifier(
        (64,) * 12, activation="selu", init="lecun_normal", dropout=0.1,
        learning_rate_init=1e-4, max_iter=2, random_state=0,
    ).fit(X, _)  # fmt: skip
    for dropout in (False, True):
        acts = hidden_activations(clf, X, dropout=dropout, random_state=0)
        assert len(acts) == 12
        means = np.array([a.mean() for a in acts])
        stds = np.array([a.std() for a in acts])
        assert np.abs(means).max() < 0.15, means
        assert np.abs(stds - 1).max() < 0.2, stds
    # a tanh network with the same initialisation shrinks layer after layer
    tanh = MLPClassifier(
        (64,) * 12,
        activation="tanh",
        init="lecun_normal",
        max_iter=1,
        learning_rate_init=1e-9,
        random_state=0,
    )
    tanh.fit(X, _)  # fmt: skip
    assert hidden_activations(tanh, X)[-1].std() < 0.5


def test_batch_norm_trains_a_deep_relu_network(digits):
    X, y = digits
    params = dict(
        hidden_layer_sizes=(32,) * 10,
        solver="sgd",
        learning_rate_init=0.01,
        init="normal",
        batch_size=32,
        max_iter=15,
        random_state=0,
    )
    plain = MLPClassifier(**params).fit(X[:1200], y[:1200])
    bn = MLPClassifier(batch_norm=True, **params).fit(X[:1200], y[:1200])
    # N(0, 0.01^2) weights: the signal vanishes through 10 layers and plain SGD
    # stays at chance; batch normalisation restores it at every layer
    assert plain.loss_curve_[-1] > 2.2 and plain.score(X[1200:], y[1200:]) < 0.2
    assert bn.loss_curve_[-1] < 0.5 and bn.score(X[1200:], y[1200:]) > 0.85


@pytest.mark.parametrize(
    "activation", ["prelu", PReLU(alpha_init=0.1), "rrelu", RReLU(0.2, 0.3),
                   "maxout", Maxout(pieces=3)],
)  # fmt: skip
def test_stateful_activations_learn(digits, activation):
    X, y = digits
    clf = MLPClassifier((32,), activation=activation, max_iter=20, random_state=0)
    clf.fit(X[:1200], y[:1200])
    assert clf.score(X[1200:], y[1200:]) > 0.8
    name = activation if isinstance(activation, str) else activation.name
    if name == "prelu":
        (slopes,) = clf.prelu_slopes_
        start = 0.25 if isinstance(activation, str) else activation.alpha_init
        assert slopes.shape == (32,) and np.abs(slopes - start).max() > 1e-3
    else:
        assert clf.prelu_slopes_ == []
    if name == "maxout":
        k = 2 if isinstance(activation, str) else activation.pieces
        assert clf.coefs_[0].shape == (64, 32 * k)
        assert clf.coefs_[1].shape == (32, 10)
        assert hidden_activations(clf, X)[0].shape == (X.shape[0], 32)


def test_prelu_slopes_are_not_penalised():
    X, y = make_regression(n_samples=200, n_features=4, random_state=0)
    reg = MLPRegressor(hidden_layer_sizes=(8,), activation="prelu", solver="lbfgs",
                       alpha=1e4, max_iter=50, random_state=0)  # fmt: skip
    reg.fit(X, y / y.std())
    # an enormous L2 drives every weight to ~0 but does not shrink the slopes
    assert np.abs(reg.coefs_[0]).max() < 1e-2
    np.testing.assert_allclose(reg.prelu_slopes_[0], 0.25, atol=0.02)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"dropout": 1.0}, "dropout"),
        ({"dropout": -0.1}, "dropout"),
        ({"input_dropout": 1.0}, "input_dropout"),
        ({"dropout": [0.1, 0.2, 0.3]}, "one rate per hidden layer"),
        ({"dropout": [0.1, 1.5]}, r"\[0, 1\)"),
        ({"batch_norm": "sideways"}, "batch_norm"),
        ({"batch_norm_momentum": 1.0}, "batch_norm_momentum"),
        ({"batch_norm_epsilon": 0.0}, "batch_norm_epsilon"),
        ({"solver": "lbfgs", "dropout": 0.2}, "stochastic solver"),
        ({"solver": "lbfgs", "input_dropout": 0.2}, "stochastic solver"),
        ({"solver": "lbfgs", "activation": "rrelu"}, "stochastic solver"),
        ({"activation": RReLU(lower=0.5, upper=0.2)}, "lower <= upper"),
        ({"activation": Maxout(pieces=1)}, "pieces"),
    ],
)
def test_invalid_layer_parameters(regression, params, match):
    X, y = regression
    with pytest.raises(ValueError, match=match):
        MLPRegressor(hidden_layer_sizes=(4, 4), max_iter=1, **params).fit(X, y)


def test_warm_start_refuses_another_layout(regression):
    X, y = regression
    reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=1, warm_start=True).fit(X, y)
    with pytest.raises(ValueError, match="batch_norm"):
        reg.set_params(batch_norm=True).fit(X, y)
    # a new dropout rate is not a new layout
    reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=1, warm_start=True).fit(X, y)
    reg.set_params(dropout=0.3).fit(X, y)
