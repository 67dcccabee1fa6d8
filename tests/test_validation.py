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
        ({"dropout_schedule": "step"}, "'dropout_schedule' parameter"),
        ({"dropout_schedule": 0.5}, "'dropout_schedule' parameter"),
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


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("weight", [-1.0, np.nan, np.inf, "heavy"])
def test_class_weight_must_be_finite_and_non_negative(solver, weight):
    # a negative class weight made the loss negative (adam) or -inf (lbfgs)
    weights = {0: weight, 1: 1.0, 2: 1.0}
    with pytest.raises(ValueError, match="class_weight must map classes to finite"):
        MLPClassifier((4,), solver=solver, max_iter=5, class_weight=weights).fit(
            X, y_cls
        )
    with pytest.raises(ValueError, match="class_weight"):
        MLPClassifier((4,), class_weight={0: weight}).partial_fit(
            X, y_cls, classes=[0, 1, 2]
        )


def test_first_partial_fit_needs_every_class_of_y():
    y01 = np.arange(30) % 2
    # classes=[2] with labels 0 and 1 in y trained a one-class model
    with pytest.raises(ValueError, match="at least 2 classes"):
        MLPClassifier((4,)).partial_fit(X, y01, classes=[2])
    with pytest.raises(ValueError, match=r"labels \[2\] that are not in classes"):
        MLPClassifier((4,)).partial_fit(X, y_cls, classes=[0, 1])
    # the failed first call leaves nothing behind: the next one may pass classes
    clf = MLPClassifier((4,), random_state=0)
    with pytest.raises(ValueError, match="not in classes"):
        clf.partial_fit(X, y_cls, classes=[0, 1])
    clf.partial_fit(X, y_cls, classes=[0, 1, 2])
    np.testing.assert_array_equal(clf.classes_, [0, 1, 2])
    assert set(clf.predict(X)) <= {0, 1, 2}


def _public_classes():
    """Every public configuration class with one bad value per parameter."""
    from skdnn import activations as A
    from skdnn import optimizers as O
    from skdnn import schedules as S

    adam = {"beta_1": 1.0, "beta_2": -0.1, "epsilon": 0.0}
    bad = {
        A.LeakyReLU: {"negative_slope": -0.1},
        A.ELU: {"alpha": 0.0},
        A.PReLU: {"alpha_init": np.inf},
        A.RReLU: {"lower": -0.1, "upper": 1.5},
        A.Maxout: {"pieces": 1},
        O.SGD: {"momentum": 1.5, "nesterov": "yes"},
        O.Adam: {**adam, "amsgrad": "no"},
        O.AdamW: {
            **adam,
            "amsgrad": "no",
            "weight_decay": -0.01,
            "weight_decay_schedule": "cosine",
        },
        O.Nadam: {**adam, "momentum_decay": -0.004},
        O.AdaMax: adam,
        O.RAdam: adam,
        O.AdaGrad: {"initial_accumulator_value": -1.0, "epsilon": 0.0},
        O.RMSProp: {"rho": 1.0, "epsilon": np.nan},
        O.Adadelta: {"rho": 1.5, "epsilon": -1.0},
        S.Constant: {},
        S.Adaptive: {},
        S.InvScaling: {"power_t": -1.0},
        S.Power: {"decay_steps": 0, "power": -1.0},
        S.Exponential: {"decay_steps": 1.5},
        S.StepDecay: {"drop": 0.0, "epochs_drop": 0},
        S.Piecewise: {"boundaries": (5, 2), "values": (1e-3, np.inf, 1e-4)},
        S.Plateau: {"factor": 1.0, "patience": 0, "min_lr": -1.0},
        S.OneCycle: {
            "max_lr": 0.0,
            "div_factor": 0.5,
            "final_div_factor": 0.5,
            "min_momentum": 1.0,
            "max_momentum": -0.1,
        },  # fmt: skip
        S.Cosine: {"min_lr": -1.0, "warmup": 1.0},
        S.FlatCosine: {"flat": 1.0, "min_lr": -1.0, "warmup": -0.1},
    }
    public = [getattr(m, n) for m in (A, O, S) for n in m.__all__]
    public = [c for c in public if isinstance(c, type) and c not in
              (S.Schedule, S.Context)]  # fmt: skip
    assert set(public) == set(bad), "a public class has no bad values listed"
    return [(cls, name, value) for cls, params in bad.items()
            for name, value in params.items()]  # fmt: skip


@pytest.mark.parametrize("cls, name, value", _public_classes())
def test_public_objects_validate_every_parameter(cls, name, value):
    import inspect

    from skdnn.activations import Activation
    from skdnn.optimizers import Optimizer

    obj = cls(**{name: value})
    if issubclass(cls, Activation):
        est = MLPClassifier((4,), activation=obj, max_iter=2)
    elif issubclass(cls, Optimizer):
        est = MLPClassifier((4,), solver=obj, max_iter=2)
    else:
        est = MLPClassifier((4,), learning_rate=obj, max_iter=2)
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter"):
        est.fit(X, y_cls)
    # and every constructor parameter has a bad value in the list above
    listed = {n for c, n, _ in _public_classes() if c is cls}
    assert listed == set(inspect.signature(cls).parameters)


def test_base_classes_are_not_configurations():
    from skdnn.activations import Activation
    from skdnn.optimizers import Optimizer

    with pytest.raises(TypeError, match="no update rule"):
        MLPClassifier((4,), solver=Optimizer(), max_iter=2).fit(X, y_cls)
    with pytest.raises(TypeError, match="not a hidden activation"):
        MLPClassifier((4,), activation=Activation(), max_iter=2).fit(X, y_cls)
