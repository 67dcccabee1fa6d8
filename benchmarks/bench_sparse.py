"""Sparse (CSR) input: peak memory and time of skdnn against scikit-learn.

Two tables, skdnn and scikit-learn side by side in the same run:

1. Memory: a 5000 x 20000 CSR matrix of density 0.04 % (8 nonzeros a row, about
   0.5 MB), hidden layer (100,), float64: L-BFGS (``max_iter=20``), Adam (5
   epochs, batch 200; also with ``input_batch_norm=True``), L-BFGS with
   ``batch_norm="before"`` and ``"after"``, with ``input_batch_norm=True``, and
   with both ``input_batch_norm=True`` and ``batch_norm="before"``
   (scikit-learn has no batch normalisation: its row is its plain fit), and
   ``skdnn.inspection`` (``hidden_activations`` and ``layer_gradients`` of the
   batch-normalised model). Peak resident memory above the level before the
   measured call (``VmHWM`` reset through ``/proc/self/clear_refs`` after the
   warm-up, so that compilation and imports do not count) and seconds.
2. Adam, seconds per epoch: 5000 rows, 20,000 and 100,000 features, density
   0.2 %, hidden (100,), batch 200: a fit of ``--epochs`` epochs (``tol=0``, no
   early stop) divided by the epochs (input validation and set-up included, the
   same for both libraries).

Every measurement runs in a fresh subprocess (after a small warm-up fit that
compiles or loads the kernels); each row is the median of ``--repeats`` (3)
processes per library, the libraries taking turns. Usage::

    python benchmarks/bench_sparse.py [--quick] [--repeats N] [--epochs N]
                                      [--cases CASE ...] [--no-epochs]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

_CHILD = r"""
import json, sys, time, warnings
import numpy as np
import scipy.sparse as sp
warnings.simplefilter("ignore")
which, case, n, p, density, epochs = sys.argv[1:7]
n, p, density, epochs = int(n), int(p), float(density), int(epochs)
if which == "skdnn":
    from skdnn import MLPClassifier
else:
    from sklearn.neural_network import MLPClassifier
rng = np.random.default_rng(0)
X = sp.random(n, p, density=density, format="csr", random_state=0,
              data_rvs=lambda k: rng.uniform(0.5, 1.5, k))
w = rng.standard_normal(p)
y = (X @ w > np.median(X @ w)).astype(np.int64)
MLPClassifier(hidden_layer_sizes=(8,), max_iter=2,
              solver="adam" if "adam" in case else "lbfgs").fit(X[:50], y[:50])
if which == "skdnn" and case in ("bn_before", "bn_after", "inspection"):
    MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, solver="lbfgs",
                  batch_norm="before").fit(X[:50], y[:50])
if which == "skdnn" and case in ("bn_input", "bn_input_hidden", "adam_bn_input"):
    MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, solver="lbfgs",
                  input_batch_norm=True, batch_norm="before").fit(X[:50], y[:50])
    MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, input_batch_norm=True,
                  solver="adam" if "adam" in case else "lbfgs").fit(X[:50], y[:50])
def hwm_mb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
kw = dict(hidden_layer_sizes=(100,), random_state=0)
if case == "lbfgs":
    clf = MLPClassifier(solver="lbfgs", max_iter=20, **kw)
elif case in ("bn_before", "bn_after", "inspection"):
    if which == "skdnn":
        clf = MLPClassifier(solver="lbfgs", max_iter=20,
                            batch_norm=case[3:] if case != "inspection" else "before",
                            **kw)
    else:  # scikit-learn has no batch normalisation: its plain L-BFGS fit
        clf = MLPClassifier(solver="lbfgs", max_iter=20, **kw)
elif case in ("bn_input", "bn_input_hidden"):  # scikit-learn: plain L-BFGS
    extra = dict(input_batch_norm=True) if which == "skdnn" else {}
    if which == "skdnn" and case == "bn_input_hidden":
        extra["batch_norm"] = "before"
    clf = MLPClassifier(solver="lbfgs", max_iter=20, **extra, **kw)
else:  # adam
    extra = dict(input_batch_norm=True) if case == "adam_bn_input" else {}
    if which != "skdnn":
        extra = {}
    clf = MLPClassifier(solver="adam", max_iter=epochs, batch_size=200, tol=0.0,
                        n_iter_no_change=10**6, **extra, **kw)
if case == "inspection" and which == "skdnn":
    clf.fit(X, y)
from skdnn import inspection
before = hwm_mb("VmRSS:")
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # resets VmHWM to the current RSS
tic = time.perf_counter()
if case == "inspection" and which == "skdnn":
    inspection.hidden_activations(clf, X)
    inspection.layer_gradients(clf, X, y)
else:
    clf.fit(X, y)
secs = time.perf_counter() - tic
peak = hwm_mb("VmHWM:")
print(json.dumps({"peak_mb": peak - before, "seconds": secs,
                  "x_mb": (X.data.nbytes + X.indices.nbytes + X.indptr.nbytes) / 2**20,
                  "epochs": getattr(clf, "n_iter_", 0)}))
"""


ROOT = Path(__file__).resolve().parent.parent


def run(which, case, n, p, density, epochs):
    # the checkout this script lives in comes first on the children's path
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
    )
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, which, case, str(n), str(p), str(density),
         str(epochs)],
        capture_output=True, text=True, check=True, env=env,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def medians(which, case, n, p, density, epochs, repeats):
    runs = [run(which, case, n, p, density, epochs) for _ in range(repeats)]
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 repeat, 2 epochs")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--cases", nargs="*", help="only these rows (case names)")
    ap.add_argument("--no-epochs", action="store_true", help="skip the 2nd table")
    args = ap.parse_args()
    repeats = 1 if args.quick else args.repeats
    epochs = 2 if args.quick else args.epochs
    libs = ("skdnn", "scikit-learn")
    n, p, density = 5000, 20000, 0.0004
    print(
        f"X: {n} x {p} CSR float64, density {density:.2%}; hidden (100,); "
        f"peak = VmHWM - RSS before the call, medians of {repeats} processes\n"
    )
    print(
        "| case | skdnn peak (MB) | sklearn peak (MB) | ratio | skdnn s | sklearn s |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    cases = [
        ("lbfgs", "L-BFGS, 20 iterations"),
        ("adam", "Adam, 5 epochs, batch 200"),
        ("bn_before", "L-BFGS + batch_norm='before' (sklearn: plain L-BFGS)"),
        ("bn_after", "L-BFGS + batch_norm='after' (sklearn: plain L-BFGS)"),
        ("adam_bn_input", "Adam + input_batch_norm=True (sklearn: plain Adam)"),
        ("bn_input", "L-BFGS + input_batch_norm=True (sklearn: plain L-BFGS)"),
        (
            "bn_input_hidden",
            "L-BFGS + input_batch_norm=True + batch_norm='before' "
            "(sklearn: plain L-BFGS)",
        ),
        ("inspection", "hidden_activations + layer_gradients (BN model)"),
    ]
    for case, title in cases:
        if args.cases and case not in args.cases:
            continue
        ep = 5 if case.startswith("adam") else 0
        r = {w: medians(w, case, n, p, density, ep, repeats) for w in libs}
        if case == "inspection":
            r["scikit-learn"] = {"peak_mb": float("nan"), "seconds": float("nan")}
        a, b = r["skdnn"], r["scikit-learn"]
        print(f"| {title} | {a['peak_mb']:.0f} | {b['peak_mb']:.0f} | "
              f"{a['peak_mb'] / b['peak_mb']:.2f} | {a['seconds']:.2f} | "
              f"{b['seconds']:.2f} |", flush=True)  # fmt: skip
    if args.no_epochs:
        return
    print(f"\nAdam per epoch: {n} rows, density 0.2 %, hidden (100,), batch 200, "
          f"{epochs} epochs per fit, medians of {repeats} processes\n")  # fmt: skip
    print("| features | skdnn s/epoch | sklearn s/epoch | sklearn/skdnn |")
    print("|---:|---:|---:|---:|")
    for p in (20_000, 100_000):
        r = {w: medians(w, "adam", n, p, 0.002, epochs, repeats) for w in libs}
        a, b = (r[w]["seconds"] / epochs for w in libs)
        print(f"| {p:,} | {a:.3f} | {b:.3f} | {b / a:.2f} |", flush=True)


if __name__ == "__main__":
    main()
