"""Training throughput and compile time of skdnn, next to scikit-learn and PyTorch.

Prints markdown tables:

1. Training throughput (samples/second over the timed epochs, after one warm-up
   epoch) of ``skdnn.MLPClassifier``, ``sklearn.neural_network.MLPClassifier`` and,
   when ``import torch`` works, a plain PyTorch loop, on the same data in the same
   run, for float32 and float64 input and several batch sizes, with the ratios
   skdnn/sklearn and skdnn/torch (above 1: skdnn is faster).
2. Compile time of everything a default ``fit``/``predict`` needs, per dtype, with
   an empty Numba cache (cold) and with the cache that run filled (cached), each
   measured in a fresh subprocess, plus the time of ``import skdnn``.

Reference workload: ``make_classification(n_samples=20000, n_features=784,
n_informative=32, n_redundant=32, n_classes=10, n_clusters_per_class=2,
flip_y=0.01, random_state=0)``, standardised; network 784-256-128-10, ReLU, Adam
with learning rate 1e-3, alpha=0, shuffled every epoch.

Run from the repository root (skdnn installed, or importable from the checkout)::

    python benchmarks/bench_epoch.py --quick
    python benchmarks/bench_epoch.py --epochs 3 --no-torch

This is a script, not a test: it asserts nothing about speed.
"""

import argparse
import contextlib
import io
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

try:
    import skdnn
except ImportError:  # running from a checkout without PYTHONPATH: use its skdnn
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import skdnn

import numba
import sklearn
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.preprocessing import StandardScaler

HIDDEN = (256, 128)
LEARNING_RATE = 1e-3
# the training set-ups timed: skdnn parameters, and whether scikit-learn has them
VARIANTS = {
    "adam": {"params": {}, "sklearn": True},
    # Keras' momentum 0.99 is PyTorch's 0.01; epsilon 1e-3 in both
    "bn+dropout": {"params": {"batch_norm": True, "dropout": 0.2}, "sklearn": False},
    "sgd-nesterov": {
        "params": {
            "solver": "sgd",
            "learning_rate_init": 0.01,
            "momentum": 0.9,
            "nesterovs_momentum": True,
        },
        "sklearn": True,
    },
}
N_CLASSES = 10
# n_iter_no_change larger than any run: with tol=0 no epoch ever stops a fit early
NEVER = 10**9
# a row timed while other processes used more than this share of the CPUs is
# re-timed (--retries), after a pause
BUSY_PERCENT = 5.0
RETRY_PAUSE = 15.0


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run (under a minute): 4000 samples, 2 timed epochs, batch 128",
    )
    parser.add_argument(
        "--batch-sizes",
        type=int,
        nargs="+",
        default=None,
        help="batch sizes to time (default: 32 128 512; --quick: 128)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="timed epochs, after one warm-up epoch (default: 5; --quick: 2)",
    )
    parser.add_argument(
        "--n-samples",
        type=int,
        default=None,
        help="rows of the workload (default: 20000; --quick: 4000)",
    )
    parser.add_argument(
        "--dtypes",
        nargs="+",
        choices=["float32", "float64"],
        default=["float32", "float64"],
        help="input dtypes to time (default: both)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="repeat each timing and keep the fastest (default: 1)",
    )
    parser.add_argument(
        "--retries",
        type=int,
        default=None,
        help=f"re-time a row up to this many times when other processes used more "
        f"than {BUSY_PERCENT:g}%% of the CPUs meanwhile; the cleanest is kept "
        "(default: 2; --quick: 0)",
    )
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=sorted(VARIANTS),
        default=None,
        help="training set-ups: adam (the reference), bn+dropout (batch_norm=True, "
        "dropout=0.2; against PyTorch only), sgd-nesterov (default: all; --quick: "
        "adam)",
    )
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    parser.add_argument(
        "--no-sklearn", action="store_true", help="skip scikit-learn's MLP"
    )
    parser.add_argument(
        "--no-compile", action="store_true", help="skip the compile-time table"
    )
    args = parser.parse_args(argv)
    if args.batch_sizes is None:
        args.batch_sizes = [128] if args.quick else [32, 128, 512]
    if args.epochs is None:
        args.epochs = 2 if args.quick else 5
    if args.retries is None:
        args.retries = 0 if args.quick else 2
    if args.variants is None:
        args.variants = ["adam"] if args.quick else list(VARIANTS)
    if args.n_samples is None:
        args.n_samples = 4000 if args.quick else 20000
    if args.epochs < 1 or args.repeats < 1 or min(args.batch_sizes) < 1:
        parser.error("--epochs, --repeats and --batch-sizes must be positive")
    if args.retries < 0:
        parser.error("--retries must be non-negative")
    return args


def import_torch(wanted):
    """The torch module, or None when not wanted or not importable."""
    if not wanted:
        return None
    try:
        import torch
    except ImportError:
        return None
    return torch


# --------------------------------------------------------------------- machine
def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


class OtherLoad:
    """Share of the machine's CPU time used by other processes while timing.

    Busy time of all CPUs (``/proc/stat``) minus this process's own and its
    children's (``os.times``), over wall time times the number of CPUs. On a
    2-core machine anything above a few percent means the timings are low.
    ``None`` where ``/proc/stat`` does not exist.
    """

    def __init__(self):
        self._start = self._snapshot()

    @staticmethod
    def _snapshot():
        try:
            with open("/proc/stat") as f:
                fields = [int(v) for v in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
        t = os.times()
        own = t.user + t.system + t.children_user + t.children_system
        return time.perf_counter(), busy / os.sysconf("SC_CLK_TCK"), own

    def percent(self):
        end = self._snapshot()
        if end is None or self._start is None:
            return None
        wall = end[0] - self._start[0]
        others = (end[1] - self._start[1]) - (end[2] - self._start[2])
        return max(0.0, 100.0 * others / (wall * (os.cpu_count() or 1)))


def machine_info(torch):
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    lines = [
        f"- CPU: {cpu_model()}; {os.cpu_count()} logical cores, {usable} usable",
        f"- {platform.platform()}; Python {platform.python_version()}",
        f"- skdnn {skdnn.__version__} from {Path(skdnn.__file__).parent}",
        f"- numpy {np.__version__}, "
        f"numba {numba.__version__} (threading layer "
        f"{numba.config.THREADING_LAYER}, {numba.config.NUMBA_NUM_THREADS} "
        f"threads), scikit-learn {sklearn.__version__}",
    ]
    if torch is not None:
        lines.append(
            f"- torch {torch.__version__}: {torch.get_num_threads()} intra-op threads"
        )
    if hasattr(os, "getloadavg"):
        load = os.getloadavg()[0]
        lines.append(f"- load average (1 min) at start: {load:.2f}")
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        lines.append("- threadpoolctl not available: BLAS threads unknown")
    else:
        for pool in threadpool_info():
            lib = os.path.basename(pool.get("filepath", "?"))
            # Numba's np.dot calls scipy's BLAS (scipy.linalg.cython_blas); numpy
            # (scikit-learn's MLP) calls its own
            lines.append(
                f"- {pool['user_api']}: {pool.get('internal_api')} "
                f"{pool.get('version')} ({lib}), {pool['num_threads']} threads"
            )
    return lines


# ------------------------------------------------------------------------ data
def make_data(n_samples, n_features=784):
    """The reference workload (``n_features`` columns): standardised float64 and
    float32 copies, labels."""
    X, y = make_classification(
        n_samples=n_samples,
        n_features=n_features,
        n_informative=min(32, n_features // 4),
        n_redundant=min(32, n_features // 4),
        n_classes=N_CLASSES,
        n_clusters_per_class=2,
        flip_y=0.01,
        random_state=0,
    )
    X64 = np.ascontiguousarray(StandardScaler().fit_transform(X))
    return {"float64": X64, "float32": X64.astype(np.float32)}, y


# ------------------------------------------------------------------ estimators
def make_estimator(cls, batch_size, max_iter, variant="adam"):
    params = dict(
        hidden_layer_sizes=HIDDEN,
        activation="relu",
        solver="adam",
        alpha=0.0,
        batch_size=batch_size,
        learning_rate_init=LEARNING_RATE,
        max_iter=max_iter,
        shuffle=True,
        random_state=0,
        tol=0.0,
        n_iter_no_change=NEVER,
        early_stopping=False,
    )
    params.update(VARIANTS[variant]["params"])
    return cls(**params)


class _EpochClock(io.TextIOBase):
    """A stdout stand-in that timestamps every ``Iteration N, loss = ...`` line.

    scikit-learn's MLP and skdnn both print that line with ``verbose=True`` right
    after an epoch's loss is recorded, at the same point of their training loops.
    """

    def __init__(self):
        self.stamps = []
        self._pending = ""

    def writable(self):
        return True

    def write(self, text):
        now = time.perf_counter()
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        self.stamps += [now for line in lines if line.startswith("Iteration ")]
        return len(text)


def warm_parallel_epoch(cls, X, y, batch_size, variant="adam"):
    """Compile (or load) skdnn's parallel training epoch for this set-up now."""
    from skdnn import _threads

    after = _threads.COMPILE_AFTER
    _threads.COMPILE_AFTER = 0.0
    try:
        # the second epoch asks for the parallel epoch (the first one is timed
        # to see whether it is long enough to be worth two threads)
        est = make_estimator(cls, batch_size, 2, variant)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        _threads.wait_for_compiles()
    finally:
        _threads.COMPILE_AFTER = after


def time_estimator(cls, X, y, batch_size, epochs, repeats, variant="adam"):
    """Samples/second of ``cls`` over epochs 2..1+epochs of one ``fit``.

    How: one ``fit(max_iter=1 + epochs)`` with ``verbose=True``, ``tol=0`` and a
    huge ``n_iter_no_change`` (so it never stops early), its per-epoch
    ``Iteration N, loss = ...`` lines timestamped as they are printed. The time
    from the end of epoch 1 to the end of the last epoch is exactly epochs 2..N as
    each library's own loop runs them, its per-epoch Python bookkeeping
    included, and nothing else: no input validation, label binarisation,
    initialisation, buffer allocation or compilation (all before epoch 1 ends).
    This is the same measurement for both libraries, from one fit. The
    alternatives are worse: a ``partial_fit`` loop charges every epoch with
    re-validating all of X (a full finiteness scan) and, in skdnn, re-allocating
    the work buffers; timing ``fit(max_iter=1 + epochs) - fit(max_iter=1)``
    measures the same thing but as a difference of two noisy timings, which on a
    busy 2-core machine can even come out negative.

    skdnn trains the two halves of every batch on two threads with an epoch it
    compiles in the background once a process has trained for a second (on one
    thread meanwhile, with the same bits): a one-epoch fit first gets it
    compiled (or loaded from Numba's cache), so that every timed fit trains as a
    long-running process does.

    Returns ``(samples_per_second, final_training_loss)``.
    """
    n = X.shape[0]
    best = np.inf
    loss = np.nan
    if cls.__module__.startswith("skdnn"):
        warm_parallel_epoch(cls, X, y, batch_size, variant)
    for _ in range(repeats):
        est = make_estimator(cls, batch_size, 1 + epochs, variant)
        est.set_params(verbose=True)
        clock = _EpochClock()
        with warnings.catch_warnings(), contextlib.redirect_stdout(clock):
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X, y)
        if len(clock.stamps) != 1 + epochs:
            raise RuntimeError(
                f"{cls.__module__}.{cls.__name__} printed {len(clock.stamps)} "
                f"'Iteration' lines for {1 + epochs} epochs: cannot time its epochs"
            )
        best = min(best, clock.stamps[-1] - clock.stamps[0])
        loss = est.loss_
    return epochs * n / best, loss


def time_torch(torch, X, y, batch_size, epochs, repeats, variant="adam"):
    """Samples/second of a plain PyTorch loop over epochs 2..1+epochs.

    nn.Sequential(Linear, ReLU, Linear, ReLU, Linear), CrossEntropyLoss, Adam
    (lr 1e-3, no weight decay), manual index shuffling each epoch (no DataLoader),
    in X's dtype, with ``torch.set_num_threads(2)``. Epoch 1 is a warm-up; every
    epoch is timed on its own. Weights start as skdnn's do (He uniform, Glorot
    uniform for the output layer, zero biases). Variant "bn+dropout": Linear (no bias),
    BatchNorm1d (momentum 0.01, eps 1e-3), ReLU, Dropout(0.2) per hidden layer;
    "sgd-nesterov": SGD(lr=0.01, momentum=0.9, nesterov=True).
    """
    nn = torch.nn
    torch.set_num_threads(2)
    tdtype = torch.float32 if X.dtype == np.float32 else torch.float64
    Xt = torch.from_numpy(X)
    yt = torch.from_numpy(y.astype(np.int64))
    n, p = X.shape
    best = np.inf
    loss_out = np.nan
    for rep in range(repeats):
        torch.manual_seed(rep)
        gen = torch.Generator().manual_seed(rep)
        layers = []
        fan_in = p
        for units in HIDDEN:
            if variant == "bn+dropout":
                layers += [
                    nn.Linear(fan_in, units, bias=False),
                    nn.BatchNorm1d(units, eps=1e-3, momentum=0.01),
                    nn.ReLU(),
                    nn.Dropout(0.2),
                ]
            else:
                layers += [nn.Linear(fan_in, units), nn.ReLU()]
            fan_in = units
        model = nn.Sequential(*layers, nn.Linear(fan_in, N_CLASSES)).to(tdtype)
        # skdnn's initialisation (He uniform, Glorot uniform for the output, zero
        # biases), so that the last-epoch losses are comparable
        linears = [m for m in model if isinstance(m, nn.Linear)]
        for i, lin in enumerate(linears):
            if i < len(linears) - 1:
                nn.init.kaiming_uniform_(lin.weight, nonlinearity="relu")
            else:
                nn.init.xavier_uniform_(lin.weight)
            if lin.bias is not None:
                nn.init.zeros_(lin.bias)
        model.train()
        if variant == "sgd-nesterov":
            optimizer = torch.optim.SGD(
                model.parameters(), lr=0.01, momentum=0.9, nesterov=True
            )
        else:
            optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        criterion = nn.CrossEntropyLoss()
        timed = 0.0
        for epoch in range(1 + epochs):
            tic = time.perf_counter()
            perm = torch.randperm(n, generator=gen)
            total = 0.0
            for start in range(0, n, batch_size):
                idx = perm[start : start + batch_size]
                xb = Xt[idx]
                yb = yt[idx]
                optimizer.zero_grad(set_to_none=True)
                loss = criterion(model(xb), yb)
                loss.backward()
                optimizer.step()
                total += loss.item() * idx.shape[0]
            seconds = time.perf_counter() - tic
            if epoch > 0:
                timed += seconds
        best = min(best, timed)
        loss_out = total / n
    return epochs * n / best, loss_out


# ---------------------------------------------------------------- compile time
_COMPILE_PROBE = r"""
import json, sys, time, warnings
tic = time.perf_counter()
import skdnn
out = {"import": time.perf_counter() - tic}
import numpy as np
from sklearn.datasets import make_classification
warnings.simplefilter("ignore")
X, y = make_classification(n_samples=60, n_features=8, n_informative=4,
                           n_classes=3, random_state=0)
for dtype in ("float64", "float32"):
    Xd = X.astype(dtype)
    clf = skdnn.MLPClassifier(max_iter=2, random_state=0)  # default parameters
    tic = time.perf_counter()
    clf.fit(Xd, y)
    out["fit_" + dtype] = time.perf_counter() - tic
    tic = time.perf_counter()
    clf.predict(Xd)
    out["predict_" + dtype] = time.perf_counter() - tic
print(json.dumps(out))
"""


def run_probe(code, *args, env=None, what="probe"):
    """Run ``python -c code *args`` in a fresh interpreter that imports the very
    skdnn this process imported; return the JSON object printed on its last line
    of output, and the wall time of the whole process."""
    env = {**os.environ, **(env or {})}
    # ``python -c`` puts its working directory first on sys.path: run it from the
    # root of this skdnn, and put that root on PYTHONPATH too
    root = str(Path(skdnn.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    tic = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - tic
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed:\n" + proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def _probe(cache_dir):
    """Run the compile probe in a fresh interpreter with the given Numba cache."""
    out, wall = run_probe(
        _COMPILE_PROBE, env={"NUMBA_CACHE_DIR": cache_dir}, what="compile probe"
    )
    out["process"] = wall
    return out


def compile_table():
    with tempfile.TemporaryDirectory(prefix="skdnn-numba-cache-") as cache_dir:
        cold = _probe(cache_dir)
        cached = _probe(cache_dir)
    rows = [
        "| step | cold cache (s) | cached (s) |",
        "|---|---:|---:|",
        f"| `import skdnn` | {cold['import']:.2f} | {cached['import']:.2f} |",
    ]
    for dtype in ("float64", "float32"):
        for step in ("fit", "predict"):
            key = f"{step}_{dtype}"
            rows.append(
                f"| first `{step}` on {dtype} | {cold[key]:.2f} | {cached[key]:.2f} |"
            )
    rows.append(
        f"| whole subprocess | {cold['process']:.2f} | {cached['process']:.2f} |"
    )
    return rows


# ------------------------------------------------------------------------ main
def _fmt(value):
    return "–" if value is None else f"{value:,.0f}"


def _ratio(a, b):
    return "–" if b is None else f"{a / b:.2f}"


def _loss(value):
    return "–" if value is None else f"{value:.4f}"


def _percent(value):
    return "?" if value is None else f"{value:.0f}%"


def main(argv=None):
    args = parse_args(argv)
    torch = import_torch(not args.no_torch)
    started = time.perf_counter()
    run_load = OtherLoad()

    print("## Machine\n")
    print("\n".join(machine_info(torch)))

    Xs, y = make_data(args.n_samples)
    print(
        f"\n## Training throughput (samples/s)\n\n"
        f"make_classification({args.n_samples} x 784, 10 classes), standardised; "
        f"784-{HIDDEN[0]}-{HIDDEN[1]}-10 ReLU, Adam lr={LEARNING_RATE:g}, alpha=0, "
        f"shuffle; {args.epochs} timed epoch(s) after 1 warm-up epoch; "
        f'best of {args.repeats}. Ratios above 1: skdnn is faster. "others\' CPU": '
        "share of the CPUs that other processes used while the row was timed.\n"
    )

    def time_sklearn(X, bs, variant):
        if not VARIANTS[variant]["sklearn"]:
            return None, None
        return time_estimator(
            SkMLPClassifier, X, y, bs, args.epochs, args.repeats, variant
        )

    def time_pytorch(X, bs, variant):
        return time_torch(torch, X, y, bs, args.epochs, args.repeats, variant)

    others = []  # (name, timing function) of the libraries skdnn is compared with
    if not args.no_sklearn:
        others.append(("sklearn", time_sklearn))
    if torch is not None:
        others.append(("torch", time_pytorch))
    names = [name for name, _ in others]
    header = ["variant", "dtype", "batch", "skdnn", *names]
    header += [f"skdnn/{name}" for name in names]
    header.append(f"last-epoch loss ({' / '.join(['skdnn', *names])})")
    header.append("others' CPU")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] * 3 + ["---:"] * (len(header) - 3)) + "|")
    sys.stdout.flush()

    def time_row(X, bs, variant):
        """One row's cells, and the CPU share other processes took meanwhile."""
        load = OtherLoad()
        ours, ours_loss = time_estimator(
            skdnn.MLPClassifier, X, y, bs, args.epochs, args.repeats, variant
        )
        results = [timing(X, bs, variant) for _, timing in others]
        busy = load.percent()
        cells = [_fmt(ours)]
        cells += [_fmt(speed) for speed, _ in results]
        cells += [_ratio(ours, speed) for speed, _ in results]
        losses = [ours_loss, *(loss for _, loss in results)]
        cells.append(" / ".join(_loss(v) for v in losses))
        cells.append(_percent(busy))
        return cells, busy

    for variant in args.variants:
        for dtype in args.dtypes:
            X = Xs[dtype]
            for bs in args.batch_sizes:
                cells, busy = time_row(X, bs, variant)
                for _ in range(args.retries):
                    if busy is None or busy <= BUSY_PERCENT:
                        break
                    time.sleep(RETRY_PAUSE)  # let the other job finish, re-time
                    again, again_busy = time_row(X, bs, variant)
                    if again_busy < busy:
                        cells, busy = again, again_busy
                row = [variant, dtype, str(bs), *cells]
                print("| " + " | ".join(row) + " |")
                sys.stdout.flush()

    if not args.no_compile:
        print(
            "\n## Compile time\n\nFresh interpreter with NUMBA_CACHE_DIR set to an "
            "empty temporary directory (cold), then again with the cache it filled "
            "(cached); default MLPClassifier, 60 x 8 data, float64 then float32.\n"
        )
        print("\n".join(compile_table()))

    busy = run_load.percent()
    print(
        f"\nTotal time: {time.perf_counter() - started:.1f} s. Other processes used "
        f"{_percent(busy)} of the CPUs during the run."
    )
    if busy is not None and busy > 5:
        print(
            "WARNING: the machine was busy; timings are low and noisy. Rerun on an "
            "idle machine."
        )


if __name__ == "__main__":
    main()
