"""ONNX export of the tabular estimators (skdnn.onnx): the encoder's graph and
the network's, checked against predict / predict_proba.

A DataFrame is one ONNX input per column, of shape (n_samples, 1): numbers as
they are (NaN for a missing value), categorical columns as strings (``str`` of
each value, ``"nan"`` for a missing value) or booleans. The networks are float32:
onnxruntime agrees within 1e-5 relative, with identical labels.
"""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skdnn import TabularMLPClassifier, TabularMLPRegressor
from skdnn.preprocessing import SmoothClipScaler, TabularEncoder

pd = pytest.importorskip("pandas")
ort = pytest.importorskip(
    "onnxruntime", reason="ONNX export tests need onnxruntime (the onnx extra)"
)
skl2onnx = pytest.importorskip(
    "skl2onnx", reason="ONNX export tests need skl2onnx (the onnx extra)"
)
from skl2onnx.common.data_types import (  # noqa: E402
    BooleanTensorType,
    DoubleTensorType,
    FloatTensorType,
    StringTensorType,
)

import skdnn.onnx  # noqa: E402, F401  (registers the converters)

TOL = dict(rtol=1e-5, atol=1e-7)
SMALL = dict(hidden_layer_sizes=(16, 8), max_iter=8, random_state=0)


def _frame(n, seed, test=False):
    """Numbers (with and without NaN), integers, strings with None and NaN, a
    category with missing values, booleans, a column mixing ints and strings;
    test rows add unseen levels and NaN where training had none."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "price": rng.lognormal(3, 1, n),
            "size": rng.normal(0, 1, n).astype(np.float64),
            "rooms": rng.integers(1, 6, n),
            "colour": rng.choice(np.array(["red", "blue", "", None], dtype=object), n),
            "kind": pd.Categorical(rng.choice(["a", "b", "c"], n)),
            "flag": rng.random(n) > 0.5,
            "mixed": rng.choice(np.array([1, 2, "x"], dtype=object), n),
        }
    )
    df.loc[df.index[::5], "price"] = np.nan
    df.loc[df.index[3::11], "kind"] = np.nan
    df.loc[df.index[4::13], "colour"] = np.nan  # NaN, not None: missing too
    if test:
        df.loc[df.index[:6], "colour"] = ["green", "red", None, "", "nan2", "blue"]
        df["kind"] = df["kind"].cat.add_categories(["new"])
        df.loc[df.index[6:9], "kind"] = "new"
        df.loc[df.index[9:12], "size"] = np.nan  # no NaN in training
        df.loc[df.index[12:14], "mixed"] = [3, "y"]
        df.loc[df.index[14], "price"] = 1e30  # far in the clip's tail
    return df


def _target(df, kind):
    z = np.nan_to_num(np.log(df["price"].to_numpy())) + df["rooms"] + df["flag"]
    z = z + (df["colour"] == "red") - 2 * (df["kind"] == "b").to_numpy()
    if kind == "regression":
        return 100.0 + 30.0 * z
    if kind == "binary":
        return np.where(z > np.median(z), "yes", "no")
    return np.digitize(z, np.quantile(z, [0.33, 0.66]))


def _feeds(df):
    """What onnxruntime gets for a DataFrame: one (n, 1) array per column."""
    feeds = {}
    for name in df.columns:
        column = df[name]
        if column.dtype == bool or column.dtype.kind in "fiu":
            values = column.to_numpy()
        else:  # strings: str of each value, "nan" for a missing value
            values = column.astype(object).where(column.notna(), "nan").astype(str)
            values = values.to_numpy()
        feeds[name] = values.reshape(-1, 1)
    return feeds


def _fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X, y)


def _session(onx):
    return ort.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )


def _check_classifier(model, rows, feeds, options=None, **kwargs):
    onx = skl2onnx.to_onnx(model, options=options or {"zipmap": False}, **kwargs)
    label, proba = _session(onx).run(None, feeds)
    expected = model.predict_proba(rows)
    assert proba.shape == expected.shape
    assert_allclose(proba, expected, **TOL)
    assert_array_equal(label, model.predict(rows))
    return np.max(np.abs(proba - expected))


def _check_regressor(model, rows, feeds, **kwargs):
    onx = skl2onnx.to_onnx(model, **kwargs)
    (pred,) = _session(onx).run(None, feeds)
    expected = model.predict(rows).reshape(pred.shape[0], -1)
    # the float32 network's rounding, on the targets' scale
    atol = 1e-6 * np.max(model.target_scale_)
    assert_allclose(pred, expected, rtol=1e-5, atol=atol)
    return pred


@pytest.mark.parametrize("target", ["binary", "multiclass"])
def test_classifier_on_frame(target):
    train, test = _frame(300, 0), _frame(80, 1, test=True)
    model = _fit(TabularMLPClassifier(**SMALL), train, _target(train, target))
    encoded = model.encoder_.transform(test)
    assert encoded[:6].any()  # the unseen levels and NaN reach the network
    _check_classifier(model, test, _feeds(test), X=train[:1])
    # the default options: one {class: probability} dict per row (ZipMap needs
    # float32 probabilities, whatever the first column's dtype)
    onx = skl2onnx.to_onnx(model, train[:1])
    label, proba = _session(onx).run(None, _feeds(test))
    table = np.array([[row[c] for c in model.classes_] for row in proba])
    assert_allclose(table, model.predict_proba(test), **TOL)
    assert_array_equal(label, model.predict(test))


@pytest.mark.parametrize("target", ["multiclass", "regression"])
def test_periodic_embedding_on_frame(target):
    # the numeric block sits between the one-hot blocks and the indicators
    train, test = _frame(300, 0), _frame(80, 1, test=True)
    params = dict(SMALL, numeric_embedding="periodic", n_members=2)
    if target == "regression":
        model = _fit(TabularMLPRegressor(**params), train, _target(train, target))
        assert model.embedding_["frequencies"].shape == (3, 16)
        _check_regressor(model, test, _feeds(test), X=train[:1])
    else:
        model = _fit(TabularMLPClassifier(**params), train, _target(train, target))
        _check_classifier(model, test, _feeds(test), X=train[:1])


@pytest.mark.parametrize("target", ["binary", "regression"])
def test_categorical_embedding_on_frame(target):
    # max_one_hot_levels=2: colour, kind and mixed become level codes (the
    # boolean stays one-hot); the test rows have unseen levels and NaN
    from skdnn.embeddings import CategoricalEmbedding

    train, test = _frame(300, 0), _frame(80, 1, test=True)
    emb = CategoricalEmbedding(d_embedding=3, max_one_hot_levels=2)
    params = dict(SMALL, categorical_embedding=emb)
    cls = TabularMLPRegressor if target == "regression" else TabularMLPClassifier
    model = _fit(cls(**params), train, _target(train, target))
    assert model.encoder_.is_coded_.tolist() == [0, 0, 0, 1, 1, 0, 1]
    codes = model.encoder_.transform(test)[:, -3:]
    assert (codes == -1).any() and (codes >= 0).any()
    if target == "regression":
        _check_regressor(model, test, _feeds(test), X=train[:1])
    else:
        _check_classifier(model, test, _feeds(test), X=train[:1])
    # the encoder alone: the same codes (the last three columns), the other
    # columns within rounding (the quantiles' ramps add up in another order)
    encoder = model.encoder_
    (out,) = _session(skl2onnx.to_onnx(encoder, train[:1])).run(None, _feeds(test))
    assert_array_equal(out[:, -3:], encoder.transform(test)[:, -3:])
    assert_allclose(out, encoder.transform(test), **TOL)


def test_frame_graph_reads_every_column():
    # each column changes the output: a graph that ignored or misread one (or
    # did not read "nan" as missing) would fail the comparison
    train, test = _frame(300, 0), _frame(80, 1, test=True)
    model = _fit(TabularMLPClassifier(**SMALL), train, _target(train, "multiclass"))
    onx = skl2onnx.to_onnx(model, train[:1], options={"zipmap": False})
    sess = _session(onx)
    feeds = _feeds(test)
    base = sess.run(None, feeds)[1]
    for name in test.columns:
        shuffled = dict(feeds, **{name: feeds[name][::-1].copy()})
        assert not np.allclose(sess.run(None, shuffled)[1], base), name
    # the missing marker is a level of its own (colour and kind had missing
    # values in training), unlike an unseen string
    rows = dict(feeds)
    rows["colour"] = np.full_like(feeds["colour"], "nan")
    other = dict(feeds, colour=np.full_like(feeds["colour"], "unseen"))
    assert not np.allclose(sess.run(None, rows)[1], sess.run(None, other)[1])
    missing = test.assign(colour=None)
    assert_allclose(sess.run(None, rows)[1], model.predict_proba(missing), **TOL)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_on_frame(loss):
    train, test = _frame(300, 0), _frame(80, 1, test=True)
    y = _target(train, "regression")
    model = _fit(TabularMLPRegressor(loss=loss, **SMALL), train, y)
    assert np.all(model.target_scale_ > 10)  # de-standardising matters
    pred = _check_regressor(model, test, _feeds(test), X=train[:1])
    assert pred.dtype == np.float64  # as predict
    assert pred.shape == (test.shape[0], 1)
    # two outputs
    Y = np.column_stack([y, -y / 10])
    model = _fit(TabularMLPRegressor(**SMALL), train, Y)
    _check_regressor(model, test, _feeds(test), X=train[:1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_arrays(dtype):
    # a NumPy array: one tensor input; integer-coded categorical columns 0 and
    # 3 (with NaN), numeric columns with NaN
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5))
    X[:, 0] = rng.integers(0, 4, 300)
    X[:, 3] = rng.choice([-1.0, 2.5, 7.0, np.nan], 300)
    X[::6, 1] = np.nan
    y = (X[:, 1] > 0).astype(int) + (X[:, 0] == 2) + np.nan_to_num(X[:, 3] == 7)
    X = X.astype(dtype)
    X_test = np.vstack([X[:60], 50 * X[60:70]])
    X_test[:3, 0] = [9.0, np.nan, 1.0]  # unseen, missing (unseen in training)
    X_test[3:6, 2] = np.nan  # no NaN in training
    clf = _fit(TabularMLPClassifier(categorical_features=[0, 3], **SMALL), X, y)
    _check_classifier(clf, X_test, {"X": X_test}, X=X[:1])
    reg = _fit(TabularMLPRegressor(categorical_features=[0, 3], **SMALL), X, 5 * y)
    pred = _check_regressor(reg, X_test, {"X": X_test}, X=X[:1])
    assert pred.dtype == dtype  # the input's dtype, as for MLPRegressor
    # no categorical column
    clf = _fit(TabularMLPClassifier(categorical_features=None, **SMALL), X, y)
    _check_classifier(clf, X_test, {"X": X_test}, X=X[:1])


def test_members():
    train, test = _frame(300, 0), _frame(80, 1, test=True)
    params = dict(SMALL, n_members=3)
    clf = _fit(TabularMLPClassifier(**params), train, _target(train, "multiclass"))
    _check_classifier(clf, test, _feeds(test), X=train[:1])
    reg = _fit(TabularMLPRegressor(**params), train, _target(train, "regression"))
    _check_regressor(reg, test, _feeds(test), X=train[:1])


def test_initial_types():
    # booleans as strings, integers as floats, columns in another order (the
    # inputs are matched to the columns by name)
    train, test = _frame(300, 0), _frame(80, 1, test=True)
    model = _fit(TabularMLPClassifier(**SMALL), train, _target(train, "multiclass"))
    types = {
        "price": DoubleTensorType([None, 1]),
        "size": FloatTensorType([None, 1]),
        "rooms": DoubleTensorType([None, 1]),
        "colour": StringTensorType([None, 1]),
        "kind": StringTensorType([None, 1]),
        "flag": StringTensorType([None, 1]),
        "mixed": StringTensorType([None, 1]),
    }
    initial = [(name, types[name]) for name in reversed(list(types))]
    feeds = _feeds(test)
    feeds["flag"] = test["flag"].astype(str).to_numpy().reshape(-1, 1)
    feeds["rooms"] = feeds["rooms"].astype(np.float64)
    feeds["size"] = feeds["size"].astype(np.float32)
    # size as float32: predict sees its values rounded to float32 too
    X = test.assign(size=test["size"].astype(np.float32).astype(np.float64))
    _check_classifier(model, X, feeds, initial_types=initial)


def test_encoder_and_scaler_alone():
    train, test = _frame(300, 0), _frame(80, 1, test=True)
    encoder = TabularEncoder(dtype=np.float32).fit(train)
    (out,) = _session(skl2onnx.to_onnx(encoder, train[:1])).run(None, _feeds(test))
    expected = encoder.transform(test)
    assert out.dtype == np.float32
    assert_allclose(out, expected, **TOL)
    assert np.any(np.abs(expected) > 2.9)  # the clip's tail is exercised
    encoder = TabularEncoder(smooth_clip=None).fit(train)  # float64 output
    (out,) = _session(skl2onnx.to_onnx(encoder, train[:1])).run(None, _feeds(test))
    assert_allclose(out, encoder.transform(test), rtol=1e-12, atol=1e-14)
    X = train[["price", "size"]].to_numpy()
    scaler = SmoothClipScaler().fit(X)
    X_test = np.vstack([X, [[1e300, -1e300], [np.nan, 0.0]]])
    (out,) = _session(skl2onnx.to_onnx(scaler, X[:1])).run(None, {"X": X_test})
    assert_allclose(out, scaler.transform(X_test), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("output", ["quantile", "both"])
def test_encoder_quantiles(dtype, output):
    # point masses at the lowest value, inside the range and at the highest
    # value; the training values themselves (exactly on the quantiles), values
    # between them, beyond the range and NaN
    rng = np.random.default_rng(3)
    X = rng.normal(size=(500, 3))
    X[:150, 0] = 0.0
    X[:, 0] = np.abs(X[:, 0])
    X[::3, 1] = 0.25
    X[:, 2] = np.minimum(X[:, 2], 1.0)
    X[::7, 2] = np.nan
    X = np.column_stack([X, 1e-8 * rng.normal(size=500)])  # a tiny scale
    X = X.astype(dtype)
    lows, highs = np.nanmin(X, axis=0), np.nanmax(X, axis=0)
    near = np.vstack([lows + 5e-8, highs - 5e-8, lows, highs])  # the ends
    X_test = np.vstack([X, 0.5 * X[:50] + 0.01, near, [[1e30, -1e30, np.nan, 1.0]]])
    X_test = X_test.astype(dtype)
    encoder = TabularEncoder(numeric_output=output).fit(X)
    (out,) = _session(skl2onnx.to_onnx(encoder, X[:1])).run(None, {"X": X_test})
    expected = encoder.transform(X_test)
    assert out.dtype == expected.dtype == dtype
    tol = dict(rtol=1e-6, atol=1e-6) if dtype == np.float32 else dict(atol=1e-12)
    assert_allclose(out, expected, **tol)
    q = expected[:, -5:-1]  # the four quantile columns, before the indicator
    assert np.isclose(q, -np.sqrt(3)).any() and np.isclose(q, np.sqrt(3)).any()
    # one row, a constant column: a single quantile, every value at an end
    one = TabularEncoder(numeric_output="quantile").fit(np.ones((1, 2), dtype=dtype))
    rows = np.array([[0.5, 1.0], [1.0, 2.0]], dtype=dtype)
    (out,) = _session(skl2onnx.to_onnx(one, rows[:1])).run(None, {"X": rows})
    assert_allclose(out, one.transform(rows))
    # many rows: the graph searches the quantiles (its memory does not grow
    # with their number)
    big = rng.normal(size=(20000, 3)).astype(dtype)
    encoder = TabularEncoder(numeric_output="quantile").fit(big)
    (out,) = _session(skl2onnx.to_onnx(encoder, big[:1])).run(None, {"X": big})
    assert_allclose(out, encoder.transform(big), **tol)


def test_literal_nan_level_is_refused():
    train = pd.DataFrame({"s": ["nan", "a", "b", "a"] * 10, "x": np.arange(40.0)})
    model = _fit(TabularMLPClassifier(**SMALL), train, [0, 1] * 20)
    with pytest.raises(ValueError, match=r"Column 's' has the level 'nan'"):
        skl2onnx.to_onnx(model, train[:1])


def test_inputs_that_cannot_be_read_are_refused():
    train = _frame(100, 0)
    model = _fit(TabularMLPRegressor(**SMALL), train, _target(train, "regression"))
    types = [(name, StringTensorType([None, 1])) for name in train.columns]
    with pytest.raises(ValueError, match=r"Column 'price' is numeric"):
        skl2onnx.to_onnx(model, initial_types=types)
    types = [(name, DoubleTensorType([None, 1])) for name in train.columns]
    with pytest.raises(ValueError, match=r"Column 'colour' is categorical"):
        skl2onnx.to_onnx(model, initial_types=types)
    types = [("X", DoubleTensorType([None, 5]))]
    with pytest.raises(ValueError, match="have 5 columns in all; the model was"):
        skl2onnx.to_onnx(model, initial_types=types)
    types = [(name, BooleanTensorType([None, None])) for name in train.columns]
    with pytest.raises(ValueError, match="unknown number of columns"):
        skl2onnx.to_onnx(model, initial_types=types)


def test_integer_categories():
    # a category of integers: to_onnx guesses an int64 input, read as the
    # integers' strings (the encoder's levels)
    rng = np.random.default_rng(0)
    grade = rng.choice([-1, 3, 12], 200)
    train = pd.DataFrame({"grade": pd.Categorical(grade), "x": rng.normal(size=200)})
    y = (grade > 0) ^ (train["x"].to_numpy() > 0.5)
    model = _fit(TabularMLPClassifier(**SMALL), train, y.astype(int))
    test = train[:40].copy()
    test["grade"] = test["grade"].cat.add_categories([7])
    test.loc[test.index[:3], "grade"] = 7  # unseen
    onx = skl2onnx.to_onnx(model, train[:1], options={"zipmap": False})
    assert onx.graph.input[0].type.tensor_type.elem_type == 7  # int64
    feeds = {
        "grade": test["grade"].astype(np.int64).to_numpy().reshape(-1, 1),
        "x": test[["x"]].to_numpy(),
    }
    label, proba = _session(onx).run(None, feeds)
    assert_allclose(proba, model.predict_proba(test), **TOL)
    assert_array_equal(label, model.predict(test))


def test_nullable_dtypes():
    # pandas' nullable dtypes (which to_onnx cannot guess): initial types, with
    # the missing values as "nan" (strings, booleans) or NaN (numbers)
    rng = np.random.default_rng(0)
    n = 200
    train = pd.DataFrame(
        {
            "s": pd.array(rng.choice(["a", "b", None], n), dtype="string"),
            "b": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
            "k": pd.array(rng.choice([1, 5, None], n), dtype="Int64"),
        }
    )
    y = (train["s"] == "a").fillna(False) ^ train["b"].fillna(True)
    y = y ^ (train["k"] == 5).fillna(False)
    model = _fit(TabularMLPClassifier(**SMALL), train, y.astype(int).to_numpy())
    types = [
        ("s", StringTensorType([None, 1])),
        ("b", StringTensorType([None, 1])),
        ("k", DoubleTensorType([None, 1])),
    ]
    feeds = {
        "s": train["s"].astype(object).fillna("nan").to_numpy(dtype=str),
        "b": train["b"].astype(object).fillna("nan").to_numpy(dtype=str),
        "k": train["k"].to_numpy(dtype=np.float64, na_value=np.nan),
    }
    feeds = {name: values.reshape(-1, 1) for name, values in feeds.items()}
    assert set(feeds["b"].ravel()) == {"True", "False", "nan"}
    _check_classifier(model, train, feeds, initial_types=types)
    assert [(name, type(t)) for name, t in skdnn.onnx.initial_types(model)] == [
        (name, type(t)) for name, t in types
    ]
    sess = _session(skl2onnx.to_onnx(model, initial_types=types))
    _check_classifier(model, train, _session_feeds(sess, train), initial_types=types)


def test_declared_categorical_columns():
    # an integer column declared categorical keeps numbers as levels; with
    # categorical_features=None a boolean column is the number 0 or 1
    train, test = _frame(300, 0), _frame(80, 1, test=True)
    test.loc[test.index[:4], "rooms"] = [9, 0, 3, 1]  # 9 and 0 unseen
    y = _target(train, "regression")
    declared = ["rooms", "colour", "kind", "flag", "mixed"]
    model = _fit(TabularMLPRegressor(categorical_features=declared, **SMALL), train, y)
    assert model.encoder_.get_feature_names_out()[0] == "rooms_1.0"
    _check_regressor(model, test, _feeds(test), X=train[:1])
    numeric = ["price", "size", "rooms", "flag"]
    model = _fit(
        TabularMLPRegressor(categorical_features=None, **SMALL), train[numeric], y
    )
    # 4 scaled, their 4 quantiles (the periodic embedding's inputs), an indicator
    assert len(model.encoder_.get_feature_names_out()) == 9
    _check_regressor(model, test[numeric], _feeds(test[numeric]), X=train[numeric][:1])


def test_multilabel_and_sparse_fit():
    sparse = pytest.importorskip("scipy.sparse")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    X[rng.random(X.shape) < 0.5] = 0.0
    X[::7, 1] = np.nan
    Y = np.column_stack([X[:, 0] > 0, np.nan_to_num(X[:, 1]) < 0]).astype(int)
    clf = _fit(TabularMLPClassifier(**SMALL), X, Y)
    onx = skl2onnx.to_onnx(clf, X[:1], options={"zipmap": False})
    label, proba = _session(onx).run(None, {"X": X})
    assert label.shape == Y.shape
    assert_allclose(proba, clf.predict_proba(X), **TOL)
    assert_array_equal(label, clf.predict(X))
    # fitted on a sparse matrix (scaled without centring): dense ONNX input
    reg = _fit(TabularMLPRegressor(**SMALL), sparse.csr_matrix(X), 3.0 * Y[:, 0])
    assert reg.encoder_.transformer_.named_transformers_["numeric"][-1].center_ is None
    onx = skl2onnx.to_onnx(reg, X[:1])
    (pred,) = _session(onx).run(None, {"X": X})
    expected = reg.predict(sparse.csr_matrix(X))
    assert_allclose(pred.ravel(), expected, rtol=1e-5, atol=1e-6 * reg.target_scale_[0])


def _session_feeds(sess, df):
    """The feeds of the docs (deploying.rst): by the session's input types."""
    numpy = {"tensor(double)": np.float64, "tensor(float)": np.float32,
             "tensor(int64)": np.int64, "tensor(bool)": np.bool_}  # fmt: skip
    feeds = {}
    for inp in sess.get_inputs():
        column = df[inp.name]
        if inp.type == "tensor(string)":
            column = column.astype(object).where(column.notna(), "nan")
            values = column.astype(str).to_numpy()
        elif inp.type in ("tensor(double)", "tensor(float)"):
            values = column.to_numpy(dtype=numpy[inp.type], na_value=np.nan)
        else:
            values = column.to_numpy(dtype=numpy[inp.type])
        feeds[inp.name] = values.reshape(-1, 1)
    return feeds


def test_initial_types_of_the_model():
    train, test = _frame(300, 0), _frame(80, 1, test=True)
    train.loc[train.index[0], "colour"] = None  # to_onnx(train[:1]) may not guess
    model = _fit(TabularMLPRegressor(**SMALL), train, _target(train, "regression"))
    types = skdnn.onnx.initial_types(model)
    assert [name for name, _ in types] == list(train.columns)
    kinds = [type(t).__name__ for _, t in types]
    assert kinds == ["DoubleTensorType"] * 3 + ["StringTensorType"] * 4
    assert all(t.shape == [None, 1] for _, t in types)
    onx = skl2onnx.to_onnx(model, initial_types=types)
    sess = _session(onx)
    (pred,) = sess.run(None, _session_feeds(sess, test))
    expected = model.predict(test).reshape(-1, 1)
    assert_allclose(pred, expected, rtol=1e-5, atol=1e-6 * model.target_scale_[0])
    # the encoder alone, and a model fitted on an array
    assert repr(skdnn.onnx.initial_types(model.encoder_)) == repr(types)
    X = train[["price", "size"]].to_numpy()
    array_model = _fit(TabularMLPRegressor(**SMALL), X, X[:, 1])
    with pytest.raises(ValueError, match=r"fitted on an array: .*X\[:1\]"):
        skdnn.onnx.initial_types(array_model)


def test_initial_types_with_coded_columns():
    # a column embedded by categorical_embedding is an input like any
    # categorical column: strings for string levels
    from skdnn.embeddings import CategoricalEmbedding

    train, test = _frame(300, 0), _frame(80, 1, test=True)
    emb = CategoricalEmbedding(d_embedding=3, max_one_hot_levels=2)
    model = _fit(TabularMLPClassifier(**SMALL, categorical_embedding=emb), train,
                 _target(train, "binary"))  # fmt: skip
    types = skdnn.onnx.initial_types(model)
    kinds = {name: type(t).__name__ for name, t in types}
    assert kinds["colour"] == kinds["kind"] == kinds["mixed"] == "StringTensorType"
    onx = skl2onnx.to_onnx(model, initial_types=types, options={"zipmap": False})
    sess = _session(onx)
    label, proba = sess.run(None, _session_feeds(sess, test))
    assert_allclose(proba, model.predict_proba(test), **TOL)
    assert_array_equal(label, model.predict(test))
