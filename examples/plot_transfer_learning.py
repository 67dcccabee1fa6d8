"""
=======================================
Transfer learning: reusing lower layers
=======================================

Géron's recipe for a new task with little data: take a network trained on a
related task, reuse its lower hidden layers, replace the output layer, freeze
the reused layers first, then possibly fine-tune them. In skdnn,
``init=<fitted estimator>`` copies the lower hidden layers whose shapes match
(``transferred_layers_`` says how many) and ``frozen_layers=k`` keeps the lowest
``k`` fixed while training.

Here a 64-100-50 network learns digits 0–4 of
:func:`~sklearn.datasets.load_digits`; its layers then serve to learn digits
5–9 from 10 to 200 labelled samples, against a network trained from scratch.
Each accuracy is the mean over 3 seeds on the same held-out 5–9 digits.

The outcome is honest rather than flattering: on this data, features learnt on
0–4 are not better than what the network learns from scratch from the 5–9
samples, and freezing them costs accuracy. Transfer pays off when the source
task is much larger than the target one and shares its low-level structure
(images of the same kind, with many more examples); always compare with a model
trained from scratch, as here.
"""

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier

X, y = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
low = y < 5
rng = np.random.RandomState(0)
target = rng.permutation(np.flatnonzero(~low))
test = target[300:]

warnings.simplefilter("ignore", ConvergenceWarning)
source = MLPClassifier((100, 50), max_iter=100, random_state=0).fit(X[low], y[low])
print(
    f"source network, digits 0-4: training accuracy {source.score(X[low], y[low]):.3f}"
)

setups = {
    "from scratch": {},
    "reuse 2 layers, frozen": {"init": source, "frozen_layers": 2},
    "reuse 2 layers, lowest frozen": {"init": source, "frozen_layers": 1},
    "reuse 2 layers, fine-tuned": {"init": source},
}
sizes = [10, 25, 50, 100, 200]
scores = {name: [] for name in setups}
for n in sizes:
    train = target[:n]
    for name, params in setups.items():
        accs = [
            MLPClassifier(
                (100, 50), max_iter=200, learning_rate_init=1e-2, random_state=seed,
                **params,
            ).fit(X[train], y[train]).score(X[test], y[test])
            for seed in range(3)
        ]  # fmt: skip
        scores[name].append(np.mean(accs))

clf = MLPClassifier((100, 50), init=source, frozen_layers=2).fit(
    X[target[:10]], y[target[:10]]
)
print("layers copied from the source network:", clf.transferred_layers_)

# %%
# Accuracy on digits 5–9 against the number of labelled samples
# -------------------------------------------------------------
fig, ax = plt.subplots(figsize=(7, 4))
for name, accs in scores.items():
    ax.plot(sizes, accs, marker="o", label=name)
    print(f"{name:30s}", " ".join(f"{a:.3f}" for a in accs))
ax.set_xscale("log")
ax.set_xlabel("labelled samples of digits 5-9")
ax.set_ylabel("test accuracy (mean of 3 seeds)")
ax.legend()
plt.tight_layout()
plt.show()
