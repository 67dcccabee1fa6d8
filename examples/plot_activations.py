"""
===========================================
Activation functions and their derivatives
===========================================

skdnn offers ten hidden-layer activations. This example plots each function
:math:`f(z)` and the derivative :math:`f'(z)` that back-propagation multiplies
the error by, computed here with NumPy from the formulas of the
:ref:`user guide <activations>`, and then trains the same small network with each
activation on :func:`~sklearn.datasets.load_digits` to compare their test
accuracy.
"""

# %%
# The formulas
# ------------
# Each entry maps an ``activation`` name to a pair of functions
# ``(f, f_prime)``. The derivatives are checked against central finite
# differences of ``f`` below.
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import erf, expit

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
LEAKY_SLOPE = 0.01  # LeakyReLU(negative_slope=0.01), the default
ELU_ALPHA = 1.0  # ELU(alpha=1.0), the default


def gelu_cdf(z):
    return 0.5 * (1.0 + erf(z / np.sqrt(2.0)))


def gelu_pdf(z):
    return np.exp(-0.5 * z**2) / np.sqrt(2.0 * np.pi)


ACTIVATIONS = {
    "identity": (lambda z: z, lambda z: np.ones_like(z)),
    "logistic": (expit, lambda z: expit(z) * (1.0 - expit(z))),
    "tanh": (np.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "leaky_relu": (
        lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
        lambda z: np.where(z > 0, 1.0, LEAKY_SLOPE),
    ),
    "elu": (
        lambda z: np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0))),
        lambda z: np.where(z > 0, 1.0, ELU_ALPHA * np.exp(np.minimum(z, 0.0))),
    ),
    "selu": (
        lambda z: (
            SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(np.minimum(z, 0.0)))
        ),
        lambda z: (
            SELU_SCALE * np.where(z > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(z, 0.0)))
        ),
    ),
    "softplus": (lambda z: np.logaddexp(0.0, z), expit),
    "gelu": (lambda z: z * gelu_cdf(z), lambda z: gelu_cdf(z) + z * gelu_pdf(z)),
    "swish": (
        lambda z: z * expit(z),
        lambda z: expit(z) + z * expit(z) * (1.0 - expit(z)),
    ),
}

z = np.linspace(-4, 4, 801)
h = 1e-5
for f, f_prime in ACTIVATIONS.values():
    away_from_kink = np.abs(z) > 1e-3  # the piecewise ones have a kink at 0
    numeric = (f(z + h) - f(z - h)) / (2 * h)
    assert np.allclose(numeric[away_from_kink], f_prime(z)[away_from_kink], atol=1e-6)
print("All derivatives agree with finite differences.")

# %%
# Plot every function (solid) and its derivative (dashed).
fig, axes = plt.subplots(2, 5, figsize=(14, 5.5), sharex=True)
for ax, (name, (f, f_prime)) in zip(axes.ravel(), ACTIVATIONS.items(), strict=True):
    ax.axhline(0, color="0.8", lw=0.8)
    ax.axvline(0, color="0.8", lw=0.8)
    ax.plot(z, f(z), label="f(z)")
    ax.plot(z, f_prime(z), "--", label="f'(z)")
    ax.set_title(name)
    ax.set_ylim(-2, 4)
axes[0, 0].legend(loc="upper left")
for ax in axes[1]:
    ax.set_xlabel("z")
fig.tight_layout()

# %%
# Training with each activation
# -----------------------------
# The same network — two hidden layers of 64 units, Adam, ``init="auto"`` (so
# each activation gets its recommended initialisation) — trained with each
# activation on standardised digits.
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

scores = {}
for name in ACTIVATIONS:
    model = make_pipeline(
        StandardScaler(),
        MLPClassifier(
            hidden_layer_sizes=(64, 64),
            activation=name,
            max_iter=300,
            random_state=0,
        ),
    )
    model.fit(X_train, y_train)
    scores[name] = model.score(X_test, y_test)
    print(f"{name:>10}: test accuracy {scores[name]:.4f} ({model[-1].n_iter_} epochs)")

# %%
# On this small, easy problem every activation does well, even ``identity``,
# which makes the whole network a linear model; the differences between the
# nonlinear ones are within the noise of a single train/test split. The
# saturating ``logistic`` units need the most epochs to converge. On deep
# networks and large data sets the ranking can differ: see the user guide's
# advice.
fig, ax = plt.subplots(figsize=(9, 3.5))
names = list(scores)
bars = ax.bar(names, [scores[n] for n in names], color="C0")
ax.bar_label(bars, fmt="%.3f", fontsize=8)
ax.set_ylim(0.85, 1.0)
ax.set_ylabel("test accuracy")
ax.set_title("MLPClassifier(hidden_layer_sizes=(64, 64)) on load_digits")
ax.tick_params(axis="x", rotation=30)
fig.tight_layout()
plt.show()
