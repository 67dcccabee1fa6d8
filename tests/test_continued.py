"""Continued training: warm-started fits and partial_fit under every schedule,
after set_params, and early stopping's corner cases (non-finite validation
scores, splits without weight)."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skdnn import MLPRegressor
from skdnn._network import Network
from skdnn.schedules import Context, Cosine, FlatCosine, Plateau


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.randn(120, 4)
    y = X @ rng.randn(4) + 0.1 * rng.randn(120)
    return X, y


def _rates(est, last=None):
    rates = [h["learning_rate"] for h in est.history_]
    return rates if last is None else rates[-last:]


# flat_cos with a short flat part and a warm-up: every epoch starts at another rate
WARM_FLAT_COS = FlatCosine(flat=0.2, warmup=0.1)


@pytest.mark.parametrize(
    "schedule", ["cosine", "onecycle", Cosine(warmup=0.3), WARM_FLAT_COS]
)
def test_warm_started_fit_runs_a_fresh_cycle(data, schedule):
    X, y = data
    est = MLPRegressor(
        hidden_layer_sizes=(8,),
        learning_rate=schedule,
        learning_rate_init=0.01,
        max_iter=5,
        batch_size=40,
        warm_start=True,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        first = _rates(est)
        W = [c.copy() for c in est.coefs_]
        est.fit(X, y)
    assert est.n_iter_ == 5 and len(est.loss_curve_) == 10
    # the second fit follows the whole cycle again, from its start
    assert _rates(est, 5) == first
    assert len(set(first)) == 5 and min(first) > 0
    # and the weights move in every layer
    for W0, W1 in zip(W, est.coefs_, strict=True):
        assert np.abs(W1 - W0).max() > 1e-4


def test_onecycle_second_fit_is_not_at_its_floor(data):
    X, y = data
    est = MLPRegressor(
        hidden_layer_sizes=(8,),
        learning_rate="onecycle",
        learning_rate_init=0.01,
        max_iter=6,
        batch_size=40,
        warm_start=True,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        floor = _rates(est)[-1]
        est.fit(X, y)
    assert max(_rates(est, 6)) == pytest.approx(0.01, rel=0.2)
    assert max(_rates(est, 6)) > 2 * floor


@pytest.mark.parametrize("schedule", ["cosine", "onecycle", WARM_FLAT_COS])
def test_partial_fit_restarts_the_cycle_every_max_iter_calls(data, schedule):
    X, y = data
    est = MLPRegressor(
        hidden_layer_sizes=(8,),
        learning_rate=schedule,
        learning_rate_init=0.01,
        max_iter=3,
        batch_size=40,
        random_state=0,
    )
    est.partial_fit(X, y)
    for _ in range(6):
        W = est.coefs_[0].copy()
        est.partial_fit(X, y)
        assert np.abs(est.coefs_[0] - W).max() > 1e-5  # every call trains
    cycle = _rates(est)[:3]
    assert _rates(est) == cycle * 2 + cycle[:1]
    assert len(set(cycle)) == 3


def test_flat_cos_and_warmup_restart_with_every_cycle(data):
    # 3 updates per epoch, 4 epochs: T = 12; the first update of epoch e is
    # t = 3 e, at lr0 while t / T <= 0.5, its warm-up factor min(1, (t + 1) / 6)
    X, y = data
    kw = dict(hidden_layer_sizes=(8,), learning_rate_init=0.01, max_iter=4,
              batch_size=40, random_state=0)  # fmt: skip
    t = 3 * np.arange(4)
    cos = np.where(t <= 6, 0.01, 0.005 * (1 + np.cos(np.pi * (t - 6) / 6)))
    expected = list(cos * np.minimum(1.0, (t + 1) / 6))
    est = MLPRegressor(learning_rate=FlatCosine(warmup=0.5), warm_start=True, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y).fit(X, y)
    np.testing.assert_allclose(_rates(est), expected * 2, rtol=1e-12)
    inc = MLPRegressor(learning_rate=FlatCosine(warmup=0.5), **kw)
    for _ in range(9):
        inc.partial_fit(X, y)
    np.testing.assert_allclose(_rates(inc), expected * 2 + expected[:1], rtol=1e-12)


def _scales(est):
    return [h["dropout_scale"] for h in est.history_]


def test_dropout_schedule_restarts_with_every_cycle(data):
    # like the learning-rate cycles: every fit runs one, partial_fit starts one
    # every max_iter calls; 'linear' over 3 epochs multiplies by 1, 1/2, 0
    X, y = data
    kw = dict(hidden_layer_sizes=(8,), dropout=0.2, input_dropout=0.1, max_iter=3,
              dropout_schedule="linear", batch_size=40, random_state=0)  # fmt: skip
    est = MLPRegressor(warm_start=True, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y).fit(X, y)
    assert _scales(est) == [1.0, 0.5, 0.0] * 2
    inc = MLPRegressor(**kw)
    for _ in range(7):
        inc.partial_fit(X, y)
    assert _scales(inc) == [1.0, 0.5, 0.0] * 2 + [1.0]
    # the records keep the given rates between the calls
    np.testing.assert_allclose(inc._net.spec.layers["drop_rate"], [0.1, 0.2])
    # a warm-started fit without the schedule trains at the given rates again
    est.set_params(dropout_schedule=None, max_iter=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    assert "dropout_scale" not in est.history_[-1] and len(est.history_) == 7


def test_power_schedule_continues_across_warm_started_fits(data):
    # step-based schedules continue from the network's step count: two fits of
    # 3 epochs follow the rates of one fit of 6 epochs
    X, y = data
    kw = dict(
        hidden_layer_sizes=(8,),
        learning_rate="power",
        learning_rate_init=0.01,
        batch_size=40,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        one = MLPRegressor(max_iter=6, **kw).fit(X, y)
        two = MLPRegressor(max_iter=3, warm_start=True, **kw).fit(X, y).fit(X, y)
    assert _rates(two) == _rates(one)
    np.testing.assert_array_equal(two.coefs_[0], one.coefs_[0])


def test_context_cycle_position_defaults_to_the_global_one():
    ctx = Context(0.1, 0.1, epoch=4, step=40, n_steps=10, total_steps=100, samples=0)
    assert ctx.cycle_epoch == 4 and ctx.cycle_step == 40
    np.testing.assert_array_equal(ctx.cycle_steps(), ctx.steps())
    ctx = Context(0.1, 0.1, 4, 40, 10, 100, 0, cycle_epoch=1, cycle_step=10)
    np.testing.assert_array_equal(ctx.cycle_steps(), np.arange(10, 20))


def _stalling(schedule, **kw):
    # tol=10 never counts an improvement, so the rate is lowered quickly
    return MLPRegressor(
        hidden_layer_sizes=(8,),
        solver="sgd",
        learning_rate=schedule,
        learning_rate_init=0.01,
        tol=10.0,
        n_iter_no_change=2,
        batch_size=40,
        random_state=0,
        **kw,
    )


@pytest.mark.parametrize("schedule", ["adaptive", Plateau(patience=2)])
def test_warm_start_keeps_the_lowered_rate(data, schedule):
    X, y = data
    est = _stalling(schedule, max_iter=8, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        lowered = est._train.schedule["lr"]
        assert lowered < 0.01
        est.fit(X, y)
    assert _rates(est, est.n_iter_)[0] == lowered


def test_changed_learning_rate_init_takes_effect_in_partial_fit(data):
    X, y = data
    est = _stalling("adaptive", max_iter=8)
    for _ in range(5):
        est.partial_fit(X, y)
    assert _rates(est)[-1] < 0.01
    est.partial_fit(X, y)  # unchanged learning_rate_init: the lowered rate stays
    assert _rates(est)[-1] < 0.01
    est.set_params(learning_rate_init=0.02).partial_fit(X, y)
    assert _rates(est)[-1] == 0.02


@pytest.fixture(scope="module")
def poisson_extreme():
    """Counts whose validation split holds one extreme row: exp overflows."""
    rng = np.random.RandomState(0)
    X = rng.randn(200, 3)
    X[8] = 1e5  # held out by the split of random_state=0
    y = rng.poisson(2, 200).astype(float)
    return X, y


def test_nan_validation_score_warns_and_keeps_the_last_epoch(
    poisson_extreme, monkeypatch
):
    X, y = poisson_extreme
    thetas = []
    train_epoch = Network.train_epoch

    def recording(self, *args):
        if not thetas:
            thetas.append(self.theta.copy())  # the initial parameters
        out = train_epoch(self, *args)
        thetas.append(self.theta.copy())
        return out

    monkeypatch.setattr(Network, "train_epoch", recording)
    est = MLPRegressor(
        hidden_layer_sizes=(8,),
        loss="poisson",
        early_stopping=True,
        max_iter=20,
        random_state=0,
        init="auto",  # the initialisation this overflowing case was found with
        bias_init=0.0,
    )
    with pytest.warns(UserWarning, match="not finite in any of the .* epochs") as rec:
        est.fit(X, y)
    msg = str(rec[0].message)
    assert "last epoch" in msg and "poisson" in msg
    assert np.isnan(est.validation_scores_).all()
    assert len(thetas) == est.n_iter_ + 1
    np.testing.assert_array_equal(est._net.theta, thetas[-1])
    assert not np.array_equal(est._net.theta, thetas[0])


def test_some_nan_validation_scores_warn_and_restore_the_best_finite(data, monkeypatch):
    X, y = data
    scores = iter([0.5, np.nan, 0.7, np.nan, 0.6, np.nan])
    monkeypatch.setattr(MLPRegressor, "_score", lambda *a, **k: next(scores))
    thetas = []
    train_epoch = Network.train_epoch

    def recording(self, *args):
        out = train_epoch(self, *args)
        thetas.append(self.theta.copy())
        return out

    monkeypatch.setattr(Network, "train_epoch", recording)
    est = MLPRegressor(
        hidden_layer_sizes=(8,), early_stopping=True, max_iter=6, random_state=0
    )
    with pytest.warns(UserWarning, match="not finite in 3 of the 6 epochs"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
    assert est.best_validation_score_ == 0.7
    np.testing.assert_array_equal(est._net.theta, thetas[2])


def test_warm_start_after_switching_early_stopping(data):
    X, y = data
    est = MLPRegressor(
        hidden_layer_sizes=(8,), max_iter=4, warm_start=True, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        est.set_params(early_stopping=True, n_iter_no_change=100).fit(X, y)
        assert len(est.loss_curve_) == 8
        assert len(est.validation_scores_) == 4
        assert est.best_validation_score_ == max(est.validation_scores_)
        assert est.best_loss_ is None
        est.set_params(early_stopping=False).fit(X, y)
    assert len(est.loss_curve_) == 12
    assert est.validation_scores_ is None and est.best_validation_score_ is None
    assert est.best_loss_ == min(est.loss_curve_[-4:])


@pytest.mark.parametrize("how", ["fit", "partial_fit"])
def test_continuing_an_lbfgs_fit_with_a_stochastic_solver(data, how):
    X, y = data
    est = MLPRegressor(
        hidden_layer_sizes=(8,),
        solver="lbfgs",
        max_iter=20,
        warm_start=True,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
        W = est.coefs_[0].copy()
        est.set_params(solver="adam", max_iter=3)
        getattr(est, how)(X, y)
    assert len(est.loss_curve_) == est.n_iter_ == (3 if how == "fit" else 1)
    assert np.isfinite(est.best_loss_)
    assert np.abs(est.coefs_[0] - W).max() > 0


def _split_errors(X, y, sw, validation_fraction):
    """The ValueErrors of early-stopping fits over several splits."""
    errors = []
    for seed in range(30):
        est = MLPRegressor(
            hidden_layer_sizes=(4,),
            early_stopping=True,
            max_iter=2,
            random_state=seed,
            validation_fraction=validation_fraction,
        )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                est.fit(X, y, sample_weight=sw)
        except ValueError as e:
            errors.append(str(e))
    return errors


def test_training_split_without_weight_is_a_clear_error(data):
    X, y = data[0][:20], data[1][:20]
    sw = np.zeros(20)
    sw[:2] = 1.0  # both weighted rows held out for some seeds
    errors = _split_errors(X, y, sw, 0.5)
    assert any("left for training all have zero sample_weight" in e for e in errors)
    # (other seeds hold out only unweighted rows: the other clear error)
    assert all(
        "zero sample_weight" in e and "early_stopping=False" in e for e in errors
    )


def test_validation_split_without_weight_is_a_clear_error(data):
    X, y = data[0][:20], data[1][:20]
    sw = np.zeros(20)
    sw[:10] = 1.0  # the 2 held-out rows are all unweighted for some seeds
    errors = _split_errors(X, y, sw, 0.1)
    assert errors
    for e in errors:
        assert "held-out samples all have zero sample_weight" in e
        assert "validation_fraction" in e
