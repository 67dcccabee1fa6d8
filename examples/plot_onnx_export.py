"""
===========================================
Exporting a pipeline to ONNX for serving
===========================================

``import skdnn.onnx`` registers skdnn's converters with
`skl2onnx <https://onnx.ai/sklearn-onnx/>`_, so that :func:`skl2onnx.to_onnx`
converts a fitted :class:`~sklearn.pipeline.Pipeline` whose last step is an
skdnn network, scaler included. The exported graph runs with onnxruntime alone
(``pip install "skdnn[onnx]"`` installs the three packages).

Here a GELU network with batch normalisation is trained on the wine data, in
float64, exported, and served with :class:`onnxruntime.InferenceSession`. The
probabilities of onnxruntime match :meth:`~skdnn.MLPClassifier.predict_proba`
to about 1e-15 and the labels are identical; the plot compares them for each
class and shows the differences. See :doc:`/deploying` for the options and what
is covered. The last section exports a
:class:`~skdnn.TabularMLPRegressor` trained on a DataFrame, its encoder
included.
"""

import warnings

import matplotlib.pyplot as plt
import numpy as np
import onnxruntime as ort
from skl2onnx import to_onnx
from sklearn.datasets import load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skdnn.onnx  # noqa: F401  (registers the converters with skl2onnx)
from skdnn import MLPClassifier

X, y = load_wine(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
pipe = make_pipeline(
    StandardScaler(),
    MLPClassifier(
        hidden_layer_sizes=(32, 16),
        activation="gelu",
        batch_norm="after",
        max_iter=100,
        random_state=0,
    ),
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    pipe.fit(X_train, y_train)

# %%
# Export: the example rows fix the input's dtype (float64 here, the model's
# dtype). ``zipmap=False`` returns the probabilities as a matrix.
onx = to_onnx(pipe, X_train[:1], options={"zipmap": False})
model_bytes = onx.SerializeToString()  # what one writes to model.onnx
print(f"ONNX graph: {len(onx.graph.node)} nodes, {len(model_bytes)} bytes")

# %%
# Serve with onnxruntime alone, and compare with the pipeline.
sess = ort.InferenceSession(model_bytes, providers=["CPUExecutionProvider"])
input_name = sess.get_inputs()[0].name
labels, proba = sess.run(None, {input_name: X_test})

expected = pipe.predict_proba(X_test)
print("labels identical:", np.array_equal(labels, pipe.predict(X_test)))
print(f"max |onnxruntime - predict_proba|: {np.max(np.abs(proba - expected)):.2e}")

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.8))
for k, cls in enumerate(pipe.classes_):
    ax1.scatter(expected[:, k], proba[:, k], s=14, label=f"class {cls}")
    ax2.scatter(expected[:, k], proba[:, k] - expected[:, k], s=14)
ax1.plot([0, 1], [0, 1], color="0.6", lw=0.8, zorder=0)
ax1.set_xlabel("predict_proba (skdnn)")
ax1.set_ylabel("probabilities (onnxruntime)")
ax1.set_title("Class probabilities")
ax1.legend(loc="upper left")
ax2.axhline(0.0, color="0.6", lw=0.8, zorder=0)
ax2.ticklabel_format(axis="y", style="sci", scilimits=(0, 0))
ax2.set_xlabel("predict_proba (skdnn)")
ax2.set_ylabel("onnxruntime - skdnn")
ax2.set_title("Differences (float64 model)")
fig.tight_layout()
plt.show()

# %%
# A table: the tabular estimators
# -------------------------------
# A :class:`~skdnn.TabularMLPRegressor` fitted on a DataFrame (a string column,
# missing values) exports with its encoder. The graph takes one input per
# column (:func:`skdnn.onnx.initial_types`): numbers as doubles with NaN for
# missing values, categorical columns as strings with ``"nan"`` for missing
# values.
from sklearn.datasets import load_diabetes

from skdnn import TabularMLPRegressor

table, target = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
table["sex"] = table["sex"].map({1.0: "female", 2.0: "male"})
table.loc[::7, "bmi"] = np.nan
table.loc[::11, "sex"] = None
reg = TabularMLPRegressor(hidden_layer_sizes=(64, 64), max_iter=20, random_state=0)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    reg.fit(table, target)

onx = to_onnx(reg, initial_types=skdnn.onnx.initial_types(reg))
sess = ort.InferenceSession(onx.SerializeToString(), providers=["CPUExecutionProvider"])
feeds = {}
for inp in sess.get_inputs():
    column = table[inp.name]
    if inp.type == "tensor(string)":
        values = column.astype(object).where(column.notna(), "nan").astype(str)
        feeds[inp.name] = values.to_numpy().reshape(-1, 1)
    else:
        feeds[inp.name] = column.to_numpy(dtype=np.float64).reshape(-1, 1)
(onnx_pred,) = sess.run(None, feeds)
expected = reg.predict(table)
rel = np.max(np.abs(onnx_pred.ravel() - expected) / np.abs(expected))
print(
    f"{len(sess.get_inputs())} inputs; max relative |onnxruntime - predict|: {rel:.1e}"
)
