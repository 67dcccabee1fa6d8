"""Scaling out: GridSearchCV on a Dask LocalCluster, dask-ml's Incremental."""

import warnings

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from skdnn import MLPClassifier

distributed = pytest.importorskip("distributed")  # in the [test] extra: runs in CI
dask_ml_wrappers = pytest.importorskip("dask_ml.wrappers")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:600] / 16.0, y[:600]


def _compiled_epochs():
    """(cache hits, cache misses) of the epoch kernel in this process."""
    from skdnn._core.epoch import run_epoch

    stats = run_epoch.stats
    return sum(stats.cache_hits.values()), sum(stats.cache_misses.values())


def test_grid_search_on_a_local_cluster(digits):
    X, y = digits
    grid = {"alpha": [1e-4, 1e-2], "activation": ["relu", "tanh"]}
    est = MLPClassifier((16,), max_iter=10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        serial = GridSearchCV(est, grid, cv=2).fit(X, y)
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True,
                dashboard_address=None,
            ) as cluster,
            distributed.Client(cluster) as client,
            joblib.parallel_backend("dask"),
        ):  # fmt: skip
            dist = GridSearchCV(est, grid, cv=2, n_jobs=-1).fit(X, y)
            compiled = client.run(_compiled_epochs)
    # the workers loaded the epoch kernel from Numba's disk cache (filled by the
    # serial search in this process): not one compilation
    assert len(compiled) == 2
    assert all(misses == 0 for _, misses in compiled.values()), compiled
    assert sum(hits for hits, _ in compiled.values()) >= 1, compiled
    # same seeds, same data: the workers' fits are bitwise the local ones
    np.testing.assert_array_equal(
        dist.cv_results_["mean_test_score"], serial.cv_results_["mean_test_score"]
    )
    assert dist.best_params_ == serial.best_params_
    np.testing.assert_array_equal(
        dist.best_estimator_.predict_proba(X), serial.best_estimator_.predict_proba(X)
    )


def test_incremental_on_a_dask_array(digits):
    da = pytest.importorskip("dask.array")
    X, y = digits
    Xd = da.from_array(X, chunks=(200, X.shape[1]))  # three chunks
    yd = da.from_array(y, chunks=200)
    classes = np.unique(y)
    inc = dask_ml_wrappers.Incremental(
        MLPClassifier((16,), random_state=0), scoring="accuracy", shuffle_blocks=False
    )
    inc.fit(Xd, yd, classes=classes)
    # the same as partial_fit chunk by chunk
    ref = MLPClassifier((16,), random_state=0)
    for start in range(0, 600, 200):
        ref.partial_fit(X[start : start + 200], y[start : start + 200], classes=classes)
    np.testing.assert_array_equal(inc.estimator_.coefs_[0], ref.coefs_[0])
    assert inc.score(Xd, yd) == pytest.approx(ref.score(X, y))
