"""Learned embeddings of categorical columns (``categorical_embedding``): the
kernels against a NumPy reference and finite differences, the encoder's codes
and the tabular estimators' parameter."""

import numpy as np
import pytest

from skdnn._network import Network

from . import _naive
from .test_gradients import _finite_difference, _objective, _problem

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# 6 input columns: 4 numeric, then 2 coded categorical columns with tables of 4
# rows of 3 values
_CAT = dict(cat_count=2, cat_levels=4, cat_dim=3)
_CASES = {
    "plain": {},
    "periodic": dict(
        embed_first=1,
        embed_count=2,
        embed_frequencies=3,
        embed_dim=2,
        embed_scale=0.3,
        embed_keep_input=True,
    ),  # fmt: skip
    "members": dict(n_members=3),
    "input_bn_dropout": dict(input_batch_norm=True, input_dropout=0.2),
    "front_scale_bn_after": dict(front_scale=True, batch_norm="after"),
}


def _coded(X, rng, levels=4):
    """X with its last two columns replaced by codes: levels 0..levels-1, and
    some codes that are no level (-1, ``levels``)."""
    X = X.copy()
    n = X.shape[0]
    X[:, -2:] = rng.randint(-1, levels + 1, size=(n, 2))
    X[0, -2:] = [-1, levels]  # both kinds of "no level" are there
    X[1, -2:] = [0, levels - 1]
    return X


def _cat_problem(case="plain", hidden="tanh", loss="log_loss", seed=0):
    spec, theta, X, Y, sw, loss_code = _problem(
        hidden, loss, units=(6, 7, 5), seed=seed, **_CAT, **_CASES[case]
    )
    X = _coded(X, np.random.RandomState(seed + 1))
    return spec, theta, X, Y, sw, loss_code


def test_layout_of_the_tables():
    spec, theta, *_ = _cat_problem()
    first = spec.layers[0]
    # 4 numeric columns and 2 * 3 embedded values reach the first layer
    assert first["fan_in"] == 10 and first["n_inputs"] == 6
    assert spec.coefs(theta)[0].shape == (10, 7)
    tables = spec.categorical_embedding(theta)
    assert tables.shape == (2, 4, 3) and np.shares_memory(tables, theta)
    # last in theta, outside the penalised prefix
    assert first["cat_off"] + spec.n_categorical_params == spec.n_params
    assert first["cat_off"] >= spec.n_weights


@pytest.mark.parametrize("case", ["plain", "periodic"])
def test_forward_matches_the_reference(case):
    spec, theta, X, *_ = _cat_problem(case, hidden="relu", loss="squared_error")
    E = _naive.categorical_embedding(X, spec.categorical_embedding(theta))
    if case == "periodic":
        freq, maps, biases = spec.embedding(theta)
        numeric = _naive.periodic_embedding(X[:, :4], 1, freq, maps, biases, True)
        E = np.hstack([numeric, E[:, 4:]])
    expected = _naive.forward(E, spec.coefs(theta), spec.intercepts(theta), "relu")
    net = Network(spec, theta, np.zeros((2, 0)), seed=0)
    np.testing.assert_allclose(net.forward(X)[0], expected, rtol=1e-10, atol=1e-12)
    # a row whose codes are no level embeds to zeros: its output does not
    # depend on the tables
    other = theta.copy()
    spec.categorical_embedding(other)[...] += 1.0
    moved = Network(spec, other, np.zeros((2, 0)), seed=0).forward(X)[0]
    np.testing.assert_array_equal(moved[0], net.forward(X)[0][0])
    assert not np.allclose(moved[1], net.forward(X)[0][1])


@pytest.mark.parametrize("case", sorted(_CASES))
def test_gradient_with_categorical_embedding(case):
    spec, theta, X, Y, sw, loss_code = _cat_problem(case)
    J, grad = _objective(spec, theta, X, Y, sw, loss_code, 0.5, batch=7)
    fd = _finite_difference(
        lambda t: _objective(spec, t, X, Y, sw, loss_code, 0.5, batch=7)[0], theta
    )
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-7)
    off = spec.layers[0]["cat_off"]
    tables = grad[off : off + spec.n_categorical_params].reshape(2, 4, 3)
    # every used row gets a gradient, the rows of absent levels none
    used = [set(X[:, 4 + f][(X[:, 4 + f] >= 0) & (X[:, 4 + f] < 4)].astype(int))
            for f in range(2)]  # fmt: skip
    for f in range(2):
        for level in range(4):
            moved = np.abs(tables[f, level]).max() > 0
            assert moved == (level in used[f])


# ------------------------------------------------------------ the encoder
pd = pytest.importorskip("pandas")


def _table(n=400, levels=80, seed=0):
    """A categorical column with many levels (and missing values) whose level
    decides the target, a numeric column, and one with few levels."""
    rng = np.random.RandomState(seed)
    names = np.array([f"level{i:02d}" for i in range(levels)], dtype=object)
    many = names[rng.randint(0, levels, n)]
    many[::17] = None
    effect = dict(zip(names, rng.normal(size=levels), strict=True))
    X = pd.DataFrame(
        {
            "many": many,
            "x": rng.normal(size=n),
            "few": rng.choice(np.array(["a", "b", None], dtype=object), n),
        }
    )
    z = np.array([effect.get(v, 0.0) for v in many]) + 0.3 * X["x"].to_numpy()
    return X, z


def test_encoder_codes_columns_with_many_levels():
    from skdnn.preprocessing import TabularEncoder

    X, _ = _table(levels=30)
    encoder = TabularEncoder(max_one_hot_levels=8).fit(X)
    assert encoder.is_categorical_.tolist() == [True, False, True]
    assert encoder.is_coded_.tolist() == [True, False, False]
    names = encoder.get_feature_names_out().tolist()
    assert names == ["few_a", "few_b", "few_nan", "x", "many"]  # codes last
    out = encoder.transform(X)
    levels = encoder.transformer_.named_transformers_["codes"][-1].categories_[0]
    assert len(levels) == 31 and np.isnan(levels[-1])  # 30 levels, missing last
    # a level's code is its position; missing values the missing level's
    expected = [
        30 if v is None else levels.tolist().index(v) for v in X["many"]
    ]  # fmt: skip
    np.testing.assert_array_equal(out[:, -1], expected)
    # unseen levels give -1, never an error
    test = X.head(3).copy()
    test["many"] = ["new", "level03", None]
    np.testing.assert_array_equal(encoder.transform(test)[:, -1], [-1, 3, 30])
    # None: every categorical column one-hot, as before
    assert TabularEncoder().fit(X).transform(X).shape[1] == 3 + 31 + 1
    with pytest.raises(ValueError, match="max_one_hot_levels"):
        TabularEncoder(max_one_hot_levels=0).fit(X)


def test_encoder_codes_numeric_levels_of_arrays():
    from skdnn.preprocessing import TabularEncoder

    rng = np.random.RandomState(0)
    X = np.column_stack([rng.randint(0, 12, 200), rng.normal(size=200)])
    X[::10, 0] = np.nan
    encoder = TabularEncoder(categorical_features=[0], max_one_hot_levels=8).fit(X)
    out = encoder.transform(X)
    assert out.shape == (200, 2)  # the numeric column, then the codes
    codes = out[:, -1]
    assert set(np.unique(codes)) == set(range(13))  # 12 levels and missing
    assert np.all(codes[::10] == 12)


# ------------------------------------------------------------ the estimators
def _fit(est, X, y, **kwargs):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y, **kwargs)


def test_tabular_estimators_embed_coded_columns():
    from skdnn import TabularMLPClassifier, TabularMLPRegressor
    from skdnn.embeddings import CategoricalEmbedding

    X, z = _table()
    emb = CategoricalEmbedding(d_embedding=4)
    reg = _fit(
        TabularMLPRegressor(hidden_layer_sizes=(16,), max_iter=5, random_state=0,
                            categorical_embedding=emb, numeric_embedding=None),
        X, z,
    )  # fmt: skip
    # few (3 one-hot columns), x, then 4 values for "many"
    assert reg.coefs_[0].shape[0] == 3 + 1 + 4
    (table,) = reg.category_embeddings_
    # 80 levels and the missing one: more than 64, embedded
    assert table.shape == (81, 4) and np.shares_memory(table, reg._net.theta)
    # predict is the reference forward pass of the fitted parameters
    Xt = reg.encoder_.transform(X)
    E = _naive.categorical_embedding(Xt, table[None])
    Z = _naive.forward(E.astype(np.float64), reg.coefs_, reg.intercepts_, "relu")
    expected = Z[:, 0] * reg.target_scale_[0] + reg.target_mean_[0]
    np.testing.assert_allclose(reg.predict(X), expected, rtol=1e-5, atol=1e-5)
    # None: one-hot, as MLP estimators' encoders do
    onehot = _fit(
        TabularMLPRegressor(hidden_layer_sizes=(16,), max_iter=5, random_state=0,
                            categorical_embedding=None, numeric_embedding=None),
        X, z,
    )  # fmt: skip
    assert onehot.coefs_[0].shape[0] == 3 + 1 + 81
    assert onehot.category_embeddings_ is None
    # unseen levels and NaN at predict time
    test = X.head(4).copy()
    test["many"] = ["new", None, "level01", np.nan]
    assert np.isfinite(reg.predict(test)).all()
    clf = _fit(
        TabularMLPClassifier(hidden_layer_sizes=(16,), max_iter=5, random_state=0),
        X, z > 0,
    )  # fmt: skip
    assert clf.category_embeddings_[0].shape == (81, 8)  # "learned": d = 8
    assert clf.predict_proba(test).shape == (4, 2)


def test_embedding_learns_the_levels():
    # 100 levels, each decides the target: the embedding fits them as well as
    # one-hot encoding does, through a first layer 8 inputs wide instead of 101
    from skdnn import TabularMLPRegressor

    X, z = _table(n=3000, levels=100, seed=1)
    scores = {}
    for emb in (None, "learned"):
        reg = TabularMLPRegressor(categorical_embedding=emb, random_state=0)
        scores[emb] = _fit(reg, X[:2000], z[:2000]).score(X[2000:], z[2000:])
    assert scores["learned"] > 0.9 and scores["learned"] > scores[None] - 0.02


def test_tables_are_not_penalised_and_have_their_lr_group():
    from skdnn import TabularMLPRegressor

    X, z = _table()
    params = dict(hidden_layer_sizes=(8,), max_iter=3, random_state=0,
                  early_stopping=False)  # fmt: skip
    tiny = dict(params, lr_factors={"embedding": 1e-12})
    start = _fit(TabularMLPRegressor(**dict(tiny, max_iter=1)), X, z)
    still = _fit(TabularMLPRegressor(**tiny), X, z)
    # a tiny factor keeps the tables (nearly) where they started
    moved = _fit(TabularMLPRegressor(**params), X, z)
    drift = np.abs(still.category_embeddings_[0] - start.category_embeddings_[0])
    step = np.abs(moved.category_embeddings_[0] - start.category_embeddings_[0])
    assert drift.max() < 1e-6 and step.max() > 1e-3
    # the L2 penalty leaves the tables out: the objective's penalty is the
    # weights' only
    spec = moved._net.spec
    assert spec.layers[0]["cat_off"] >= spec.n_weights


def test_persistence_warm_start_and_grid_search():
    import pickle

    from sklearn.model_selection import GridSearchCV

    from skdnn import TabularMLPRegressor
    from skdnn.embeddings import CategoricalEmbedding

    X, z = _table()
    reg = _fit(TabularMLPRegressor(hidden_layer_sizes=(8,), max_iter=3,
                                   random_state=0, warm_start=True,
                                   early_stopping=False), X, z)  # fmt: skip
    loaded = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))
    assert np.shares_memory(loaded.category_embeddings_[0], loaded._net.theta)
    before = reg.category_embeddings_[0].copy()
    reg.partial_fit(X, z)
    assert not np.array_equal(reg.category_embeddings_[0], before)
    reg.set_params(categorical_embedding=CategoricalEmbedding(d_embedding=2))
    with pytest.raises(ValueError, match="categorical_embedding"):
        _fit(reg, X, z)
    search = GridSearchCV(
        TabularMLPRegressor(hidden_layer_sizes=(8,), max_iter=2, random_state=0,
                            categorical_embedding=CategoricalEmbedding()),
        {"categorical_embedding__d_embedding": [2, 3]}, cv=2,
    )  # fmt: skip
    _fit(search, X, z)
    d = search.best_params_["categorical_embedding__d_embedding"]
    assert search.best_estimator_.category_embeddings_[0].shape == (81, d)


def test_bad_categorical_embedding_is_refused():
    from sklearn.utils._param_validation import InvalidParameterError

    from skdnn import TabularMLPClassifier
    from skdnn.embeddings import CategoricalEmbedding

    X, z = _table()
    for bad in ("periodic", 3):
        with pytest.raises(InvalidParameterError, match="categorical_embedding"):
            TabularMLPClassifier(categorical_embedding=bad).fit(X, z > 0)
    with pytest.raises(InvalidParameterError, match="d_embedding"):
        TabularMLPClassifier(
            categorical_embedding=CategoricalEmbedding(d_embedding=0)
        ).fit(X, z > 0)


def test_models_pickled_before_categorical_embeddings_load():
    # a model saved before this parameter existed: its encoder one-hot encoded
    # every categorical column, and so it keeps doing
    import pickle

    from sklearn.base import clone

    from skdnn import TabularMLPClassifier

    X, z = _table(levels=5)
    model = _fit(TabularMLPClassifier(hidden_layer_sizes=(8,), max_iter=2,
                                      random_state=0), X, z > 0)  # fmt: skip
    expected = model.predict_proba(X)
    del model.__dict__["categorical_embedding"]
    del model.encoder_.__dict__["max_one_hot_levels"]
    del model.encoder_.__dict__["is_coded_"]
    loaded = pickle.loads(pickle.dumps(model))
    assert loaded.categorical_embedding is None
    assert loaded.encoder_.max_one_hot_levels is None
    assert not loaded.encoder_.is_coded_.any()
    np.testing.assert_array_equal(loaded.predict_proba(X), expected)
    clone(loaded)  # every parameter is there again
    clone(loaded.encoder_)
