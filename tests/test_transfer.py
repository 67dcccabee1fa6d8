"""Transfer learning: init=<fitted estimator> and frozen_layers."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import cross_val_score
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier, MLPRegressor

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize(
    "extra",
    [{}, {"batch_norm": "before"}, {"batch_norm": "after", "input_batch_norm": True},
     {"activation": "prelu"}, {"solver": "lbfgs"}],
)  # fmt: skip
def test_lower_layers_are_copied_and_frozen(digits, extra):
    X, y = digits
    low = y < 5
    base = MLPClassifier((32, 16), max_iter=50, random_state=0, **extra)
    base.fit(X[low], y[low])
    new = MLPClassifier((32, 16), init=base, frozen_layers=2, max_iter=100,
                        learning_rate_init=1e-2, random_state=1, **extra)  # fmt: skip
    new.fit(X[~low][:100], y[~low][:100])
    assert new.transferred_layers_ == 2
    for i in range(2):
        np.testing.assert_array_equal(new.coefs_[i], base.coefs_[i])
        np.testing.assert_array_equal(new.intercepts_[i], base.intercepts_[i])
    for mine, theirs in zip(new.batch_norm_, base.batch_norm_, strict=True):
        if mine is not None:
            np.testing.assert_array_equal(mine["gamma"], theirs["gamma"])
            np.testing.assert_array_equal(mine["beta"], theirs["beta"])
    for mine, theirs in zip(new.prelu_slopes_, base.prelu_slopes_, strict=True):
        np.testing.assert_array_equal(mine, theirs)
    # the output layer is new and trained
    assert new.coefs_[2].shape == base.coefs_[2].shape
    assert not np.allclose(new.coefs_[2], base.coefs_[2])
    assert new.score(X[~low][100:], y[~low][100:]) > 0.5


def test_fine_tuning_without_freezing_changes_the_copied_layers(digits):
    X, y = digits
    base = MLPClassifier((32,), max_iter=5, random_state=0).fit(X, y)
    new = MLPClassifier((32,), init=base, max_iter=3, random_state=0).fit(X, y)
    assert new.transferred_layers_ == 1
    assert not np.array_equal(new.coefs_[0], base.coefs_[0])
    # the source estimator is not modified
    np.testing.assert_array_equal(base.coefs_[0], clone(base).fit(X, y).coefs_[0])


def test_only_matching_layers_are_copied(digits):
    X, y = digits
    base = MLPClassifier((32, 16), max_iter=2, random_state=0).fit(X, y)
    new = MLPClassifier((32, 8), init=base, frozen_layers=1, max_iter=1).fit(X, y)
    assert new.transferred_layers_ == 1
    np.testing.assert_array_equal(new.coefs_[0], base.coefs_[0])
    other = MLPRegressor(hidden_layer_sizes=(32,), init=base, max_iter=1)
    other.fit(X, y.astype(float))  # a classifier's layers in a regressor
    assert other.transferred_layers_ == 1


def test_frozen_estimator_survives_clone(digits):
    X, y = digits
    base = MLPClassifier((32,), max_iter=50, random_state=0).fit(X[:500], y[:500])
    model = MLPClassifier((32,), init=FrozenEstimator(base), frozen_layers=1,
                          max_iter=50, random_state=0)  # fmt: skip
    scores = cross_val_score(model, X[500:900], y[500:900], cv=2)
    assert np.all(scores > 0.5)
    with pytest.raises(ValueError, match="FrozenEstimator"):
        clone(MLPClassifier(init=base)).set_params(init=clone(base)).fit(X, y)


def test_invalid_transfer_parameters(digits):
    X, y = digits
    with pytest.raises(ValueError, match="at most every hidden layer"):
        MLPClassifier((8,), frozen_layers=2).fit(X, y)
    with pytest.raises(ValueError, match="init"):
        MLPClassifier(init=object()).fit(X, y)
    base = MLPClassifier((8,), max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="l1"):
        MLPClassifier((8,), init=base, frozen_layers=1, solver="lbfgs", l1=1e-3).fit(
            X, y
        )


def test_frozen_layers_must_have_been_transferred(digits):
    # init whose shapes do not match copied nothing, silently, and frozen_layers
    # then froze randomly initialised layers
    X, y = digits
    base = MLPClassifier((32, 16), max_iter=2, random_state=0).fit(X, y)
    with pytest.raises(ValueError, match="only 0 hidden layer.s. could be copied"):
        MLPClassifier((16,), init=base, frozen_layers=1, max_iter=1).fit(X, y)
    with pytest.raises(
        ValueError, match=r"only 1 hidden layer.s. .*\[64, 32, 16, 10\]"
    ):
        MLPClassifier((32, 8), init=base, frozen_layers=2, max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="copies none"):
        MLPClassifier((16,), frozen_layers=1, max_iter=1).fit(X, y)
    with pytest.raises(ValueError, match="copies none"):
        MLPClassifier((16,), frozen_layers=1, solver="lbfgs", max_iter=1).fit(X, y)
    # without freezing, a transfer that copies nothing is allowed, with a warning
    with pytest.warns(UserWarning, match=r"none of its layers could be copied"):
        new = MLPClassifier((16,), init=base, max_iter=1).fit(X, y)
    assert new.transferred_layers_ == 0
