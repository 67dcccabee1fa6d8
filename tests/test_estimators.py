"""Behaviour of MLPClassifier and MLPRegressor as scikit-learn users rely on it."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import (
    load_diabetes,
    load_digits,
    load_iris,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier, MLPRegressor
from skdnn.activations import ACTIVATION_NAMES, ELU, LeakyReLU


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.fixture(scope="module")
def digits():
    return load_digits(return_X_y=True)


def test_digits_cross_validation_matches_scikit_learn(digits):
    # issue: default MLPClassifier within 1 point of scikit-learn's, stratified 5-fold
    X, y = digits
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    ours = cross_val_score(
        make_pipeline(StandardScaler(), MLPClassifier(random_state=0)), X, y, cv=cv
    ).mean()
    theirs = cross_val_score(
        make_pipeline(StandardScaler(), SkMLPClassifier(random_state=0)), X, y, cv=cv
    ).mean()
    assert ours > 0.95
    assert abs(ours - theirs) <= 0.01, (ours, theirs)


def test_diabetes_cross_validation_matches_scikit_learn():
    X, y = load_diabetes(return_X_y=True)
    kw = dict(random_state=0, max_iter=2000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = cross_val_score(
            make_pipeline(StandardScaler(), MLPRegressor(**kw)), X, y, cv=5
        ).mean()
        theirs = cross_val_score(
            make_pipeline(StandardScaler(), SkMLPRegressor(**kw)), X, y, cv=5
        ).mean()
    assert ours > 0.3
    assert abs(ours - theirs) <= 0.01 or ours > theirs, (ours, theirs)


def test_fitted_attributes_like_scikit_learn(iris):
    X, y = iris
    ours = MLPClassifier(hidden_layer_sizes=(7, 5), max_iter=20, random_state=0)
    theirs = SkMLPClassifier(hidden_layer_sizes=(7, 5), max_iter=20, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X, y)
        theirs.fit(X, y)
    for name in ("n_layers_", "n_outputs_", "out_activation_", "n_iter_", "t_"):
        assert getattr(ours, name) == getattr(theirs, name), name
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert [c.shape for c in ours.coefs_] == [c.shape for c in theirs.coefs_]
    assert [b.shape for b in ours.intercepts_] == [b.shape for b in theirs.intercepts_]
    assert len(ours.loss_curve_) == 20
    assert ours.best_loss_ == min(ours.loss_curve_)
    assert ours.validation_scores_ is None and ours.best_validation_score_ is None
    assert [h["epoch"] for h in ours.history_] == list(range(1, 21))
    # coefs_ are views of the one flat parameter buffer
    assert all(np.shares_memory(c, ours._net.theta) for c in ours.coefs_)


def test_binary_multiclass_multilabel(iris):
    X, y = iris
    binary = MLPClassifier(max_iter=300, random_state=0).fit(X, y == 2)
    assert binary.out_activation_ == "logistic" and binary.n_outputs_ == 1
    assert binary.predict_proba(X).shape == (150, 2)
    assert binary.score(X, y == 2) > 0.9

    multi = MLPClassifier(max_iter=300, random_state=0).fit(X, y)
    assert multi.out_activation_ == "softmax"
    proba = multi.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(multi.predict(X), multi.classes_[proba.argmax(1)])
    np.testing.assert_allclose(multi.predict_log_proba(X), np.log(proba))

    Xm, Ym = make_multilabel_classification(n_samples=200, n_classes=4, random_state=0)
    ml = MLPClassifier(max_iter=300, random_state=0).fit(Xm, Ym)
    assert ml.out_activation_ == "logistic"
    assert ml.predict(Xm).shape == Ym.shape
    assert ml.predict_proba(Xm).shape == Ym.shape
    assert ml.score(Xm, Ym) > 0.5  # subset accuracy


def test_string_labels(iris):
    X, y = iris
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = MLPClassifier(max_iter=300, random_state=0).fit(X, names)
    assert set(clf.predict(X)) <= set(names)
    assert clf.score(X, names) > 0.9


def test_multi_output_and_poisson_regression():
    X, Y = make_regression(n_samples=200, n_features=6, n_targets=3, random_state=0)
    X = StandardScaler().fit_transform(X)
    Y = Y / Y.std(axis=0)
    reg = MLPRegressor(solver="lbfgs", max_iter=500, random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (200, 3)
    assert reg.score(X, Y) > 0.95

    rng = np.random.RandomState(0)
    Xp = rng.normal(size=(400, 3))
    yp = rng.poisson(np.exp(0.5 * Xp[:, 0] - 0.3 * Xp[:, 1]))
    pois = MLPRegressor(
        loss="poisson", hidden_layer_sizes=(), solver="lbfgs", alpha=0.0
    ).fit(Xp, yp)
    assert pois.out_activation_ == "exp"
    assert np.all(pois.predict(Xp) > 0)
    np.testing.assert_allclose(pois.coefs_[0][:2, 0], [0.5, -0.3], atol=0.1)


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_equals_dense(iris, fmt):
    X, y = iris
    Xs = sp.random(150, 30, density=0.2, format=fmt, random_state=0)
    Xs = Xs + sp.csr_matrix(np.hstack([X, np.zeros((150, 26))]))
    Xs = Xs.asformat(fmt)
    kw = dict(hidden_layer_sizes=(10,), max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        dense = MLPClassifier(**kw).fit(Xs.toarray(), y)
        sparse = MLPClassifier(**kw).fit(Xs, y)
    for a, b in zip(dense.coefs_, sparse.coefs_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        dense.predict_proba(Xs.toarray()), sparse.predict_proba(Xs), rtol=1e-10
    )


def test_float32_is_trained_in_float32(iris):
    X, y = iris
    clf = MLPClassifier(max_iter=50, random_state=0).fit(X.astype(np.float32), y)
    assert clf.coefs_[0].dtype == np.float32
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    clf64 = MLPClassifier(max_iter=50, random_state=0).fit(X, y)
    assert clf64.coefs_[0].dtype == np.float64
    # same seed, same initial weights (rounded), close results
    np.testing.assert_allclose(clf.coefs_[0], clf64.coefs_[0], atol=5e-3)


def test_same_random_state_is_bitwise_identical(iris):
    X, y = iris
    kw = dict(hidden_layer_sizes=(9, 4), max_iter=15, random_state=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = MLPClassifier(early_stopping=True, **kw).fit(X, y)
        b = MLPClassifier(early_stopping=True, **kw).fit(X, y)
        c = MLPClassifier(early_stopping=True, **{**kw, "random_state": 4}).fit(X, y)
    for ca, cb in zip(a.coefs_, b.coefs_, strict=True):
        assert np.array_equal(ca, cb)
    assert a.loss_curve_ == b.loss_curve_
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_shuffle_changes_the_order(iris):
    X, y = iris
    kw = dict(max_iter=5, random_state=0, batch_size=10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = MLPClassifier(shuffle=True, **kw).fit(X, y)
        b = MLPClassifier(shuffle=False, **kw).fit(X, y)
    assert not np.array_equal(a.coefs_[0], b.coefs_[0])


@pytest.mark.parametrize("name", sorted(ACTIVATION_NAMES))
def test_every_activation_learns(iris, name):
    X, y = iris
    clf = MLPClassifier(activation=name, max_iter=300, random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.9


def test_activation_objects_and_nested_params(iris):
    X, y = iris
    clf = MLPClassifier(activation=LeakyReLU(negative_slope=0.2), max_iter=100)
    assert clf.get_params()["activation__negative_slope"] == 0.2
    clf.set_params(activation__negative_slope=0.05)
    assert clf.activation.negative_slope == 0.05
    search = GridSearchCV(
        MLPClassifier(activation=ELU(), max_iter=100, random_state=0),
        {"activation__alpha": [0.5, 1.0]},
        cv=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    assert search.best_params_["activation__alpha"] in (0.5, 1.0)


@pytest.mark.parametrize(
    "init",
    [
        "glorot_uniform",
        "glorot_normal",
        "he_uniform",
        "he_normal",
        "lecun_uniform",
        "lecun_normal",
    ],
)
def test_initial_weight_variance(init):
    from skdnn.initializers import init_weights

    fan_in, fan_out = 400, 600
    W = np.empty((fan_in, fan_out))
    init_weights(W, init, "glorot", np.random.RandomState(0))
    expected = {
        "glorot": 2.0 / (fan_in + fan_out),
        "he": 2.0 / fan_in,
        "lecun": 1.0 / fan_in,
    }[init.split("_")[0]]
    assert W.var() == pytest.approx(expected, rel=0.02)
    assert abs(W.mean()) < 0.01 * np.sqrt(expected) * 10


def test_init_auto_and_bias_init(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(
            hidden_layer_sizes=(300,), max_iter=1, init="auto", bias_init=0.5,
            random_state=0,
        ).fit(X, y)  # fmt: skip
        zero = MLPClassifier(init="zeros", max_iter=1, bias_init=0.1).fit(X, y)
    # one Adam step moves each parameter by at most ~learning_rate_init
    assert np.all(np.abs(clf.intercepts_[0] - 0.5) < 0.01)
    # ReLU hidden layer: He uniform, limit sqrt(6 / fan_in) with fan_in = 4
    assert np.abs(clf.coefs_[0]).max() <= np.sqrt(6 / 4) + 0.01
    assert clf.coefs_[0].std() == pytest.approx(np.sqrt(2 / 4), rel=0.1)
    assert np.abs(zero.coefs_[0]).max() <= 0.01


def test_class_weight_is_folded_into_sample_weight(iris):
    X, y = iris
    kw = dict(solver="lbfgs", hidden_layer_sizes=(), random_state=0, max_iter=500)
    weights = {0: 1.0, 1: 3.0, 2: 0.5}
    a = MLPClassifier(class_weight=weights, **kw).fit(X, y)
    b = MLPClassifier(**kw).fit(X, y, sample_weight=np.vectorize(weights.get)(y))
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0], rtol=1e-8)
    bal = MLPClassifier(class_weight="balanced", **kw).fit(X[:110], y[:110])
    assert bal.score(X[:110], y[:110]) > 0.9


def test_sample_weight_zero_equals_removing(iris):
    X, y = iris
    kw = dict(solver="lbfgs", hidden_layer_sizes=(5,), random_state=0, max_iter=200)
    sw = np.ones(150)
    sw[::3] = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = MLPClassifier(**kw).fit(X, y, sample_weight=sw)
        b = MLPClassifier(**kw).fit(X[sw > 0], y[sw > 0])
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0], rtol=1e-6, atol=1e-8)


def test_early_stopping_keeps_best_weights(digits):
    X, y = digits
    X = X / 16.0
    kw = dict(early_stopping=True, random_state=0, n_iter_no_change=5)
    clf = MLPClassifier(max_iter=200, **kw).fit(X, y)
    assert clf.best_loss_ is None
    assert len(clf.validation_scores_) == clf.n_iter_ < 200
    assert clf.best_validation_score_ == max(clf.validation_scores_)
    best_epoch = int(np.argmax(clf.validation_scores_)) + 1
    assert best_epoch < clf.n_iter_  # training went on past the best epoch
    # the same seed stopped at the best epoch has exactly the restored parameters
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        at_best = MLPClassifier(max_iter=best_epoch, **kw).fit(X, y)
    for a, b in zip(clf.coefs_, at_best.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
    assert clf.score(X, y) > 0.9


def test_partial_fit_matches_fit_epochs(iris):
    X, y = iris
    kw = dict(hidden_layer_sizes=(8,), random_state=0, shuffle=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        full = MLPClassifier(max_iter=3, **kw).fit(X, y)
    inc = MLPClassifier(**kw)
    for _ in range(3):
        inc.partial_fit(X, y, classes=np.unique(y))
    for a, b in zip(full.coefs_, inc.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
    assert inc.n_iter_ == 1 and inc.t_ == 450


def test_partial_fit_not_available_for_lbfgs():
    clf = MLPClassifier(solver="lbfgs")
    assert not hasattr(clf, "partial_fit")
    with pytest.raises(AttributeError, match="partial_fit") as err:
        clf.partial_fit  # noqa: B018
    # scikit-learn's available_if chains the reason
    assert "lbfgs is not stochastic" in str(err.value.__cause__)


def test_warm_start_continues(iris):
    X, y = iris
    kw = dict(hidden_layer_sizes=(8,), random_state=0, max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ten = MLPClassifier(**{**kw, "max_iter": 10}).fit(X, y)
        warm = MLPClassifier(warm_start=True, **kw).fit(X, y).fit(X, y)
        cold = MLPClassifier(**kw).fit(X, y).fit(X, y)
    for a, b in zip(ten.coefs_, warm.coefs_, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(ten.coefs_[0], cold.coefs_[0])
    assert len(warm.loss_curve_) == 10


def test_learning_rate_schedules(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        inv = MLPClassifier(
            learning_rate="invscaling", power_t=0.5, learning_rate_init=0.1,
            solver="sgd", max_iter=3,
        ).fit(X, y)  # fmt: skip
    rates = [h["learning_rate"] for h in inv.history_]
    np.testing.assert_allclose(rates, [0.1, 0.1 / 151**0.5, 0.1 / 301**0.5])

    ada = MLPClassifier(
        learning_rate="adaptive", solver="sgd", learning_rate_init=0.5,
        tol=10.0, n_iter_no_change=1, max_iter=50,
    ).fit(X, y)  # fmt: skip
    rates = [h["learning_rate"] for h in ada.history_]
    # No epoch improves by tol=10. scikit-learn's rule: the count of epochs without
    # improvement starts at 0 after the first epoch and the rate drops once it
    # exceeds n_iter_no_change=1, i.e. after 3 epochs, then every 2 epochs.
    assert rates[:7] == pytest.approx([0.5, 0.5, 0.5, 0.1, 0.1, 0.02, 0.02])
    assert ada.n_iter_ < 50


def test_pipeline_search_clone_pickle(iris):
    X, y = iris
    pipe = make_pipeline(StandardScaler(), MLPClassifier(max_iter=200, random_state=0))
    search = RandomizedSearchCV(
        pipe,
        {
            "mlpclassifier__alpha": [1e-4, 1e-2],
            "mlpclassifier__init": ["auto", "he_normal"],
        },
        n_iter=3,
        cv=3,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    model = search.best_estimator_
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored.predict_proba(X), model.predict_proba(X))
    mlp = restored[-1]
    assert all(np.shares_memory(c, mlp._net.theta) for c in mlp.coefs_)
    c = clone(model)
    assert not hasattr(c[-1], "coefs_")


def test_feature_names(iris):
    pd = pytest.importorskip("pandas")
    X, y = iris
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    clf = MLPClassifier(max_iter=50).fit(df, y)
    np.testing.assert_array_equal(clf.feature_names_in_, ["a", "b", "c", "d"])
    assert clf.n_features_in_ == 4


def test_divergence_keeps_finite_parameters():
    X, y = make_regression(n_samples=100, n_features=5, random_state=0)
    reg = MLPRegressor(solver="sgd", learning_rate_init=10.0, momentum=0.9, max_iter=50)
    with pytest.warns(ConvergenceWarning, match="non-finite"):
        reg.fit(X * 1e3, y * 1e3)
    assert all(np.all(np.isfinite(c)) for c in reg.coefs_)
    assert np.all(np.isfinite(reg.predict(X)))


def test_verbose_prints_progress(iris, capsys):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier(max_iter=2, verbose=True).fit(X, y)
    out = capsys.readouterr().out
    assert "Iteration 1, loss = " in out and "Iteration 2, loss = " in out


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_model_loaded_from_a_memory_map_trains_further(tmp_path, solver):
    # joblib.load(..., mmap_mode="r") gives read-only network arrays: training
    # further copies them once (it used to fail with a Numba TypingError)
    joblib = pytest.importorskip("joblib")
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    kw = dict(hidden_layer_sizes=(6,), max_iter=5, random_state=0, solver=solver)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(**kw).fit(X, y)
        joblib.dump(clf, tmp_path / "model.joblib")
        loaded = joblib.load(tmp_path / "model.joblib", mmap_mode="r")
        assert not loaded._net.theta.flags.writeable  # the case under test
        np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
        steps = [("warm", lambda m: m.set_params(warm_start=True).fit(X, y))]
        if solver != "lbfgs":
            steps.insert(0, ("partial", lambda m: m.partial_fit(X, y)))
        for _, step in steps:
            step(clf)
            step(loaded)
            # the same training as the in-memory model, and views that follow it
            for a, b in zip(clf.coefs_, loaded.coefs_, strict=True):
                np.testing.assert_array_equal(a, b)
            np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
    assert loaded._net.theta.flags.writeable
    assert np.shares_memory(loaded.coefs_[0], loaded._net.theta)


def test_read_only_or_non_contiguous_input_compiles_no_second_specialisation():
    # Numba types a read-only array apart from a writeable one: read-only X, y or
    # sample_weight (a memory map) used to compile the kernels again (+5-6 s)
    from skdnn._core.epoch import full_loss_grad, run_epoch
    from skdnn._core.predict import predict_forward

    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    sw = np.linspace(0.5, 1.5, 50)
    kw = dict(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # compile the writeable specialisations first
        MLPRegressor(**kw).fit(X, y, sample_weight=sw).predict(X)
        MLPRegressor(solver="lbfgs", **kw).fit(X, y, sample_weight=sw)
        kernels = (run_epoch, full_loss_grad, predict_forward)
        before = [len(k.signatures) for k in kernels]
        Xr, yr, swr = X.copy(), y.copy(), sw.copy()
        for a in (Xr, yr, swr):
            a.flags.writeable = False
        reg = MLPRegressor(**kw).fit(Xr, yr, sample_weight=swr)
        reg.partial_fit(Xr, yr, sample_weight=swr)
        reg.predict(Xr)
        MLPRegressor(solver="lbfgs", **kw).fit(Xr, yr, sample_weight=swr)
        # non-contiguous inputs (Fortran order, a strided view) are copied once
        # into the layout the kernels were compiled for
        Xf = np.asfortranarray(X)
        Xs = np.repeat(X, 2, axis=1)[:, ::2]
        ys, sws = np.repeat(y, 2)[::2], np.repeat(sw, 2)[::2]
        assert not (Xs.flags.c_contiguous or ys.flags.c_contiguous)
        assert not sws.flags.c_contiguous
        for Xn, yn in ((Xf, y), (Xs, ys)):
            reg = MLPRegressor(**kw).fit(Xn, yn, sample_weight=sws)
            reg.predict(Xn)
            MLPRegressor(solver="lbfgs", **kw).fit(Xn, yn)
    assert [len(k.signatures) for k in kernels] == before


def test_classifier_has_sklearns_loss_attribute():
    clf = MLPClassifier()
    assert clf.loss == SkMLPClassifier().loss == "log_loss"
    assert "loss" not in clf.get_params()
    assert clone(clf).loss == "log_loss"


def test_model_pickled_before_progress_bar_trains_further(iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)
    state = clf.__getstate__()
    del state["progress_bar"]  # as pickled before the parameter existed
    old = MLPClassifier.__new__(MLPClassifier)
    old.__setstate__(state)
    assert old.get_params()["progress_bar"] is False
    old.partial_fit(X, y)


@pytest.mark.parametrize("activation", ["relu", "tanh", "identity"])
@pytest.mark.parametrize("hidden", [(20, 10), (7,)])
def test_default_initialisation_is_scikit_learns(activation, hidden):
    """With the default init and bias_init, the initial network equals
    scikit-learn's for the same random_state, weights and biases, bit for bit (a
    learning rate of 1e-300 leaves them as drawn)."""
    X, y = load_digits(return_X_y=True)
    kw = dict(hidden_layer_sizes=hidden, solver="sgd", learning_rate_init=1e-300,
              momentum=0.0, max_iter=1, random_state=3, activation=activation,
              alpha=0.0, shuffle=False)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = MLPClassifier(**kw).fit(X / 16, y)
        theirs = SkMLPClassifier(**kw).fit(X / 16, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_,
                    strict=True):  # fmt: skip
        np.testing.assert_array_equal(a, b)
    if activation == "relu":  # 'auto' draws He, not Glorot, for the ReLU family
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            auto = MLPClassifier(**{**kw, "init": "auto"}).fit(X / 16, y)
        assert not np.array_equal(auto.coefs_[0], theirs.coefs_[0])


@pytest.mark.parametrize("target", ["binary", "strings", "multilabel"])
def test_validation_score_is_accuracy_score(target):
    # the score after each epoch skips accuracy_score's checks, not its value
    from sklearn.metrics import accuracy_score

    rng = np.random.RandomState(0)
    X = rng.normal(size=(120, 4))
    if target == "multilabel":
        y = (X[:, :3] + 0.3 * rng.normal(size=(120, 3)) > 0).astype(int)
    else:
        y = (X[:, 0] + 0.5 * rng.normal(size=120) > 0).astype(int)
        if target == "strings":
            y = np.array(["no", "yes"])[y]
    weights = rng.uniform(0.5, 2.0, size=120)
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    pred = clf.predict(X)
    assert 0 < accuracy_score(y, pred) < 1  # some rows right, some wrong
    for w in (None, weights):
        assert clf._score(X, y, sample_weight=w) == accuracy_score(
            y, pred, sample_weight=w
        )
