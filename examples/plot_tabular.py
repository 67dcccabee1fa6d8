"""
================================
A table, from DataFrame to model
================================

:class:`~skdnn.TabularMLPRegressor` and :class:`~skdnn.TabularMLPClassifier`
take a pandas DataFrame as it is: numeric and categorical columns, missing
values included. Here the diabetes table bundled with scikit-learn gets a
categorical ``sex`` column (strings) and, to show how missing values are
handled, 10 % of its ``bmi`` and ``bp`` values are removed at random. We compare
the tabular network with scikit-learn's MLP (which needs a
:class:`~sklearn.compose.ColumnTransformer` in front) and with gradient
boosting, then look at what the model learned from the table.
"""

# %%
# The table
# ---------
import time
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import make_column_transformer
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.impute import SimpleImputer
from sklearn.model_selection import KFold, cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skdnn import TabularMLPRegressor

X, y = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
X["sex"] = X["sex"].map({1.0: "female", 2.0: "male"})  # strings, object dtype
rng = np.random.default_rng(0)
for column in ("bmi", "bp"):
    X.loc[rng.random(len(X)) < 0.1, column] = np.nan
print(X.dtypes.value_counts().to_dict(), "missing:", int(X.isna().sum().sum()))
X.head()

# %%
# Three models, default parameters
# --------------------------------
# The tabular network reads the DataFrame directly. scikit-learn's MLP needs
# the categories one-hot encoded, the missing values imputed and the numbers
# scaled; gradient boosting reads categories natively.
scikit_learn_mlp = make_pipeline(
    make_column_transformer(
        (OneHotEncoder(handle_unknown="ignore"), ["sex"]),
        remainder=make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
        sparse_threshold=0,
    ),
    MLPRegressor(max_iter=1000, random_state=0),
)
models = {
    "skdnn TabularMLPRegressor": TabularMLPRegressor(random_state=0),
    "scikit-learn MLPRegressor": scikit_learn_mlp,
    "HistGradientBoostingRegressor": HistGradientBoostingRegressor(
        random_state=0, categorical_features="from_dtype"
    ),
}
X_hgb = X.astype({"sex": "category"})  # HGB's from_dtype takes category only
cv = KFold(5, shuffle=True, random_state=0)
results = {}
for name, model in models.items():
    data = X_hgb if name.startswith("Hist") else X
    tic = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(model, data, y, cv=cv, scoring="r2")
    results[name] = scores
    print(
        f"{name:<30} R² {scores.mean():.3f} ± {scores.std():.3f}  "
        f"({time.perf_counter() - tic:.1f} s, 5 fits)"
    )

# %%
# skdnn's first fit in a fresh environment also compiles its kernels (seconds
# that later runs read from the cache), so its time above includes some of
# that on a first run.
#
# What the model saw
# ------------------
# :class:`~skdnn.preprocessing.TabularEncoder` found the categorical column from
# its dtype, one-hot encoded it (with a level for missing values), imputed the
# numeric columns, added a missing indicator where training had missing values,
# and scaled and smoothly clipped the numbers; it also computed each numeric
# column's quantile in training (the ``_quantile`` columns), which the periodic
# embedding reads.
model = TabularMLPRegressor(random_state=0).fit(X, y)
print(model.encoder_.get_feature_names_out())

# %%
# Categories and missing values never seen in training do not fail:
new = X.head(3).copy()
new["sex"] = ["unknown", None, "male"]
new["s1"] = np.nan  # s1 had no missing values in training
print(model.predict(new).round(1))

# %%
# Best-epoch selection
# --------------------
# A fifth of the rows is held out; the epoch with the best validation R² is the
# model returned.
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(model.validation_scores_, label="validation R²")
best = int(np.argmax(model.validation_scores_))
ax.axvline(best, color="grey", linestyle=":", label=f"best epoch ({best + 1})")
ax.set_xlabel("epoch")
ax.set_ylabel("R²")
ax.legend()
fig.tight_layout()
plt.show()

# %%
# Epochs by the table's size
# --------------------------
# ``max_iter="auto"`` (the tabular default) trains 40 epochs on up to 2,048
# training rows and, on larger tables, about as many row visits: ``round(40 *
# 2048 / n_train)`` epochs, at least 12. The diabetes table above gets its 40
# epochs. On a larger table (here a synthetic one of 8,000 rows, 6,400 of them
# for training) the fit is about three times shorter than with 40 epochs; on
# the real tables of the performance page this halved the fit time at the same
# mean score.
Xs, ys = make_friedman1(n_samples=10_000, noise=0.5, random_state=0)
Xs_train, ys_train, Xs_test, ys_test = Xs[:8000], ys[:8000], Xs[8000:], ys[8000:]
for max_iter in ("auto", 40):
    tic = time.perf_counter()
    reg = TabularMLPRegressor(max_iter=max_iter, random_state=0)
    reg.fit(Xs_train, ys_train)
    print(
        f"max_iter={max_iter!r:<6}  epochs {reg.n_iter_:>2}  "
        f"test R² {reg.score(Xs_test, ys_test):.4f}  "
        f"({time.perf_counter() - tic:.1f} s)"
    )
