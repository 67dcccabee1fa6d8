"""dropout_schedule: the per-epoch multiplier of the dropout rates, the scaled
layer records, and what a schedule must leave unchanged (constant-rate models,
prediction, Monte Carlo dropout, saved models)."""

import copy
import pickle

import numpy as np
import pytest

from skdnn import MLPClassifier, MLPRegressor
from skdnn._layout import NetworkSpec

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# SELU's constants (Klambauer et al. 2017), for alpha dropout's a and b
SELU_SAT = -1.0507009873554804934193349852946 * 1.6732632423543772848170429916717


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(120, 5)
    y = X @ rng.randn(5) + 0.1 * rng.randn(120)
    return X, y


def _reg(**kw):
    params = dict(hidden_layer_sizes=(8, 6), dropout=0.3, input_dropout=0.2,
                  batch_size=40, learning_rate_init=0.01, random_state=0)  # fmt: skip
    return MLPRegressor(**{**params, **kw})


def _multipliers(kind, max_iter):
    """The multiplier of each epoch of a cycle, written from the definition."""
    t = np.arange(max_iter) / max(max_iter - 1, 1)
    if kind == "flat_cos":
        return np.where(t <= 0.5, 1.0, (1 + np.cos(np.pi * (2 * t - 1))) / 2)
    if kind == "cosine":
        return (1 + np.cos(np.pi * t)) / 2
    return 1 - t


@pytest.mark.parametrize("kind", ["flat_cos", "cosine", "linear"])
def test_history_records_the_multiplier_of_every_epoch(data, kind):
    X, y = data
    est = _reg(dropout_schedule=kind, max_iter=7).fit(X, y)
    scales = [h["dropout_scale"] for h in est.history_]
    np.testing.assert_allclose(scales, _multipliers(kind, 7), rtol=1e-12, atol=1e-15)
    assert scales[0] == 1.0 and scales[-1] == pytest.approx(0.0, abs=1e-15)
    if kind == "flat_cos":  # t = e / 6 <= 1/2 for the first 4 epochs
        assert scales[:4] == [1.0] * 4 and 0 < scales[4] < 1
    # a cycle of one epoch keeps the given rates
    one = _reg(dropout_schedule=kind, max_iter=1).fit(X, y)
    assert one.history_[0]["dropout_scale"] == 1.0


def test_scaled_records_follow_the_dropout_formulas():
    for alpha in (False, True):
        spec = NetworkSpec([4, 6, 5, 1], 0, 0.0, 0, dropout=(0.3, 0.1),
                           input_dropout=0.2, alpha_dropout=alpha)  # fmt: skip
        before = spec.layers.copy()
        for scale in (0.5, 0.0):
            layers = spec.scaled_dropout(scale)
            p = np.array([0.2, 0.3, 0.1]) * scale
            np.testing.assert_allclose(layers["drop_rate"], p, rtol=1e-15)
            if alpha:
                a = ((1 - p) * (1 + p * SELU_SAT**2)) ** -0.5
                np.testing.assert_allclose(layers["drop_a"], a, rtol=1e-14)
                np.testing.assert_allclose(
                    layers["drop_b"], -a * SELU_SAT * p, atol=1e-15
                )
                if scale == 0.0:  # the identity: a = 1, b = 0
                    assert (layers["drop_a"] == 1.0).all()
                    assert (layers["drop_b"] == 0.0).all()
            else:
                assert (layers["drop_a"] == 0).all()  # inverted dropout's unused fields
            # every other field as built, and the spec's own records unchanged
            other = [
                n
                for n in layers.dtype.names
                if n not in ("drop_rate", "drop_a", "drop_b")
            ]
            for name in other:
                np.testing.assert_array_equal(layers[name], before[name])
            np.testing.assert_array_equal(spec.layers, before)
        assert spec.scaled_dropout(1.0) is spec.layers


@pytest.mark.parametrize(
    "activation, dtype", [("relu", np.float64), ("selu", np.float32)]
)
def test_an_epoch_at_multiplier_zero_trains_as_without_dropout(data, activation, dtype):
    # partial_fit with max_iter=2: the second call is the last epoch of the
    # cycle, multiplier 0; from the same state, a model without dropout must
    # take exactly the same step (inverted dropout keeps every unit with
    # multiplier 1; alpha dropout has a = 1, b = 0)
    X, y = data
    X = X.astype(dtype)
    est = _reg(activation=activation, dropout_schedule="flat_cos", max_iter=2)
    est.partial_fit(X, y)
    plain = copy.deepcopy(est).set_params(
        dropout=0.0, input_dropout=0.0, dropout_schedule=None
    )
    est.partial_fit(X, y)
    plain.partial_fit(X, y)
    assert not plain._net.spec.has_dropout and est._net.spec.has_dropout
    assert [h["dropout_scale"] for h in est.history_] == [1.0, 0.0]
    assert est._net.theta.dtype == dtype
    np.testing.assert_array_equal(est._net.theta, plain._net.theta)
    np.testing.assert_array_equal(est._net.opt_state, plain._net.opt_state)
    # the next call starts a new cycle (multiplier 1): dropout acts again
    est.partial_fit(X, y)
    plain.partial_fit(X, y)
    assert est.history_[-1]["dropout_scale"] == 1.0
    assert not np.array_equal(est._net.theta, plain._net.theta)


def test_constant_rates_and_no_dropout_are_unchanged(data):
    X, y = data
    const = _reg(max_iter=8).fit(X, y)
    sched = _reg(dropout_schedule="flat_cos", max_iter=8).fit(X, y)
    assert "dropout_scale" not in const.history_[0]
    # epochs 0-3 (t <= 1/2) use the given rates: the same steps, bit for bit
    assert sched.loss_curve_[:4] == const.loss_curve_[:4]
    # then the rates fall, and the model differs
    assert sched.loss_curve_[4] != const.loss_curve_[4]
    assert np.abs(sched._net.theta - const._net.theta).max() > 1e-4
    # without dropout the schedule changes nothing (its multipliers are recorded)
    a = _reg(dropout=0.0, input_dropout=0.0, max_iter=4).fit(X, y)
    b = _reg(dropout=0.0, input_dropout=0.0, max_iter=4, dropout_schedule="linear")
    b.fit(X, y)
    np.testing.assert_array_equal(a._net.theta, b._net.theta)
    assert [h["dropout_scale"] for h in b.history_] == pytest.approx(
        [1, 2 / 3, 1 / 3, 0]
    )


def test_fitted_model_keeps_the_given_rates(data):
    # the records hold the constructor's rates after fit: Monte Carlo dropout
    # and saved models see them, not those of the last epoch (multiplier 0)
    X, y = data
    est = _reg(activation="selu", dropout_schedule="cosine", max_iter=3).fit(X, y)
    spec = est._net.spec
    fresh = NetworkSpec.from_state(spec.to_state())
    np.testing.assert_array_equal(spec.layers, fresh.layers)
    np.testing.assert_allclose(spec.layers["drop_rate"], [0.2, 0.3, 0.3])
    loaded = pickle.loads(pickle.dumps(est))
    mc = est.mc_predict(X, n_samples=5, random_state=0)
    np.testing.assert_array_equal(mc, loaded.mc_predict(X, n_samples=5, random_state=0))
    # the passes drop units (the rates are not 0) and predict drops none
    assert np.abs(mc - est.predict(X)).max() > 1e-3
    np.testing.assert_array_equal(est.predict(X), loaded.predict(X))


def test_with_early_stopping_and_classifier(data):
    X, y = data
    yc = (y > np.median(y)).astype(int)
    clf = MLPClassifier(
        hidden_layer_sizes=(8,), dropout=0.3, dropout_schedule="flat_cos",
        early_stopping=True, n_iter_no_change=50, max_iter=6, batch_size=40,
        random_state=0,
    ).fit(X, yc)  # fmt: skip
    assert len(clf.validation_scores_) == clf.n_iter_ == 6
    scales = [h["dropout_scale"] for h in clf.history_]
    np.testing.assert_allclose(scales, _multipliers("flat_cos", 6), atol=1e-15)
    # the best epoch is restored, and the records hold the given rate again
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    np.testing.assert_allclose(clf._net.spec.layers["drop_rate"], [0.0, 0.3])
