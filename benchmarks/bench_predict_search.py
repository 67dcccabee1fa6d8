"""Prediction latency and throughput, cost per sample, and grid-search fits.

Prints three markdown tables, skdnn next to scikit-learn's MLP in the same run:

1. ``predict_proba`` latency for one sample and throughput on 10,000 samples,
   784-256-128-10 networks (the reference workload of ``bench_epoch.py``),
   float32 and float64.
2. Training throughput at n = 2,000, 20,000 and 200,000 rows (float32, batch
   128, Adam), to show that the cost per sample does not grow with n.
3. A 20-configuration ``GridSearchCV`` (activations x solvers x batch norm /
   dropout, 2 folds) in one process: the time of every fit, in order. The first
   fit of each dtype compiles; the others compile nothing, so their times stay
   flat.

Run from the repository root::

    python benchmarks/bench_predict_search.py [--quick]

This is a script, not a test: it asserts nothing about speed.
"""

import argparse
import sys
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


def _per_call(f, seconds=1.0):
    f()
    n, tic = 0, time.perf_counter()
    while time.perf_counter() - tic < seconds:
        f()
        n += 1
    return (time.perf_counter() - tic) / n


def predict_table(Xs, y, quick):
    print("## Prediction\n")
    print("784-256-128-10 networks fitted for 2 epochs on the reference workload.\n")
    print("| dtype | 1-sample latency skdnn (µs) | sklearn (µs) | sklearn/skdnn | "
          "10k throughput skdnn (samples/s) | sklearn | skdnn/sklearn |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|")
    for dtype, X in Xs.items():
        lat, thr = [], []
        big = np.ascontiguousarray(np.resize(X, (10_000, X.shape[1])))
        for cls in (skdnn.MLPClassifier, SkMLPClassifier):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                est = be.make_estimator(cls, 128, 2).fit(X, y)
            lat.append(_per_call(lambda est=est, X=X: est.predict_proba(X[:1]), 0.5))
            secs = _per_call(
                lambda est=est, big=big: est.predict_proba(big), 0.5 if quick else 2
            )
            thr.append(10_000 / secs)
        print(f"| {dtype} | {lat[0] * 1e6:.1f} | {lat[1] * 1e6:.1f} | "
              f"{lat[1] / lat[0]:.2f} | {thr[0]:,.0f} | {thr[1]:,.0f} | "
              f"{thr[0] / thr[1]:.2f} |")  # fmt: skip
        sys.stdout.flush()


def scaling_table(quick):
    sizes = [2_000, 20_000] if quick else [2_000, 20_000, 200_000]
    print("\n## Cost per sample against n\n")
    print("float32, batch 128, Adam, 784-256-128-10; 2 timed epochs after a warm-up "
          "epoch (throughput in samples/s).\n")  # fmt: skip
    print("| n | skdnn | relative to n = 20,000 |")
    print("|---:|---:|---:|")
    speeds = {}
    for n in sizes:
        Xs, y = be.make_data(n)
        speeds[n], _ = be.time_estimator(
            skdnn.MLPClassifier, Xs["float32"], y, 128, 2, 1
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes")
    args = ap.parse_args(argv)
    Xs, y = be.make_data(4000 if args.quick else 20_000)
    predict_table(Xs, y, args.quick)
    scaling_table(args.quick)
    search_table(Xs, y, args.quick)


if __name__ == "__main__":
    main()
