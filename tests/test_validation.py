"""Bad input gets a clear error that names the problem."""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from skdnn import MLPClassifier, MLPRegressor

X = np.random.RandomState(0).normal(size=(30, 3))
y_cls = np.arange(30) % 3
y_reg = X[:, 0]


@pytest.mark.parametrize(
    "params, match",
    [
        ({"activation": "sideways"}, "activation"),
        ({"solver": "rmsprop_typo"}, "solver"),
        ({"alpha": -1.0}, "alpha"),
        ({"init": "glorot"}, "init"),
        ({"bias_init": np.inf}, "bias_init"),
        ({"learning_rate": "fast"}, "learning_rate"),
        ({"learning_rate_init": 0.0}, "learning_rate_init"),
        ({"batch_size": 0}, "batch_size"),
        ({"momentum": 1.5}, "momentum"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"beta_1": 1.0}, "beta_1"),
        ({"max_iter": 0}, "max_iter"),
        ({"hidden_layer_sizes": 0}, "hidden_layer_sizes"),
        ({"max_norm": 0.0}, "max_norm"),
        ({"l1": -1e-3}, "l1"),
        ({"clipnorm": 0.0}, "clipnorm"),
        ({"clipvalue": -1.0}, "clipvalue"),
        ({"beta_2": 1.0}, "beta_2"),
        ({"epsilon": 0.0}, "epsilon"),
        ({"n_iter_no_change": 0}, "n_iter_no_change"),
        ({"dropout": 1.0}, "dropout"),
        ({"input_dropout": -0.5}, "input_dropout"),
        ({"batch_norm": "sideways"}, "batch_norm"),
        ({"input_batch_norm": "yes"}, "input_batch_norm"),
        ({"batch_norm_momentum": -0.1}, "batch_norm_momentum"),
    ],
)
@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_invalid_parameters(cls, params, match):
    y = y_cls if cls is MLPClassifier else y_reg
    with pytest.raises(InvalidParameterError, match=match):
        cls(**params).fit(X, y)


@pytest.mark.parametrize("sizes", [(10, 0), (-3,), (2.5,), (True,)])
def test_hidden_layer_sizes_must_be_positive_integers(sizes):
    with pytest.raises(ValueError, match="hidden_layer_sizes must be positive"):
        MLPRegressor(hidden_layer_sizes=sizes).fit(X, y_reg)


def test_activation_object_parameters_are_validated():
    from skdnn.activations import ELU, LeakyReLU

    with pytest.raises(InvalidParameterError, match="negative_slope"):
        MLPClassifier(activation=LeakyReLU(negative_slope=-1)).fit(X, y_cls)
    with pytest.raises(InvalidParameterError, match="alpha"):
        MLPClassifier(activation=ELU(alpha=0)).fit(X, y_cls)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_input(bad):
    Xb = X.copy()
    Xb[3, 1] = bad
    with pytest.raises(ValueError, match="(NaN|infinity)"):
        MLPClassifier().fit(Xb, y_cls)
    yb = y_reg.copy()
    yb[0] = bad
    with pytest.raises(ValueError, match="(NaN|infinity)"):
        MLPRegressor().fit(X, yb)


def test_wrong_number_of_features_at_predict():
    clf = MLPClassifier(max_iter=5).fit(X, y_cls)
    with pytest.raises(ValueError, match="3 features"):
        clf.predict(X[:, :2])


def test_empty_and_non_numeric_input():
    with pytest.raises(ValueError, match="0 sample"):
        MLPClassifier().fit(X[:0], y_cls[:0])
    with pytest.raises(ValueError, match="could not convert|dtype"):
        MLPClassifier().fit(np.array([["a", "b"]] * 5, dtype=object), [0, 1, 0, 1, 0])


def test_single_class():
    with pytest.raises(ValueError, match="at least 2 classes"):
        MLPClassifier(max_iter=5).fit(X, np.zeros(30))


def test_sample_weight_problems():
    with pytest.raises(ValueError, match="sample_weight.shape"):
        MLPClassifier().fit(X, y_cls, sample_weight=np.ones(5))
    with pytest.raises(ValueError, match="[Nn]egative"):
        MLPClassifier().fit(X, y_cls, sample_weight=-np.ones(30))
    with pytest.raises(ValueError, match="[Ss]ample.weight"):
        MLPClassifier().fit(X, y_cls, sample_weight=np.zeros(30))


def test_class_weight_problems():
    from sklearn.datasets import make_multilabel_classification

    Xm, Ym = make_multilabel_classification(n_samples=20, random_state=0)
    with pytest.raises(ValueError, match="multilabel"):
        MLPClassifier(class_weight="balanced").fit(Xm, Ym)
    with pytest.raises(ValueError, match="partial_fit"):
        MLPClassifier(class_weight="balanced").partial_fit(X, y_cls, classes=[0, 1, 2])
    with pytest.raises(InvalidParameterError, match="class_weight"):
        MLPClassifier(class_weight="auto").fit(X, y_cls)


def test_poisson_needs_non_negative_targets():
    with pytest.raises(ValueError, match="non-negative"):
        MLPRegressor(loss="poisson").fit(X, y_reg)


def test_partial_fit_problems():
    with pytest.raises(ValueError, match="classes"):
        MLPClassifier().partial_fit(X, y_cls)
    with pytest.raises(ValueError, match="early_stopping"):
        MLPRegressor(early_stopping=True).partial_fit(X, y_reg)
    clf = MLPClassifier().partial_fit(X, y_cls, classes=[0, 1, 2])
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X, y_cls + 5)


def test_warm_start_with_other_network():
    reg = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, warm_start=True)
    reg.fit(X, y_reg)
    reg.set_params(hidden_layer_sizes=(5,))
    with pytest.raises(ValueError, match="layer sizes"):
        reg.fit(X, y_reg)


def test_validation_set_too_small():
    with pytest.raises(ValueError, match="validation set is too small"):
        MLPRegressor(early_stopping=True, validation_fraction=0.01).fit(X, y_reg)


def test_predict_before_fit():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        MLPClassifier().predict(X)


def test_predict_input_checks_on_the_fast_path():
    # plain float arrays skip the general validation; what it would reject still
    # gets its error, and what it would convert still gives the same result
    clf = MLPClassifier(max_iter=5, random_state=0).fit(X, y_cls)
    for bad in (np.nan, np.inf):
        Xb = X.copy()
        Xb[2, 2] = bad
        with pytest.raises(ValueError, match="(NaN|infinity)"):
            clf.predict_proba(Xb)
    with pytest.raises(ValueError, match="3 features"):
        clf.predict(X[:, :2])
    with pytest.raises(ValueError, match="0 sample"):
        clf.predict(X[:0])
    expected = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.predict_proba(X.tolist()), expected)
    np.testing.assert_array_equal(clf.predict_proba(np.asfortranarray(X)), expected)
    np.testing.assert_allclose(clf.predict_proba(X.astype(np.float32)), expected,
                               rtol=1e-5)  # fmt: skip
