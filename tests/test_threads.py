"""Row-parallel prediction (skdnn._threads): same results as one thread, BLAS limits
restored, errors for non-finite input.

The suite keeps BLAS to one thread per worker (conftest), which makes prediction run
in the calling thread; these tests raise the limit to 2 where they need the split.
"""

import threading
import time

import numpy as np
import pytest
import scipy.sparse as sp
from threadpoolctl import threadpool_info, threadpool_limits

from skdnn import MLPClassifier, MLPRegressor, _threads


def _blas_threads():
    infos = threadpool_info()
    return sorted(i["num_threads"] for i in infos if i["user_api"] == "blas")


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(5000, 30))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int) + (X[:, 3] > 1)
    return X, y


def test_split_rows_covers_the_rows_in_chunk_aligned_pieces_with_one_blas_thread():
    seen = []
    entered = set()
    both_in = threading.Event()

    def record(lo, hi):
        # the first pieces wait (a few seconds at most) until both threads are in,
        # so the split is seen whatever the machine's load
        entered.add(threading.get_ident())
        if len(entered) == 2:
            both_in.set()
        both_in.wait(timeout=5)
        seen.append((lo, hi, threading.get_ident(), _blas_threads()))
        return hi - lo

    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        sizes = _threads.split_rows(record, 5000)
        assert _blas_threads() == before  # restored
    pieces = [(lo, hi) for lo, hi, _, _ in seen]
    step = _threads.CHUNK_ROWS
    assert sorted(pieces) == [(lo, min(lo + step, 5000)) for lo in range(0, 5000, step)]
    assert sizes == [hi - lo for lo, hi in sorted(pieces)]  # results in row order
    assert len({ident for _, _, ident, _ in seen}) == 2
    assert all(set(threads) == {1} for _, _, _, threads in seen)


def test_an_error_in_a_thread_stops_the_split_and_restores_blas():
    calls = []
    lock = threading.Lock()

    def fail_on_second_piece(lo, hi):
        with lock:
            calls.append(lo)
            second = len(calls) == 2
        if second:
            raise RuntimeError("piece failed")
        time.sleep(0.002)
        return True

    n = 64 * _threads.CHUNK_ROWS
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        with pytest.raises(RuntimeError, match="piece failed"):
            _threads.split_rows(fail_on_second_piece, n)
        assert _blas_threads() == before
        assert _threads._limiter is None
        assert len(calls) <= 4  # of 16 pieces: the other thread stopped early
        # and the next prediction splits again
        assert len(_threads.split_rows(lambda lo, hi: True, 5000)) > 1


def test_split_rows_stays_in_the_calling_thread_when_blas_has_one_thread_or_few_rows():
    calls = []

    def record(lo, hi):
        calls.append((lo, hi, threading.get_ident()))
        return True

    with threadpool_limits(limits=1, user_api="blas"):
        _threads.split_rows(record, 5000)
    with threadpool_limits(limits=2, user_api="blas"):
        _threads.split_rows(record, 2 * _threads.MIN_ROWS_PER_THREAD - 1)
    assert calls == [
        (0, 5000, threading.get_ident()),
        (0, 2 * _threads.MIN_ROWS_PER_THREAD - 1, threading.get_ident()),
    ]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "params",
    [
        dict(),
        dict(batch_norm=True, activation="maxout"),
        dict(dropout=0.2, input_batch_norm=True, activation="rrelu"),
    ],
)
def test_split_prediction_equals_single_thread_prediction(data, dtype, params):
    X, y = data
    X = X.astype(dtype)
    clf = MLPClassifier((64, 32), max_iter=3, random_state=0, **params).fit(X, y)
    with threadpool_limits(limits=1, user_api="blas"):
        serial = clf.predict_proba(X)
        serial_sparse = clf.predict_proba(sp.csr_matrix(X))
    with threadpool_limits(limits=2, user_api="blas"):
        split = clf.predict_proba(X)
        split_sparse = clf.predict_proba(sp.csr_matrix(X))
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(split, serial, rtol=rtol, atol=1e-7)
    np.testing.assert_allclose(split_sparse, serial_sparse, rtol=rtol, atol=1e-7)
    np.testing.assert_allclose(split_sparse, split, rtol=rtol, atol=1e-6)


def test_split_monte_carlo_dropout_draws_the_masks_of_a_single_thread(data):
    X, y = data
    reg = MLPRegressor(
        hidden_layer_sizes=(64,), dropout=0.3, max_iter=3, random_state=0
    )
    reg.fit(X, X[:, 0])
    with threadpool_limits(limits=1, user_api="blas"):
        serial = reg.mc_predict(X, n_samples=3, random_state=7, return_std=True)
    with threadpool_limits(limits=2, user_api="blas"):
        split = reg.mc_predict(X, n_samples=3, random_state=7, return_std=True)
    np.testing.assert_allclose(split[0], serial[0], rtol=1e-10)
    np.testing.assert_allclose(split[1], serial[1], rtol=1e-8, atol=1e-12)
    assert np.all(split[1] > 0)  # the passes differ: dropout is on


@pytest.mark.parametrize(
    "params",
    [
        dict(hidden_layer_sizes=(16,)),
        dict(hidden_layer_sizes=()),  # the first layer is the output layer
        dict(hidden_layer_sizes=(16,), batch_norm="before"),
        dict(hidden_layer_sizes=(16,), input_batch_norm=True),
        dict(hidden_layer_sizes=(8,), activation="maxout"),
    ],
    ids=["relu", "no-hidden", "bn-before", "input-bn", "maxout"],
)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("n", [100, 5000])
def test_non_finite_input_is_refused_on_every_path(data, params, bad, n):
    X, y = data
    clf = MLPClassifier(max_iter=2, random_state=0, **params).fit(X[:500], y[:500])
    Xb = X[:n].copy()
    Xb[n - 3, 4] = bad
    for limit in (1, 2):
        with threadpool_limits(limits=limit, user_api="blas"):
            with pytest.raises(ValueError, match="NaN|infinity"):
                clf.predict(Xb)
            with pytest.raises(ValueError, match="NaN|infinity"):
                clf.predict_proba(Xb.astype(np.float32))


def test_overflowing_but_finite_input_is_accepted(data, monkeypatch):
    # scikit-learn's validation lets finite values through even when the products
    # overflow; the kernel's non-finite report must not turn that into an error
    X, y = data
    X32 = X.astype(np.float32)
    reg = MLPRegressor(hidden_layer_sizes=(16,), max_iter=2, random_state=0)
    reg.fit(X32[:500], X32[:500, 0])  # float32 weights: 3e38 * w overflows
    Xb = X32.copy()
    Xb[4000, :] = 3e38
    full_checks = []
    validate = reg._validate_predict_input

    def spy(X, plain=True):
        full_checks.append(plain)
        return validate(X, plain)

    monkeypatch.setattr(reg, "_validate_predict_input", spy)
    for limit in (1, 2):
        with threadpool_limits(limits=limit, user_api="blas"):
            pred = reg.predict(Xb)
        assert pred.shape == (5000,)
        np.testing.assert_allclose(
            np.delete(pred, 4000), np.delete(reg.predict(X32), 4000)
        )
    assert full_checks == [False, False]  # the overflow sent each to the full check


def test_concurrent_predictions_agree_and_restore_the_blas_limits(data):
    X, y = data
    clf = MLPClassifier((64, 32), max_iter=3, random_state=0).fit(X, y)
    with threadpool_limits(limits=1, user_api="blas"):
        expected = clf.predict_proba(X)
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        results = [None] * 6

        def work(i):
            for _ in range(3):
                results[i] = clf.predict_proba(X)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert _blas_threads() == before
    for r in results:
        np.testing.assert_allclose(r, expected, rtol=1e-12)
