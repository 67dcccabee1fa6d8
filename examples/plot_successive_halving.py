"""
====================================================
Successive halving: epochs or samples as the budget
====================================================

:class:`~sklearn.model_selection.HalvingRandomSearchCV` evaluates many
candidates on a small budget, keeps the best ``1 / factor`` of them and gives the
survivors ``factor`` times the budget, until one remains. For a network the
natural budget is the number of epochs, ``resource="max_iter"``: a candidate is
scored after 2 epochs, the better half after 4, and so on.
:class:`~sklearn.model_selection.HalvingGridSearchCV` with
``resource="n_samples"`` (the default) grows the training set instead.

Every level fits fresh clones: scikit-learn's halving search does not continue
the fits of the previous level, even with ``warm_start=True``. A candidate's
``n_iter_`` equals the resource unless its stopping rule (``tol`` and
``n_iter_no_change``) ended the fit earlier.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import HalvingGridSearchCV, HalvingRandomSearchCV
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)

# %%
# Epochs as the resource
# ----------------------
# 16 candidates with 2 epochs each, the best 8 with 4 epochs, ..., the best one
# with 32 epochs.
params = {
    "learning_rate_init": loguniform(1e-4, 1e-1),
    "alpha": loguniform(1e-5, 1e1),
}
by_epochs = HalvingRandomSearchCV(
    MLPClassifier(hidden_layer_sizes=(32,), random_state=0),
    params,
    n_candidates=16,
    resource="max_iter",
    min_resources=2,
    max_resources=32,
    factor=2,
    cv=3,
    random_state=0,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    by_epochs.fit(X, y)
print("max_iter per level:", by_epochs.n_resources_)
print("candidates per level:", by_epochs.n_candidates_)
print(f"best: {by_epochs.best_score_:.4f} at {by_epochs.best_params_}")
print("n_iter_ of the refitted best model:", by_epochs.best_estimator_.n_iter_)

# %%
# Samples as the resource
# -----------------------
by_samples = HalvingGridSearchCV(
    MLPClassifier(hidden_layer_sizes=(32,), max_iter=20, random_state=0),
    {"alpha": np.logspace(-4, 2, 4), "learning_rate_init": [1e-3, 1e-2]},
    resource="n_samples",
    min_resources=200,
    factor=2,
    cv=3,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    by_samples.fit(X, y)
print("n_samples per level:", by_samples.n_resources_)
print(f"best: {by_samples.best_score_:.4f} at {by_samples.best_params_}")

# %%
# Every candidate's score at every level it reached
# -------------------------------------------------
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
for ax, search, label in (
    (axes[0], by_epochs, "max_iter (epochs)"),
    (axes[1], by_samples, "n_samples"),
):
    res = search.cv_results_
    # a candidate's parameters, without the resource (max_iter grows per level)
    keys = [str(sorted((k, v) for k, v in p.items() if k != "max_iter"))
            for p in res["params"]]  # fmt: skip
    for key in dict.fromkeys(keys):
        rows = [i for i, k in enumerate(keys) if k == key]
        ax.plot(res["n_resources"][rows], res["mean_test_score"][rows], "o-", alpha=0.6)
    ax.set_xscale("log", base=2)
    ax.set_xlabel(label)
    ax.set_title(f"{type(search).__name__}")
axes[0].set_ylabel("mean CV accuracy")
fig.suptitle("Successive halving: the survivors get twice the budget")
fig.tight_layout()
plt.show()
