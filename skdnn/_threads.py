"""Row-parallel prediction: threads that each run the compiled forward pass.

A forward pass over many rows is a chain of matrix products with elementwise work
between them. Letting BLAS split each product over its threads leaves the
elementwise passes (bias, activation, softmax) on one core and synchronises the
threads after every product of every chunk; splitting the *rows* over the same
number of threads, each running the whole chain on pieces of the rows with
single-threaded BLAS, keeps every core busy on both (10,000 rows of a
784-256-128-10 network, 2 cores: 15-20 % faster). The threads take the pieces
in turn, so a thread slowed down by other work on its core does not hold the
others up. The compiled kernels release the GIL, so plain Python threads suffice.

The number of threads is the number BLAS itself would use, so a process limited to
one BLAS thread (a joblib worker, ``threadpool_limits(1)``) keeps predicting on one
core. While any row-parallel prediction runs, BLAS is limited to one thread for the
whole process; a prediction started meanwhile in another thread sees that limit and
runs on one core instead of oversubscribing them.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from threadpoolctl import ThreadpoolController

# fewer rows per thread cost more in thread start-up than they save
MIN_ROWS_PER_THREAD = 1024
# OpenBLAS runs a product of m * n * k multiply-adds on one thread below 65536 *
# GEMM_MULTITHREAD_THRESHOLD (4 in its builds); above, it splits the product over
# its threads, and since OpenBLAS 0.3.31 (scipy 1.17) that split changes the last
# bits of some shapes (x @ W with 773 rows and 64 x 64 weights, measured). Products
# this large therefore run with one BLAS thread, so that a prediction does not
# depend on the number of threads.
BLAS_SPLIT_MIN_WORK = 65536 * 4
# rows per chunk of the forward kernel (``predict_forward``'s ``chunk``): each
# chunk runs the whole network with its activations in cache. Pieces of work are
# whole chunks, so that a split processes exactly the chunks a single call would.
# 1,024 rather than 512: 10,000 rows of 784-256-128-10 took 17.8-18.4 ms against
# 18.3-18.8 ms in float32 (41.4 against 41.6 ms in float64); 2,048 left too few
# pieces to balance two threads (20.1-21.0 ms)
CHUNK_ROWS = 1024

_lock = threading.Lock()
_blas = None  # ThreadpoolController of the BLAS libraries, made on first use
_limiter = None  # set while a split prediction runs: restores the BLAS threads


def _blas_controller():
    global _blas
    if _blas is None:
        _blas = ThreadpoolController().select(user_api="blas")
    return _blas


def _after_fork_in_child():
    # a fork during a split prediction must not leave the child with BLAS limited
    # to one thread, a "split running" state nobody will end, or a held lock
    global _lock, _limiter
    _lock = threading.Lock()
    if _limiter is not None:
        _limiter.restore_original_limits()
        _limiter = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


@contextmanager
def _single_threaded_blas(n_rows, large):
    """Limit BLAS to one thread and give how many threads to split the rows over
    (1: run in the calling thread). ``large``: the products are large enough for
    BLAS to split them (see ``BLAS_SPLIT_MIN_WORK``); small ones leave BLAS as
    it is, which then runs them on one thread anyway (and saves the 8 us of
    setting the limit)."""
    global _limiter
    n_threads = 1
    owner = False
    try:
        if large:
            with _lock:
                if _limiter is None:  # no other prediction holds the limit
                    blas = _blas_controller()
                    current = max(
                        (lib.num_threads for lib in blas.lib_controllers), default=1
                    )
                    if current > 1:
                        n_threads = max(min(current, n_rows // MIN_ROWS_PER_THREAD), 1)
                        _limiter = blas.limit(limits=1)
                        owner = True
        yield n_threads
    finally:
        if owner:
            with _lock:
                _limiter.restore_original_limits()
                _limiter = None


def split_rows(func, n_rows, large=True):
    """``func(lo, hi)`` over ``[0, n_rows)``, split over threads; the results in order.

    ``large``: whether the products of ``n_rows`` rows reach
    ``BLAS_SPLIT_MIN_WORK`` (then BLAS runs on one thread during the call).

    ``func`` must release the GIL and write disjoint outputs for disjoint ranges.
    The rows go out in pieces (whole chunks of the kernel, about 8 per thread) that
    each thread takes in turn, so that a thread slowed down by something else on
    its core does not hold the others up. An exception in any thread (an
    interrupt included) stops the others after their current piece.
    """
    with _single_threaded_blas(n_rows, large) as n_threads:
        if n_threads == 1:
            return [func(0, n_rows)]
        # about 8 pieces per thread (whole chunks, at least one): enough to balance
        # the load, few enough that the Python overhead per piece stays negligible
        step = max(CHUNK_ROWS, n_rows // (8 * n_threads) // CHUNK_ROWS * CHUNK_ROWS)
        pieces = [(lo, min(lo + step, n_rows)) for lo in range(0, n_rows, step)]
        todo = iter(pieces)
        take = threading.Lock()
        stop = threading.Event()
        results = {}

        def work():
            try:
                while not stop.is_set():
                    with take:
                        piece = next(todo, None)
                    if piece is None:
                        return
                    results[piece] = func(*piece)
            except BaseException:
                stop.set()
                raise

        with ThreadPoolExecutor(n_threads - 1) as pool:
            futures = [pool.submit(work) for _ in range(n_threads - 1)]
            work()
            for f in futures:
                f.result()
        return [results[piece] for piece in pieces]
