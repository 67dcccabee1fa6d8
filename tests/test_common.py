"""scikit-learn's estimator checks over several configurations of both estimators."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdnn import MLPClassifier, MLPRegressor

_CONFIGS = [
    {},  # defaults: adam, relu, one hidden layer of 100
    {"solver": "sgd", "learning_rate_init": 0.01},
    {"solver": "lbfgs"},
    {"hidden_layer_sizes": (16, 8), "activation": "tanh"},
]


def _estimators():
    for params in _CONFIGS:
        for cls in (MLPClassifier, MLPRegressor):
            # max_iter as scikit-learn's own checks set it for its MLPs
            yield cls(max_iter=100, random_state=0, **params)


@parametrize_with_checks(list(_estimators()))
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_check_count_is_not_trivial():
    # guards against parametrize_with_checks silently yielding nothing
    assert len(list(_estimators())) == 2 * len(_CONFIGS)
    pytest.importorskip("sklearn")
