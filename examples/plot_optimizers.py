"""
============================
Every optimizer, one network
============================

The same 64-128-64-10 ReLU network trained on standardised
:func:`~sklearn.datasets.load_digits` with each stochastic solver of skdnn, at the
recommended ``learning_rate_init``
(``skdnn.optimizers.RECOMMENDED_LEARNING_RATES``), and with L-BFGS.
The curves are ``loss_curve_`` (the training objective per epoch); the legend
gives the held-out accuracy.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier
from skdnn.optimizers import RECOMMENDED_LEARNING_RATES

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

recommended = RECOMMENDED_LEARNING_RATES
fig, ax = plt.subplots(figsize=(7, 4.5))
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for solver, lr in recommended.items():
        clf = MLPClassifier(
            hidden_layer_sizes=(128, 64), solver=solver, learning_rate_init=lr,
            max_iter=60, random_state=0,
        ).fit(X_train, y_train)  # fmt: skip
        acc = clf.score(X_test, y_test)
        ax.plot(clf.loss_curve_, label=f"{solver} (lr {lr:g}): {acc:.3f}")
        print(f"{solver:>8}: test accuracy {acc:.3f} after {clf.n_iter_} epochs")
    lbfgs = MLPClassifier(
        hidden_layer_sizes=(128, 64), solver="lbfgs", max_iter=200, random_state=0
    ).fit(X_train, y_train)
    print(f"   lbfgs: test accuracy {lbfgs.score(X_test, y_test):.3f}")
ax.set_yscale("log")
ax.set_xlabel("epoch")
ax.set_ylabel("training objective (loss_curve_)")
ax.set_title("Solvers on load_digits (test accuracy in the legend)")
ax.legend(fontsize=8)
fig.tight_layout()
plt.show()
