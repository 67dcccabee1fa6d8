"""SmoothClipScaler and TabularEncoder against NumPy references of their formulas."""

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import RobustScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from skdnn._compat import InvalidParameterError
from skdnn.preprocessing import SmoothClipScaler, TabularEncoder

# -- references --------------------------------------------------------------


def scaler_reference(X_fit, X, q=(25.0, 75.0), s=3.0, centering=True):
    """RealMLP's robust scaling and smooth clip written out: multiplier
    1 / (q_hi - q_lo), else 2 / (max - min), else 0; then z / sqrt(1 + (z/s)^2)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        center = np.nanmedian(X_fit, axis=0) if centering else np.zeros(X.shape[1])
        lo, hi = np.nanpercentile(X_fit, q, axis=0)
        low, high = np.nanmin(X_fit, axis=0), np.nanmax(X_fit, axis=0)
    multiplier = np.zeros(X_fit.shape[1])
    for j in range(X_fit.shape[1]):
        if hi[j] > lo[j]:
            multiplier[j] = 1 / (hi[j] - lo[j])
        elif high[j] > low[j]:
            multiplier[j] = 2 / (high[j] - low[j])
    z = (X - center) * multiplier
    out = z if s is None else z / np.sqrt(1 + (z / s) ** 2)
    return out, center, multiplier


def one_hot_reference(train, column):
    """One-hot of a column against the levels seen in ``train``: str of each
    value, sorted, the missing level last; unseen levels give zeros."""

    def levels_of(values):
        return ["\0missing" if pd.isna(v) else str(v) for v in values]

    seen = levels_of(train)
    levels = sorted({v for v in seen if v != "\0missing"})
    if "\0missing" in seen:
        levels.append("\0missing")
    values = np.array(levels_of(column), dtype=object)
    block = (values[:, None] == np.array(levels, dtype=object)[None, :]).astype(float)
    return block, [v.replace("\0missing", "nan") for v in levels]


def numeric_reference(train, column, s=3.0):
    """Median imputation (median of the training values), then the scaler
    reference fitted on the imputed training column."""
    train = np.asarray(train, dtype=float)
    column = np.asarray(column, dtype=float)
    median = np.nanmedian(train)
    fill = np.where(np.isnan(train), median, train)[:, None]
    col = np.where(np.isnan(column), median, column)[:, None]
    return scaler_reference(fill, col, s=s)[0][:, 0]


# -- data --------------------------------------------------------------------


def _columns_with_every_case(rng, n):
    X = rng.normal(size=(n, 5)) * [1, 10, 1, 1, 1]
    X[rng.random(n) < 0.2, 0] = np.nan  # missing values
    X[:, 1] = np.where(rng.random(n) < 0.85, 4.0, X[:, 1])  # IQR 0: range instead
    X[:, 2] = 7.0  # constant: becomes 0
    X[:, 3] = rng.integers(0, 4, n)  # ties
    X[:3, 4] = [50.0, -80.0, 1e6]  # outliers: clipped
    return X


def _frame(rng, n):
    city = rng.choice(["Paris", "Rome", "Oslo", None], n).astype(object)
    city[:2] = [7, 7]  # an int among the strings
    return pd.DataFrame(
        {
            "city": city,
            "age": np.where(rng.random(n) < 0.2, np.nan, rng.normal(40, 10, n)),
            "grade": pd.Categorical(rng.choice(["a", "b", None], n)),
            "flag": rng.random(n) < 0.5,
            "count": pd.array(
                np.where(rng.random(n) < 0.2, None, rng.integers(0, 9, n)),
                dtype="Int64",
            ),
            "name": pd.array(rng.choice(["u", "v", None], n), dtype="string"),
            "score": rng.normal(size=n).astype(np.float32),
        }
    )


# -- scikit-learn's checks ---------------------------------------------------


@parametrize_with_checks(
    [
        SmoothClipScaler(),
        SmoothClipScaler(with_centering=False, quantile_range=(10.0, 90.0)),
        TabularEncoder(),
        TabularEncoder(categorical_features=[0], smooth_clip=None, dtype="float32"),
        TabularEncoder(numeric_output="both"),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# -- SmoothClipScaler --------------------------------------------------------


@pytest.mark.parametrize("q, s", [((25.0, 75.0), 3.0), ((10.0, 90.0), 1.5)])
def test_scaler_matches_reference(q, s):
    rng = np.random.default_rng(0)
    X, X_new = _columns_with_every_case(rng, 101), _columns_with_every_case(rng, 30)
    X_new[0] = np.nan
    scaler = SmoothClipScaler(quantile_range=q, smooth_clip=s).fit(X)
    expected, center, multiplier = scaler_reference(X, X_new, q=q, s=s)
    np.testing.assert_allclose(scaler.center_, center, rtol=1e-12)
    np.testing.assert_allclose(1 / scaler.scale_, multiplier, rtol=1e-12)
    assert scaler.scale_[2] == np.inf and scaler.scale_[1] == np.ptp(X[:, 1]) / 2
    out = scaler.transform(X_new)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-15)
    assert np.isnan(out[0]).all() and np.all(out[1:, 2] == 0)
    assert np.nanmax(np.abs(scaler.transform(X))) < s


def test_scaler_without_clip_is_robust_scaler():
    X = np.random.default_rng(1).lognormal(size=(60, 4))
    ours = SmoothClipScaler(smooth_clip=None, quantile_range=(5.0, 60.0)).fit(X)
    theirs = RobustScaler(quantile_range=(5.0, 60.0)).fit(X)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-12)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-12)


def test_scaler_clip_extremes_and_inverse():
    X = np.array([[0.0, 5.0], [1.0, 5.0], [2.0, 5.0], [3.0, 5.0], [4.0, 5.0]])
    scaler = SmoothClipScaler(smooth_clip=2.0).fit(X)
    far = scaler.transform([[1e300, 5.0], [-1e300, 1e300]])  # no overflow
    np.testing.assert_array_equal(far, [[2.0, 0.0], [-2.0, 0.0]])
    X_new = np.array([[-3.0, 1.0], [2.5, np.nan], [40.0, 5.0]])
    back = scaler.inverse_transform(scaler.transform(X_new))
    # the constant column comes back as its centre, NaN as NaN
    np.testing.assert_allclose(back, [[-3.0, 5.0], [2.5, np.nan], [40.0, 5.0]])
    beyond = scaler.inverse_transform([[2.0, 0.0], [-2.5, 0.0]])
    assert beyond[0, 0] == np.inf and np.isnan(beyond[1, 0])


def test_scaler_column_without_values_and_dtypes():
    X = np.array([[1.0, np.nan], [2.0, np.nan], [4.0, np.nan]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaler = SmoothClipScaler().fit(X)
        out = scaler.transform(np.array([[3.0, 8.0]], dtype=np.float32))
    assert scaler.center_[1] == 0 and scaler.scale_[1] == np.inf
    assert out.dtype == np.float32 and out[0, 1] == 0
    expected = scaler_reference(X[:, :1].astype(float), np.array([[3.0]]))[0]
    np.testing.assert_allclose(out[0, 0], expected[0, 0], rtol=1e-6)
    ints = SmoothClipScaler().fit_transform(np.arange(12).reshape(4, 3))
    assert ints.dtype == np.float64


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_scaler_sparse(fmt):
    rng = np.random.default_rng(2)
    D = rng.normal(size=(80, 5))
    D[rng.random(D.shape) < 0.6] = 0  # implicit zeros count in the quantiles
    D[:, 1] = np.where(rng.random(80) < 0.9, 0.0, D[:, 1])  # IQR 0
    D[:, 2] = 0.0
    D[rng.random(80) < 0.1, 3] = np.nan
    X = sp.csr_matrix(D).asformat(fmt)
    with pytest.raises(ValueError, match="with_centering=False"):
        SmoothClipScaler().fit(X)
    with pytest.raises(ValueError, match="with_centering=False"):
        SmoothClipScaler().fit(D).transform(X)
    scaler = SmoothClipScaler(with_centering=False).fit(X)
    assert scaler.center_ is None
    out = scaler.transform(X)
    assert sp.issparse(out) and out.format == fmt and out.nnz == X.nnz
    expected = scaler_reference(D, D, centering=False)[0]
    np.testing.assert_allclose(out.toarray(), expected, rtol=1e-12, atol=1e-15)
    dense = SmoothClipScaler(with_centering=False).fit(D)
    np.testing.assert_array_equal(scaler.scale_, dense.scale_)
    back = scaler.inverse_transform(out).toarray()
    np.testing.assert_allclose(back[:, [0, 1, 3, 4]], D[:, [0, 1, 3, 4]], rtol=1e-9)


def test_scaler_feature_names_and_pandas_output():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 9.0], "b": [0.0, 1.0, 0.0, 1.0]})
    scaler = SmoothClipScaler().set_output(transform="pandas").fit(X)
    out = scaler.transform(X)
    assert list(out.columns) == ["a", "b"]
    assert scaler.get_feature_names_out().tolist() == ["a", "b"]
    np.testing.assert_allclose(out.to_numpy(), scaler_reference(X.values, X.values)[0])


def test_scaler_bad_parameters():
    X = np.ones((3, 2))
    with pytest.raises(ValueError, match="0 <= q_lo < q_hi <= 100"):
        SmoothClipScaler(quantile_range=(75.0, 25.0)).fit(X)
    with pytest.raises(InvalidParameterError, match="smooth_clip"):
        SmoothClipScaler(smooth_clip=0).fit(X)
    with pytest.raises(ValueError, match="expecting 2 features"):
        SmoothClipScaler().fit(X).inverse_transform(np.ones((3, 3)))


# -- TabularEncoder: DataFrames -----------------------------------------------


def _encoder_reference(train, test, categorical, indicator=True):
    """The expected output and names: one-hot blocks, numbers, indicators."""
    blocks, names, numbers, flags = [], [], [], []
    for c in train.columns:
        if c in categorical:
            block, levels = one_hot_reference(train[c], test[c])
            blocks.append(block)
            names += [f"{c}_{v}" for v in levels]
    for c in train.columns:
        if c not in categorical:
            fit = train[c].to_numpy(dtype=float, na_value=np.nan)
            new = test[c].to_numpy(dtype=float, na_value=np.nan)
            numbers.append(numeric_reference(fit, new)[:, None])
            if indicator and np.isnan(fit).any():
                flags.append(np.isnan(new)[:, None].astype(float))
    numeric = [c for c in train.columns if c not in categorical]
    names += numeric
    if indicator:
        names += [f"missingindicator_{c}" for c in numeric if train[c].isna().any()]
    return np.hstack(blocks + numbers + flags), names


def test_encoder_frame_matches_reference():
    rng = np.random.default_rng(3)
    train, test = _frame(rng, 60), _frame(rng, 25)
    test.loc[0, "city"] = "Atlantis"  # unseen levels: zeros
    test["grade"] = test["grade"].cat.add_categories("z")
    test.loc[1, "grade"] = "z"
    test.loc[2, "score"] = np.nan  # no missing score in training: imputed
    encoder = TabularEncoder().fit(train)
    categorical = ["city", "grade", "flag", "name"]
    expected, names = _encoder_reference(train, test, categorical)
    out = encoder.transform(test)
    assert out.dtype == np.float64 and out.flags.c_contiguous
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-15)
    assert encoder.get_feature_names_out().tolist() == names
    assert "missingindicator_score" not in names and "city_7" in names
    np.testing.assert_array_equal(
        encoder.is_categorical_, [c in categorical for c in train.columns]
    )
    assert not out[0, : names.index("city_nan") + 1].any()  # Atlantis
    np.testing.assert_array_equal(
        encoder.fit_transform(train), encoder.transform(train)
    )
    # a plain array with the same columns encodes the same (with a warning)
    with pytest.warns(UserWarning, match="valid feature names"):
        np.testing.assert_array_equal(encoder.transform(test.to_numpy()), out)


@pytest.mark.parametrize(
    "spec",
    [
        ["city", "grade", "flag", "name"],
        [0, 2, 3, 5],
        np.array([True, False, True, True, False, True, False]),
    ],
)
def test_categorical_features_ways_agree(spec):
    train = _frame(np.random.default_rng(4), 40)
    ours = TabularEncoder(categorical_features=spec).fit(train)
    from_dtype = TabularEncoder().fit(train)
    np.testing.assert_array_equal(ours.is_categorical_, from_dtype.is_categorical_)
    np.testing.assert_array_equal(ours.transform(train), from_dtype.transform(train))


def test_numeric_column_declared_categorical_and_none():
    train = pd.DataFrame({"n": [1, 2, 2, None], "x": [0.5, 1.5, 2.5, 3.5]})
    encoder = TabularEncoder(categorical_features=["n"]).fit(train)
    test = pd.DataFrame({"n": [2, 3, None], "x": [1.0, 1.0, 1.0]})
    block, levels = one_hot_reference([1.0, 2.0, 2.0, np.nan], [2.0, 3.0, np.nan])
    np.testing.assert_array_equal(encoder.transform(test)[:, :3], block)
    assert encoder.get_feature_names_out()[:3].tolist() == ["n_1.0", "n_2.0", "n_nan"]
    plain = TabularEncoder(categorical_features=None).fit(train)
    assert not plain.is_categorical_.any()
    assert plain.get_feature_names_out().tolist() == ["n", "x", "missingindicator_n"]
    clash = TabularEncoder().fit(pd.DataFrame({"a": ["x", "y"], "a_x": [1.0, 2.0]}))
    assert clash.get_feature_names_out().tolist() == [
        "categorical__a_x", "categorical__a_y", "numeric__a_x"
    ]  # fmt: skip


def test_encoder_array_with_categorical_indices():
    rng = np.random.default_rng(5)
    X = np.column_stack([rng.integers(0, 3, 30), rng.normal(size=30)]).astype(float)
    X[:4, 0] = np.nan
    X[5, 1] = np.nan
    encoder = TabularEncoder(categorical_features=[0]).fit(X)
    X_new = np.array([[1.0, 0.3], [np.nan, np.nan], [9.0, 2.0]])
    block, levels = one_hot_reference(X[:, 0], X_new[:, 0])
    expected = np.column_stack(
        [block, numeric_reference(X[:, 1], X_new[:, 1]), np.isnan(X_new[:, 1])]
    )
    np.testing.assert_allclose(encoder.transform(X_new), expected, rtol=1e-12)
    assert encoder.get_feature_names_out().tolist() == [
        "x0_0.0", "x0_1.0", "x0_2.0", "x0_nan", "x1", "missingindicator_x1"
    ]  # fmt: skip


def test_encoder_sparse():
    rng = np.random.default_rng(6)
    D = rng.normal(size=(50, 3))
    D[rng.random(D.shape) < 0.5] = 0
    D[[3, 9], 1] = np.nan
    encoder = TabularEncoder()
    out = encoder.fit_transform(sp.csc_matrix(D))
    assert sp.issparse(out) and out.format == "csr"
    median = np.nanmedian(D, axis=0)  # implicit zeros included
    filled = np.where(np.isnan(D), median, D)
    scaled = scaler_reference(filled, filled, centering=False)[0]
    expected = np.column_stack([scaled, np.isnan(D[:, 1])])
    np.testing.assert_allclose(out.toarray(), expected, rtol=1e-12, atol=1e-15)
    assert encoder.get_feature_names_out()[-1] == "missingindicator_x1"
    assert TabularEncoder().fit_transform(sp.csr_matrix(D, dtype=np.float32)).dtype == (
        np.float32
    )


def test_encoder_quantiles():
    # each numeric value's quantile in training, 2 sqrt(3) (F(x) - 1/2):
    # scikit-learn's QuantileTransformer (uniform), a point mass in the middle
    # of its range, NaN imputed first, values beyond training at the ends
    from sklearn.preprocessing import QuantileTransformer

    rng = np.random.default_rng(7)
    amount = np.where(rng.random(400) < 0.3, 0.0, rng.lognormal(0, 1, 400))
    X = pd.DataFrame({"amount": amount, "z": rng.normal(size=400), "c": "a"})
    X.loc[::9, "z"] = np.nan
    both = TabularEncoder(numeric_output="both").fit(X)
    assert both.numeric_output_ == "both"
    names = both.get_feature_names_out().tolist()
    assert names == ["c_a", "amount", "z", "amount_quantile", "z_quantile",
                     "missingindicator_z"]  # fmt: skip
    out = both.transform(X)
    scaled = TabularEncoder().fit_transform(X)
    np.testing.assert_array_equal(out[:, [0, 1, 2, 5]], scaled)
    filled = X[["amount", "z"]].fillna(X[["amount", "z"]].median()).to_numpy()
    reference = QuantileTransformer(n_quantiles=400).fit(filled).transform(filled)
    q = out[:, 3:5]
    np.testing.assert_allclose(q, 2 * np.sqrt(3) * (reference - 0.5), atol=1e-12)
    assert np.all(np.abs(q) <= np.sqrt(3))
    # the zeros (30 % of the rows, the smallest value) map to the lower end, the
    # smallest positive amounts to about 30 % of the range above it
    zero = q[amount == 0, 0]
    np.testing.assert_array_equal(zero, -np.sqrt(3))
    share = np.mean(amount == 0)
    assert abs(q[amount > 0, 0].min() - 2 * np.sqrt(3) * (share - 0.5)) < 0.01
    # an interior point mass maps to the middle of its range of quantiles
    mass = np.r_[np.linspace(-1, -0.01, 100), np.zeros(100), np.linspace(0.01, 1, 200)]
    encoder = TabularEncoder(numeric_output="quantile").fit(mass[:, None])
    assert abs(encoder.transform([[0.0]])[0, 0] - 2 * np.sqrt(3) * (0.375 - 0.5)) < 0.01
    # unseen extremes clip to the ends; NaN is imputed by the median
    test = pd.DataFrame({"amount": [1e9, -5.0], "z": [np.nan, 1e9], "c": "a"})
    q = both.transform(test)[:, 3:5]
    median_q = both.transform(X.assign(z=np.nanmedian(X["z"])))[0, 4]
    np.testing.assert_allclose(q, [[np.sqrt(3), median_q], [-np.sqrt(3), np.sqrt(3)]])
    only = TabularEncoder(numeric_output="quantile").fit(X)
    assert only.get_feature_names_out().tolist() == [
        "c_a", "amount_quantile", "z_quantile", "missingindicator_z"
    ]  # fmt: skip
    np.testing.assert_array_equal(only.transform(X), out[:, [0, 3, 4, 5]])
    # sparse input keeps the scaled values only (and stays sparse)
    D = sp.csr_matrix(np.where(rng.random((30, 2)) < 0.5, 0.0, 1.0))
    encoder = TabularEncoder(numeric_output="both").fit(D)
    assert encoder.numeric_output_ == "scaled"
    assert sp.issparse(encoder.transform(D)) and encoder.transform(D).shape == (30, 2)


def test_output_dtype():
    f32 = pd.DataFrame({"a": np.arange(5, dtype=np.float32), "c": list("xyxyz")})
    assert TabularEncoder().fit_transform(f32).dtype == np.float32
    mixed = f32.assign(b=np.arange(5))
    assert TabularEncoder().fit_transform(mixed).dtype == np.float64
    assert TabularEncoder().fit_transform(f32[["c"]]).dtype == np.float64
    out = TabularEncoder(dtype=np.float32).fit_transform(mixed)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, TabularEncoder().fit_transform(mixed), rtol=1e-6)


def test_encoder_pandas_output():
    train = _frame(np.random.default_rng(7), 30)
    encoder = TabularEncoder().set_output(transform="pandas").fit(train)
    out = encoder.transform(train)
    assert list(out.columns) == encoder.get_feature_names_out().tolist()
    np.testing.assert_array_equal(
        out.to_numpy(), TabularEncoder().fit(train).transform(train)
    )


# -- TabularEncoder: errors --------------------------------------------------


@pytest.mark.parametrize(
    "spec, X, match",
    [
        (["city", "nope"], "frame", r"names \['nope'\] that are not columns"),
        ([0, 7], "frame", r"must be in \[0, 6\].*got \[7\]"),
        ([True, False], "frame", "one entry per column of X \\(7\\), got 2"),
        (["a"], "array", "needs a DataFrame with string column names"),
        ([0], "sparse", "Sparse input is all numeric"),
        ([[0, 1]], "array", "1-D array"),
        ([0.5], "array", "column names, integer indices or booleans"),
    ],
)
def test_categorical_features_errors(spec, X, match):
    X = {
        "frame": _frame(np.random.default_rng(8), 10),
        "array": np.ones((4, 2)),
        "sparse": sp.csr_matrix(np.ones((4, 2))),
    }[X]
    with pytest.raises(ValueError, match=match):
        TabularEncoder(categorical_features=spec).fit(X)


def test_encoder_rejects_bad_frames():
    train = _frame(np.random.default_rng(9), 10)
    with pytest.raises(ValueError, match="Column 'when' has dtype datetime64"):
        TabularEncoder().fit(train.assign(when=pd.Timestamp("2024-01-01")))
    with pytest.raises(ValueError, match="at least one row and one column"):
        TabularEncoder().fit(train.iloc[:0])
    with pytest.raises(ValueError, match="at least one row and one column"):
        TabularEncoder().fit(pd.DataFrame(index=range(3)))
    with pytest.raises(ValueError, match="Column 'city' is encoded as numbers"):
        TabularEncoder(categorical_features=["grade"]).fit(train)
    encoder = TabularEncoder().fit(train)
    with pytest.raises(ValueError, match="feature names should match"):
        encoder.transform(train.rename(columns={"age": "years"}))
    with pytest.raises(ValueError, match="feature names should match"):
        encoder.transform(train.drop(columns="age"))
    with pytest.raises(ValueError, match="Column 'age' has dtype timedelta"):
        encoder.transform(train.assign(age=pd.Timedelta(1, "D")))
    with pytest.raises(ValueError, match="fitted on a DataFrame"):
        encoder.transform(sp.csr_matrix(np.ones((2, 7))))


@pytest.mark.parametrize(
    "params",
    [
        {"categorical_features": "auto"},
        {"smooth_clip": -1.0},
        {"missing_indicator": "yes"},
        {"numeric_output": "rank"},
        {"dtype": np.int32},
    ],
)
def test_encoder_invalid_parameters(params):
    with pytest.raises(InvalidParameterError, match=next(iter(params))):
        TabularEncoder(**params).fit(np.ones((3, 2)))


# -- in scikit-learn workflows -----------------------------------------------


def test_pipeline_grid_search_and_pickle():
    rng = np.random.default_rng(10)
    X = _frame(rng, 120)
    y = np.isin(X["city"].astype(str), ["Paris", "Oslo"]) ^ (X["age"] > 55)
    search = GridSearchCV(
        make_pipeline(TabularEncoder(), LogisticRegression(C=10.0)),
        {"tabularencoder__smooth_clip": [1.0, None]},
        cv=3,
    ).fit(X, y)
    assert search.best_score_ > 0.8
    X_new = _frame(rng, 20)
    X_new.loc[0, "city"] = "Atlantis"
    predicted = search.predict(X_new)
    expected = np.isin(X_new["city"].astype(str), ["Paris", "Oslo"]) ^ (
        X_new["age"] > 55
    )
    assert np.mean(predicted == expected) > 0.7

    encoder = search.best_estimator_[0]
    loaded = pickle.loads(pickle.dumps(encoder))
    assert type(loaded).__module__ == "skdnn.preprocessing"
    np.testing.assert_array_equal(loaded.transform(X_new), encoder.transform(X_new))
    scaler = SmoothClipScaler().fit(X[["age"]])
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(scaler)).transform(X[["age"]]),
        scaler.transform(X[["age"]]),
    )


def test_works_without_pandas():
    # pandas is imported only for DataFrame input: block it and encode arrays
    code = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "pandas":
            raise ImportError("pandas blocked")
sys.meta_path.insert(0, Block())
import numpy as np
from skdnn.preprocessing import TabularEncoder
out = TabularEncoder(categorical_features=[0]).fit_transform(
    np.array([[1.0, np.nan], [2.0, 3.0], [0.0, 1.0]]))
assert out.shape == (3, 5) and "pandas" not in sys.modules
"""
    subprocess.run([sys.executable, "-c", code], check=True)
