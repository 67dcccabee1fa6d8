"""Peak memory of one training epoch on 1e6 x 100 float32 data.

Each estimator runs in a fresh subprocess that builds the data, records its
resident set size (RSS), fits one epoch and reports the peak RSS (ru_maxrss)
above the level before ``fit``. skdnn trains float32 C-contiguous input without
copying it, so its peak above the data should be the parameters, the optimizer
state and the per-batch buffers, plus the targets and small arrays.

Usage: ``python benchmarks/bench_memory.py [--n-samples N] [--n-features P]``.
"""

import argparse
import json
import subprocess
import sys

_CHILD = r"""
import json, resource, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
which, n, p = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if which == "skdnn":
    from skdnn import MLPClassifier
else:
    from sklearn.neural_network import MLPClassifier
rng = np.random.default_rng(0)
X = rng.standard_normal((n, p), dtype=np.float32)
y = (X[:, :3].sum(axis=1) > 0).astype(np.int64) + (X[:, 3] > 1)
MLPClassifier(max_iter=1).fit(X[:500], y[:500])  # imports and compiled kernels
def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
before = rss_mb()
clf = MLPClassifier(max_iter=1, random_state=0)
tic = time.perf_counter()
clf.fit(X, y)
secs = time.perf_counter() - tic
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
n_params = sum(c.size + b.size for c, b in zip(clf.coefs_, clf.intercepts_))
print(json.dumps({"data_mb": X.nbytes / 2**20, "before_mb": before, "peak_mb": peak,
                  "params": int(n_params), "seconds": secs}))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n-samples", type=int, default=1_000_000)
    ap.add_argument("--n-features", type=int, default=100)
    args = ap.parse_args()
    rows = []
    for which in ("skdnn", "scikit-learn"):
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, which, str(args.n_samples),
             str(args.n_features)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        rows.append((which, json.loads(out.stdout.strip().splitlines()[-1])))
    data_mb = rows[0][1]["data_mb"]
    print(f"X: {args.n_samples} x {args.n_features} float32, {data_mb:.0f} MB; "
          "MLPClassifier() defaults, one epoch\n")  # fmt: skip
    print("| estimator | RSS before fit (MB) | peak RSS (MB) | peak - before (MB) | "
          "parameters | fit seconds |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|")
    for which, r in rows:
        print(f"| {which} | {r['before_mb']:.0f} | {r['peak_mb']:.0f} | "
              f"{r['peak_mb'] - r['before_mb']:.0f} | {r['params']:,} | "
              f"{r['seconds']:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
