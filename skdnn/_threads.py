"""Row-parallel prediction: threads that each run the compiled forward pass.

A forward pass over many rows is a chain of matrix products with elementwise work
between them. Letting BLAS split each product over its threads leaves the
elementwise passes (bias, activation, softmax) on one core and synchronises the
threads after every product of every chunk; splitting the *rows* over the same
number of threads, each running the whole chain on pieces of 512 rows with
single-threaded BLAS, keeps every core busy on both (10,000 rows of a
784-256-128-10 network, 2 cores: about 20 % faster). The threads take the pieces
in turn, so a thread slowed down by other work on its core does not hold the
others up. The compiled kernels release the GIL, so plain Python threads suffice.

The number of threads is the number BLAS itself would use, so a process limited to
one BLAS thread (a joblib worker, ``threadpool_limits(1)``) keeps predicting on one
core. While any row-parallel prediction runs, BLAS is limited to one thread for the
whole process; a prediction started meanwhile in another thread sees that limit and
runs on one core instead of oversubscribing them.
"""

import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from threadpoolctl import ThreadpoolController

# fewer rows per thread cost more in thread start-up than they save
MIN_ROWS_PER_THREAD = 1024
# rows per piece of work: one chunk of the kernel (512 rows), so that a split
# processes exactly the chunks a single call would
PIECE_ROWS = 512

_lock = threading.Lock()
_blas = None  # ThreadpoolController of the BLAS libraries, made on first use
_active = 0  # row-parallel predictions running now
_limiter = None  # restores the BLAS thread counts when the last one ends


def _blas_controller():
    global _blas
    if _blas is None:
        _blas = ThreadpoolController().select(user_api="blas")
    return _blas


@contextmanager
def _single_threaded_blas(n_rows):
    """Limit BLAS to one thread and give how many threads to split the rows over
    (1: run in the calling thread with BLAS as it is)."""
    global _active, _limiter
    n_threads = 1
    if n_rows >= 2 * MIN_ROWS_PER_THREAD:
        with _lock:
            if _active == 0:
                blas = _blas_controller()
                current = max(
                    (lib.num_threads for lib in blas.lib_controllers), default=1
                )
                n_threads = min(current, n_rows // MIN_ROWS_PER_THREAD)
                if n_threads > 1:
                    _limiter = blas.limit(limits=1)
            if n_threads > 1:
                _active += 1
    try:
        yield n_threads
    finally:
        if n_threads > 1:
            with _lock:
                _active -= 1
                if _active == 0:
                    _limiter.restore_original_limits()
                    _limiter = None


def split_rows(func, n_rows):
    """``func(lo, hi)`` over ``[0, n_rows)``, split over threads; the results in order.

    ``func`` must release the GIL and write disjoint outputs for disjoint ranges.
    The rows go out in pieces of at most ``PIECE_ROWS`` (whole chunks of the kernel)
    that each thread takes in turn, so that a thread slowed down by something else
    on its core does not hold the others up.
    """
    with _single_threaded_blas(n_rows) as n_threads:
        if n_threads == 1:
            return [func(0, n_rows)]
        pieces = [
            (lo, min(lo + PIECE_ROWS, n_rows)) for lo in range(0, n_rows, PIECE_ROWS)
        ]
        todo = iter(pieces)
        take = threading.Lock()
        results = {}

        def work():
            while True:
                with take:
                    piece = next(todo, None)
                if piece is None:
                    return
                results[piece] = func(*piece)

        with ThreadPoolExecutor(n_threads - 1) as pool:
            futures = [pool.submit(work) for _ in range(n_threads - 1)]
            work()
            for f in futures:
                f.result()
        return [results[piece] for piece in pieces]
