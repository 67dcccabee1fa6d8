"""Label smoothing: the objective and gradient against a NumPy reference of the
cross-entropy with smoothed targets (Szegedy et al., 2016; Keras and PyTorch)."""

import warnings

import numpy as np
import pytest
from scipy.special import log_expit, log_softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import InvalidParameterError

from skdnn import MLPClassifier
from skdnn.inspection import layer_gradients

rng = np.random.RandomState(0)
X = rng.normal(size=(60, 4))
Y3 = rng.randint(0, 3, 60)
SW = rng.uniform(0.5, 2.0, 60)


def _targets(task):
    if task == "multiclass":
        return Y3
    if task == "binary":
        return Y3 % 2
    return np.c_[Y3 == 0, Y3 != 1, X[:, 0] > 0].astype(int)  # multilabel


def _reference(W, b, y, task, eps, sw, alpha):
    """J and (dJ/dW, dJ/db) of a linear model (hidden_layer_sizes=()) with the
    smoothed targets, written from the definitions: softmax cross-entropy with
    ``(1 - eps) onehot + eps / K``, or binary cross-entropy per column with
    ``(1 - eps) y + eps / 2``; sample-weighted mean plus ``alpha / (2 S) ||W||^2``."""
    z = X @ W + b
    S = sw.sum()
    if task == "multiclass":
        onehot = np.eye(3)[y]
        t = (1 - eps) * onehot + eps / 3
        logp = log_softmax(z, axis=1)
        loss = -(t * logp).sum(axis=1)
        dz = np.exp(logp) - t
    else:
        t = (1 - eps) * y.reshape(len(y), -1) + eps / 2
        loss = -(t * log_expit(z) + (1 - t) * log_expit(-z)).sum(axis=1)
        dz = np.exp(log_expit(z)) - t
    J = (sw * loss).sum() / S + alpha / (2 * S) * (W**2).sum()
    dW = X.T @ (sw[:, None] * dz) / S + alpha / S * W
    db = (sw[:, None] * dz).sum(axis=0) / S
    return J, dW, db


@pytest.mark.parametrize("task", ["multiclass", "binary", "multilabel"])
@pytest.mark.parametrize("eps", [0.1, 0.3])
def test_one_sgd_step_follows_the_smoothed_objective(task, eps):
    # one full-batch plain-SGD step per partial_fit: loss_ is J at the parameters
    # the step started from, and the step is -lr times the gradient of J
    y = _targets(task)
    lr, alpha = 1e-3, 0.5
    # class weights fold into the sample weights by the true class
    cw = {0: 2.0, 1: 0.5, 2: 1.0} if task == "multiclass" else None
    clf = MLPClassifier(
        hidden_layer_sizes=(), solver="sgd", momentum=0.0, learning_rate_init=lr,
        batch_size=60, alpha=alpha, label_smoothing=eps, class_weight=cw,
        shuffle=False, random_state=0,
    )  # fmt: skip
    classes = np.arange(2 if task == "binary" else 3)
    clf.partial_fit(X, y, sample_weight=SW, classes=classes)
    W0, b0 = clf.coefs_[0].copy(), clf.intercepts_[0].copy()
    clf.partial_fit(X, y, sample_weight=SW)
    sw = SW * (np.array([2.0, 0.5, 1.0])[y] if cw else 1.0)
    J, dW, db = _reference(W0, b0, y, task, eps, sw, alpha)
    assert clf.loss_ == pytest.approx(J, rel=1e-12)
    np.testing.assert_allclose((W0 - clf.coefs_[0]) / lr, dW, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose((b0 - clf.intercepts_[0]) / lr, db, rtol=1e-7,
                               atol=1e-10)  # fmt: skip
    # inspection differentiates the same objective
    (g,) = layer_gradients(clf, X, y, sample_weight=SW)
    _, dW, _ = _reference(*clf.coefs_, *clf.intercepts_, y, task, eps, sw, alpha)
    np.testing.assert_allclose(g, dW, rtol=1e-10)


@pytest.mark.parametrize("task", ["multiclass", "binary"])
def test_lbfgs_reaches_the_smoothed_optimum(task):
    y = _targets(task)
    eps, alpha = 0.2, 1e-3
    clf = MLPClassifier(
        hidden_layer_sizes=(), solver="lbfgs", alpha=alpha, label_smoothing=eps,
        tol=1e-10, max_iter=5000,
    ).fit(X, y, sample_weight=SW)  # fmt: skip
    J, dW, db = _reference(*clf.coefs_, *clf.intercepts_, y, task, eps, SW, alpha)
    assert clf.loss_ == pytest.approx(J, rel=1e-10)
    assert max(np.abs(dW).max(), np.abs(db).max()) < 1e-6
    # the smoothed minimum is not the unsmoothed one: bounded logits
    plain = MLPClassifier(
        hidden_layer_sizes=(), solver="lbfgs", alpha=alpha, tol=1e-10, max_iter=5000
    ).fit(X, y, sample_weight=SW)
    assert np.abs(clf.coefs_[0]).max() < np.abs(plain.coefs_[0]).max()


def test_scores_stay_accuracies_on_the_true_labels():
    y = _targets("multiclass")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(
            hidden_layer_sizes=(8,), label_smoothing=0.4, early_stopping=True,
            validation_fraction=0.25, max_iter=20, random_state=0,
        ).fit(X, y)  # fmt: skip
    # 15 validation rows: accuracies are multiples of 1/15
    scores = np.array(clf.validation_scores_) * 15
    np.testing.assert_allclose(scores, np.round(scores), atol=1e-9)
    assert clf.score(X, y) == np.mean(clf.predict(X) == y)


@pytest.mark.parametrize("bad", [1.0, -0.1, 1.5])
def test_label_smoothing_must_be_in_unit_interval(bad):
    with pytest.raises(InvalidParameterError, match="label_smoothing"):
        MLPClassifier(label_smoothing=bad).fit(X, Y3)
