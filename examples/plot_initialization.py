"""
=====================================================
Weight initialisation and the activations of layers
=====================================================

Why does the initialisation matter? This example repeats the classic experiment
of the CS231n notes: push data through a deep ``tanh`` network — 10 hidden layers
of 500 units — and look at the distribution of every layer's activations, for
four ways of drawing the weights:

* ``"normal"``: small random numbers, :math:`N(0, 0.01^2)`;
* :math:`N(0, 1)`: large ones (not an ``init`` option; drawn here directly);
* ``"glorot_normal"``: variance :math:`1 / \\mathrm{fan_{avg}}`, the
  recommendation for ``tanh`` (what ``init="auto"`` picks);
* ``"he_normal"``: variance :math:`2 / \\mathrm{fan_{in}}`, the recommendation
  for ReLU.

The weights are drawn by :func:`skdnn.initializers.init_weights`, the function
the estimators use, and the forward pass is written in NumPy (biases are 0, as
skdnn's default ``bias_init``).
"""

# %%
# Inputs: standardised digits
# ---------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.preprocessing import StandardScaler

from skdnn.initializers import init_weights

X, _ = load_digits(return_X_y=True)
X = StandardScaler().fit_transform(X)
n_layers, n_units = 10, 500


def layer_activations(X, init, activation, seed=0):
    """Activations of every hidden layer of a fresh network."""
    rng = np.random.RandomState(seed)
    a = X
    out = []
    for _ in range(n_layers):
        W = np.empty((a.shape[1], n_units))
        if init == "N(0, 1)":  # not an skdnn option: the large extreme
            W[:] = rng.normal(size=W.shape)
        else:
            init_weights(W, init, "glorot", rng)  # the family matters for "auto" only
        a = activation(a @ W)
        out.append(a)
    return out


inits = ["normal", "N(0, 1)", "glorot_normal", "he_normal"]
tanh_acts = {init: layer_activations(X, init, np.tanh) for init in inits}

for init, acts in tanh_acts.items():
    stds = " ".join(f"{a.std():.3f}" for a in acts)
    print(f"{init:>13}: std per layer {stds}")

# %%
# Mean and standard deviation per layer
# -------------------------------------
# All three keep the mean near 0 (``tanh`` is zero-centred); what differs is the
# spread. With :math:`N(0, 0.01^2)` weights every layer multiplies the spread of the
# signal by about :math:`0.01 \sqrt{500} \approx 0.22`: after a few layers all
# activations are practically 0, and so are the gradients of the weights above
# them, which are proportional to them. With :math:`N(0, 1)` weights the
# pre-activations have a standard deviation of about :math:`\sqrt{500} \approx 22`:
# almost every unit saturates at :math:`\pm 1`, where the gradient of ``tanh``
# vanishes. Glorot keeps the signal alive through all
# ten layers; it still shrinks slowly, because a ``tanh`` unit's slope is below 1
# away from 0. He's larger variance, meant to compensate for ReLU zeroing half
# of its inputs, keeps a larger spread but pushes more ``tanh`` units towards
# saturation at :math:`\pm 1`, where their gradient vanishes.
for init, acts in tanh_acts.items():
    saturated = " ".join(f"{np.mean(np.abs(a) > 0.9):.2f}" for a in acts)
    print(f"{init:>13}: fraction of |a| > 0.9 per layer {saturated}")

fig, (ax_mean, ax_std) = plt.subplots(1, 2, figsize=(11, 3.8))
layers = np.arange(1, n_layers + 1)
for init, acts in tanh_acts.items():
    ax_mean.plot(layers, [a.mean() for a in acts], "o-", label=init)
    ax_std.plot(layers, [a.std() for a in acts], "o-", label=init)
ax_mean.set_title("tanh network: mean of the activations")
ax_std.set_title("tanh network: standard deviation of the activations")
for ax in (ax_mean, ax_std):
    ax.set_xlabel("hidden layer")
    ax.set_xticks(layers)
ax_std.legend()
fig.tight_layout()

# %%
# Distributions per layer
# -----------------------
# Histograms of the activations of each layer (rows: initialisation).
fig, axes = plt.subplots(len(inits), n_layers, figsize=(15, 5), sharey="row")
bins = np.linspace(-1, 1, 41)
for row, init in zip(axes, inits, strict=True):
    for layer, (ax, a) in enumerate(zip(row, tanh_acts[init], strict=True), start=1):
        ax.hist(a.ravel(), bins=bins, color="C0")
        ax.set_yticks([])
        ax.set_xticks([-1, 0, 1])
        if init == inits[0]:
            ax.set_title(f"layer {layer}", fontsize=9)
    row[0].set_ylabel(init, fontsize=9)
fig.suptitle("tanh activations per layer")
fig.tight_layout()

# %%
# The same experiment with ReLU
# -----------------------------
# For ReLU layers Glorot is too small: each layer keeps only the positive half of
# its inputs, and the signal shrinks layer after layer. He's factor 2 makes up
# for exactly that, and keeps the spread constant. :math:`N(0, 0.01^2)` makes the
# signal vanish and :math:`N(0, 1)` makes it explode (log scale).
relu_acts = {
    init: layer_activations(X, init, lambda z: np.maximum(z, 0.0))
    for init in ["normal", "N(0, 1)", "glorot_normal", "he_normal"]
}
fig, ax = plt.subplots(figsize=(6, 3.8))
for init, acts in relu_acts.items():
    ax.plot(layers, [a.std() for a in acts], "o-", label=init)
ax.set_yscale("log")
ax.set_xticks(layers)
ax.set_xlabel("hidden layer")
ax.set_title("ReLU network: standard deviation of the activations")
ax.legend()
fig.tight_layout()
plt.show()
