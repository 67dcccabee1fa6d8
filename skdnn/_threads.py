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
core. While any row-parallel prediction or training epoch runs, BLAS is limited to
one thread for the whole process; a prediction started meanwhile in another thread
sees that limit and runs on one core instead of oversubscribing them.

Training splits every batch into two halves (:func:`skdnn._core.epoch.run_epoch`)
and runs them on two threads of Numba's threading layer or one after the other,
whichever is faster at the moment (:class:`HalvesScheduler`); BLAS runs on one
thread throughout, so that the model does not depend on either choice.
"""

import os
import sys
import threading
import time
import warnings
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
_limiter = None  # set while BLAS is held at one thread: restores its threads
_holders = 0  # how many calls (training epochs, predictions) hold that limit
_blas_threads = 1  # BLAS's threads before the limit (valid while _holders > 0)
_parallel_ran = False  # a parallel region of Numba's threading layer ran
_forked = False  # forked from a process in which one ran
_layer = None  # Numba's threading layer, once launched
_workqueue_gate = threading.Lock()  # Numba's workqueue layer: one user at a time


def _blas_controller():
    global _blas
    if _blas is None:
        _blas = ThreadpoolController().select(user_api="blas")
    return _blas


def _layer_launched():
    """Whether Numba's threading layer has started in this process (by skdnn or
    by anyone else's parallel code)."""
    parallel = sys.modules.get("numba.np.ufunc.parallel")
    return _layer is not None or bool(getattr(parallel, "_is_initialized", False))


def _before_fork():
    # a child forked while Numba compiles in another thread would inherit its
    # compiler lock as held, and hang at its first compilation: let the
    # background compilations end first
    wait_for_compiles()


def _after_fork_in_child():
    # a fork while BLAS is held at one thread must not leave the child with that
    # limit, holders nobody will release, or a held lock. GNU's OpenMP (Numba's
    # "omp" layer on Linux) terminates a forked child that starts a parallel
    # region if the threading layer had started in the parent (a parallel region
    # is not needed): such a child trains serially (the same bits, see
    # skdnn._core.epoch.run_epoch).
    global _lock, _limiter, _holders, _forked, _workqueue_gate
    _lock = threading.Lock()
    _workqueue_gate = threading.Lock()
    _holders = 0
    _forked = _forked or _parallel_ran or _layer_launched()
    if _limiter is not None:
        _limiter.restore_original_limits()
        _limiter = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)


@contextmanager
def one_blas_thread():
    """Hold BLAS at one thread for the calling block, across threads: the first
    holder sets the limit, the last one restores BLAS's threads. Gives ``(n,
    first)``: the number of threads BLAS had before the first holder limited it,
    and whether this call is the first holder."""
    global _limiter, _holders, _blas_threads
    pid = os.getpid()
    with _lock:
        first = _holders == 0
        if first:
            blas = _blas_controller()
            _blas_threads = max(
                (lib.num_threads for lib in blas.lib_controllers), default=1
            )
            if _blas_threads > 1:
                _limiter = blas.limit(limits=1)
        _holders += 1
        n = _blas_threads
    try:
        yield n, first
    finally:
        if os.getpid() == pid:  # (a child forked meanwhile starts afresh)
            with _lock:
                _holders -= 1
                if _holders == 0 and _limiter is not None:
                    _limiter.restore_original_limits()
                    _limiter = None


@contextmanager
def _single_threaded_blas(n_rows, large):
    """Limit BLAS to one thread and give how many threads to split the rows over
    (1: run in the calling thread). ``large``: the products are large enough for
    BLAS to split them (see ``BLAS_SPLIT_MIN_WORK``); small ones leave BLAS as
    it is, which then runs them on one thread anyway (and saves the 8 us of
    setting the limit). A prediction that starts while another call holds the
    limit runs on one thread."""
    if not large:
        yield 1
        return
    with one_blas_thread() as (n, first):
        yield max(min(n, n_rows // MIN_ROWS_PER_THREAD), 1) if first else 1


def _threading_layer():
    """Numba's threading layer ("tbb", "omp" or "workqueue"), launched on the
    first call."""
    global _layer
    if _layer is None:
        import numba

        numba.get_num_threads()  # launches the layer
        _layer = numba.threading_layer()
    return _layer


# seconds of training epochs a process runs before it compiles the parallel epoch
# (in the background): smaller jobs never pay for that compilation
COMPILE_AFTER = 1.0
_trained = 0.0  # seconds of training epochs so far (not counting compilation)
_compiles = {}  # (kernel, argument types): the thread compiling it, or None


def _compile(kernel, types):
    try:
        kernel.compile(types)
        _threading_layer()
    except Exception as exc:  # never parallel then (the serial epoch: same bits)
        with _lock:
            _compiles[kernel, types] = False
        warnings.warn(
            f"skdnn could not compile its two-thread training epoch ({exc!r}); "
            "training stays on one thread (the same models, more slowly).",
            RuntimeWarning,
            stacklevel=1,
        )


def wait_for_compiles():
    """Wait until every background compilation has ended (benchmarks, tests)."""
    for thread in list(_compiles.values()):
        if thread:
            thread.join()


def compiled(kernel, args):
    """Whether ``kernel`` (a Numba dispatcher) is compiled for the types of
    ``args``; if not, its compilation (or loading from Numba's cache) starts in
    a background thread, once, after the process has trained for
    :data:`COMPILE_AFTER` seconds. The thread is not a daemon: a process that
    ends meanwhile waits for it, so that the cache is written whole."""
    import numba

    types = tuple(numba.typeof(a) for a in args)
    if types in kernel.overloads:
        return _compiles.get((kernel, types)) is not False
    with _lock:
        if (kernel, types) in _compiles or _trained < COMPILE_AFTER:
            return False
        thread = threading.Thread(
            target=_compile, args=(kernel, types), name="skdnn-compile"
        )
        _compiles[kernel, types] = thread
    thread.start()
    return False


class EpochThreads:
    """What :func:`training_threads` decided for an epoch, and how long it took:
    ``parallel`` (the halves on two threads), ``wall`` (seconds, once the epoch
    has ended; None before)."""

    def __init__(self, parallel):
        self.parallel = parallel
        self.wall = None


@contextmanager
def training_threads(split, last_wall, ready, kernels=()):
    """The threads of one training epoch: gives an :class:`EpochThreads`,
    whether the two halves of every batch run on two threads or one after the
    other.

    With ``split`` (batches trained in two halves), BLAS is held at one thread
    for the epoch, so that every product gives the same bits whatever the number
    of threads and the halves' order of execution; the halves then run on two
    threads when BLAS had two or more (the cores the process may use; one in a
    joblib worker limited to one), the process was not forked from one that ran
    parallel regions, the network's last epoch took at least
    :attr:`HalvesScheduler.MIN_EPOCH` seconds (``last_wall``; None: no epoch
    yet), the process's :data:`SCHEDULER` finds two threads faster at the
    moment (the epoch's times are reported to it), and ``ready()`` (the
    parallel epoch is compiled, see :func:`compiled`). Without ``split`` BLAS
    keeps its threads. The epoch's time counts towards :data:`COMPILE_AFTER`
    unless one of ``kernels`` (Numba dispatchers) compiled during it."""
    global _trained, _parallel_ran
    if not split:
        yield EpochThreads(False)
        return
    n_compiled = sum(len(k.overloads) for k in kernels)
    short = last_wall is not None and last_wall < HalvesScheduler.MIN_EPOCH
    import numba

    with one_blas_thread() as (n_blas, _):
        parallel = (
            n_blas > 1
            and numba.config.NUMBA_NUM_THREADS > 1
            and not _forked
            and not short
            and SCHEDULER.choose()
            and ready()
        )
        gate = None
        if parallel and _threading_layer() == "workqueue":
            # the workqueue layer aborts on concurrent entry: one epoch at a time
            gate = _workqueue_gate
            parallel = gate.acquire(blocking=False)
            gate = gate if parallel else None
        warming = parallel and not _parallel_ran
        if parallel:
            _parallel_ran = True  # (see the fork handler)
            # a team of two threads (the setting is the calling thread's), not
            # one per core: the others would only wait at every batch
            team = numba.get_num_threads()
            numba.set_num_threads(2)
        epoch = EpochThreads(parallel)
        idle = None if parallel or SCHEDULER.parallel else _idle_cpu_seconds()
        tic, cpu = time.perf_counter(), time.process_time()
        try:
            yield epoch
        finally:
            if parallel:
                numba.set_num_threads(team)
            if gate is not None:
                gate.release()
        epoch.wall = time.perf_counter() - tic
        if idle is not None:
            now = _idle_cpu_seconds()
            idle = None if now is None else now - idle
        if not warming:
            SCHEDULER.record(parallel, epoch.wall, time.process_time() - cpu, idle)
        if sum(len(k.overloads) for k in kernels) == n_compiled:
            _trained += epoch.wall


def _idle_cpu_seconds():
    """Seconds the CPUs this process may run on have been idle since boot (from
    Linux's ``/proc/stat``), or None where that is not known."""
    try:
        cpus = os.sched_getaffinity(0)
        with open("/proc/stat") as f:
            lines = [line.split() for line in f if line.startswith("cpu")]
    except (AttributeError, OSError):
        return None
    ticks = 0
    for fields in lines:
        if fields[0] != "cpu" and int(fields[0][3:]) in cpus:
            ticks += int(fields[4]) + int(fields[5])  # idle, iowait
    return ticks / os.sysconf("SC_CLK_TCK")


class HalvesScheduler:
    """Whether the next training epoch runs the halves of its batches on two
    threads or on one; one for the process (:data:`SCHEDULER`): the load is the
    machine's.

    Both ways give bitwise the same model; the choice only decides speed. On a
    quiet machine two threads are faster (784-256-128-10, float32: 98k against
    63k samples/s at batch 64, 180k against 95k at batch 512). With another busy
    process on a 2-core machine one of the two threads waits for a core at every
    batch, and one thread is faster (the same shapes next to a one-thread busy
    loop: 22k-43k against 64k, 68k-85k against 93k). The two threads got less
    than :attr:`BUSY` seconds of CPU time per second of an epoch then (1.13-1.49
    measured, against 1.91-2.01 on the quiet machine): after such an epoch the
    halves run on one thread. Two threads are tried again after ``interval``
    seconds of training on one thread (:attr:`FIRST_WAIT`, doubling up to
    :attr:`MAX_WAIT` while the machine stays busy), and as soon as the CPUs
    the process may use were idle for at least :attr:`FREE` of a CPU during
    the last :attr:`WINDOW` seconds or more of training on one thread
    (consecutive epochs; Linux's ``/proc/stat``): a load that ends is seen
    within about an epoch. A container whose CPU quota is spent looks idle
    there: each trial that idle CPUs started and that finds the machine busy
    doubles the training on one thread such a trial needs first (``gate``,
    from :attr:`WINDOW` up to :attr:`MAX_WAIT`). The CPU time is the whole
    process's: other busy threads of the process make a busy machine look
    quiet. The first parallel epoch of a process is not judged (see
    :func:`training_threads`): its threads start during it (1.46-1.52
    measured on the quiet machine).
    """

    BUSY = 1.7
    MIN_EPOCH = 0.002  # seconds: shorter epochs stay on one thread
    FIRST_WAIT = 2.0
    MAX_WAIT = 32.0
    FREE = 0.5
    WINDOW = 0.1

    def __init__(self):
        self.parallel = True
        self.interval = self.FIRST_WAIT
        self.waited = 0.0  # seconds on one thread since the machine was busy
        self.freed = False  # whether a CPU was idle during the last window
        self.gate = self.WINDOW  # seconds on one thread before a trial on idle
        self._window = [0.0, 0.0]  # seconds on one thread, idle CPU seconds

    def choose(self):
        if self.parallel or self.waited >= self.interval:
            return True
        return self.freed and self.waited >= self.gate

    def record(self, parallel, wall, cpu, idle=None):
        """Record an epoch run on two threads (``parallel``) or one, which took
        ``wall`` seconds and ``cpu`` seconds of the process's CPU time, while the
        process's CPUs were idle for ``idle`` CPU seconds (None: not known)."""
        if not parallel:
            self.waited += wall
            if idle is not None:
                window = self._window
                window[0] += wall
                window[1] += idle
                if window[0] >= self.WINDOW:  # judge, then start a new window
                    self.freed = window[1] >= self.FREE * window[0]
                    self._window = [0.0, 0.0]
            return
        if cpu < self.BUSY * wall:
            if self.parallel:
                self.interval = self.FIRST_WAIT
            else:  # a trial failed: wait longer, after idle CPUs too
                self.interval = min(2 * self.interval, self.MAX_WAIT)
                if self.freed:
                    self.gate = min(2 * self.gate, self.MAX_WAIT)
            self.parallel = False
            self.waited = 0.0
            self.freed = False
            self._window = [0.0, 0.0]
        else:
            self.parallel = True
            self.gate = self.WINDOW


SCHEDULER = HalvesScheduler()


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
