"""scikit-learn's estimator checks over several configurations of both estimators."""

from sklearn.base import is_classifier
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
    {"batch_norm": True, "input_batch_norm": True},
    {"dropout": 0.2, "input_dropout": 0.1, "activation": "prelu"},
    {"activation": "maxout", "batch_norm": "after", "dropout": 0.1},
    {"solver": "lbfgs", "batch_norm": True, "activation": "selu"},
    {
        "solver": "adamw",
        "lr_factors": {"bias": 2.0, "activation": 0.5},
        "activation": "prelu",
    },
    {"front_scale": True, "input_batch_norm": True},
    {"n_members": 3, "solver": "lbfgs"},
    {"n_members": 2, "batch_norm": "after", "learning_rate_init": 0.01},
]
# parameters of one estimator only: (class, parameters)
_OWN_CONFIGS = [
    (MLPClassifier, {"label_smoothing": 0.1}),
]


def _estimators():
    for params in _CONFIGS:
        for cls in (MLPClassifier, MLPRegressor):
            # max_iter as scikit-learn's own checks set it for its MLPs
            yield cls(max_iter=100, random_state=0, **params)
    for cls, params in _OWN_CONFIGS:
        yield cls(max_iter=100, random_state=0, **params)


def _expected_failures(estimator):
    """Checks that cannot hold, with the reason."""
    if (
        estimator.solver == "lbfgs"
        and estimator.l1 > 0
        and not is_classifier(estimator)
    ):
        # The check's data has 30 features for 15 rows and l1=1e-3: a nearly
        # singular Lasso on which OWL-QN stops (iteration limit or no decrease)
        # with predictions about 1e-8 apart for weighted and repeated rows, where
        # the check asks for 1e-7 relative; with scikit-learn 1.9 and scipy 1.17
        # one prediction of 15 misses (1.3e-8 absolute). A weakness of the OWL-QN
        # stopping rule, noted for the reliability work.
        reason = "OWL-QN stops 1e-8 short of the Lasso optimum on p > n data"
        return {
            "check_sample_weight_equivalence_on_dense_data": reason,
            "check_sample_weight_equivalence_on_sparse_data": reason,
        }
    if estimator.dropout or estimator.input_dropout:
        # Duplicating a row gives it two independent dropout masks, a weight of 2
        # one mask counted twice: equal in expectation, different realised fits.
        reason = "dropout: a weight of 2 and a duplicated row draw different masks"
        return {
            "check_sample_weight_equivalence_on_dense_data": reason,
            "check_sample_weight_equivalence_on_sparse_data": reason,
        }
    return {}


@parametrize_with_checks(list(_estimators()), expected_failed_checks=_expected_failures)
def test_sklearn_compatible(estimator, check):
    check(estimator)
