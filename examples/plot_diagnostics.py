"""
============================================
Diagnosing training: layers and update sizes
============================================

Three views of a fitted network that tell whether training is healthy, on
:func:`~sklearn.datasets.load_digits`, for an 8-layer ReLU network with a good
initialisation (He, what ``init="auto"`` picks) and a poor one (N(0, 0.01²)):

* the mean and spread of every hidden layer's activations and the norm of the
  gradient of every weight matrix
  (:func:`skdnn.plotting.plot_layer_statistics`): with tiny weights the
  activations shrink layer after layer and so do the gradients of the lower
  layers;
* the update/weight ratio of every layer per epoch
  (:func:`skdnn.plotting.plot_update_ratios`), to compare with CS231n's rule of
  thumb of about 1e-3.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier
from skdnn.plotting import plot_layer_statistics, plot_update_ratios

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)

models = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for init in ("auto", "normal"):
        models[init] = MLPClassifier(
            (64,) * 8, init=init, solver="sgd", learning_rate_init=0.01,
            max_iter=15, random_state=0,
        ).fit(X, y)  # fmt: skip

# %%
# Activations and gradients, layer by layer
# -----------------------------------------
fig, axes = plt.subplots(2, 2, figsize=(9, 6.5))
for row, (init, clf) in zip(axes, models.items(), strict=True):
    plot_layer_statistics(clf, X, y, axes=row)
    row[0].set_title(f'init="{init}": activations')
    row[1].set_title(f'init="{init}": gradient norms')
    print(f"init={init!r}: training accuracy {clf.score(X, y):.3f}")
plt.tight_layout()
plt.show()

# %%
# Update/weight ratios
# --------------------
fig, axes = plt.subplots(1, 2, figsize=(9, 3.5), sharey=True)
for ax, (init, clf) in zip(axes, models.items(), strict=True):
    plot_update_ratios(clf, ax=ax)
    ax.set_title(f'init="{init}"')
    if init == "normal":
        ax.get_legend().remove()
plt.tight_layout()
plt.show()
