"""scikit-learn's estimator checks over several configurations of both estimators."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skdnn import MLPClassifier, MLPRegressor

_CONFIGS = [
    {},  # defaults: adam, relu, one hidden layer of 100
    {"solver": "sgd", "learning_rate_init": 0.01},
    {"solver": "lbfgs"},
    {"hidden_layer_sizes": (16, 8), "activation": "tanh"},
    {"l1": 1e-3, "max_norm": 2.0, "activation": "elu"},
    {"solver": "lbfgs", "l1": 1e-3, "hidden_layer_sizes": ()},  # OWL-QN, convex
    {"solver": "rmsprop", "learning_rate": "exponential", "clipnorm": 1.0},
]


def _estimators():
    for params in _CONFIGS:
        for cls in (MLPClassifier, MLPRegressor):
            # max_iter as scikit-learn's own checks set it for its MLPs
            yield cls(max_iter=100, random_state=0, **params)


@parametrize_with_checks(list(_estimators()))
def test_sklearn_compatible(estimator, check):
    check(estimator)
