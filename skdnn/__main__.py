"""``python -m skdnn``: what skdnn is for, on data bundled with scikit-learn.

A 5-fold cross-validation, default parameters everywhere, of

- skdnn's ``TabularMLPClassifier``/``TabularMLPRegressor``, given the raw
  table (they encode and scale it themselves; a pandas DataFrame works the
  same way);
- scikit-learn's ``MLPClassifier``/``MLPRegressor`` behind a ``StandardScaler``;
- scikit-learn's ``HistGradientBoostingClassifier``/``Regressor``;

on ``load_breast_cancer`` (accuracy) and ``load_diabetes`` (R², unscaled, its
``sex`` column as a category), printing the scores and the seconds each took.
"""

import time
import warnings

from sklearn.compose import make_column_transformer
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from . import TabularMLPClassifier, TabularMLPRegressor, __version__


def _cv(estimator, X, y, cv, scoring):
    tic = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(estimator, X, y, cv=cv, scoring=scoring)
    return scores.mean(), scores.std(), time.perf_counter() - tic


def _scaled(estimator, categorical=()):
    """scikit-learn's MLP behind the preprocessing it needs."""
    prep = make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), list(categorical)),
        remainder=StandardScaler(),
        sparse_threshold=0,
    )
    return make_pipeline(prep, estimator)


def main():
    print(
        f"skdnn {__version__}: tables with default parameters, 5-fold "
        "cross-validation\n"
    )
    rows = []
    X, y = load_breast_cancer(return_X_y=True)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    models = [
        ("skdnn TabularMLP", TabularMLPClassifier(random_state=0)),
        ("sklearn MLP", _scaled(SkMLPClassifier(random_state=0, max_iter=500))),
        ("sklearn HGB", HistGradientBoostingClassifier(random_state=0)),
    ]
    for name, est in models:
        rows.append(("breast_cancer", "accuracy", name, *_cv(est, X, y, cv, None)))
    X, y = load_diabetes(return_X_y=True, scaled=False)
    sex = [1]  # the column index of the categorical column
    cv = KFold(5, shuffle=True, random_state=0)
    models = [
        (
            "skdnn TabularMLP",
            TabularMLPRegressor(random_state=0, categorical_features=sex),
        ),
        (
            "sklearn MLP",
            _scaled(SkMLPRegressor(random_state=0, max_iter=1000), sex),
        ),
        (
            "sklearn HGB",
            HistGradientBoostingRegressor(random_state=0, categorical_features=sex),
        ),
    ]
    for name, est in models:
        rows.append(("diabetes", "R^2", name, *_cv(est, X, y, cv, "r2")))
    print(
        f"{'dataset':<14} {'metric':<9} {'estimator':<17} {'score':>16} {'seconds':>8}"
    )
    for data, metric, name, mean, std, secs in rows:
        print(
            f"{data:<14} {metric:<9} {name:<17} {mean:>8.4f} ± {std:.4f} {secs:>8.2f}"
        )
    print(
        "\nskdnn's first run includes compiling its kernels (about 10-20 s per "
        "dtype); later runs read them from the cache."
    )


if __name__ == "__main__":
    main()
