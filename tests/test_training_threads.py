"""Training on two threads (skdnn._threads, skdnn._core.epoch): batches in two
halves, on two threads or one after the other, give bitwise the same model, which
does not depend on BLAS's threads either.

The suite keeps BLAS to one thread per worker (conftest), which keeps training on
one thread; these tests raise the limit to 2 where they need the parallel epoch.
"""

import contextlib
import multiprocessing
import os
import subprocess
import sys
import textwrap
import threading
from functools import partial

import numba
import numpy as np
import pytest
import scipy.sparse as sp
from threadpoolctl import threadpool_info, threadpool_limits

from skdnn import MLPClassifier, MLPRegressor, _lbfgs, _network, _threads
from skdnn._core import epoch
from skdnn._network import Network
from skdnn.embeddings import PeriodicEmbedding

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _blas_threads():
    infos = threadpool_info()
    return sorted(i["num_threads"] for i in infos if i["user_api"] == "blas")


def _data(n=600, p=24, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, p))
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(int) + (X[:, 3] > 1)
    return X, y


_SOURCE = []


def _source_model():
    """A fitted (256, 128) regressor whose first layer the "update_parts" model
    copies and freezes."""
    if not _SOURCE:
        X, y = _data()
        _SOURCE.append(
            MLPRegressor(hidden_layer_sizes=(256, 128), max_iter=1, random_state=1)
            .fit(X, y.astype(float))
        )  # fmt: skip
    return _SOURCE[0]


# a lean network in float32, one with every extra (dropout, RReLU, ensemble
# members, Nadam, sample weights, an odd batch size), and sparse input
_CONFIGS = {
    "lean_float32": (
        lambda: MLPClassifier((32, 16), batch_size=64, random_state=0),
        np.float32,
        False,
    ),
    "extras": (
        lambda: MLPClassifier(
            (32,),
            activation="rrelu",
            dropout=0.2,
            input_dropout=0.1,
            n_members=3,
            solver="nadam",
            batch_size=37,
            random_state=0,
        ),  # fmt: skip
        np.float64,
        True,
    ),
    # enough parameters for the update on two threads (PARALLEL_UPDATE_MIN), with
    # every per-parameter option of the update: penalties, decoupled decay,
    # learning-rate factors (the biases: in the second part), a frozen layer
    "update_parts": (
        lambda: MLPRegressor(
            hidden_layer_sizes=(256, 128),
            solver="adamw",
            alpha=1e-3,
            l1=1e-5,
            lr_factors={"bias": 2.0},
            init=_source_model(),
            frozen_layers=1,
            batch_size=37,
            random_state=0,
        ),  # fmt: skip
        np.float32,
        True,
    ),
    # a rule of the general kernels on the two-thread step, with clipvalue, and
    # the weights all in the first part (the embedding's parameters follow them)
    "update_parts_nadam": (
        lambda: MLPClassifier(
            (8,),
            numeric_embedding=PeriodicEmbedding(n_frequencies=32, d_embedding=32),
            solver="nadam",
            clipvalue=0.5,
            alpha=1e-3,
            l1=1e-5,
            lr_factors={"bias": 3.0},
            batch_size=37,
            random_state=0,
        ),  # fmt: skip
        np.float64,
        True,
    ),
    "sparse": (
        lambda: MLPRegressor(
            hidden_layer_sizes=(16,),
            batch_size=50,
            max_norm=2.0,
            clipnorm=1.0,
            l1=1e-4,
            random_state=0,
        ),  # fmt: skip
        np.float64,
        False,
    ),
}


@contextlib.contextmanager
def _forced_threads(monkeypatch, mode):
    """Training epochs and full objectives on two threads (``mode``
    "parallel") or one, decided at once (no load, no short-call rule, the
    parallel kernels compiled on first use); gives the monkeypatch context and
    the list that records, call by call, whether each ran in parallel."""
    ran = []
    original = _network.training_threads

    @contextlib.contextmanager
    def spy(*args, **kwargs):
        with original(*args, **kwargs) as threads:
            yield threads
        ran.append(threads.parallel)

    with monkeypatch.context() as m:
        m.setattr(_network, "training_threads", spy)
        m.setattr(_threads.HalvesScheduler, "choose", lambda self: mode == "parallel")
        m.setattr(_threads, "COMPILE_AFTER", 0.0)
        m.setattr(_threads.HalvesScheduler, "MIN_EPOCH", 0.0)
        yield m, ran


def _fit(name, mode, monkeypatch, epochs=4):
    """Fit configuration ``name`` with its halves on two threads (``mode``
    "parallel"), one ("serial"), or whole batches ("whole"); returns the model and
    the ways its epochs ran."""
    make, dtype, weighted = _CONFIGS[name]
    X, y = _data()
    if name == "sparse":  # 601 rows: a last batch of one row (an empty half)
        X = sp.random(601, 200, density=0.05, format="csr", random_state=0)
        y = np.asarray(X[:, :5].sum(axis=1)).ravel()
    X = X.astype(dtype)
    sw = None
    if weighted:
        sw = np.random.RandomState(1).uniform(0.5, 2.0, size=X.shape[0])
    with _forced_threads(monkeypatch, mode) as (m, ran):
        if mode == "whole":
            m.setattr(Network, "splits_batches", lambda self, batch_size: False)
        with threadpool_limits(limits=2, user_api="blas"):
            if mode == "parallel":  # compile the parallel epoch first
                make().set_params(max_iter=1).fit(X, y, sample_weight=sw)
                _threads.wait_for_compiles()
            ran.clear()
            est = make().set_params(max_iter=epochs).fit(X, y, sample_weight=sw)
    return est, ran


@pytest.mark.parametrize("name", sorted(_CONFIGS))
def test_two_threads_give_the_bits_of_one(name, monkeypatch):
    if (os.cpu_count() or 1) < 2 or numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs two cores")
    par, ran_par = _fit(name, "parallel", monkeypatch)
    ser, ran_ser = _fit(name, "serial", monkeypatch)
    if name.startswith("update_parts"):  # the update's parts ran on two threads too
        assert par._net.theta.size >= epoch.PARALLEL_UPDATE_MIN
        if name == "update_parts_nadam":  # every weight in the first part
            assert par._net.spec.n_weights < par._net.theta.size // 2 - 16
    assert ran_par == [True] * 4
    assert ran_ser == [False] * 4
    np.testing.assert_array_equal(par._net.theta, ser._net.theta)
    assert par.loss_curve_ == ser.loss_curve_
    assert [record["threads"] for record in par.history_] == [2] * 4
    assert [record["threads"] for record in ser.history_] == [1] * 4


@pytest.mark.parametrize("name", sorted(_CONFIGS))
def test_halves_compute_the_gradient_of_the_whole_batch(name, monkeypatch):
    """Split and whole batches differ only by the order of the sums: the same
    dropout masks and slopes, the same gradient to rounding."""
    split, _ = _fit(name, "serial", monkeypatch)
    whole, ran = _fit(name, "whole", monkeypatch)
    assert ran == [False] * 4  # whole batches
    f32 = split._net.dtype == np.float32
    # (update_parts: Adam's steps divide by the gradient's scale, and two of its
    # float32 gradients near zero that differ by rounding moved their weights by
    # 5e-6 in 4 epochs)
    np.testing.assert_allclose(
        split._net.theta, whole._net.theta, rtol=1e-4 if f32 else 1e-10,
        atol=1e-5 if name == "update_parts" else 1e-6,
    )  # fmt: skip


def test_batch_normalisation_keeps_whole_batches():
    X, y = _data()
    net = MLPClassifier((8,), batch_norm=True, max_iter=1).fit(X, y)._net
    assert not net.splits_batches(200)
    assert MLPClassifier((8,), max_iter=1).fit(X, y)._net.splits_batches(200)
    assert not MLPClassifier((8,), max_iter=1).fit(X, y)._net.splits_batches(1)


def test_the_model_does_not_depend_on_blas_threads():
    """Products of 200 x 64 x 64 multiply-adds are split by a two-thread BLAS
    (which changes their last bits); training holds BLAS at one thread, and gives
    it its threads back."""
    X, y = _data(p=64)
    est = MLPClassifier((64, 64), batch_size=200, max_iter=3, random_state=0)
    with threadpool_limits(limits=1, user_api="blas"):
        one = est.fit(X, y)._net.theta.copy()
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        two = est.fit(X, y)._net.theta.copy()
        assert _blas_threads() == before
    np.testing.assert_array_equal(one, two)


# products of 601 x 64 x 128 multiply-adds, which a two-thread BLAS splits, in
# models of 17,000 parameters (OpenBLAS splits the solver's dot products from
# about 10,000)
_ONE_BLAS_THREAD_MODELS = {
    "lbfgs": lambda: MLPClassifier(
        (128, 64), solver="lbfgs", max_iter=15, random_state=0
    ),
    "lbfgs_input_batch_norm": lambda: MLPClassifier(
        (128, 64), solver="lbfgs", input_batch_norm=True, max_iter=15, random_state=0
    ),
    "lbfgs_l1": lambda: MLPClassifier(
        (128, 64), solver="lbfgs", l1=1e-4, max_iter=15, random_state=0
    ),
}


@pytest.mark.parametrize("name", sorted(_ONE_BLAS_THREAD_MODELS))
def test_lbfgs_does_not_depend_on_blas_threads(name):
    """The full objective runs its products on one BLAS thread, L-BFGS its own
    dot products too (whether the objective's two chunks run on one thread or
    two)."""
    X, y = _data(n=601, p=64)
    est = _ONE_BLAS_THREAD_MODELS[name]()
    with threadpool_limits(limits=1, user_api="blas"):
        one = est.fit(X, y)
        one_theta, one_stats = one._net.theta.copy(), one._net.bn_stats.copy()
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        two = est.fit(X, y)
        assert _blas_threads() == before
    np.testing.assert_array_equal(one_theta, two._net.theta)
    np.testing.assert_array_equal(one_stats, two._net.bn_stats)


def _fit_lbfgs(mode, monkeypatch, chunk, sparse=False):
    """An L-BFGS fit whose objective runs in chunks of ``chunk`` rows, its pairs
    of chunks on two threads (``mode`` "parallel") or one after the other;
    returns the model and the ways its objective ran."""
    X, y = _data(n=601)
    if sparse:
        X = sp.random(601, 200, density=0.05, format="csr", random_state=0)
    with _forced_threads(monkeypatch, mode) as (m, ran):
        m.setattr(_lbfgs, "_chunk_rows", lambda n: min(n, chunk))
        make = partial(
            MLPRegressor,
            hidden_layer_sizes=(32, 16),
            solver="lbfgs",
            alpha=1e-3,
            random_state=0,
        )
        with threadpool_limits(limits=2, user_api="blas"):
            if mode == "parallel":  # compile the parallel objective first
                make(max_iter=1).fit(X, y)
                _threads.wait_for_compiles()
            ran.clear()
            est = make(max_iter=10).fit(X, y)
    return est, ran


@pytest.mark.parametrize("sparse", [False, True])
def test_lbfgs_chunk_pairs_on_two_threads_give_the_bits_of_one(sparse, monkeypatch):
    """Chunks of 128 rows: two pairs and a last chunk alone (601 rows)."""
    if (os.cpu_count() or 1) < 2 or numba.config.NUMBA_NUM_THREADS < 2:
        pytest.skip("needs two cores")
    par, ran_par = _fit_lbfgs("parallel", monkeypatch, 128, sparse)
    ser, ran_ser = _fit_lbfgs("serial", monkeypatch, 128, sparse)
    assert len(ran_par) > 10 and all(ran_par)
    assert len(ran_ser) == len(ran_par) and not any(ran_ser)
    np.testing.assert_array_equal(par._net.theta, ser._net.theta)
    assert par.loss_ == ser.loss_
    # the chunks sum the objective of all rows: one chunk gives it to rounding
    whole, ran = _fit_lbfgs("serial", monkeypatch, 4096, sparse)
    assert not any(ran)
    np.testing.assert_allclose(whole._net.theta, par._net.theta, rtol=1e-9, atol=1e-12)


def test_one_blas_thread_is_held_until_the_last_holder_leaves():
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        with _threads.one_blas_thread() as (n, first):
            assert (n, first) == (2, True)
            assert set(_blas_threads()) == {1}
            with _threads.one_blas_thread() as (n2, first2):
                assert (n2, first2) == (2, False)
            assert set(_blas_threads()) == {1}
        assert _blas_threads() == before
        assert _threads._holders == 0


def test_concurrent_fits_in_threads_give_the_bits_of_one_fit(monkeypatch):
    X, y = _data()
    make = _CONFIGS["lean_float32"][0]
    X = X.astype(np.float32)
    expected = make().set_params(max_iter=3).fit(X, y)._net.theta
    monkeypatch.setattr(_threads.HalvesScheduler, "choose", lambda self: True)
    monkeypatch.setattr(_threads.HalvesScheduler, "MIN_EPOCH", 0.0)
    monkeypatch.setattr(_threads, "COMPILE_AFTER", 0.0)
    results = [None] * 3
    with threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        make().set_params(max_iter=1).fit(X, y)
        _threads.wait_for_compiles()

        def work(i):
            results[i] = make().set_params(max_iter=3).fit(X, y)._net.theta

        threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert _blas_threads() == before
    for theta in results:
        np.testing.assert_array_equal(theta, expected)


def _fit_in_child(X, y):
    return (
        MLPClassifier((32, 16), batch_size=64, max_iter=3, random_state=0)
        .fit(X, y)
        ._net.theta
    )


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize("parent", ["ran_parallel_epochs", "started_the_layer"])
def test_a_forked_child_trains_on_one_thread(parent, monkeypatch):
    """GNU OpenMP terminates a forked child that enters a parallel region when
    its parent started the threading layer (a parallel region is not needed):
    the child trains on one thread, with the same bits."""
    X, y = _data()
    X = X.astype(np.float32)
    if parent == "ran_parallel_epochs":
        _, ran = _fit("lean_float32", "parallel", monkeypatch)
        assert ran == [True] * 4 and _threads._parallel_ran
    else:
        monkeypatch.setattr(_threads, "_parallel_ran", False)
        numba.get_num_threads()  # starts the layer
    expected = _fit_in_child(X, y)
    monkeypatch.setattr(_threads.HalvesScheduler, "choose", lambda self: True)
    monkeypatch.setattr(_threads.HalvesScheduler, "MIN_EPOCH", 0.0)
    monkeypatch.setattr(_network, "compiled", lambda kernel, args: True)
    with threadpool_limits(limits=2, user_api="blas"):
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(1) as pool:
            theta = pool.apply_async(_fit_in_child, (X, y)).get(timeout=120)
    np.testing.assert_array_equal(theta, expected)


def test_the_workqueue_layer_is_entered_by_one_epoch_at_a_time():
    """Numba's workqueue layer aborts the process when two threads enter it at
    once: concurrent fits then run one parallel epoch at a time."""
    code = textwrap.dedent(
        """
        import threading, numpy as np
        from threadpoolctl import threadpool_limits
        from skdnn import MLPClassifier, _threads
        _threads.COMPILE_AFTER = 0.0
        _threads.HalvesScheduler.choose = lambda self: True
        _threads.HalvesScheduler.MIN_EPOCH = 0.0
        rng = np.random.RandomState(0)
        X = rng.normal(size=(2000, 20)); y = (X[:, 0] > 0).astype(int)
        make = lambda: MLPClassifier((32,), batch_size=64, max_iter=4, random_state=0)
        with threadpool_limits(limits=2, user_api="blas"):
            make().set_params(max_iter=1).fit(X, y)
            _threads.wait_for_compiles()
            out = [None] * 4
            def work(i):
                out[i] = make().fit(X, y)._net.theta
            ts = [threading.Thread(target=work, args=(i,)) for i in range(4)]
            [t.start() for t in ts]; [t.join() for t in ts]
        import numba
        assert numba.threading_layer() == "workqueue", numba.threading_layer()
        assert all(np.array_equal(o, out[0]) for o in out)
        print("ok")
        """
    )
    env = dict(os.environ, NUMBA_THREADING_LAYER="workqueue")
    res = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip().endswith("ok")


def test_the_scheduler_runs_one_thread_while_the_machine_is_busy(monkeypatch):
    monkeypatch.setattr(_threads, "_idle_cpu_seconds", lambda: None)  # not known
    s = _threads.HalvesScheduler()
    first, most = s.FIRST_WAIT, s.MAX_WAIT
    assert s.choose()
    s.record(True, 0.1, 0.198)  # two cores' worth of CPU time: quiet
    assert s.choose()
    s.record(True, 0.1, 0.14)  # 1.4 cores: busy -> one thread for FIRST_WAIT s
    for _ in range(int(first / 0.125)):
        assert not s.choose()
        s.record(False, 0.125, 0.125)
    assert s.choose()  # a trial of two threads
    s.record(True, 0.1, 0.12)  # still busy: wait twice as long
    assert s.interval == 2 * first
    waited = 0
    while not s.choose():
        s.record(False, 0.25, 0.25)
        waited += 1
    assert waited == 2 * first / 0.25
    for _ in range(8):  # the wait doubles up to MAX_WAIT
        s.record(True, 0.1, 0.12)
        while not s.choose():
            s.record(False, 1.0, 1.0)
    assert s.interval == most
    s.record(True, 0.1, 0.2)  # quiet again: two threads from now on
    assert s.choose() and s.parallel
    s.record(True, 0.1, 0.1)  # busy again: back to the first wait
    assert s.interval == first and not s.choose()


def test_the_scheduler_tries_two_threads_when_a_cpu_is_idle():
    s = _threads.HalvesScheduler()
    s.record(True, 0.1, 0.12)  # busy
    s.record(False, 0.05, 0.05, 0.05)  # a CPU idle, but a window not yet full
    assert not s.choose()
    s.record(False, 0.05, 0.05, 0.0)  # the window: half a CPU idle on average
    assert s.freed and s.choose()  # a trial
    s.record(True, 0.1, 0.12)  # busy (a container's quota, say): the next
    assert not s.freed and s.gate == 2 * s.WINDOW  # trial on idle waits longer
    s.record(False, 0.1, 0.1, 0.1)
    assert s.freed and not s.choose()
    s.record(False, 0.1, 0.1, 0.1)
    assert s.choose()
    s.record(True, 0.1, 0.2)  # quiet: two threads, the gate back to its start
    assert s.parallel and s.gate == s.WINDOW
    s.record(True, 0.1, 0.12)  # busy under a true load: no idle CPU
    for _ in range(int(s.FIRST_WAIT / 0.125)):
        assert not s.choose()
        s.record(False, 0.125, 0.125, 0.0)
    assert s.choose() and not s.freed


def test_idle_cpu_seconds_grow_while_the_process_sleeps():
    first = _threads._idle_cpu_seconds()
    if first is None:
        pytest.skip("no /proc/stat")
    threading.Event().wait(0.3)
    assert _threads._idle_cpu_seconds() >= first


def test_short_epochs_and_a_process_first_parallel_epoch(monkeypatch):
    """An epoch after one shorter than 2 ms stays on one thread; the first
    parallel epoch of a process is not judged (its threads start)."""
    monkeypatch.setattr(_threads, "SCHEDULER", _threads.HalvesScheduler())
    monkeypatch.setattr(_threads, "_parallel_ran", False)
    monkeypatch.setattr(_threads, "_forked", False)
    with threadpool_limits(limits=2, user_api="blas"):
        with _threads.training_threads(True, 0.001, lambda: True) as threads:
            assert not threads.parallel
        with _threads.training_threads(True, None, lambda: True) as threads:
            assert threads.parallel
            assert _threads._parallel_ran
            sum(i for i in range(10**6))  # one thread busy: would look busy
        assert threads.wall > 0
        assert _threads.SCHEDULER.parallel  # not judged
        with _threads.training_threads(True, 0.5, lambda: False) as threads:
            assert not threads.parallel  # not compiled yet
        with threadpool_limits(limits=1, user_api="blas"):
            with _threads.training_threads(True, 0.5, lambda: True) as threads:
                assert not threads.parallel  # the process may use one core
