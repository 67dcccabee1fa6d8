"""
==================================================
Learned embeddings for categories with many levels
==================================================

One-hot encoding gives a network one input per level of a categorical column.
A column of store, product or postcode identifiers has hundreds or thousands of
levels: the first layer becomes that wide (and that slow), and a level seen in
a handful of rows barely trains its own weights.
``categorical_embedding="learned"`` gives every level a short learned vector
instead (8 values by default), so the first layer reads 8 inputs for the column
whatever its number of levels.

Here daily sales depend on which of 1,000 stores sold (through two hidden
properties of each store: its size and its location), on the price, a
promotion and the weekday. Store popularity follows a power law: a few stores
have hundreds of rows, most have a few.
"""

# %%
# A table with a store identifier
# -------------------------------
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skdnn import TabularMLPRegressor

rng = np.random.default_rng(0)
n, n_stores = 8000, 1000
size = rng.normal(size=n_stores)  # hidden properties of each store
location = rng.uniform(-2, 2, size=n_stores)
store = rng.zipf(1.3, size=n) % n_stores
price = rng.uniform(1, 10, size=n)
promo = rng.random(n) < 0.3
day = rng.choice(["mon", "tue", "wed", "thu", "fri", "sat", "sun"], size=n)
y = (
    size[store]
    + np.sin(2 * location[store])
    - 0.1 * price
    + 0.4 * promo
    + 0.2 * np.isin(day, ["sat", "sun"])
    + 0.1 * rng.normal(size=n)
)
X = pd.DataFrame(
    {
        "store": pd.Categorical([f"store{s:04d}" for s in store]),
        "price": price,
        "promo": promo,
        "day": day,
    }
)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
print(f"{X_train['store'].nunique()} stores in training")

# %%
# One-hot blocks or learned embeddings
# ------------------------------------
# Everything else is the tabular default. With ``categorical_embedding=None``
# every categorical column is one-hot encoded; with ``"learned"`` (the
# default), the columns with more than 64 levels (``store``) are embedded, the
# others (``day``, ``promo``) stay one-hot.
models = {
    "one-hot": TabularMLPRegressor(categorical_embedding=None, random_state=0),
    "learned embedding": TabularMLPRegressor(
        categorical_embedding="learned", random_state=0
    ),
}
for name, model in models.items():
    tic = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X_train, y_train)
    print(
        f"{name:<18} test R² {model.score(X_test, y_test):.3f}  "
        f"first layer {model.coefs_[0].shape}  "
        f"({time.perf_counter() - tic:.1f} s)"
    )

# %%
# (In a fresh environment the first fit of each also compiles skdnn's kernels.)
# The embedded network is as accurate with a first layer a fraction as wide,
# and fits several times faster.
#
# What the embedding learned
# --------------------------
# ``category_embeddings_`` holds one table per embedded column, a row per
# level (in the encoder's order of the levels). The tables start at zero and
# move only for the levels that occur in training, so the rows of the frequent
# stores carry what the network learned about them: their first principal
# component follows the stores' hidden size.
model = models["learned embedding"]
(table,) = model.category_embeddings_
levels = model.encoder_.transformer_.named_transformers_["codes"][-1].categories_[0]
ids = np.array([int(level[5:]) for level in levels])
counts = X_train["store"].value_counts()
frequent = np.array([counts[level] >= 10 for level in levels])
rows = table[frequent] - table[frequent].mean(axis=0)
component = np.linalg.svd(rows, full_matrices=False)[2][0]
fig, ax = plt.subplots(figsize=(5, 3.5))
ax.scatter(size[ids[frequent]], rows @ component, s=12)
ax.set_xlabel("hidden store size")
ax.set_ylabel("first principal component\nof the store's embedding")
ax.set_title(f"{frequent.sum()} stores with at least 10 training rows")
fig.tight_layout()
plt.show()
r = np.corrcoef(size[ids[frequent]], rows @ component)[0, 1]
print(f"correlation with the hidden size: {r:+.2f}")

# %%
# The sign of a principal component is arbitrary; its alignment with the
# store size is what counts. On tables whose categorical columns have few
# levels, one-hot encoding is as good and the default of the tabular
# estimators; see the user guide, "Categorical embeddings", and the tabular
# page for the measurements on real tables.
