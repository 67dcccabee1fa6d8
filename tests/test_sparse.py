"""Sparse (CSR) input: the first layer's products come from the CSR arrays, and no
code path builds a dense copy of X (``skdnn/_core/sparse.py``)."""

import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from skdnn import MLPClassifier, MLPRegressor
from skdnn._core.epoch import full_loss_grad, run_epoch
from skdnn._core.predict import predict_forward
from skdnn._network import gathers_batches, input_arrays
from skdnn.inspection import hidden_activations, layer_gradients

from ._kernels import csr_dot, csr_dot_t

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(n=240, p=30, density=0.15, seed=0):
    rng = np.random.RandomState(seed)
    X = sp.random(n, p, density=density, format="csr", random_state=seed)
    X.data = rng.uniform(-2, 2, X.nnz)
    y = (X @ rng.normal(size=p) > 0).astype(int) + (X[:, 0].toarray().ravel() > 0)
    return X, y


def test_csr_products_equal_the_dense_ones():
    rng = np.random.RandomState(0)
    # duplicate column indices (non-canonical CSR) are summed, empty rows give 0
    data = rng.normal(size=7)
    indices = np.array([3, 0, 3, 1, 4, 4, 2], dtype=np.int64)
    indptr = np.array([0, 3, 3, 5, 7], dtype=np.int64)
    X = sp.csr_matrix((data, indices, indptr), shape=(4, 5))
    rows = np.array([2, 0, 1, 3, 0], dtype=np.int64)
    W = rng.normal(size=(5, 6))
    Z = np.full((5, 6), np.nan)
    csr_dot(data, indices, indptr, rows, W, Z)
    np.testing.assert_allclose(Z, X.toarray()[rows] @ W, rtol=1e-13, atol=1e-14)
    D = rng.normal(size=(5, 6))
    G = np.full((5, 6), np.nan)
    csr_dot_t(data, indices, indptr, rows, D, G)
    np.testing.assert_allclose(G, X.toarray()[rows].T @ D, rtol=1e-13, atol=1e-14)


_CASES = {
    "adam": dict(solver="adam", max_iter=8, batch_size=32),
    "sgd_dropout": dict(solver="sgd", max_iter=5, batch_size=50, dropout=0.2),
    "lbfgs": dict(solver="lbfgs", max_iter=30),
    "lbfgs_bn_before": dict(solver="lbfgs", max_iter=30, batch_norm="before"),
    "lbfgs_bn_after": dict(solver="lbfgs", max_iter=30, batch_norm="after"),
    "adam_bn": dict(solver="adam", max_iter=5, batch_size=40, batch_norm=True),
    # the input batch normalisation folded into the CSR products
    "adam_input_bn": dict(solver="adam", max_iter=5, input_batch_norm=True),
    "adam_input_bn_weights": dict(
        solver="adam",
        max_iter=5,
        batch_size=40,
        input_batch_norm=True,
        batch_norm="before",
        sample_weight=True,
    ),  # fmt: skip
    # dropout masks drawn at the dense network's stream positions, although the
    # CSR work buffers stop before the input normalisation's columns
    "sgd_input_bn_dropout": dict(
        solver="sgd", max_iter=5, batch_size=50, input_batch_norm=True, dropout=0.2
    ),
    "lbfgs_input_bn": dict(solver="lbfgs", max_iter=30, input_batch_norm=True),
    "lbfgs_input_bn_and_bn": dict(
        solver="lbfgs", max_iter=30, input_batch_norm=True, batch_norm="after"
    ),
    # gathered batches (the inputs are dropped out): as before
    "adam_input_dropout": dict(solver="adam", max_iter=5, input_dropout=0.1),
    "adapters": dict(solver="adam", max_iter=5, n_members=2, front_scale=True),
}


@pytest.mark.parametrize("case", sorted(_CASES))
def test_sparse_fit_equals_the_dense_fit(case):
    X, y = _data()
    kw = dict(hidden_layer_sizes=(12, 7), random_state=0, **_CASES[case])
    fit = {}
    if kw.pop("sample_weight", False):
        fit["sample_weight"] = np.random.RandomState(1).uniform(0.2, 3, X.shape[0])
    dense = MLPClassifier(**kw).fit(X.toarray(), y, **fit)
    sparse = MLPClassifier(**kw).fit(X, y, **fit)
    # the sums of the first layer's products run in another order: equal up to
    # rounding (amplified over L-BFGS's iterations)
    tol = dict(rtol=1e-7, atol=1e-9)
    for a, b in zip(dense.coefs_, sparse.coefs_, strict=True):
        np.testing.assert_allclose(b, a, **tol)
    np.testing.assert_allclose(sparse.loss_curve_ if hasattr(sparse, "loss_curve_")
                               else sparse.loss_, dense.loss_curve_ if
                               hasattr(dense, "loss_curve_") else dense.loss_,
                               **tol)  # fmt: skip
    np.testing.assert_allclose(
        sparse.predict_proba(X), dense.predict_proba(X.toarray()), **tol
    )
    for a, b in zip(hidden_activations(sparse, X),
                    hidden_activations(sparse, X.toarray()), strict=True):  # fmt: skip
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)
    ga = layer_gradients(sparse, X, y, random_state=0)
    gb = layer_gradients(sparse, X.toarray(), y, random_state=0)
    for a, b in zip(ga, gb, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


def test_float32_sparse_fit_equals_the_dense_fit():
    X, y = _data()
    X = X.astype(np.float32)
    kw = dict(hidden_layer_sizes=(12,), random_state=0, max_iter=5, batch_size=32)
    a = MLPRegressor(**kw).fit(X, y.astype(np.float32))
    b = MLPRegressor(**kw).fit(X.toarray(), y.astype(np.float32))
    assert a.coefs_[0].dtype == np.float32
    for u, v in zip(a.coefs_, b.coefs_, strict=True):
        np.testing.assert_allclose(u, v, rtol=1e-4, atol=1e-5)


def test_layer_gradients_do_not_depend_on_the_chunks(monkeypatch):
    # without batch normalisation the rows are processed in chunks; each row
    # draws its own dropout mask whatever the chunk
    import skdnn.inspection

    X, y = _data(n=300)
    clf = MLPClassifier(hidden_layer_sizes=(9,), dropout=0.3, max_iter=3,
                        random_state=0).fit(X, y)  # fmt: skip
    one = layer_gradients(clf, X, y, random_state=1)
    monkeypatch.setattr(skdnn.inspection, "_FULL_BATCH_CHUNK", 64)
    chunked = layer_gradients(clf, X, y, random_state=1)
    for a, b in zip(one, chunked, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def test_workspace_has_no_gather_buffer_for_sparse_input():
    X, y = _data()
    for kw, gathers in ((dict(), False), (dict(batch_norm=True), False),
                        (dict(input_batch_norm=True), False),
                        (dict(input_dropout=0.1), True)):  # fmt: skip
        clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=2, batch_size=20,
                            random_state=0, **kw).fit(X, y)  # fmt: skip
        net = clf._net
        assert gathers_batches(net.spec, True) is gathers
        assert gathers_batches(net.spec, False)
        # batches without batch normalisation are trained in two halves, each
        # with its own gather buffer (of 10 rows)
        for work in net._work.values():
            xbuf = work.buffers[1] if work.parts else work.buffers[0]
            assert xbuf.size == (20 * X.shape[1] if gathers else 0)


_BIG_N, _BIG_P = 3000, 4000  # n * p * 8 bytes = 96 MB dense


@pytest.fixture(scope="module")
def big():
    rng = np.random.RandomState(0)
    X = sp.random(_BIG_N, _BIG_P, density=0.002, format="csr", random_state=0)
    y = (X @ rng.normal(size=_BIG_P) > 0).astype(int)
    return X, y


@pytest.mark.parametrize(
    "kw",
    [
        dict(solver="lbfgs", max_iter=3),
        dict(solver="lbfgs", max_iter=3, batch_norm="before"),
        dict(solver="lbfgs", max_iter=3, batch_norm="after"),
        dict(solver="adam", max_iter=1, batch_size=500),
    ],
    ids=["lbfgs", "lbfgs_bn_before", "lbfgs_bn_after", "adam"],
)
def test_no_dense_copy_of_sparse_x(big, kw):
    X, y = big
    dense_bytes = _BIG_N * _BIG_P * 8
    clf = MLPClassifier(hidden_layer_sizes=(8,), random_state=0, **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(X[:50], y[:50])  # compiled; the work buffers of a fit are rebuilt
        tracemalloc.start()
        try:
            clf.fit(X, y)
            hidden_activations(clf, X)
            layer_gradients(clf, X, y)
            clf.predict_proba(X)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    # parameters, L-BFGS's history (scipy's work space: 25 vectors of the 32,000
    # parameters), activations: about 12 MB; a dense batch of all rows (or of the
    # 4096-row chunks of L-BFGS) would be the whole 96 MB
    assert peak < dense_bytes / 4, peak


def test_sparse_input_compiles_no_second_specialisation():
    X, y = _data()
    kw = dict(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    MLPClassifier(**kw).fit(X.toarray(), y).predict(X.toarray())
    MLPClassifier(solver="lbfgs", **kw).fit(X.toarray(), y)
    kernels = (run_epoch, full_loss_grad, predict_forward)
    before = [len(k.signatures) for k in kernels]
    MLPClassifier(**kw).fit(X, y).predict(X)
    MLPClassifier(solver="lbfgs", batch_norm=True, **kw).fit(X, y)
    assert [len(k.signatures) for k in kernels] == before
    assert input_arrays(X, np.float64)[4] is True


@pytest.mark.parametrize("kw", [dict(dropout=0.3), dict(input_batch_norm=True)])
def test_hidden_activations_do_not_depend_on_the_chunks(monkeypatch, kw):
    # the rows are processed in chunks; each row draws its own dropout mask (MC
    # dropout) whatever the chunk, and batch normalisation uses the running
    # statistics
    import skdnn._network

    X, y = _data(n=300)
    clf = MLPClassifier(hidden_layer_sizes=(9, 5), max_iter=3, random_state=0, **kw)
    clf.fit(X, y)
    one = hidden_activations(clf, X, dropout=True, random_state=1)
    monkeypatch.setattr(skdnn._network, "ACTIVATION_CHUNK", 64)
    chunked = hidden_activations(clf, X, dropout=True, random_state=1)
    dense = hidden_activations(clf, X.toarray(), dropout=True, random_state=1)
    for a, b, c in zip(one, chunked, dense, strict=True):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(a, c, rtol=1e-12, atol=1e-14)


def test_lbfgs_input_batch_norm_uses_the_statistics_of_every_row():
    # batch normalisation of the inputs alone: the objective normalises with
    # the weighted statistics of every row (computed from the CSR arrays) and
    # runs in chunks; it equals the objective of one batch of every row
    from skdnn._core import codes
    from skdnn._core.normalization import input_statistics

    X, y = _data(n=300, p=40)
    X = X.tolil()
    X[3, 5] = 0.0  # an explicit zero
    X = X.tocsr()
    X.sum_duplicates()
    sw = np.random.RandomState(1).uniform(0.2, 2.0, size=300)
    clf = MLPClassifier(hidden_layer_sizes=(6,), input_batch_norm=True, max_iter=2,
                        solver="lbfgs", random_state=0).fit(X, y)  # fmt: skip
    net = clf._net
    Y = np.ascontiguousarray(clf._target_matrix(y), dtype=np.float64)
    opt = net.optimizer(1e-3, sw.sum())
    # the statistics, from CSR and from the dense copy
    mean, var = np.empty(40), np.empty(40)
    input_statistics(*input_arrays(X, np.float64), sw, mean, var)
    dense = X.toarray()
    expected = np.average(dense, axis=0, weights=sw)
    np.testing.assert_allclose(mean, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(
        var, np.average((dense - expected) ** 2, axis=0, weights=sw), rtol=1e-10
    )
    # one batch of every row (batch statistics) against chunks of 64 rows
    # normalised with the statistics of every row
    g_one, g_chunks = np.empty_like(net.theta), np.empty_like(net.theta)
    source = input_arrays(dense, np.float64)
    J_one = net.loss_and_gradient(source, Y, sw, opt, g_one, batch_size=300)
    net.set_input_statistics(input_arrays(X, np.float64), sw)
    J_chunks = net.loss_and_gradient(
        input_arrays(X, np.float64), Y, sw, opt, g_chunks,
        mode=codes.MODE_PREDICT, batch_size=64,
    )  # fmt: skip
    np.testing.assert_allclose(J_chunks, J_one, rtol=1e-10)
    np.testing.assert_allclose(g_chunks, g_one, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize(
    "extra",
    [
        dict(solver="lbfgs"),
        dict(solver="lbfgs", batch_norm="after"),
        dict(solver="lbfgs", batch_norm="before"),
        dict(solver="adam", batch_size=3000, batch_norm="before"),
    ],
    ids=["lbfgs", "lbfgs_bn_after", "lbfgs_bn_before", "adam_one_batch_bn"],
)
def test_input_batch_norm_does_not_densify(extra):
    rng = np.random.RandomState(0)
    n, p = 3000, 20000  # a dense copy: 480 MB
    X = sp.random(n, p, density=0.0005, format="csr", random_state=0)
    y = (X @ rng.normal(size=p) > 0).astype(int)
    kw = dict(hidden_layer_sizes=(8,), input_batch_norm=True, max_iter=3,
              random_state=0, **extra)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        MLPClassifier(**kw).fit(X[:50], y[:50])  # compiled
        tracemalloc.start()
        try:
            sparse = MLPClassifier(**kw).fit(X, y)
            layer_gradients(sparse, X, y)
            hidden_activations(sparse, X)
            sparse.predict_proba(X)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    # the normalisation is folded into the CSR products: parameters, L-BFGS's
    # history, activations (71 MB measured); gathered chunks of 104 rows took
    # 153 MB, and with batch normalisation of the hidden layers one batch of
    # every row was three dense copies of X (1,440 MB)
    assert peak < n * p * 8 / 4, peak
    if extra["solver"] == "lbfgs" and "batch_norm" not in extra:
        # the running statistics are the data's, whatever the input's form
        mean = np.asarray(X.mean(axis=0)).ravel()
        got = sparse.batch_norm_[0]["moving_mean"]
        np.testing.assert_allclose(got, mean, rtol=1e-10)


def test_layer_gradients_with_input_batch_norm_in_chunks(monkeypatch):
    # input batch normalisation alone: the inputs' statistics of every row,
    # then chunks (dropout drawn per row as in one batch); the model's running
    # statistics are left alone; sparse input is not densified
    import skdnn._lbfgs

    X, y = _data(n=300)
    clf = MLPClassifier(hidden_layer_sizes=(9,), input_batch_norm=True,
                        dropout=0.3, max_iter=3, random_state=0).fit(X, y)  # fmt: skip
    stats = clf._net.bn_stats.copy()
    one = layer_gradients(clf, X.toarray(), y, random_state=1)
    monkeypatch.setattr(skdnn._lbfgs, "_GATHER_VALUES", 64 * X.shape[1])
    chunked = layer_gradients(clf, X, y, random_state=1)
    np.testing.assert_array_equal(clf._net.bn_stats, stats)
    for a, b in zip(one, chunked, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)
    assert np.abs(one[0]).max() > 0
