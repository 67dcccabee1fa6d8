"""
=================================================
Dropout, and uncertainty from Monte Carlo dropout
=================================================

Two uses of ``dropout``. First, as a regulariser: a wide network trained on a
small, noisy regression problem over-fits; with ``dropout=0.2`` on its hidden
layers it generalises better (on this draw; the effect of dropout varies from
one data set to the next, so tune its rate by cross-validation). Second, Monte
Carlo dropout (Gal & Ghahramani, 2016): keeping dropout on at prediction time
and averaging many passes gives the mean and the spread of the prediction; the
spread grows away from the training data, a cheap estimate of the model's
uncertainty.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score

from skdnn import MLPRegressor

rng = np.random.RandomState(0)
X_train = np.sort(rng.uniform(-3, 3, size=(60, 1)), axis=0)
y_train = np.sin(1.5 * X_train[:, 0]) + rng.normal(scale=0.3, size=60)
X_test = np.linspace(-3, 3, 300)[:, None]
y_test = np.sin(1.5 * X_test[:, 0])

params = dict(
    hidden_layer_sizes=(256, 256),
    solver="adam",
    learning_rate_init=3e-3,
    alpha=0.0,
    batch_size=16,
    max_iter=500,
    n_iter_no_change=np.inf,  # train all 500 epochs
    random_state=0,
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    plain = MLPRegressor(**params).fit(X_train, y_train)
    dropped = MLPRegressor(dropout=0.2, **params).fit(X_train, y_train)

for name, reg in [("no dropout", plain), ("dropout=0.2", dropped)]:
    print(
        f"{name:12s} train R² {r2_score(y_train, reg.predict(X_train)):.3f}  "
        f"test R² (noise-free target) {r2_score(y_test, reg.predict(X_test)):.3f}"
    )

# %%
# Monte Carlo dropout
# -------------------
# ``mc_predict`` averages 200 stochastic passes; ``return_std=True`` also
# returns their standard deviation, as ``GaussianProcessRegressor.predict``
# does. The band is wider where there are no training points (outside [-3, 3]).
X_wide = np.linspace(-5, 5, 400)[:, None]
mean, std = dropped.mc_predict(X_wide, n_samples=200, return_std=True, random_state=0)

fig, ax = plt.subplots(figsize=(8, 4))
ax.scatter(X_train[:, 0], y_train, s=12, color="k", label="training data")
ax.plot(X_wide[:, 0], plain.predict(X_wide), lw=1, label="no dropout: predict")
ax.plot(X_wide[:, 0], mean, lw=2, label="dropout 0.2: MC mean")
ax.fill_between(
    X_wide[:, 0], mean - 2 * std, mean + 2 * std, alpha=0.25, label="MC mean ± 2 std"
)
ax.set(xlabel="x", ylabel="y", ylim=(-3, 3))
ax.legend(loc="lower left")
plt.tight_layout()
plt.show()

inside = np.abs(X_wide[:, 0]) <= 3
print(f"mean MC std inside the data {std[inside].mean():.3f}, "
      f"outside {std[~inside].mean():.3f}")  # fmt: skip
