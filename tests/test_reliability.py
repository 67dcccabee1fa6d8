"""Reproducibility across processes and thread counts; memory use of fit."""

import os
import subprocess
import sys
import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skdnn import MLPClassifier, MLPRegressor

_SCRIPT = """
import hashlib, warnings
import numpy as np
warnings.simplefilter("ignore")
from sklearn.datasets import load_digits
from skdnn import MLPClassifier
X, y = load_digits(return_X_y=True)
clf = MLPClassifier(hidden_layer_sizes=(64, 32), max_iter=5, batch_size=64,
                    early_stopping=True, l1=1e-4, random_state=7).fit(X / 16, y)
blob = clf._net.theta.tobytes() + clf.predict_proba(X / 16).tobytes()
# dropout masks, RReLU slopes, BN statistics and Monte Carlo passes
clf = MLPClassifier(hidden_layer_sizes=(64, 32), activation="rrelu", dropout=0.3,
                    input_dropout=0.1, batch_norm="after", input_batch_norm=True,
                    max_iter=3, batch_size=64, random_state=7).fit(X / 16, y)
blob += clf._net.theta.tobytes() + clf._net.bn_stats.tobytes()
blob += clf.mc_predict_proba(X / 16, n_samples=5, random_state=3).tobytes()
print(hashlib.sha256(blob).hexdigest())
"""


def _run(threads):
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                "NUMBA_NUM_THREADS"):  # fmt: skip
        env[var] = str(threads)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", _SCRIPT], env=env, capture_output=True, text=True,
        check=True, timeout=300,
    )  # fmt: skip
    return out.stdout.strip()


def test_bitwise_identical_across_processes_and_thread_counts():
    # shuffling, initialisation, the early-stopping split, the L1 prox, dropout
    # masks and RReLU slopes draw or depend on random numbers; a hash of every
    # parameter, running statistic and prediction
    digests = {_run(1), _run(2), _run(1)}
    assert len(digests) == 1, digests


def _peak_fit_bytes(estimator, X, y):
    # a first small fit loads the compiled kernels and lazily imported modules,
    # whose allocations are not the fit's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X[:300], y[:300])
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(X, y)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_float32_c_contiguous_input_is_not_copied():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40_000, 100)).astype(np.float32)  # 16 MB
    y = X[:, 0] + 0.1 * rng.normal(size=40_000).astype(np.float32)
    reg = MLPRegressor(hidden_layer_sizes=(32,), max_iter=1, batch_size=256)
    peak = _peak_fit_bytes(reg, X, y)
    # allocations during fit: targets, weights, per-sample order and weights,
    # batch buffers; a copy of X alone would be 16 MB
    assert peak < 0.25 * X.nbytes, peak


def test_other_layouts_are_copied_once():
    rng = np.random.RandomState(0)
    X = np.asfortranarray(rng.normal(size=(40_000, 100)))  # 32 MB, float64
    y = X[:, 0]
    reg = MLPRegressor(hidden_layer_sizes=(32,), max_iter=1, batch_size=256)
    peak = _peak_fit_bytes(reg, X, y)
    assert X.nbytes <= peak < 1.5 * X.nbytes, peak


@pytest.mark.parametrize("bad", [np.nan, np.inf, -1.0])
def test_bad_sample_weight_values(bad):
    X = np.random.RandomState(0).normal(size=(20, 3))
    y = np.arange(20) % 2
    sw = np.ones(20)
    sw[4] = bad
    with pytest.raises(ValueError, match="(NaN|infinity|[Nn]egative|finite)"):
        MLPClassifier().fit(X, y, sample_weight=sw)


def test_one_sample():
    with pytest.raises(ValueError, match="1 class"):
        MLPClassifier().fit([[0.0, 1.0]], [1])
    reg = MLPRegressor(max_iter=3).fit([[0.0, 1.0]], [1.0])  # as scikit-learn
    assert np.isfinite(reg.predict([[0.0, 1.0]])).all()
    # a batch of one has zero variance: a stochastic solver with batch
    # normalisation refuses one row (it would train a constant model); lbfgs fits
    # one sample (a constant, as without batch normalisation) and stays finite
    params = dict(batch_norm=True, input_batch_norm=True, max_iter=3)
    with pytest.raises(ValueError, match="at least 2 rows"):
        MLPRegressor(solver="adam", **params).fit([[0.0, 1.0]], [1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg = MLPRegressor(solver="lbfgs", **params).fit([[0.0, 1.0]], [1.0])
    assert np.isfinite(reg.predict([[0.0, 1.0], [5.0, -2.0]])).all()
    assert np.isfinite(reg._net.theta).all()


_LOAD_SCRIPT = """
import sys, joblib, numpy as np
from skdnn._core.predict import predict_forward
model = joblib.load(sys.argv[1])
X = np.load(sys.argv[2])
np.save(sys.argv[3], model.predict_proba(X))
stats = predict_forward.stats
print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))
"""


def test_joblib_round_trip_in_a_fresh_process(tmp_path):
    import joblib
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    clf = MLPClassifier((32,), batch_norm=True, dropout=0.2, activation="prelu",
                        max_iter=3, random_state=0)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    expected = clf.predict_proba(X)  # also fills the kernel cache for float32
    joblib.dump(clf, tmp_path / "model.joblib")
    np.save(tmp_path / "X.npy", X)
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, "-c", _LOAD_SCRIPT, str(tmp_path / "model.joblib"),
         str(tmp_path / "X.npy"), str(tmp_path / "proba.npy")],
        env=env, capture_output=True, text=True, check=True, timeout=300,
    )  # fmt: skip
    np.testing.assert_array_equal(np.load(tmp_path / "proba.npy"), expected)
    hits, misses = map(int, out.stdout.split())
    # the fresh process loaded the compiled predict kernel from Numba's cache
    assert (hits, misses) == (1, 0)
