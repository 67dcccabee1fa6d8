"""
===========================================
skdnn as a drop-in replacement for sklearn
===========================================

skdnn's :class:`~skdnn.MLPClassifier` takes the same parameters as
:class:`sklearn.neural_network.MLPClassifier`. Here both are trained with the
same settings inside the same :class:`~sklearn.pipeline.Pipeline` on the
handwritten digits of :func:`~sklearn.datasets.load_digits`, and we compare their
test accuracy, their fit time, their training-loss curves and the time they take
to predict many rows.
"""

# %%
# Data
# ----
# 1797 images of 8x8 pixels, 10 classes; a quarter is kept for testing.
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)

# %%
# The same pipeline with either estimator
# ---------------------------------------
# Only the import differs. skdnn compiles its kernels on first use (and caches
# them on disk), so we fit it once before timing to measure training alone.
params = dict(hidden_layer_sizes=(100,), max_iter=200, random_state=0)
models = {
    "skdnn": make_pipeline(StandardScaler(), MLPClassifier(**params)),
    "scikit-learn": make_pipeline(StandardScaler(), SklearnMLPClassifier(**params)),
}
with warnings.catch_warnings():  # one epoch does not converge, and need not
    warnings.simplefilter("ignore", ConvergenceWarning)
    MLPClassifier(max_iter=1).fit(X_train[:50], y_train[:50])  # compile (or load)

results = {}
for name, model in models.items():
    tic = time.perf_counter()
    model.fit(X_train, y_train)
    seconds = time.perf_counter() - tic
    results[name] = (model.score(X_test, y_test), seconds, model[-1])
    print(
        f"{name:>12}: test accuracy {results[name][0]:.4f}, "
        f"fit {seconds:.2f} s, {model[-1].n_iter_} epochs"
    )

# %%
# Both reach about the same accuracy. They do not produce the same model: the
# default initialisation differs (He-uniform weights for ReLU layers and zero
# biases in skdnn, Glorot-uniform weights and biases in scikit-learn), and so do
# the random streams that order the minibatches. Their loss curves therefore
# follow the same course without coinciding. (The L2 term also differs slightly:
# skdnn scales it by the whole training set rather than by each minibatch, see
# :doc:`/objective`; with the default ``alpha=1e-4`` its share of the loss is
# small here.)

# %%
# Prediction on many rows
# -----------------------
# Scoring a large batch is where a fitted network spends its life. Both
# estimators compute the same matrix products; skdnn runs each forward pass in
# one compiled call and, on 2,048 rows or more, splits the rows over as many
# threads as BLAS uses (see the user guide's "Threads" section). We time
# ``predict_proba`` of the fitted networks on 50,000 scaled rows (the test images
# repeated), best of 5.
X_many = np.resize(models["skdnn"][0].transform(X_test), (50_000, X.shape[1]))
predict_seconds = {}
for name, (_, _, mlp) in results.items():
    mlp.predict_proba(X_many)  # warm-up
    runs = []
    for _ in range(5):
        tic = time.perf_counter()
        mlp.predict_proba(X_many)
        runs.append(time.perf_counter() - tic)
    predict_seconds[name] = min(runs)
    print(f"{name:>12}: predict_proba on 50,000 rows {1e3 * min(runs):.1f} ms")

# %%
# The plots: loss curves, fit time and accuracy, prediction time.
fig, (ax_loss, ax_bar, ax_pred) = plt.subplots(1, 3, figsize=(14, 4))
for name, (_, _, mlp) in results.items():
    ax_loss.plot(mlp.loss_curve_, label=name)
ax_loss.set_yscale("log")
ax_loss.set_xlabel("epoch")
ax_loss.set_ylabel("training loss (loss_curve_)")
ax_loss.set_title("Training loss")
ax_loss.legend()

names = list(results)
accuracy = [results[n][0] for n in names]
seconds = [results[n][1] for n in names]
bars = ax_bar.bar(names, seconds, color=["C0", "C1"])
ax_bar.bar_label(
    bars,
    labels=[f"acc {a:.3f}\n{s:.2f} s" for a, s in zip(accuracy, seconds, strict=True)],
)
ax_bar.set_ylabel("fit time (s)")
ax_bar.set_ylim(0, max(seconds) * 1.35)
ax_bar.set_title("Fit time and test accuracy")

millis = [1e3 * predict_seconds[n] for n in names]
bars = ax_pred.bar(names, millis, color=["C0", "C1"])
ax_pred.bar_label(bars, labels=[f"{m:.1f} ms" for m in millis])
ax_pred.set_ylabel("predict_proba time (ms)")
ax_pred.set_ylim(0, max(millis) * 1.25)
ax_pred.set_title("Prediction, 50,000 rows")
fig.tight_layout()
plt.show()
