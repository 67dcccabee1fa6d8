"""
=======================================
L1 regularisation: the Lasso path again
=======================================

``l1`` is Lasso's ``alpha``: a network without hidden layer and with an identity
output (``hidden_layer_sizes=()``) fitted with ``solver="lbfgs"`` (OWL-QN when
``l1 > 0``) lands on :func:`~sklearn.linear_model.lasso_path`'s coefficients,
exact zeros included. In a deep network the same penalty, applied by proximal
steps after every update, switches off whole inputs of the first layer as it
grows (``sparsity_``, ``dead_inputs_``).
"""

# %%
# The regularisation path of a linear network
# -------------------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import lasso_path
from sklearn.preprocessing import StandardScaler

from skdnn import MLPRegressor

X, y = load_diabetes(return_X_y=True)
X = StandardScaler().fit_transform(X)
y = (y - y.mean()) / y.std()

alphas, lasso_coefs, _ = lasso_path(X, y, alphas=np.geomspace(1e-3, 1.0, 25))
mlp_coefs = np.column_stack(
    [
        MLPRegressor(
            hidden_layer_sizes=(), solver="lbfgs", alpha=0.0, l1=a, tol=1e-8,
            max_iter=10_000,
        ).fit(X, y).coefs_[0].ravel()
        for a in alphas
    ]
)  # fmt: skip
print(
    "largest difference to lasso_path:", np.abs(mlp_coefs - lasso_coefs).max(),
    "| same zeros:", np.array_equal(mlp_coefs == 0, lasso_coefs == 0),
)  # fmt: skip

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
for k in range(X.shape[1]):
    ax1.plot(alphas, lasso_coefs[k], color=f"C{k}", lw=3, alpha=0.35)
    ax1.plot(alphas, mlp_coefs[k], color=f"C{k}", ls="--", lw=1.2)
ax1.set_xscale("log")
ax1.set_xlabel("l1 (= Lasso alpha)")
ax1.set_ylabel("coefficient")
ax1.set_title("lasso_path (thick) vs MLPRegressor(l1=...) (dashed)")

# %%
# Sparsity of a deep network's first layer
# ----------------------------------------
# A 10-64-32-1 ReLU network with Adam. As ``l1`` grows, more first-layer weights
# become exactly zero and whole input features drop out.
l1s = [0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2]
first_layer_sparsity, dropped_inputs = [], []
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for l1 in l1s:
        net = MLPRegressor(
            hidden_layer_sizes=(64, 32), l1=l1, max_iter=300, random_state=0
        ).fit(X, y)
        first_layer_sparsity.append(np.mean(net.coefs_[0] == 0))
        dropped_inputs.append(net.dead_inputs_[0])
ax2.plot(range(len(l1s)), first_layer_sparsity, "o-", label="zero weights (layer 1)")
ax2.set_xticks(range(len(l1s)), [str(v) for v in l1s])
ax2.set_xlabel("l1")
ax2.set_ylabel("fraction of first-layer weights == 0")
ax2.set_ylim(-0.02, 1.02)
for i, d in enumerate(dropped_inputs):
    ax2.annotate(f"{d} inputs off", (i, first_layer_sparsity[i]), fontsize=8,
                 textcoords="offset points", xytext=(-20, 8))  # fmt: skip
ax2.set_title("a deep network's first layer")
fig.tight_layout()
plt.show()
