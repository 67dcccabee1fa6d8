"""
==============
Early stopping
==============

With ``early_stopping=True``, :class:`~skdnn.MLPClassifier` holds out
``validation_fraction`` of the training data (stratified by class), scores the
model on it after every epoch, stops once the score has not improved by ``tol``
for more than ``n_iter_no_change`` epochs, and restores the parameters of the
best epoch. This example shows the training loss (``loss_curve_``) next to the
validation accuracy (``validation_scores_``) on
:func:`~sklearn.datasets.load_digits`, and compares the result with a network
trained for a fixed number of epochs.
"""

# %%
# Data
# ----
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

# %%
# Two networks
# ------------
# The same wide network, once with early stopping (20 % held out for
# validation, patience of 20 epochs), once trained for 300 epochs whatever
# happens.
common = dict(hidden_layer_sizes=(256,), learning_rate_init=3e-3, random_state=0)
stopped = make_pipeline(
    StandardScaler(),
    MLPClassifier(
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=20,
        max_iter=300,
        **common,
    ),
).fit(X_train, y_train)
with warnings.catch_warnings():  # the full run may end before "convergence"
    warnings.simplefilter("ignore", ConvergenceWarning)
    full = make_pipeline(
        StandardScaler(), MLPClassifier(max_iter=300, tol=0.0, **common)
    ).fit(X_train, y_train)

mlp = stopped[-1]
best_epoch = int(np.argmax(mlp.validation_scores_)) + 1
print(f"early stopping: {mlp.n_iter_} epochs, best epoch {best_epoch}")
print(f"  best validation accuracy {mlp.best_validation_score_:.4f}")
print(f"  test accuracy            {stopped.score(X_test, y_test):.4f}")
print(f"300 epochs:     test accuracy {full.score(X_test, y_test):.4f}")

# %%
# Curves
# ------
# The training loss keeps falling long after the validation accuracy has
# levelled off: the extra epochs only fit the training data more closely. Early
# stopping ends the run after the patience window and keeps the model of the
# best validation epoch (dotted line), reaching about the same test accuracy in
# a fraction of the epochs.
fig, ax_loss = plt.subplots(figsize=(8, 4))
ax_loss.plot(full[-1].loss_curve_, color="0.6", label="training loss, 300 epochs")
ax_loss.plot(mlp.loss_curve_, color="C0", label="training loss, early stopping")
ax_loss.set_yscale("log")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("training loss (loss_curve_)")

ax_val = ax_loss.twinx()
ax_val.plot(mlp.validation_scores_, color="C1", label="validation accuracy")
ax_val.axvline(best_epoch - 1, color="C1", ls=":", label="best epoch")
ax_val.set_ylabel("validation accuracy (validation_scores_)")
ax_val.set_ylim(0.8, 1.0)

lines = ax_loss.get_legend_handles_labels()
more = ax_val.get_legend_handles_labels()
ax_loss.legend(lines[0] + more[0], lines[1] + more[1], loc="center right")
ax_loss.set_title("Early stopping on load_digits")
fig.tight_layout()
plt.show()
