"""
==========================================
alpha does not depend on the batch size
==========================================

skdnn minimises ``(1/S) sum_i s_i l_i + (alpha / 2S) ||W||^2 + l1 ||W||_1`` with
every minibatch carrying the full penalty scaled by ``S`` (the sum of the sample
weights), so the solution does not move when ``batch_size`` changes, and equals
:class:`~sklearn.linear_model.Ridge`'s. scikit-learn's MLP divides the L2 term by
the minibatch's size instead: the same ``alpha`` is a much stronger penalty at
small batches (the two agree at full batch). Both networks here are linear
(``hidden_layer_sizes=()``), so the exact answer is Ridge's.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.preprocessing import StandardScaler

from skdnn import MLPRegressor

X, y = load_diabetes(return_X_y=True)
X = StandardScaler().fit_transform(X)
y = (y - y.mean()) / y.std()
alpha = 10.0
ridge = Ridge(alpha=alpha).fit(X, y).coef_

batch_sizes = [16, 32, 64, 128, X.shape[0]]
ours, theirs = [], []
common = dict(hidden_layer_sizes=(), alpha=alpha, solver="sgd", learning_rate_init=0.01,
              learning_rate="adaptive", tol=1e-9, n_iter_no_change=100, max_iter=5000,
              random_state=0)  # fmt: skip
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for bs in batch_sizes:
        w = MLPRegressor(batch_size=bs, **common).fit(X, y).coefs_[0].ravel()
        ours.append(np.abs(w - ridge).max() / np.abs(ridge).max())
        w = SkMLPRegressor(batch_size=bs, **common).fit(X, y).coefs_[0].ravel()
        theirs.append(np.abs(w - ridge).max() / np.abs(ridge).max())

for bs, a, b in zip(batch_sizes, ours, theirs, strict=True):
    print(f"batch {bs:>4}: distance to Ridge  skdnn {a:.4f}  scikit-learn {b:.4f}")

fig, ax = plt.subplots(figsize=(6.5, 4))
ax.plot(batch_sizes, ours, "o-", label="skdnn MLPRegressor")
ax.plot(batch_sizes, theirs, "s-", label="scikit-learn MLPRegressor")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_xlabel("batch_size")
ax.set_ylabel("max |w - w_ridge| / max |w_ridge|")
ax.set_title(f"Linear network, alpha={alpha}: distance to Ridge(alpha={alpha})")
ax.legend()
fig.tight_layout()
plt.show()
