"""Training throughput under contention: quiet, and next to a CPU-bound process.

Prints markdown tables: the training throughput of ``skdnn.MLPClassifier``,
scikit-learn's ``MLPClassifier`` and, when ``import torch`` works, a plain
PyTorch loop (the reference workload and timers of ``bench_epoch.py``), each
measured quiet and with other CPU-bound processes running, for float32 and
float64 input and several batch sizes, with the slowdown (quiet / loaded) of
each library and the ratios of the loaded throughputs skdnn/sklearn and
skdnn/torch (above 1: skdnn is faster under load).

The load: ``--load-processes`` separate processes (default 1), started before
and killed after every loaded measurement. With ``--load busy`` (the default)
each is a one-thread pure-Python busy loop (``while True: pass``); with
``--load twin`` each trains the same library on the same workload (dtype,
batch size, variant) in a loop, with that library's default threads: two
copies of a job side by side, as two notebooks or two scripts run them (it
says it runs after its first epoch, compilation included). For each library,
dtype, batch size and variant, the quiet and loaded measurements alternate
(quiet, loaded, quiet, loaded, ..., ``--repeats`` pairs) and the tables give
their medians. The libraries take turns within each pair, so that a slow spell
of the machine hits them alike.

``--workload tabular`` replaces the reference network by the tabular
estimators' shape: 40 input columns and three hidden layers of 256 units
(``make_classification`` with 40 features, 10 classes).

Run from the repository root (skdnn installed, or importable from the checkout)::

    python benchmarks/bench_contention.py --quick
    python benchmarks/bench_contention.py --load twin --batch-sizes 128 512
    python benchmarks/bench_contention.py --batch-sizes 128 512 --dtypes float32

This is a script, not a test: it asserts nothing about speed.
"""

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_epoch as be  # noqa: E402  (the reference workload and its timers)

import skdnn  # noqa: E402

# idle time before every measurement: OpenBLAS's threads keep spinning for about
# 0.1 s after a product, and the libraries use different BLAS copies
PAUSE = 0.3
# a measurement during which other processes (not the load) used more than this
# share of the CPUs is flagged
BUSY_PERCENT = be.BUSY_PERCENT
# the load: a one-thread pure-Python busy loop that says when it runs; on Linux
# it asks to be killed when this script dies, so that none is left spinning
_DIE_WITH_PARENT = """
import sys
try:
    import ctypes
    ctypes.CDLL(None).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
except Exception:
    pass
"""
_BUSY_LOOP = (
    _DIE_WITH_PARENT
    + """
sys.stdout.write("ready\\n")
sys.stdout.flush()
while True:
    pass
"""
)
# the "twin" load: the same library's training of the same workload, in a loop
# (argv: benchmarks directory, library, dtype, batch size, variant, samples,
# workload)
_TWIN = (
    _DIE_WITH_PARENT
    + """
bench, library, dtype, bs, variant, n, workload = sys.argv[1:]
sys.path.insert(0, bench)
import bench_epoch as be
if workload == "tabular":
    be.HIDDEN = (256, 256, 256)
Xs, y = be.make_data(int(n), 40 if workload == "tabular" else 784)
X, bs = Xs[dtype], int(bs)
if library == "skdnn":
    import skdnn
    run = lambda: be.time_estimator(skdnn.MLPClassifier, X, y, bs, 1, 1, variant)
elif library == "sklearn":
    run = lambda: be.time_estimator(be.SkMLPClassifier, X, y, bs, 1, 1, variant)
else:
    torch = be.import_torch(True)
    run = lambda: be.time_torch(torch, X, y, bs, 1, 1, variant)
run()
sys.stdout.write("ready\\n")
sys.stdout.flush()
while True:
    run()
"""
)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 2000 samples, 1 timed epoch, 1 repeat, batch 128",
    )
    parser.add_argument(
        "--batch-sizes",
        type=int,
        nargs="+",
        default=None,
        help="batch sizes to time (default: 32 128 512; --quick: 128)",
    )
    parser.add_argument(
        "--dtypes",
        nargs="+",
        choices=["float32", "float64"],
        default=["float32", "float64"],
        help="input dtypes to time (default: both)",
    )
    parser.add_argument(
        "--variants",
        nargs="+",
        choices=sorted(be.VARIANTS),
        default=["adam"],
        help="training set-ups of bench_epoch.py: adam (the reference), "
        "sgd-nesterov (SGD lr 0.01, Nesterov momentum 0.9), bn+dropout (not in "
        "scikit-learn) (default: adam)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="timed epochs per measurement, after one warm-up epoch "
        "(default: 3; --quick: 1)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="quiet/loaded pairs per library and row; medians are reported "
        "(default: 3; --quick: 1)",
    )
    parser.add_argument(
        "--n-samples",
        type=int,
        default=None,
        help="rows of the workload (default: 20000; --quick: 2000)",
    )
    parser.add_argument(
        "--load-processes",
        type=int,
        default=1,
        help="busy-loop processes running during each loaded measurement "
        "(default: 1; 0 is a control run: both phases quiet)",
    )
    parser.add_argument(
        "--load",
        choices=["busy", "twin"],
        default="busy",
        help="busy: one-thread busy loops; twin: processes training the same "
        "library on the same workload (default: busy)",
    )
    parser.add_argument(
        "--workload",
        choices=["reference", "tabular"],
        default="reference",
        help="reference: 784-256-128-10; tabular: 40-256-256-256-10 (default: "
        "reference)",
    )
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    parser.add_argument(
        "--no-sklearn", action="store_true", help="skip scikit-learn's MLP"
    )
    args = parser.parse_args(argv)
    if args.batch_sizes is None:
        args.batch_sizes = [128] if args.quick else [32, 128, 512]
    if args.epochs is None:
        args.epochs = 1 if args.quick else 3
    if args.repeats is None:
        args.repeats = 1 if args.quick else 3
    if args.n_samples is None:
        args.n_samples = 2000 if args.quick else 20000
    if args.epochs < 1 or args.repeats < 1 or min(args.batch_sizes) < 1:
        parser.error("--epochs, --repeats and --batch-sizes must be positive")
    if args.load_processes < 0:
        parser.error("--load-processes must be non-negative")
    return args


# ------------------------------------------------------------------------ load
def _cpu_seconds(pid):
    """User + system CPU seconds of a running process (``/proc``), or None."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # fields[0] is the state (field 3 of proc(5)); utime and stime are 14 and 15
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BusyLoad:
    """``n`` load processes while the ``with`` block runs.

    Each is a fresh interpreter running ``while True: pass``, or ``code`` with
    the arguments ``args``; the block starts once every one of them has said it
    runs, and they are killed and reaped when it ends (also on an error).
    ``cores`` is then the CPU time they used, in cores (1.0: one process had a
    whole core all along), or None when unknown.
    """

    def __init__(self, n, code=None, args=()):
        self.n = n
        self.command = [sys.executable, "-c", code, *map(str, args)]
        if code is None:
            self.command = [sys.executable, "-S", "-c", _BUSY_LOOP]
        self.procs = []
        self._start = []
        self.cores = 0.0 if n == 0 else None
        self._tic = None

    def __enter__(self):
        try:
            for _ in range(self.n):
                self.procs.append(
                    subprocess.Popen(
                        self.command,
                        stdin=subprocess.DEVNULL,
                        stdout=subprocess.PIPE,
                    )
                )
            for proc in self.procs:
                if proc.stdout.readline() != b"ready\n":
                    raise RuntimeError("a load process did not start")
        except BaseException:
            self._stop()
            raise
        # CPU time of the start-up (a twin's imports and first epoch): not load
        self._start = [_cpu_seconds(proc.pid) for proc in self.procs]
        self._tic = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self._stop()
        return False

    def _stop(self):
        if self.procs and self._tic is not None:
            wall = time.perf_counter() - self._tic
            used = [_cpu_seconds(proc.pid) for proc in self.procs]
            if None not in used + self._start and wall > 0:
                self.cores = (sum(used) - sum(self._start)) / wall
        for proc in self.procs:
            proc.kill()
        for proc in self.procs:
            proc.wait()
            proc.stdout.close()
        self.procs = []


# ----------------------------------------------------------------- measurement
def measure(timing, loaded, n_load, twin=None):
    """One measurement: ``timing()``'s samples/second, quiet or under load
    (busy loops, or with ``twin`` the arguments of the twin load).

    Returns a dict: ``speed``; ``others``, the share of the CPUs (percent) that
    processes other than this one and its load used meanwhile; ``load``, the
    load's CPU time in cores (None when quiet or unknown).
    """
    time.sleep(PAUSE)
    # the load processes are reaped before the share is read, so their CPU time
    # counts as this process's children's, not as others'
    others = be.OtherLoad()
    load = None
    if loaded:
        load = BusyLoad(n_load) if twin is None else BusyLoad(n_load, _TWIN, twin)
    with load or contextlib.nullcontext():
        speed, _ = timing()
    return {
        "speed": speed,
        "others": others.percent(),
        "load": load.cores if loaded else None,
    }


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def _max(values):
    values = [v for v in values if v is not None]
    return max(values) if values else None


def _ratio(a, b):
    return "–" if a is None or b is None else f"{a / b:.2f}"


def _runs(results):
    return " / ".join(be._fmt(r["speed"]) for r in results)


def main(argv=None):
    args = parse_args(argv)
    torch = be.import_torch(not args.no_torch)
    started = time.perf_counter()
    run_load = be.OtherLoad()

    print("## Machine\n")
    print("\n".join(be.machine_info(torch)))
    print(f"- date: {time.strftime('%Y-%m-%d %H:%M %Z')}")
    what = (
        "running `while True: pass` (one Python thread each)"
        if args.load == "busy"
        else "training the same library on the same workload in a loop (its "
        "default threads)"
    )
    print(
        f"- load: {args.load_processes} process(es) {what}, started before and "
        "killed after every loaded measurement"
    )

    n_features = 784
    if args.workload == "tabular":
        be.HIDDEN = (256, 256, 256)  # read by bench_epoch's estimators and torch
        n_features = 40
    Xs, y = be.make_data(args.n_samples, n_features)
    epochs = args.epochs

    def skdnn_timing(X, bs, variant):
        return lambda: be.time_estimator(
            skdnn.MLPClassifier, X, y, bs, epochs, 1, variant
        )

    def sklearn_timing(X, bs, variant):
        if not be.VARIANTS[variant]["sklearn"]:
            return None
        return lambda: be.time_estimator(
            be.SkMLPClassifier, X, y, bs, epochs, 1, variant
        )

    def torch_timing(X, bs, variant):
        return lambda: be.time_torch(torch, X, y, bs, epochs, 1, variant)

    # (name, function of (X, batch size, variant) returning a timing, or None
    # when the library lacks the variant)
    libraries = [("skdnn", skdnn_timing)]
    if not args.no_sklearn:
        libraries.append(("sklearn", sklearn_timing))
    if torch is not None:
        libraries.append(("torch", torch_timing))
    names = [name for name, _ in libraries]
    others = names[1:]

    print(
        f"\n## Training throughput under contention (samples/s)\n\n"
        f"make_classification({args.n_samples} x {n_features}, 10 classes), "
        f"standardised; {'-'.join(map(str, (n_features, *be.HIDDEN, 10)))} ReLU, "
        "alpha=0, shuffle; "
        f"{epochs} timed epoch(s) after 1 warm-up epoch per measurement. Quiet "
        f"and loaded ({args.load_processes} {args.load} process(es)) measurements "
        f"alternate, {args.repeats} pair(s) per library and row; medians. "
        "slowdown = quiet / loaded (1: unaffected). The skdnn/... ratios are of "
        "the loaded throughputs (above 1: skdnn is faster under load). \"others' "
        'CPU": the largest share of the CPUs that processes other than this '
        "script and its load used during any of the row's measurements.\n"
    )
    header = ["variant", "dtype", "batch"]
    for name in names:
        header += [f"{name} quiet", f"{name} loaded", f"{name} slowdown"]
    header += [f"skdnn/{name} loaded" for name in others]
    header.append("others' CPU")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] * 3 + ["---:"] * (len(header) - 3)) + "|")
    sys.stdout.flush()

    details = []  # rows of the second table
    worst = 0.0
    for variant in args.variants:
        for dtype in args.dtypes:
            X = Xs[dtype]
            for bs in args.batch_sizes:
                timings = {name: make(X, bs, variant) for name, make in libraries}
                runs = {name: {"quiet": [], "loaded": []} for name in names}
                for rep in range(args.repeats):
                    for name in names:
                        if timings[name] is None:
                            continue
                        print(
                            f"[{variant} {dtype} batch {bs}] {name}, pair "
                            f"{rep + 1}/{args.repeats}",
                            file=sys.stderr,
                            flush=True,
                        )
                        twin = None
                        if args.load == "twin":
                            here = Path(__file__).resolve().parent
                            twin = (here, name, dtype, bs, variant, args.n_samples,
                                    args.workload)  # fmt: skip
                        for phase in ("quiet", "loaded"):
                            runs[name][phase].append(
                                measure(
                                    timings[name],
                                    phase == "loaded",
                                    args.load_processes,
                                    twin,
                                )
                            )
                medians = {
                    name: {
                        phase: _median(r["speed"] for r in runs[name][phase])
                        for phase in ("quiet", "loaded")
                    }
                    for name in names
                }
                row = [variant, dtype, str(bs)]
                for name in names:
                    quiet, loaded = medians[name]["quiet"], medians[name]["loaded"]
                    row += [be._fmt(quiet), be._fmt(loaded), _ratio(quiet, loaded)]
                ours = medians["skdnn"]["loaded"]
                row += [_ratio(ours, medians[name]["loaded"]) for name in others]
                busy = _max(
                    r["others"]
                    for name in names
                    for phase in ("quiet", "loaded")
                    for r in runs[name][phase]
                )
                if busy is not None:
                    worst = max(worst, busy)
                row.append(be._percent(busy))
                print("| " + " | ".join(row) + " |")
                sys.stdout.flush()
                for name in names:
                    if timings[name] is None:
                        continue
                    quiet, loaded = runs[name]["quiet"], runs[name]["loaded"]
                    load = _median(r["load"] for r in loaded)
                    details.append(
                        [
                            variant,
                            dtype,
                            str(bs),
                            name,
                            _runs(quiet),
                            _runs(loaded),
                            "?" if load is None else f"{load:.2f}",
                            be._percent(_max(r["others"] for r in quiet))
                            + " / "
                            + be._percent(_max(r["others"] for r in loaded)),
                        ]
                    )

    print(
        "\n## Every measurement\n\nSamples/s of each measurement in the order "
        'taken; "load\'s CPU": the CPU time the busy loops got during a loaded '
        'measurement, in cores (median); "others\' CPU": the largest share of '
        "the CPUs used by processes other than this script and its load, quiet / "
        "loaded.\n"
    )
    header = ["variant", "dtype", "batch", "library", "quiet runs", "loaded runs"]
    header += ["load's CPU (cores)", "others' CPU"]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---"] * 4 + ["---:"] * (len(header) - 4)) + "|")
    for row in details:
        print("| " + " | ".join(row) + " |")

    busy = run_load.percent()
    print(
        f"\nTotal time: {time.perf_counter() - started:.1f} s. Processes other "
        f"than this script and its load used {be._percent(busy)} of the CPUs "
        f"during the run, and at most {worst:.0f}% during a row."
    )
    if worst > BUSY_PERCENT:
        print(
            "WARNING: other processes than the load were running; timings are low "
            "and noisy. Rerun on an otherwise idle machine."
        )


if __name__ == "__main__":
    main()
