"""Model selection: successive halving (``max_iter`` and ``n_samples`` as the
resource) and metadata routing of ``sample_weight``."""

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.metrics import accuracy_score
from sklearn.model_selection import (
    GridSearchCV,
    HalvingGridSearchCV,
    HalvingRandomSearchCV,
    KFold,
    StratifiedKFold,
    cross_val_score,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier

X, y = make_classification(
    n_samples=240, n_features=6, n_informative=4, random_state=0
)  # fmt: skip
CV = StratifiedKFold(3, shuffle=True, random_state=0)


@pytest.mark.parametrize("warm_start", [False, True])
def test_halving_random_search_on_max_iter(warm_start):
    """Each resource level fits a fresh clone with ``max_iter`` set to the
    resource (sklearn's halving search never continues an earlier fit, even with
    ``warm_start=True``): ``n_iter_`` equals the resource, and every score is
    that of a fresh fit with that ``max_iter``."""
    n_iters = []

    def scorer(est, X_test, y_test):
        n_iters.append((est.max_iter, est.n_iter_))
        return accuracy_score(y_test, est.predict(X_test))

    # (the score threshold at the end was set with init="auto", bias_init=0)
    base = MLPClassifier(
        hidden_layer_sizes=(8,), learning_rate_init=0.01, n_iter_no_change=1000,
        random_state=0, warm_start=warm_start, init="auto", bias_init=0.0,
    )  # fmt: skip
    params = {"alpha": [1e-4, 1e-2, 1.0, 10.0], "learning_rate_init": [3e-3, 3e-2]}
    search = HalvingRandomSearchCV(
        base, params, n_candidates=8, resource="max_iter", min_resources=3,
        max_resources=24, factor=2, cv=CV, scoring=scorer, random_state=0,
    )  # fmt: skip
    search.fit(X, y)
    assert search.n_resources_ == [3, 6, 12, 24]
    assert search.n_candidates_ == [8, 4, 2, 1]
    # no early stop (n_iter_no_change is large): n_iter_ is the resource
    assert n_iters and all(max_iter == n_iter for max_iter, n_iter in n_iters)
    assert search.best_estimator_.n_iter_ == search.best_params_["max_iter"] == 24
    # scores are those of fresh fits: nothing carried over between levels
    results = search.cv_results_
    for i in (0, len(results["params"]) - 1):
        est = clone(base).set_params(**results["params"][i])
        expected = cross_val_score(est, X, y, cv=CV, scoring=scorer).mean()
        assert results["mean_test_score"][i] == expected
    # more epochs help the survivors: the last level scores at least the first
    last = results["iter"] == results["iter"].max()
    assert results["mean_test_score"][last].max() >= 0.75


def test_halving_max_iter_with_early_stopping():
    """With the stopping rule, n_iter_ can be below the resource, never above."""
    seen = []

    def scorer(est, X_test, y_test):
        seen.append((est.max_iter, est.n_iter_))
        return est.score(X_test, y_test)

    search = HalvingRandomSearchCV(
        MLPClassifier((8,), learning_rate_init=0.05, tol=1e-1, n_iter_no_change=2,
                      random_state=0),
        {"alpha": [1e-4, 1e-1]}, n_candidates=2, resource="max_iter",
        min_resources=4, max_resources=32, factor=2, cv=CV, scoring=scorer,
        random_state=0,
    )  # fmt: skip
    search.fit(X, y)
    assert all(n_iter <= max_iter for max_iter, n_iter in seen)
    assert any(n_iter < max_iter for max_iter, n_iter in seen)


def test_halving_grid_search_on_n_samples():
    # (the score threshold at the end was set with init="auto", bias_init=0)
    base = MLPClassifier((8,), max_iter=30, learning_rate_init=0.03, random_state=0,
                         init="auto", bias_init=0.0)  # fmt: skip
    search = HalvingGridSearchCV(
        base, {"alpha": [1e-4, 1e-2, 1.0, 100.0]}, resource="n_samples",
        min_resources=60, factor=2, cv=CV,
    )  # fmt: skip
    search.fit(X, y)
    assert search.n_resources_ == [60, 120, 240]
    assert search.n_candidates_ == [4, 2, 1]
    # the heaviest penalty underfits: it does not survive
    assert search.best_params_["alpha"] != 100.0
    assert search.best_estimator_.n_features_in_ == X.shape[1]
    assert search.best_score_ > 0.75


def _weights():
    w = np.ones(len(y))
    w[:60] = 0.0
    return w


def test_metadata_routing_in_pipeline():
    """sample_weight reaches fit: zero weights equal leaving the rows out."""
    w = _weights()

    def model(request):
        est = MLPClassifier((8,), solver="lbfgs", max_iter=30, random_state=0)
        scaler = StandardScaler()
        if request:
            est.set_fit_request(sample_weight=True)
            scaler.set_fit_request(sample_weight=True)
        return make_pipeline(scaler, est)

    with sklearn.config_context(enable_metadata_routing=True):
        weighted = model(True).fit(X, y, sample_weight=w)
        dropped = model(False).fit(X[60:], y[60:])
        unweighted = model(False).fit(X, y)
        with pytest.raises(UnsetMetadataPassedError):
            model(False).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(
        weighted.predict_proba(X), dropped.predict_proba(X), rtol=1e-9, atol=1e-11
    )
    assert not np.allclose(weighted.predict_proba(X), unweighted.predict_proba(X))


def test_metadata_routing_in_grid_search():
    """GridSearchCV routes sample_weight to fit (set_fit_request) and to the
    estimator's score (set_score_request): every cv score is the weighted score
    of the weighted fit of its split."""
    w = np.random.RandomState(0).uniform(0.1, 3.0, len(y))
    cv = KFold(3, shuffle=True, random_state=0)
    params = {"alpha": [1e-3, 1.0]}
    with sklearn.config_context(enable_metadata_routing=True):
        est = (
            MLPClassifier((8,), solver="lbfgs", max_iter=20, random_state=0)
            .set_fit_request(sample_weight=True)
            .set_score_request(sample_weight=True)
        )
        search = GridSearchCV(est, params, cv=cv).fit(X, y, sample_weight=w)
        plain = GridSearchCV(
            MLPClassifier((8,), solver="lbfgs", max_iter=20, random_state=0),
            params, cv=cv,
        ).fit(X, y)  # fmt: skip
    for i, p in enumerate(search.cv_results_["params"]):
        scores = []
        for train, test in cv.split(X, y):
            fitted = MLPClassifier(
                (8,), solver="lbfgs", max_iter=20, random_state=0, **p
            ).fit(X[train], y[train], sample_weight=w[train])
            scores.append(fitted.score(X[test], y[test], sample_weight=w[test]))
        assert search.cv_results_["mean_test_score"][i] == pytest.approx(
            np.mean(scores), rel=1e-12
        )
    assert not np.array_equal(
        search.cv_results_["mean_test_score"], plain.cv_results_["mean_test_score"]
    )
