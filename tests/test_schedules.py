"""Schedules against their closed forms; solvers and schedules in the estimators."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skdnn import MLPClassifier
from skdnn.optimizers import RECOMMENDED_LEARNING_RATES, Adam, RMSProp
from skdnn.schedules import (
    Context,
    Cosine,
    Exponential,
    FlatCosine,
    OneCycle,
    Piecewise,
    Plateau,
    Power,
    Schedule,
    StepDecay,
)


def _ctx(step=0, n_steps=10, epoch=0, total=100, lr0=0.1):
    return Context(lr0, lr0, epoch, step, n_steps, total, 0)


def test_power():
    t = np.arange(30, 40)
    np.testing.assert_allclose(
        Power(decay_steps=20, power=1.5).rates(_ctx(step=30)),
        0.1 / (1 + t / 20) ** 1.5,
    )


def test_exponential():
    t = np.arange(10)
    np.testing.assert_allclose(
        Exponential(decay_steps=5).rates(_ctx()), 0.1 * 0.1 ** (t / 5)
    )


def test_step_decay_and_piecewise():
    rates = [
        StepDecay(drop=0.5, epochs_drop=3).rates(_ctx(epoch=e))[0] for e in range(7)
    ]
    np.testing.assert_allclose(rates, 0.1 * 0.5 ** np.array([0, 0, 0, 1, 1, 1, 2]))
    pw = Piecewise(boundaries=(2, 5), values=(1.0, 0.5, 0.1))
    rates = [pw.rates(_ctx(epoch=e))[0] for e in range(7)]
    assert rates == [1.0, 1.0, 0.5, 0.5, 0.5, 0.1, 0.1]
    with pytest.raises(ValueError, match="len\\(values\\)"):
        Piecewise(boundaries=(2, 5), values=(1.0, 0.5)).rates(_ctx())


def test_cosine():
    t = np.arange(100)
    rates = np.concatenate(
        [Cosine(min_lr=0.01).rates(_ctx(step=s)) for s in range(0, 100, 10)]
    )
    np.testing.assert_allclose(rates, 0.01 + 0.09 * 0.5 * (1 + np.cos(np.pi * t / 100)))


def _cycle_rates(schedule, total=100, n_steps=10, lr0=0.1):
    """Every update's rate over a cycle of ``total`` updates, epoch by epoch."""
    return np.concatenate(
        [schedule.rates(_ctx(step=s, n_steps=n_steps, total=total, lr0=lr0))
         for s in range(0, total, n_steps)]
    )  # fmt: skip


@pytest.mark.parametrize("flat", [0.5, 0.3, 0.0])
def test_flat_cosine(flat):
    t = np.arange(100) / 100
    rates = _cycle_rates(FlatCosine(flat=flat, min_lr=0.01))
    # lr0 while t <= flat, then a half cosine from lr0 to min_lr at t = 1
    u = (t - flat) / (1 - flat)
    expected = np.where(t <= flat, 0.1, 0.01 + 0.09 * (1 + np.cos(np.pi * u)) / 2)
    np.testing.assert_allclose(rates, expected, rtol=1e-12)
    assert (rates[t <= flat] == 0.1).all()
    assert np.all(np.diff(rates) <= 0) and rates[-1] > 0.01
    if flat == 0.0:  # no flat part: the cosine schedule
        np.testing.assert_allclose(rates, _cycle_rates(Cosine(min_lr=0.01)))


@pytest.mark.parametrize("cls", [Cosine, FlatCosine])
@pytest.mark.parametrize("warmup", [0.25, 0.055])
def test_warmup_multiplies_the_first_updates(cls, warmup):
    base = _cycle_rates(cls(min_lr=0.01))
    rates = _cycle_rates(cls(min_lr=0.01, warmup=warmup))
    # update s of the T = 100 in the cycle: times min(1, (s + 1) / (warmup T))
    factor = np.minimum(1.0, (np.arange(100) + 1) / (warmup * 100))
    np.testing.assert_allclose(rates, base * factor, rtol=1e-12)
    n_warm = int(np.ceil(warmup * 100)) - 1  # updates below the full rate
    assert (rates[:n_warm] < base[:n_warm]).all()
    np.testing.assert_array_equal(rates[n_warm:], base[n_warm:])
    assert rates[0] == pytest.approx(base[0] / (warmup * 100))


def test_flat_cos_by_name_and_warmup_in_training():
    X, y = load_iris(return_X_y=True)
    kw = dict(learning_rate_init=0.01, batch_size=50, max_iter=8, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        named = MLPClassifier(learning_rate="flat_cos", **kw).fit(X, y)
        obj = MLPClassifier(learning_rate=FlatCosine(), **kw).fit(X, y)
        warm = MLPClassifier(learning_rate=FlatCosine(warmup=0.2), **kw).fit(X, y)
    np.testing.assert_array_equal(named.coefs_[0], obj.coefs_[0])
    # 3 updates per epoch, T = 24: the first update of epoch e is t = 3 e
    t = 3 * np.arange(8)
    flat = np.where(t <= 12, 0.01, 0.005 * (1 + np.cos(np.pi * (t - 12) / 12)))
    rates = [h["learning_rate"] for h in named.history_]
    np.testing.assert_allclose(rates, flat, rtol=1e-12)
    warmed = flat * np.minimum(1.0, (t + 1) / (0.2 * 24))
    rates = [h["learning_rate"] for h in warm.history_]
    np.testing.assert_allclose(rates, warmed, rtol=1e-12)
    assert rates[0] < rates[1] < rates[2] == 0.01


def test_onecycle_rates_and_momentum_go_opposite_ways():
    sched = OneCycle(max_lr=1.0, div_factor=10, final_div_factor=100)
    ctx = _ctx(n_steps=200, total=200)
    lr = sched.rates(ctx)
    mom = sched.momenta(0.9, ctx)
    # warm-up: 0.1 -> 1.0 linearly over the first 45 % (90 steps)
    np.testing.assert_allclose(lr[:91], 0.1 + 0.9 * np.arange(91) / 90)
    assert lr.argmax() == 90 and lr.max() == pytest.approx(1.0)
    # back down to 0.1 at step 180, then annealing towards 0.1 / 100
    assert lr[180] == pytest.approx(0.1)
    assert lr[-1] == pytest.approx(0.1 - (0.1 - 0.001) * 19 / 20)
    np.testing.assert_array_less(np.diff(lr[180:]), 0)
    # momentum: 0.95 -> 0.85 -> 0.95, then flat
    assert mom[0] == pytest.approx(0.95) and mom[90] == pytest.approx(0.85)
    assert mom[180] == pytest.approx(0.95) and np.all(mom[180:] == 0.95)
    d_lr, d_mom = np.diff(lr[:180]), np.diff(mom[:180])
    assert np.all(np.sign(d_lr) == -np.sign(d_mom))


def test_plateau_reduces_after_patience():
    sched = Plateau(factor=0.5, patience=2, min_lr=0.02)
    state = {"lr": 0.1}
    losses = [1.0, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    rates = []
    for loss in losses:
        sched.after_epoch(state, loss, False, 1e-4)
        rates.append(state["lr"])
    # no improvement from epoch 3 on: halve every 2 epochs, floor at min_lr
    assert rates == [0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02]


def test_schedules_drive_every_solver():
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(
            solver="rmsprop", learning_rate="onecycle", max_iter=10, batch_size=50,
            learning_rate_init=0.01,
        ).fit(X, y)  # fmt: skip
    rates = [h["learning_rate"] for h in clf.history_]
    moms = [h["momentum"] for h in clf.history_]
    assert rates[0] == pytest.approx(0.001) and max(rates) > 0.008
    assert moms[0] == pytest.approx(0.95) and min(moms) < 0.87


def test_warm_start_rereads_learning_rate_init():
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(warm_start=True, max_iter=2, learning_rate="adaptive")
        clf.fit(X, y)
        clf.set_params(learning_rate_init=0.1).fit(X, y)
    assert clf.history_[-1]["learning_rate"] == 0.1


def test_changing_optimizer_under_warm_start_resets_its_state():
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(warm_start=True, max_iter=3, random_state=0).fit(X, y)
        assert clf._net.step[0] > 0
        clf.set_params(solver="adagrad").fit(X, y)
    assert clf._net.step[0] == 3  # one full-batch step per epoch since the switch
    assert np.all(np.isfinite(clf.coefs_[0]))


def test_optimizer_objects_are_tunable():
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(
        MLPClassifier(solver=Adam(), max_iter=50, random_state=0),
        {"solver__beta_2": [0.99, 0.999], "solver__amsgrad": [False, True]},
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert set(search.best_params_) == {"solver__beta_2", "solver__amsgrad"}
    clf = MLPClassifier(solver=RMSProp(rho=0.5), learning_rate=OneCycle(max_lr=0.1))
    assert clf.get_params()["solver__rho"] == 0.5
    assert clf.get_params()["learning_rate__max_lr"] == 0.1


# the documented recommended learning rates; lbfgs has none
RECOMMENDED = {**RECOMMENDED_LEARNING_RATES, "lbfgs": 0.001}


@pytest.mark.parametrize("solver", sorted(RECOMMENDED))
def test_every_solver_learns_digits(solver):
    X, y = load_digits(return_X_y=True)
    clf = MLPClassifier(
        solver=solver, learning_rate_init=RECOMMENDED[solver], random_state=0
    )
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        score = cross_val_score(make_pipeline(StandardScaler(), clf), X, y, cv=cv)
    assert score.mean() >= 0.95, score.mean()


def test_clipping_bounds_the_first_step():
    X, y = load_iris(return_X_y=True)
    X = X * 100  # large gradients
    kw = dict(solver="sgd", momentum=0.0, learning_rate_init=0.1, max_iter=1,
              batch_size=150, random_state=0, shuffle=False)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        w0 = MLPClassifier(**{**kw, "learning_rate_init": 1e-300}).fit(X, y)._net.theta
        clipped = MLPClassifier(clipnorm=0.5, **kw).fit(X, y)._net.theta
        valued = MLPClassifier(clipvalue=0.01, **kw).fit(X, y)._net.theta
    # same seed, same initial theta; one full-batch SGD step moves it by
    # lr * (clipped gradient) step moves theta by lr * clipped gradient
    assert np.linalg.norm(clipped - w0) == pytest.approx(0.1 * 0.5, rel=1e-6)
    assert np.abs(valued - w0).max() == pytest.approx(0.1 * 0.01, rel=1e-6)


def test_learning_rate_finder():
    from skdnn import find_learning_rate

    X, y = load_digits(return_X_y=True)
    est = MLPClassifier(batch_size=32, random_state=0)
    res = find_learning_rate(est, X / 16, y, min_lr=1e-5, max_lr=10.0, n_steps=200)
    n = len(res.losses)
    assert n == len(res.learning_rates) == len(res.smoothed_losses) <= 200
    np.testing.assert_allclose(
        res.learning_rates, 1e-5 * (10.0 / 1e-5) ** (np.arange(n) / 199)
    )
    # the loss falls in the middle of the sweep and rises again at too large rates
    low = res.smoothed_losses.argmin()
    assert res.smoothed_losses[low] < 0.8 * res.smoothed_losses[0]
    assert res.smoothed_losses[-1] > 1.5 * res.smoothed_losses[low]
    assert res.suggestion == pytest.approx(res.learning_rates[low] / 10)
    # with a lower divergence factor the sweep stops as soon as the loss exceeds it
    short = find_learning_rate(
        est, X / 16, y, min_lr=1e-5, max_lr=10.0, n_steps=200, diverge_factor=1.5
    )
    assert len(short.losses) < n
    assert short.smoothed_losses[-1] > 1.5 * short.smoothed_losses.min()
    assert not hasattr(est, "coefs_")  # the estimator itself is untouched


def test_learning_rate_finder_errors():
    from skdnn import find_learning_rate

    X, y = load_iris(return_X_y=True)
    with pytest.raises(ValueError, match="stochastic solver"):
        find_learning_rate(MLPClassifier(solver="lbfgs"), X, y)
    with pytest.raises(ValueError, match="larger than min_lr"):
        find_learning_rate(MLPClassifier(), X, y, min_lr=1.0, max_lr=0.1)


def test_plotting_helpers():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from skdnn import find_learning_rate
    from skdnn.plotting import plot_history, plot_learning_rate_finder

    X, y = load_iris(return_X_y=True)
    res = find_learning_rate(MLPClassifier(batch_size=10), X, y, n_steps=30)
    ax = plot_learning_rate_finder(res)
    assert ax.get_xscale() == "log" and len(ax.lines) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(max_iter=5, early_stopping=True).fit(X, y)
    ax = plot_history(clf)
    assert len(ax.lines) == 1 and len(ax.figure.axes) == 3


@pytest.mark.parametrize("schedule", ["onecycle", "cosine", "flat_cos"])
def test_whole_run_schedules_ignore_the_stopping_rule(schedule):
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(
            learning_rate=schedule, max_iter=40, tol=10.0, n_iter_no_change=2
        ).fit(X, y)
        const = MLPClassifier(max_iter=40, tol=10.0, n_iter_no_change=2).fit(X, y)
    assert clf.n_iter_ == 40  # tol=10 would stop any other schedule at epoch 4
    assert const.n_iter_ == 4


# --- user-defined schedules: the public protocol --------------------------------


class Triangular(Schedule):
    """Smith's triangular cyclic rates, written from the formula; records ctx."""

    def __init__(self, base_lr=0.001, max_lr=0.01, half_cycle=6):
        self.base_lr = base_lr
        self.max_lr = max_lr
        self.half_cycle = half_cycle

    def rates(self, ctx):
        self.__dict__.setdefault("contexts_", []).append(ctx)
        x = np.abs(ctx.steps() / self.half_cycle % 2 - 1)  # 1 at the ends, 0 at peak
        return self.base_lr + (self.max_lr - self.base_lr) * (1 - x)


def _triangular(t, base_lr=0.001, max_lr=0.01, half_cycle=6):
    t = np.asarray(t, dtype=float)
    frac = (t % (2 * half_cycle)) / half_cycle  # 0..2 over one cycle
    return base_lr + (max_lr - base_lr) * np.where(frac <= 1, frac, 2 - frac)


def test_custom_schedule_rates_and_context():
    X, y = load_iris(return_X_y=True)
    sched = Triangular()
    clf = MLPClassifier(
        solver="sgd", learning_rate=sched, learning_rate_init=0.05, batch_size=40,
        max_iter=12, tol=0.0, n_iter_no_change=100, random_state=0,
    ).fit(X, y)  # fmt: skip
    assert clf.n_iter_ == 12
    # 150 samples in batches of 40: 4 updates per epoch
    assert len(sched.contexts_) == 12
    for e, ctx in enumerate(list(sched.contexts_)):
        assert (ctx.epoch, ctx.step, ctx.n_steps) == (e, 4 * e, 4)
        assert (ctx.total_steps, ctx.samples) == (48, 150 * e)
        assert ctx.lr_init == ctx.lr == 0.05
        np.testing.assert_allclose(sched.rates(ctx), _triangular(4 * e + np.arange(4)))
    recorded = [h["learning_rate"] for h in clf.history_]
    np.testing.assert_allclose(recorded, _triangular(4 * np.arange(12)))
    assert recorded[:4] == pytest.approx([0.001, 0.007, 0.007, 0.001])
    # every update: up from 0.001 to 0.01 in 6 steps, down again in the next 6
    steps = np.concatenate([sched.rates(c) for c in sched.contexts_[:12]])
    assert steps[0] == pytest.approx(0.001) and steps[6] == pytest.approx(0.01)
    assert steps[12] == pytest.approx(0.001) and steps.argmax() == 6
    assert "momentum" not in clf.history_[0]
    # cloning and grid search see the schedule's parameters
    assert clf.get_params()["learning_rate__half_cycle"] == 6


class MyCosine(Schedule):
    """The 'cosine' schedule re-implemented through the public protocol."""

    spans_max_iter = True

    def __init__(self, min_lr=0.0):
        self.min_lr = min_lr

    def rates(self, ctx):
        frac = np.minimum(ctx.steps() / max(ctx.total_steps, 1), 1.0)
        return self.min_lr + (ctx.lr_init - self.min_lr) * 0.5 * (
            1 + np.cos(np.pi * frac)
        )


class MyCosineStoppable(MyCosine):
    spans_max_iter = False


def test_custom_schedule_drives_training_like_the_builtin():
    X, y = load_iris(return_X_y=True)
    kw = dict(max_iter=20, tol=10.0, n_iter_no_change=2, batch_size=32,
              learning_rate_init=0.01, random_state=0)  # fmt: skip
    builtin = MLPClassifier(learning_rate=Cosine(min_lr=1e-4), **kw).fit(X, y)
    custom = MLPClassifier(learning_rate=MyCosine(min_lr=1e-4), **kw).fit(X, y)
    assert builtin.n_iter_ == custom.n_iter_ == 20  # spans_max_iter: no early stop
    for a, b in zip(builtin.coefs_, custom.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
    # without spans_max_iter the tol=10 rule stops it after 4 epochs
    stopped = MLPClassifier(learning_rate=MyCosineStoppable(min_lr=1e-4), **kw)
    assert stopped.fit(X, y).n_iter_ == 4


class WarmMomentum(Schedule):
    """Constant rate; momentum from ``start`` rising linearly to ``end``."""

    def __init__(self, start=0.5, end=0.9, steps=20):
        self.start = start
        self.end = end
        self.steps = steps

    def rates(self, ctx):
        return np.full(ctx.n_steps, ctx.lr_init)

    def momenta(self, momentum, ctx):
        frac = np.minimum(ctx.steps() / self.steps, 1.0)
        return self.start + (self.end - self.start) * frac


def test_custom_schedule_with_momenta():
    X, y = load_iris(return_X_y=True)
    kw = dict(solver="sgd", learning_rate_init=0.05, batch_size=50, max_iter=10,
              random_state=0)  # fmt: skip
    clf = MLPClassifier(learning_rate=WarmMomentum(), momentum=0.2, **kw).fit(X, y)
    moms = [h["momentum"] for h in clf.history_]
    np.testing.assert_allclose(moms, 0.5 + 0.4 * np.minimum(3 * np.arange(10) / 20, 1))
    # the momenta replace the optimizer's momentum=0.2 in every update
    flat = WarmMomentum(start=0.7, end=0.7)
    a = MLPClassifier(learning_rate=flat, momentum=0.2, **kw).fit(X, y)
    b = MLPClassifier(momentum=0.7, **kw).fit(X, y)
    c = MLPClassifier(momentum=0.2, **kw).fit(X, y)
    np.testing.assert_array_equal(a.coefs_[0], b.coefs_[0])
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


class Halving(Schedule):
    """Decays state['lr'] by ``decay`` after every epoch; halves it on a stall,
    stops once it is at most ``min_lr``."""

    def __init__(self, decay=1.0, min_lr=0.1):
        self.decay = decay
        self.min_lr = min_lr

    def rates(self, ctx):
        return np.full(ctx.n_steps, ctx.lr)

    def after_epoch(self, state, metric, higher_is_better, tol):
        assert higher_is_better is False and np.isfinite(metric)
        state["halving_epochs"] = state.get("halving_epochs", 0) + 1
        state["lr"] *= self.decay

    def on_no_improvement(self, lr):
        if lr > self.min_lr:
            return lr / 2, False
        return lr, True


def test_custom_after_epoch_and_on_no_improvement():
    X, y = load_iris(return_X_y=True)
    kw = dict(solver="sgd", learning_rate_init=0.5, tol=10.0, n_iter_no_change=1,
              max_iter=50)  # fmt: skip
    clf = MLPClassifier(learning_rate=Halving(), **kw).fit(X, y)
    rates = [h["learning_rate"] for h in clf.history_]
    # as for 'adaptive' (see test_learning_rate_schedules), but halving
    assert rates == [0.5, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.0625, 0.0625]
    assert clf.n_iter_ == 9 and clf._train.schedule["halving_epochs"] == 9
    # after_epoch alone: state["lr"] decays by 0.9 per epoch
    clf = MLPClassifier(learning_rate=Halving(decay=0.9), max_iter=6, tol=0.0,
                        n_iter_no_change=100).fit(X, y)  # fmt: skip
    rates = [h["learning_rate"] for h in clf.history_]
    np.testing.assert_allclose(rates, 0.001 * 0.9 ** np.arange(6))


class _Rates(Schedule):
    def __init__(self, fn=None, moms=None):
        self.fn = fn
        self.moms = moms

    def rates(self, ctx):
        return self.fn(ctx)

    def momenta(self, momentum, ctx):
        return None if self.moms is None else self.moms(ctx)


def _const(ctx):
    return np.full(ctx.n_steps, 0.01)


@pytest.mark.parametrize(
    "fn, moms, match",
    [
        (lambda c: np.full(c.n_steps + 1, 0.01), None, r"\(3,\); got shape \(4,\)"),
        (lambda c: 0.01, None, r"shape \(3,\); got shape \(\)"),
        (lambda c: np.full((c.n_steps, 1), 0.01), None, r"got shape \(3, 1\)"),
        (lambda c: np.r_[0.01, np.nan, 0.01], None, r"positive .* nan at update 1"),
        (lambda c: np.r_[0.01, 0.01, np.inf], None, r"positive .* inf at update 2"),
        (lambda c: np.zeros(c.n_steps), None, r"positive .* 0\.0 at update 0"),
        (lambda c: -_const(c), None, r"positive .* -0\.01"),
        (_const, lambda c: np.full(c.n_steps, 1.5), r"momenta in \[0, 1\]; got 1\.5"),
        (_const, lambda c: np.full(c.n_steps, np.nan), r"momenta in \[0, 1\]; got nan"),
        (_const, lambda c: np.full(2, 0.9), r"one momentum per update"),
    ],
)  # fmt: skip
def test_custom_schedule_errors(fn, moms, match):
    X, y = load_iris(return_X_y=True)
    clf = MLPClassifier(learning_rate=_Rates(fn, moms), batch_size=50, max_iter=2)
    with pytest.raises(ValueError, match=r"^_Rates\.(rates|momenta)\(") as exc:
        clf.fit(X, y)
    assert exc.match(match)


def test_custom_schedule_must_implement_rates():
    class NoRates(Schedule):
        def momenta(self, momentum, ctx):
            return None

    X, y = load_iris(return_X_y=True)
    with pytest.raises(NotImplementedError, match=r"NoRates must implement rates"):
        MLPClassifier(learning_rate=NoRates(), max_iter=2).fit(X, y)


def test_schedule_objects_must_subclass_schedule():
    class Duck:
        def rates(self, ctx):
            return np.full(ctx.n_steps, 0.01)

    X, y = load_iris(return_X_y=True)
    with pytest.raises(InvalidParameterError, match="learning_rate"):
        MLPClassifier(learning_rate=Duck(), max_iter=2).fit(X, y)


@pytest.mark.parametrize("schedule", ["cosine", "onecycle", "flat_cos"])
def test_span_schedules_do_not_warn_at_max_iter(schedule):
    # a schedule shaped over max_iter epochs runs them all by design
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        MLPClassifier(max_iter=3, learning_rate=schedule, random_state=0).fit(X, y)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        MLPClassifier(max_iter=3, random_state=0).fit(X, y)
