"""Prediction latency and throughput, cost per sample, and grid-search fits.

Prints four markdown tables, skdnn next to scikit-learn's MLP in the same run:

1. ``predict_proba`` latency for one sample and throughput on 10,000 samples,
   784-256-128-10 networks (the reference workload of ``bench_epoch.py``),
   float32 and float64.
2. Training throughput at n = 2,000, 20,000 and 200,000 rows (float32, batch
   128, Adam), to show that the cost per sample does not grow with n.
3. A 20-configuration ``GridSearchCV`` (activations x solvers x batch norm /
   dropout, 2 folds) in one process: the time of every fit, in order. The first
   fit of each dtype compiles; the others compile nothing, so their times stay
   flat.
4. Start-up with a warm Numba cache: in a fresh interpreter, ``import`` plus the
   first 1-epoch ``fit`` on the reference workload, minus the same fit repeated in
   that process (the epoch itself); skdnn and scikit-learn.

Run from the repository root::

    python benchmarks/bench_predict_search.py [--quick]

This is a script, not a test: it asserts nothing about speed.
"""

import argparse
import os
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_epoch as be  # noqa: E402  (the reference workload and its timers)
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402
from sklearn.neural_network import MLPClassifier as SkMLPClassifier  # noqa: E402

import skdnn  # noqa: E402

# idle time before each timing window: OpenBLAS's threads keep spinning for about
# 0.1 s after a product, and skdnn (scipy's OpenBLAS, through Numba) and
# scikit-learn (numpy's OpenBLAS) use different copies of it, so without a pause
# the previous library's spinning threads take CPU from the start of the next
# library's window
PAUSE = 0.3


def _per_call(f, seconds=1.0):
    time.sleep(PAUSE)
    f()
    n, tic = 0, time.perf_counter()
    while time.perf_counter() - tic < seconds:
        f()
        n += 1
    return (time.perf_counter() - tic) / n


def _best_interleaved(funcs, seconds, rounds):
    """Seconds per call of each function: the best of ``rounds`` windows of
    ``seconds``, the functions taking turns so that a slow spell of the machine
    hits all of them alike (each window after a pause of ``PAUSE``)."""
    best = [np.inf] * len(funcs)
    for _ in range(rounds):
        for i, f in enumerate(funcs):
            best[i] = min(best[i], _per_call(f, seconds))
    return best


def predict_table(Xs, y, quick):
    print("## Prediction\n")
    print("784-256-128-10 networks fitted for 2 epochs on the reference workload.\n")
    print("| dtype | 1-sample latency skdnn (µs) | sklearn (µs) | sklearn/skdnn | "
          "10k throughput skdnn (samples/s) | sklearn | skdnn/sklearn |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for dtype, X in Xs.items():
        big = np.ascontiguousarray(np.resize(X, (10_000, X.shape[1])))
        ests = []
        for cls in (skdnn.MLPClassifier, SkMLPClassifier):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                ests.append(be.make_estimator(cls, 128, 2).fit(X, y))
        rounds = 2 if quick else 5
        lat = _best_interleaved(
            [lambda est=est, X=X: est.predict_proba(X[:1]) for est in ests], 0.2, rounds
        )
        secs = _best_interleaved(
            [lambda est=est, big=big: est.predict_proba(big) for est in ests],
            0.3,
            rounds,
        )
        thr = [10_000 / t for t in secs]
        print(f"| {dtype} | {lat[0] * 1e6:.1f} | {lat[1] * 1e6:.1f} | "
              f"{lat[1] / lat[0]:.2f} | {thr[0]:,.0f} | {thr[1]:,.0f} | "
              f"{thr[0] / thr[1]:.2f} |")  # fmt: skip
        sys.stdout.flush()


def scaling_table(quick):
    sizes = [2_000, 20_000] if quick else [2_000, 20_000, 200_000]
    print("\n## Cost per sample against n\n")
    print("float32, batch 128, Adam, 784-256-128-10; at least 40,000 samples (and 2 "
          "epochs) timed after a warm-up epoch, best of 3 (throughput in "
          "samples/s).\n")  # fmt: skip
    print("| n | skdnn | relative to n = 20,000 |")
    print("|---:|---:|---:|")
    speeds = {}
    for n in sizes:
        Xs, y = be.make_data(n)
        # at least 40,000 timed samples, best of 3 at every n: a short timing
        # window is at the mercy of any hiccup of the machine
        epochs = max(2, 40_000 // n)
        speeds[n], _ = be.time_estimator(
            skdnn.MLPClassifier, Xs["float32"], y, 128, epochs, 3
        )
    for n in sizes:
        print(f"| {n:,} | {speeds[n]:,.0f} | {speeds[n] / speeds[20_000]:.2f} |")
        sys.stdout.flush()


def search_table(Xs, y, quick):
    grid = {
        "activation": ["relu", "elu", "selu", "tanh", "prelu"],
        "solver": ["adam", "sgd"],
        "batch_norm": [False, True],
    }
    n = 2000 if quick else 6000
    print("\n## GridSearchCV: time of every fit\n")
    print(f"20 configurations x 2 folds on {n} rows of the reference workload, "
          "784-64-10, 3 epochs, one process; `first` is the first fit of the dtype "
          "(it compiles when the cache is cold).\n")  # fmt: skip
    print("| dtype | first fit (s) | fits 2-40: min (s) | median (s) | max (s) |")
    print("|---|---:|---:|---:|---:|")
    for dtype, X in Xs.items():
        times = []

        class Timed(skdnn.MLPClassifier):
            def fit(self, X, y, sample_weight=None, _times=times):
                tic = time.perf_counter()
                out = super().fit(X, y, sample_weight)
                _times.append(time.perf_counter() - tic)
                return out

        est = Timed(hidden_layer_sizes=(64,), max_iter=3, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            GridSearchCV(est, grid, cv=2, refit=False).fit(X[:n], y[:n])
        rest = np.array(times[1:])
        print(f"| {dtype} | {times[0]:.2f} | {rest.min():.3f} | "
              f"{np.median(rest):.3f} | {rest.max():.3f} |")  # fmt: skip
        sys.stdout.flush()


_STARTUP_PROBE = r"""
import json, sys, time, warnings
lib, x_path, y_path = sys.argv[1:4]
import numpy as np  # needed to hold the data: not counted
X, y = np.load(x_path), np.load(y_path)
out = {}
tic = time.perf_counter()
if lib == "skdnn":
    import sklearn.base
    out["sklearn.base"] = time.perf_counter() - tic
    import skdnn
    cls = skdnn.MLPClassifier
else:
    from sklearn.neural_network import MLPClassifier as cls
out["import"] = time.perf_counter() - tic
warnings.simplefilter("ignore")
fits = []
for _ in range(2):
    est = cls(hidden_layer_sizes=(256, 128), batch_size=128, max_iter=1,
              random_state=0, alpha=0.0)
    tic = time.perf_counter()
    est.fit(X, y)
    fits.append(time.perf_counter() - tic)
out["first"], out["again"] = fits
print(json.dumps(out))
"""


def _startup_probe(lib, x_path, y_path):
    return be.run_probe(_STARTUP_PROBE, lib, x_path, y_path, what="start-up probe")[0]


def startup_table(Xs, y, quick):
    runs = 2 if quick else 5
    print("\n## Start-up (warm Numba cache)\n")
    print(f"A fresh interpreter (numpy already imported) imports the library and fits "
          f"`hidden_layer_sizes=(256, 128), batch_size=128, max_iter=1` on the "
          f"{len(y):,} float32 rows of the reference workload, then fits the same "
          f"model again; start-up = import + first fit - second fit. Medians of "
          f"{runs} processes each, taking turns.\n")  # fmt: skip
    print("| library | `import sklearn.base` (s) | import (s) | first fit (s) | "
          "same fit again (s) | start-up (s) |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="skdnn-startup-") as tmp:
        x_path, y_path = os.path.join(tmp, "X.npy"), os.path.join(tmp, "y.npy")
        np.save(x_path, Xs["float32"])
        np.save(y_path, y)
        _startup_probe("skdnn", x_path, y_path)  # make sure the cache is warm
        results = {"skdnn": [], "sklearn": []}
        for _ in range(runs):
            for lib in results:
                results[lib].append(_startup_probe(lib, x_path, y_path))
    for lib, rows in results.items():
        med = {k: float(np.median([r[k] for r in rows])) for k in rows[0]}
        startup = float(
            np.median([r["import"] + r["first"] - r["again"] for r in rows])
        )
        base = f"{med['sklearn.base']:.2f}" if "sklearn.base" in med else "-"
        name = "skdnn" if lib == "skdnn" else "scikit-learn"
        print(f"| {name} | {base} | {med['import']:.2f} | {med['first']:.2f} | "
              f"{med['again']:.2f} | {startup:.2f} |")  # fmt: skip
        sys.stdout.flush()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    args = ap.parse_args(argv)
    Xs, y = be.make_data(4000 if args.quick else 20_000)
    predict_table(Xs, y, args.quick)
    scaling_table(args.quick)
    search_table(Xs, y, args.quick)
    startup_table(Xs, y, args.quick)


if __name__ == "__main__":
    main()
