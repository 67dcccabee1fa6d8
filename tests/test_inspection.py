"""Progress output, history_ update ratios, skdnn.inspection and the plots."""

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_regression

from skdnn import MLPClassifier, MLPRegressor
from skdnn.inspection import hidden_activations, layer_gradients

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_verbose_one_line_per_epoch(capsys):
    X, y = load_iris(return_X_y=True)
    MLPClassifier(max_iter=3, verbose=1, early_stopping=True).fit(X, y)
    lines = capsys.readouterr().out.strip().splitlines()
    epoch_lines = [ln for ln in lines if ln.startswith("Iteration ")]
    assert len(epoch_lines) == 3
    for i, line in enumerate(epoch_lines, start=1):
        assert line.startswith(f"Iteration {i}, loss = ")
        assert "validation score = " in line and "learning rate = 0.001" in line
        assert line.endswith(" s")


@pytest.mark.parametrize("verbose", [2, 3])
def test_every_verbose_level_prints_the_epoch_lines(capsys, verbose):
    # scikit-learn users read "Iteration N, loss = ..." at any verbose > 0
    X, y = load_iris(return_X_y=True)
    MLPClassifier(max_iter=3, verbose=verbose).fit(X, y)
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln.startswith("Iteration ")]
    assert len(lines) == 3 and "\r[" not in out


def test_progress_bar_switch_draws_a_bar(capsys):
    X, y = load_iris(return_X_y=True)
    MLPClassifier(max_iter=4, progress_bar=True).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("\r[") == 4 and "4/4 epochs" in out and out.endswith("\n")
    assert "Iteration" not in out


def test_progress_bar_with_verbose_keeps_the_lines_above_it(capsys):
    X, y = load_iris(return_X_y=True)
    MLPClassifier(max_iter=4, verbose=1, progress_bar=True).fit(X, y)
    out = capsys.readouterr().out
    assert out.count("\r[") == 4 and out.endswith("\n")
    # what stays on screen: each "\r" returns to the line's start
    screen = [ln.split("\r")[-1].strip() for ln in out.rstrip("\n").split("\n")]
    assert [ln.split(",")[0] for ln in screen[:4]] == [
        f"Iteration {i}" for i in range(1, 5)
    ]
    assert screen[-1].startswith("[") and "4/4 epochs" in screen[-1]


def test_history_update_ratios():
    X, y = make_regression(n_samples=200, n_features=5, random_state=0)
    reg = MLPRegressor(
        hidden_layer_sizes=(8, 4), max_iter=5, learning_rate_init=1e-3, random_state=0
    )
    reg.fit(X, y / y.std())
    ratios = np.array([h["update_ratio"] for h in reg.history_])
    assert ratios.shape == (5, 3) and np.all(ratios > 0) and np.all(ratios < 1)
    # 10x the learning rate, about 10x the updates in the first epoch
    fast = MLPRegressor(
        hidden_layer_sizes=(8, 4), max_iter=1, learning_rate_init=1e-2, random_state=0
    )
    fast.fit(X, y / y.std())
    scale = np.array(fast.history_[0]["update_ratio"]) / ratios[0]
    assert np.all((scale > 4) & (scale < 15))


def test_layer_gradients_of_a_linear_network():
    # no hidden layer: dJ/dW = X^T (X W + b - y) / S + alpha / S * W
    X, y = make_regression(n_samples=50, n_features=4, random_state=1)
    reg = MLPRegressor(hidden_layer_sizes=(), alpha=3.0, max_iter=2, random_state=0)
    reg.fit(X, y / 100)
    sw = np.random.RandomState(0).uniform(0.5, 2.0, size=50)
    (g,) = layer_gradients(reg, X, y / 100, sample_weight=sw)
    W, b = reg.coefs_[0], reg.intercepts_[0]
    resid = X @ W + b - (y / 100)[:, None]
    S = sw.sum()
    expected = X.T @ (sw[:, None] * resid) / S + 3.0 / S * W
    np.testing.assert_allclose(g, expected, rtol=1e-10)
    with pytest.raises(ValueError, match="expected 50 rows"):
        layer_gradients(reg, X, np.ones((50, 2)))


def test_layer_gradients_and_activations_of_a_classifier():
    X, y = load_iris(return_X_y=True)
    clf = MLPClassifier((6, 5), max_iter=5, random_state=0).fit(X, y)
    grads = layer_gradients(clf, X, y)
    assert [g.shape for g in grads] == [W.shape for W in clf.coefs_]
    assert all(np.linalg.norm(g) > 0 for g in grads)
    acts = hidden_activations(clf, X)
    assert [a.shape for a in acts] == [(150, 6), (150, 5)]
    # the last hidden activations times the output weights give the logits
    logits = acts[-1] @ clf.coefs_[-1] + clf.intercepts_[-1]
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(proba, clf.predict_proba(X), rtol=1e-10)


def test_plots():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from skdnn.plotting import plot_layer_statistics, plot_update_ratios

    X, y = load_iris(return_X_y=True)
    clf = MLPClassifier((6, 5), max_iter=4, random_state=0).fit(X, y)
    ax = plot_update_ratios(clf)
    assert len(ax.get_lines()) == 4  # 3 layers and the 1e-3 guide
    axes = plot_layer_statistics(clf, X, y)
    assert len(axes) == 2
    lbfgs = MLPClassifier((4,), solver="lbfgs", max_iter=5).fit(X, y)
    with pytest.raises(ValueError, match="update ratios"):
        plot_update_ratios(lbfgs)
    plt.close("all")


def test_layer_gradients_fold_in_class_weight():
    # the gradient of the training objective: class weights count, as in fit
    from sklearn.utils.class_weight import compute_sample_weight

    X, y = load_iris(return_X_y=True)
    weights = {0: 5.0, 1: 1.0, 2: 0.5}
    clf = MLPClassifier((5,), max_iter=5, random_state=0, class_weight=weights)
    clf.fit(X, y)
    sw = np.random.RandomState(0).uniform(0.5, 2.0, size=150)
    got = layer_gradients(clf, X, y, sample_weight=sw)
    clf.set_params(class_weight=None)
    folded = sw * compute_sample_weight(weights, y)
    expected = layer_gradients(clf, X, y, sample_weight=folded)
    unweighted = layer_gradients(clf, X, y, sample_weight=sw)
    for g, e, u in zip(got, expected, unweighted, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-12)
        assert not np.allclose(g, u)
    # 'balanced' weighs the classes of this y, as fit(X, y) would
    balanced = clf.set_params(class_weight="balanced")
    got = layer_gradients(balanced, X[:60], y[:60])
    clf.set_params(class_weight=None)
    expected = layer_gradients(
        clf, X[:60], y[:60], sample_weight=compute_sample_weight("balanced", y[:60])
    )
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-12)


def test_layer_gradients_reject_what_fit_rejects():
    X, y = load_iris(return_X_y=True)
    clf = MLPClassifier((5,), max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match=r"labels \[7\] that the model was not"):
        layer_gradients(clf, X, np.where(y == 2, 7, y))
    with pytest.raises(ValueError, match="[Nn]egative"):
        layer_gradients(clf, X, y, sample_weight=-np.ones(150))
    with pytest.raises(ValueError, match="finite, non-negative"):
        clf.set_params(class_weight={0: -1.0})
        layer_gradients(clf, X, y)
    reg = MLPRegressor(hidden_layer_sizes=(3,), loss="poisson", max_iter=2).fit(
        X, np.abs(X[:, 0])
    )
    with pytest.raises(ValueError, match="non-negative targets"):
        layer_gradients(reg, X, -X[:, 0])
    with pytest.raises(ValueError, match="NaN"):
        layer_gradients(reg, X, np.full(150, np.nan))


def test_inspection_and_plots_name_what_they_cannot_handle():
    from sklearn.exceptions import NotFittedError
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.utils._param_validation import InvalidParameterError

    from skdnn import plotting

    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPClassifier((3,), max_iter=2))
    pipe.fit(X, y)
    for func, args in [
        (hidden_activations, (pipe, X)),
        (layer_gradients, (pipe, X, y)),
        (plotting.plot_history, (pipe,)),
        (plotting.plot_update_ratios, (pipe,)),
        (plotting.plot_layer_statistics, (pipe, X)),
    ]:
        with pytest.raises(InvalidParameterError, match="'estimator' parameter"):
            func(*args)
    for func, args in [
        (hidden_activations, (MLPClassifier(), X)),
        (layer_gradients, (MLPClassifier(), X, y)),
        (plotting.plot_history, (MLPClassifier(),)),
        (plotting.plot_update_ratios, (MLPClassifier(),)),
        (plotting.plot_layer_statistics, (MLPClassifier(), X)),
    ]:
        with pytest.raises(NotFittedError):
            func(*args)
    with pytest.raises(TypeError, match="return value of skdnn.find_learning_rate"):
        plotting.plot_learning_rate_finder({"losses": [1.0]})
    with pytest.raises(InvalidParameterError, match="'dropout' parameter"):
        hidden_activations(pipe[-1], X, dropout="yes")
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="axes has 1 Axes"):
        plotting.plot_layer_statistics(pipe[-1], X, y, axes=[ax])
    with pytest.raises(InvalidParameterError, match="'ax' parameter"):
        plotting.plot_history(pipe[-1], ax="left")
    plt.close("all")
