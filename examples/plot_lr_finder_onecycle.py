"""
====================================
Learning-rate finder, then 1cycle
====================================

:func:`skdnn.find_learning_rate` trains a copy of the estimator for one sweep of
exponentially growing learning rates and records the loss of every update. The
loss first barely moves (rate too small), then falls fast, then blows up (rate
too large); a tenth of the rate with the lowest smoothed loss is a good peak for
the 1cycle schedule (:class:`skdnn.schedules.OneCycle`), which warms up to it,
comes back down, and anneals, while cycling the momentum the opposite way.
"""

import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier, find_learning_rate
from skdnn.plotting import plot_learning_rate_finder
from skdnn.schedules import OneCycle

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)

net = dict(hidden_layer_sizes=(128, 64), solver="sgd", batch_size=32, random_state=0)
result = find_learning_rate(
    MLPClassifier(**net), X_train, y_train, min_lr=1e-5, max_lr=10.0, n_steps=200
)
print(f"suggested peak learning rate: {result.suggestion:.3g}")

epochs = 15
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    onecycle = MLPClassifier(
        **net, learning_rate=OneCycle(max_lr=result.suggestion), max_iter=epochs
    ).fit(X_train, y_train)
    constant = MLPClassifier(
        **net, learning_rate_init=result.suggestion / 10, max_iter=epochs
    ).fit(X_train, y_train)
for name, clf in [("1cycle", onecycle), ("constant", constant)]:
    print(f"{name:>8}: test accuracy {clf.score(X_test, y_test):.3f}")

fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(13, 3.8))
plot_learning_rate_finder(result, ax=ax1)
ax1.set_title("learning-rate finder")
ax2.plot([h["learning_rate"] for h in onecycle.history_], label="learning rate")
ax2b = ax2.twinx()
ax2b.plot([h["momentum"] for h in onecycle.history_], color="C1", label="momentum")
ax2.set_xlabel("epoch")
ax2.set_ylabel("learning rate (first update of the epoch)")
ax2b.set_ylabel("momentum")
ax2.set_title("1cycle schedule")
ax3.plot(onecycle.loss_curve_, label="1cycle")
ax3.plot(constant.loss_curve_, label=f"constant {result.suggestion / 10:.2g}")
ax3.set_yscale("log")
ax3.set_xlabel("epoch")
ax3.set_ylabel("training objective")
ax3.legend()
ax3.set_title("training")
fig.tight_layout()
plt.show()
