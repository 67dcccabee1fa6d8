"""``python -m skdnn``: train on a bundled dataset, next to scikit-learn's MLP.

Runs a stratified 5-fold cross-validation of ``StandardScaler`` + MLP on
``load_digits`` (classification) and ``load_diabetes`` (regression) with default
parameters, for skdnn and for scikit-learn, and prints scores and times.
"""

import time
import warnings

from sklearn.datasets import load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from . import MLPClassifier, MLPRegressor, __version__


def _cv(estimator, X, y, cv, scoring):
    tic = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = make_pipeline(StandardScaler(), estimator)
        scores = cross_val_score(model, X, y, cv=cv, scoring=scoring)
    return scores.mean(), scores.std(), time.perf_counter() - tic


def main():
    print(
        f"skdnn {__version__}: default MLPs, StandardScaler, 5-fold cross-validation\n"
    )
    rows = []
    X, y = load_digits(return_X_y=True)
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    for name, est in [("skdnn", MLPClassifier(random_state=0)),
                      ("scikit-learn", SkMLPClassifier(random_state=0))]:  # fmt: skip
        rows.append(("load_digits", "accuracy", name, *_cv(est, X, y, cv, "accuracy")))
    X, y = load_diabetes(return_X_y=True)
    cv = KFold(5, shuffle=True, random_state=0)
    regressors = [
        ("skdnn", MLPRegressor(random_state=0, max_iter=1000)),
        ("scikit-learn", SkMLPRegressor(random_state=0, max_iter=1000)),
    ]
    for name, est in regressors:
        rows.append(("load_diabetes", "R^2", name, *_cv(est, X, y, cv, "r2")))
    print(
        f"{'dataset':<14} {'metric':<9} {'estimator':<13} {'score':>16} {'seconds':>8}"
    )
    for data, metric, name, mean, std, secs in rows:
        print(
            f"{data:<14} {metric:<9} {name:<13} {mean:>8.4f} ± {std:.4f} {secs:>8.2f}"
        )
    print(
        "\n(skdnn's first run includes compiling its kernels; "
        "later runs use the cache.)"
    )


if __name__ == "__main__":
    main()
