"""
==============================================
Batch normalisation trains a deep ReLU network
==============================================

A stack of ten 32-unit ReLU layers whose weights start small
(``init="normal"``: N(0, 0.01²)) passes almost no signal: the activations shrink
by a factor of about 20 at every layer, the gradients vanish, and plain SGD stays
at chance level. With ``batch_norm=True`` every layer's pre-activations are
re-standardised over the minibatch, so the signal keeps its scale whatever the
weights, and the same network, solver and learning rate train. This is the
experiment of Ioffe & Szegedy in miniature, on :func:`~sklearn.datasets.load_digits`.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.3, stratify=y, random_state=0
)

params = dict(
    hidden_layer_sizes=(32,) * 10,
    solver="sgd",
    learning_rate_init=0.01,
    init="normal",
    batch_size=32,
    max_iter=30,
    random_state=0,
)
models = {}
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    for name, extra in [
        ("no normalisation", {}),
        ("batch_norm='before'", {"batch_norm": "before"}),
        ("batch_norm='after'", {"batch_norm": "after"}),
    ]:
        models[name] = MLPClassifier(**params, **extra).fit(X_train, y_train)

# %%
# Training loss and test accuracy
# -------------------------------
fig, ax = plt.subplots(figsize=(7, 4))
for name, clf in models.items():
    acc = clf.score(X_test, y_test)
    ax.plot(clf.loss_curve_, label=f"{name} (test accuracy {acc:.3f})")
    print(f"{name:22s} final loss {clf.loss_curve_[-1]:.3f}  test accuracy {acc:.3f}")
ax.set_xlabel("epoch")
ax.set_ylabel("training loss")
ax.set_title("10 hidden ReLU layers, SGD, N(0, 0.01²) weights")
ax.legend()
plt.tight_layout()
plt.show()

# %%
# The fitted normalisation
# ------------------------
# ``batch_norm_`` holds, per position (0: the inputs, i: hidden layer i), the
# trained ``gamma`` and ``beta`` and the running statistics that ``predict``
# uses. Before the activation, BN's beta replaces the layer's bias.
bn = models["batch_norm='before'"].batch_norm_
print("positions with BN:", [i for i, d in enumerate(bn) if d is not None])
first = bn[1]
print("layer 1: mean gamma %.3f, mean |beta| %.3f, mean moving variance %.4f"
      % (first["gamma"].mean(), abs(first["beta"]).mean(),
         first["moving_variance"].mean()))  # fmt: skip
