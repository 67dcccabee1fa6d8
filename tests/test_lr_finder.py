"""find_learning_rate: divergence, classifier targets, its own argument errors."""

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_multilabel_classification, make_regression
from sklearn.utils._param_validation import InvalidParameterError

from skdnn import MLPClassifier, MLPRegressor, find_learning_rate


def _diverging_sweep(**kw):
    X, y = make_regression(n_samples=100, n_features=5, noise=1.0, random_state=0)
    X = (X - X.mean(0)) / X.std(0)
    est = MLPRegressor(hidden_layer_sizes=(16,), solver="sgd", momentum=0.0,
                       batch_size=10, random_state=0)  # fmt: skip
    # a huge diverge_factor: only a non-finite loss stops the sweep
    return find_learning_rate(est, X, y / y.std(), min_lr=1e-4, max_lr=1e3,
                              n_steps=60, diverge_factor=1e300, **kw)  # fmt: skip


def test_sweep_stops_at_the_first_non_finite_step():
    with pytest.warns(UserWarning, match=r"non-finite at step (\d+) of 60") as rec:
        res = _diverging_sweep()
    n = len(res.losses)
    # 10 steps per epoch: the divergence is inside an epoch, whose finite steps
    # are kept; before, the previous epoch's losses were reported again
    assert 10 < n < 60 and n % 10 != 0
    assert f"step {n + 1} of 60" in str(rec[0].message)
    assert np.all(np.isfinite(res.losses)) and np.all(np.isfinite(res.smoothed_losses))
    assert len(np.unique(res.losses)) == n  # no step's loss reported twice
    assert res.losses[-1] > 100 * res.losses.min()  # it was blowing up
    all_rates = 1e-4 * (1e3 / 1e-4) ** (np.arange(60) / 59)
    np.testing.assert_allclose(res.learning_rates, all_rates[:n])
    assert res.diverged_lr == pytest.approx(all_rates[n])
    # the suggestion comes from the finite part: a tenth of its best rate
    best = int(np.argmin(res.smoothed_losses))
    assert res.suggestion == pytest.approx(res.learning_rates[best] / 10)
    assert res.suggestion < res.diverged_lr / 10


def test_no_divergence_is_reported_as_none():
    X, y = load_iris(return_X_y=True)
    res = find_learning_rate(MLPClassifier(batch_size=10, random_state=0), X, y,
                             max_lr=1e-2, n_steps=30)  # fmt: skip
    assert res.diverged_lr is None and len(res.losses) == 30


def test_non_finite_from_the_first_step():
    X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    est = MLPRegressor(hidden_layer_sizes=(8,), solver="sgd", random_state=0)
    with pytest.raises(ValueError, match="not finite from the first step"):
        # (1e200)^2 overflows: the first step's squared error is infinite
        find_learning_rate(est, X, y * 1e200, min_lr=1e-3, max_lr=1e-2)


def test_classifier_targets_the_finder_handles():
    X, y = load_iris(return_X_y=True)
    # class_weight='balanced': the weights of the whole y, as fit computes them
    res = find_learning_rate(
        MLPClassifier(batch_size=10, class_weight="balanced", random_state=0),
        X, y, n_steps=20,
    )  # fmt: skip
    assert len(res.losses) == 20
    # multilabel targets
    Xm, Ym = make_multilabel_classification(n_samples=60, random_state=0)
    res = find_learning_rate(MLPClassifier(batch_size=10, random_state=0), Xm, Ym,
                             n_steps=20)  # fmt: skip
    assert len(res.losses) == 20 and np.all(np.isfinite(res.losses))
    # what fit rejects, the finder rejects with fit's message, not partial_fit's
    with pytest.raises(ValueError, match="not supported for multilabel"):
        find_learning_rate(MLPClassifier(class_weight="balanced"), Xm, Ym)


def test_errors_name_the_right_parameter():
    X, y = load_iris(return_X_y=True)
    # the estimator's own parameter error is not renamed as the finder's
    with pytest.raises(InvalidParameterError, match="parameter of MLPClassifier"):
        find_learning_rate(MLPClassifier(alpha=-1.0), X, y)
    with pytest.raises(InvalidParameterError, match="'n_steps' parameter of find"):
        find_learning_rate(MLPClassifier(), X, y, n_steps=1)
    with pytest.raises(InvalidParameterError, match="'estimator' parameter of find"):
        find_learning_rate("adam", X, y)
