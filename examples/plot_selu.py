"""
===============================
A self-normalising SELU network
===============================

With standardised inputs, LeCun-normal weights and the SELU activation, every
layer of a plain stack of dense layers keeps its activations near mean 0 and
standard deviation 1 (Klambauer et al., 2017), so a deep network trains without
batch normalisation. Ordinary dropout would break this property; with
``activation="selu"``, skdnn's ``dropout`` is *alpha dropout*, which keeps it.

This example measures, with :func:`skdnn.inspection.hidden_activations`, the
mean and standard deviation of every layer of 16-layer networks on
:func:`~sklearn.datasets.load_digits`: SELU (with alpha dropout on), and the
same network with tanh and with ReLU and the same LeCun initialisation.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier
from skdnn.inspection import hidden_activations

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)

depth = 16
stats = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for activation, dropout in [("selu", 0.1), ("tanh", 0.0), ("relu", 0.0)]:
        clf = MLPClassifier(
            (100,) * depth,
            activation=activation,
            init="lecun_normal",
            dropout=dropout,
            learning_rate_init=1e-4,
            max_iter=3,
            random_state=0,
        ).fit(X, y)
        # dropout on, as while training (alpha dropout for SELU)
        acts = hidden_activations(clf, X, dropout=dropout > 0, random_state=0)
        stats[activation] = (
            np.array([a.mean() for a in acts]),
            np.array([a.std() for a in acts]),
        )

# %%
# Mean and standard deviation, layer by layer
# -------------------------------------------
fig, (ax_mean, ax_std) = plt.subplots(1, 2, figsize=(9, 3.6), sharex=True)
layers = np.arange(1, depth + 1)
for name, (mean, std) in stats.items():
    label = f"{name} + alpha dropout 0.1" if name == "selu" else name
    ax_mean.plot(layers, mean, marker="o", label=label)
    ax_std.plot(layers, std, marker="o", label=label)
ax_mean.axhline(0, color="gray", lw=0.8)
ax_std.axhline(1, color="gray", lw=0.8)
ax_mean.set(xlabel="hidden layer", ylabel="mean activation")
ax_std.set(xlabel="hidden layer", ylabel="std of activations", yscale="log")
ax_std.legend()
plt.tight_layout()
plt.show()

for name, (mean, std) in stats.items():
    print(f"{name:5s} last layer: mean {mean[-1]:+.3f}, std {std[-1]:.3f}")
