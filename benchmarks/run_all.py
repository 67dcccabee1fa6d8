"""Every benchmark of the performance targets, in one go.

Runs, one after the other and each in its own interpreter:

1. ``bench_epoch.py``: training throughput of skdnn, scikit-learn and (when
   installed) PyTorch for Adam, batch normalisation + dropout and Nesterov SGD,
   float32 and float64, batch 32/128/512, with the ratios; cold and cached
   compile times.
2. ``bench_predict_search.py``: prediction latency and throughput, cost per
   sample against n, grid-search fits, start-up with a warm cache.
3. ``bench_memory.py``: peak memory of a fit.
4. ``bench_sparse.py``: sparse (CSR) input, peak memory and seconds of L-BFGS,
   Adam, L-BFGS with batch normalisation and inspection, and Adam's time per
   epoch at 20,000 and 100,000 features, against scikit-learn.
5. With ``--contention`` only: ``bench_contention.py``, training throughput
   quiet and next to a one-thread busy loop, alternated, with the slowdowns
   (an estimated 8 more minutes on 2 cores; with ``--quick``, about a minute).

Every script prints Markdown tables; this one prints them in order, under a
heading each. From the repository root::

    python benchmarks/run_all.py            # everything (about 20 minutes on 2 cores)
    python benchmarks/run_all.py --quick    # a smoke run (about 3 minutes)
    python benchmarks/run_all.py --contention   # and the contention benchmark

Run it on an otherwise idle machine; it asserts nothing about speed.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, short runs")
    ap.add_argument(
        "--contention",
        action="store_true",
        help="also run bench_contention.py (an estimated 8 more minutes; --quick: "
        "about a minute)",
    )
    args = ap.parse_args(argv)
    runs = [
        ("Training throughput and compile time", "bench_epoch.py",
         ["--quick"] if args.quick else ["--epochs", "4"]),
        ("Prediction, cost per sample, grid search, start-up",
         "bench_predict_search.py", ["--quick"] if args.quick else []),
        ("Memory", "bench_memory.py",
         ["--n-samples", "100000"] if args.quick else []),
        ("Sparse input", "bench_sparse.py", ["--quick"] if args.quick else []),
    ]  # fmt: skip
    if args.contention:
        runs.append(
            (
                "Training throughput under contention",
                "bench_contention.py",
                ["--quick"] if args.quick else [],
            )
        )
    tic = time.perf_counter()
    failed = []
    for title, script, extra in runs:
        print(f"\n# {title} (`{script} {' '.join(extra)}`)\n", flush=True)
        proc = subprocess.run([sys.executable, str(HERE / script), *extra])
        if proc.returncode != 0:
            failed.append(script)
    print(f"\nAll benchmarks: {time.perf_counter() - tic:.0f} s.")
    if failed:
        print("Failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
