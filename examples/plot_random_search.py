"""
==========================================================
Random search of learning rate and alpha, coarse then fine
==========================================================

Learning rates and regularisation strengths act on a multiplicative scale, so
they are searched log-uniformly: a coarse
:class:`~sklearn.model_selection.RandomizedSearchCV` over several decades first,
then a fine one in a narrow window around the best coarse point. Every skdnn
parameter works in the search, and the compiled kernels are reused by every fit.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import RandomizedSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier

X, y = load_digits(return_X_y=True)
model = make_pipeline(
    StandardScaler(),
    MLPClassifier(hidden_layer_sizes=(64,), max_iter=40, random_state=0),
)


def search(lr_range, alpha_range, seed):
    params = {
        "mlpclassifier__learning_rate_init": loguniform(*lr_range),
        "mlpclassifier__alpha": loguniform(*alpha_range),
    }
    rs = RandomizedSearchCV(model, params, n_iter=12, cv=3, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        rs.fit(X, y)
    res = rs.cv_results_
    return rs, (
        np.array(res["param_mlpclassifier__learning_rate_init"], dtype=float),
        np.array(res["param_mlpclassifier__alpha"], dtype=float),
        res["mean_test_score"],
    )


coarse, (lr_c, a_c, s_c) = search((1e-5, 1e-1), (1e-6, 1e1), seed=0)
best_lr = coarse.best_params_["mlpclassifier__learning_rate_init"]
best_alpha = coarse.best_params_["mlpclassifier__alpha"]
fine, (lr_f, a_f, s_f) = search(
    (best_lr / 3, best_lr * 3), (best_alpha / 10, best_alpha * 10), seed=1
)
print(f"coarse best: {coarse.best_score_:.4f} at {coarse.best_params_}")
print(f"fine best:   {fine.best_score_:.4f} at {fine.best_params_}")

fig, ax = plt.subplots(figsize=(6.5, 4.5))
sc = ax.scatter(lr_c, a_c, c=s_c, marker="o", cmap="viridis", vmin=0.5, vmax=1.0,
                label="coarse")  # fmt: skip
ax.scatter(lr_f, a_f, c=s_f, marker="^", cmap="viridis", vmin=0.5, vmax=1.0,
           edgecolors="k", label="fine")  # fmt: skip
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("learning_rate_init")
ax.set_ylabel("alpha")
ax.legend()
fig.colorbar(sc, label="mean CV accuracy")
ax.set_title("Coarse-to-fine log-uniform search")
fig.tight_layout()
plt.show()
