"""ONNX export (skdnn.onnx): every layer type, option and output converts, and
onnxruntime reproduces predict / predict_proba.

float32 models agree within 1e-5 relative, float64 ones within 1e-10 relative
(a tiny absolute tolerance for values near 0); labels are identical.
"""

import importlib
import subprocess
import sys
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_classification, make_regression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier, MLPRegressor
from skdnn.activations import ELU, LeakyReLU, Maxout, PReLU, RReLU

ort = pytest.importorskip(
    "onnxruntime", reason="ONNX export tests need onnxruntime (the onnx extra)"
)
skl2onnx = pytest.importorskip(
    "skl2onnx", reason="ONNX export tests need skl2onnx (the onnx extra)"
)
import skdnn.onnx  # noqa: E402, F401  (registers the converters)

TOL = {np.float32: dict(rtol=1e-5, atol=1e-7), np.float64: dict(rtol=1e-10, atol=1e-14)}
DTYPES = [np.float32, np.float64]
ACTIVATIONS = ["identity", "logistic", "tanh", "relu", "leaky_relu", "elu", "selu",
               "softplus", "gelu", "swish", "prelu", "rrelu", "maxout"]  # fmt: skip
OBJECTS = [LeakyReLU(negative_slope=0.2), ELU(alpha=0.5), PReLU(alpha_init=0.1),
           RReLU(lower=0.05, upper=0.4), Maxout(pieces=3)]  # fmt: skip
SMALL = dict(hidden_layer_sizes=(7, 6), max_iter=15, random_state=0)


def _data(dtype, n_classes=3):
    X, y = make_classification(
        100, 5, n_informative=4, n_redundant=0, n_classes=n_classes, random_state=0
    )
    # the test rows also reach far into the activations' tails
    X_test = np.vstack([X[:40], 4.0 * X[40:60]])
    return X.astype(dtype), y, X_test.astype(dtype)


def _run(onx, X):
    sess = ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return sess.run(None, {sess.get_inputs()[0].name: X})


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def _check_classifier(model, X, options=None):
    onx = skl2onnx.to_onnx(model, X[:1], options=options or {"zipmap": False})
    label, proba = _run(onx, X)
    expected = model.predict_proba(X)
    assert proba.dtype == X.dtype
    assert proba.shape == expected.shape
    assert_allclose(proba, expected, **TOL[X.dtype.type])
    assert_array_equal(label, model.predict(X))
    return onx


def _check_regressor(model, X):
    onx = skl2onnx.to_onnx(model, X[:1])
    (pred,) = _run(onx, X)
    expected = model.predict(X).reshape(X.shape[0], -1)
    assert pred.dtype == X.dtype
    # an output near 0 is the difference of larger terms: its rounding error
    # scales with the outputs' size, hence an absolute tolerance of that scale
    tol = TOL[X.dtype.type]
    atol = max(tol["atol"], 0.1 * tol["rtol"] * np.max(np.abs(expected)))
    assert_allclose(pred, expected, rtol=tol["rtol"], atol=atol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("activation", ACTIVATIONS + OBJECTS, ids=str)
def test_activations(activation, dtype):
    X, y, X_test = _data(dtype)
    model = _fit(MLPClassifier(activation=activation, **SMALL), X, y)
    _check_classifier(model, X_test)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "params",
    [
        dict(batch_norm="before", activation="elu"),
        dict(batch_norm="after", activation="gelu"),
        dict(input_batch_norm=True, activation="tanh"),
        dict(batch_norm="before", input_batch_norm=True, activation=Maxout(3)),
        dict(batch_norm="after", input_batch_norm=True, activation="prelu"),
        dict(batch_norm="before", activation="softplus", batch_norm_epsilon=0.1),
        dict(dropout=0.2, input_dropout=0.1, activation="relu"),
        dict(dropout=(0.1, 0.3), activation="selu"),  # alpha dropout
        dict(dropout=0.2, batch_norm="after", activation="rrelu"),
    ],
    ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()),
)
def test_batch_norm_and_dropout(params, dtype):
    X, y, X_test = _data(dtype)
    model = _fit(MLPClassifier(**{**SMALL, **params}), X, y)
    _check_classifier(model, X_test)


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_and_string_labels(dtype):
    X, y, X_test = _data(dtype, n_classes=2)
    labels = np.array(["no", "yes"])[y]
    model = _fit(MLPClassifier(activation="swish", **SMALL), X, labels)
    assert model.predict_proba(X_test).shape[1] == 2
    _check_classifier(model, X_test)
    # integer labels, and class indices with nocl
    model = _fit(MLPClassifier(activation="swish", **SMALL), X, y + 3)
    _check_classifier(model, X_test)
    onx = skl2onnx.to_onnx(model, X[:1], options={"zipmap": False, "nocl": True})
    label, _ = _run(onx, X_test)
    assert_array_equal(model.classes_[label], model.predict(X_test))


@pytest.mark.parametrize("dtype", DTYPES)
def test_multilabel(dtype):
    X, y, X_test = _data(dtype)
    Y = np.column_stack([y == 0, y == 1, y != 1]).astype(int)
    model = _fit(MLPClassifier(activation="gelu", batch_norm="before", **SMALL), X, Y)
    onx = skl2onnx.to_onnx(model, X[:1], options={"zipmap": False})
    label, proba = _run(onx, X_test)
    assert_allclose(proba, model.predict_proba(X_test), **TOL[dtype])
    assert label.dtype == np.int64
    assert_array_equal(label, model.predict(X_test))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor(loss, n_outputs, dtype):
    X, y = make_regression(100, 5, n_targets=n_outputs, noise=1.0, random_state=0)
    X = (X / 2).astype(dtype)
    if loss == "poisson":
        y = np.random.default_rng(0).poisson(np.exp(np.clip(y / 100, -3, 3)))
    model = MLPRegressor(
        activation="selu", batch_norm="after", input_batch_norm=True, loss=loss,
        **SMALL,
    )  # fmt: skip
    _fit(model, X, y)
    _check_regressor(model, np.vstack([X, 3 * X[:20]]))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "params",
    [
        dict(front_scale=True, input_batch_norm=True),
        dict(n_members=3, batch_norm="after", input_dropout=0.1),
    ],
    ids=["front-scale", "members"],
)
def test_input_adapters(params, dtype):
    # the adapters are trained away from their start (ones, random signs), so a
    # graph that skipped or misplaced them would give other outputs
    X, y, X_test = _data(dtype)
    model = _fit(MLPClassifier(**{**SMALL, **params}), X, y)
    assert np.all(model.input_scale_ != np.round(model.input_scale_))
    _check_classifier(model, X_test)
    Xr, yr = make_regression(100, 5, n_targets=2, noise=1.0, random_state=0)
    Xr = (Xr / 2).astype(dtype)
    reg = _fit(MLPRegressor(**{**SMALL, **params}), Xr, yr / 100)
    _check_regressor(reg, Xr)


@pytest.mark.parametrize("dtype", DTYPES)
def test_pipeline(dtype):
    X, y, X_test = _data(dtype)
    pipe = make_pipeline(
        StandardScaler(),
        MLPClassifier(activation="gelu", batch_norm="after", **SMALL),
    )
    _fit(pipe, X * 10 + 5, y)
    _check_classifier(pipe, X_test * 10 + 5)


def test_zipmap():
    # onnxruntime's ZipMap takes float32 probabilities (double ones need
    # zipmap=False, as for scikit-learn's classifiers)
    X, y, X_test = _data(np.float32)
    labels = np.array(["a", "b", "c"])[y]
    model = _fit(MLPClassifier(activation="tanh", **SMALL), X, labels)
    expected = model.predict_proba(X_test)
    label, proba = _run(skl2onnx.to_onnx(model, X[:1]), X_test)
    # one {class: probability} dict per row
    table = np.array([[row[c] for c in model.classes_] for row in proba])
    assert_array_equal(label, model.predict(X_test))
    assert_allclose(table, expected, **TOL[np.float32])
    # one output per class
    outputs = _run(skl2onnx.to_onnx(model, X[:1], options={"zipmap": "columns"}),
                   X_test)  # fmt: skip
    assert_array_equal(outputs[0], model.predict(X_test))
    assert_allclose(np.column_stack(outputs[1:]), expected, **TOL[np.float32])


def test_float32_model_with_double_input():
    # a float32 model converted on float64 data computes in float32 after a cast,
    # as predict does, and returns doubles
    X, y, X_test = _data(np.float32)
    model = _fit(MLPClassifier(activation="elu", **SMALL), X, y)
    X64 = X_test.astype(np.float64)
    onx = skl2onnx.to_onnx(model, X64[:1], options={"zipmap": False})
    label, proba = _run(onx, X64)
    assert proba.dtype == np.float64
    assert_allclose(proba, model.predict_proba(X64), **TOL[np.float32])
    assert_array_equal(label, model.predict(X64))


def test_import_skdnn_does_not_import_onnx():
    code = (
        "import sys, skdnn; "
        "assert not {'skl2onnx', 'onnx', 'onnxruntime'} & set(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_extra_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "skl2onnx", None)
    monkeypatch.delitem(sys.modules, "skdnn.onnx")
    with pytest.raises(ImportError, match=r'pip install "skdnn\[onnx\]"'):
        importlib.import_module("skdnn.onnx")
