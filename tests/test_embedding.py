"""Periodic numeric embeddings (``numeric_embedding``): the kernels against a
NumPy reference and finite differences, and the estimators' parameter."""

import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import make_regression
from sklearn.model_selection import GridSearchCV
from sklearn.utils._param_validation import InvalidParameterError

from skdnn import (
    MLPClassifier,
    MLPRegressor,
    TabularMLPClassifier,
    TabularMLPRegressor,
)
from skdnn._network import Network
from skdnn.embeddings import PeriodicEmbedding
from skdnn.inspection import hidden_activations

from . import _naive
from .test_gradients import _finite_difference, _objective, _problem

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# columns 1, 2, 3 of 5 embedded (one column passes through on each side)
_EMB = dict(embed_first=1, embed_count=3, embed_frequencies=3, embed_dim=2,
            embed_scale=0.3)  # fmt: skip
_CASES = {
    "plain": {},
    "members": dict(n_members=3),
    "input_bn_dropout": dict(input_batch_norm=True, input_dropout=0.2),
    "front_scale_bn_after": dict(front_scale=True, batch_norm="after"),
    "keep_input": dict(embed_keep_input=True, n_members=2),
}


def _fit(est, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y, **kwargs)


def test_layout_of_the_embedding():
    spec, theta, *_ = _problem("tanh", "log_loss", units=(5, 6, 4), **_EMB)
    first = spec.layers[0]
    # 1 + 3 * 2 + 1 inputs reach the first layer; the batch has 5 columns
    assert first["fan_in"] == 8 and first["n_inputs"] == 5
    assert spec.coefs(theta)[0].shape == (8, 6)
    freq, maps, biases = spec.embedding(theta)
    assert freq.shape == (3, 3) and maps.shape == (3, 6, 2) and biases.shape == (3, 2)
    # last in theta, outside the penalised prefix
    assert first["emb_off"] + spec.n_embedding_params == spec.n_params
    assert first["emb_off"] >= spec.n_weights
    assert np.shares_memory(freq, theta)


@pytest.mark.parametrize("out, loss", [("softmax", "log_loss"),
                                       ("identity", "squared_error")])  # fmt: skip
@pytest.mark.parametrize("keep", [False, True])
def test_forward_matches_the_reference(out, loss, keep):
    spec, theta, X, *_ = _problem("relu", loss, units=(5, 6, 4), **_EMB,
                                  embed_keep_input=keep)  # fmt: skip
    assert spec.layers[0]["fan_in"] == (11 if keep else 8)
    freq, maps, biases = spec.embedding(theta)
    E = _naive.periodic_embedding(X, 1, freq, maps, biases, keep)
    expected = _naive.output(
        out, _naive.forward(E, spec.coefs(theta), spec.intercepts(theta), "relu")
    )
    net = Network(spec, theta, np.zeros((2, 0)), seed=0)
    np.testing.assert_allclose(net.forward(X)[0], expected, rtol=1e-10, atol=1e-12)
    # sparse input gives the same outputs
    Xs = X.copy()
    Xs[np.abs(Xs) < 0.5] = 0.0
    np.testing.assert_array_equal(net.forward(sp.csr_matrix(Xs))[0], net.forward(Xs)[0])


def test_objective_matches_the_reference():
    spec, theta, X, Y, sw, loss_code = _problem("tanh", "log_loss", units=(5, 6, 4),
                                                **_EMB)  # fmt: skip
    J, _ = _objective(spec, theta, X, Y, sw, loss_code, alpha=0.5)
    freq, maps, biases = spec.embedding(theta)
    E = _naive.periodic_embedding(X, 1, freq, maps, biases)
    # the penalty covers the connection weights only, not the embedding
    expected = _naive.objective(
        E, Y, sw, spec.coefs(theta), spec.intercepts(theta), "tanh", "log_loss", 0.5
    )
    np.testing.assert_allclose(J, expected, rtol=1e-12)


@pytest.mark.parametrize("case", sorted(_CASES))
def test_gradient_with_embedding(case):
    spec, theta, X, Y, sw, loss_code = _problem(
        "tanh", "log_loss", units=(5, 6, 4), **_EMB, **_CASES[case]
    )
    J, grad = _objective(spec, theta, X, Y, sw, loss_code, 0.5, batch=7)
    fd = _finite_difference(
        lambda t: _objective(spec, t, X, Y, sw, loss_code, 0.5, batch=7)[0], theta
    )
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-7)
    off = spec.layers[0]["emb_off"]
    assert np.abs(grad[off:]).max() > 1e-3  # the embedding does get a gradient


# ------------------------------------------------------------ the estimators
@pytest.fixture(scope="module")
def regression():
    X, y = make_regression(n_samples=120, n_features=4, noise=1.0, random_state=0)
    return X / X.std(axis=0), y / y.std()


def test_the_estimator_embeds_every_column(regression):
    X, y = regression
    emb = PeriodicEmbedding(n_frequencies=5, d_embedding=3, frequency_scale=0.2,
                            keep_input=False)  # fmt: skip
    est = _fit(MLPRegressor(hidden_layer_sizes=(8,), numeric_embedding=emb,
                            max_iter=20, random_state=0), X, y)  # fmt: skip
    assert est.coefs_[0].shape == (4 * 3, 8)
    assert est.embedding_["frequencies"].shape == (4, 5)
    assert est.embedding_["weights"].shape == (4, 10, 3)
    assert est.embedding_["biases"].shape == (4, 3)
    # predict is the reference forward pass of the fitted parameters
    E = _naive.periodic_embedding(X, 0, *est.embedding_.values())
    Z = _naive.forward(E, est.coefs_, est.intercepts_, "relu")
    np.testing.assert_allclose(est.predict(X), Z[:, 0], rtol=1e-10, atol=1e-12)
    # "periodic" is the default PeriodicEmbedding: 16 frequencies, 8 outputs and
    # the value itself per column
    est = _fit(MLPRegressor(hidden_layer_sizes=(8,), numeric_embedding="periodic",
                            max_iter=2, random_state=0), X, y)  # fmt: skip
    assert est.embedding_["weights"].shape == (4, 32, 8)
    assert est.coefs_[0].shape == (4 * 9, 8)
    E = _naive.periodic_embedding(X, 0, *est.embedding_.values(), keep=True)
    Z = _naive.forward(E, est.coefs_, est.intercepts_, "relu")
    np.testing.assert_allclose(est.predict(X), Z[:, 0], rtol=1e-10, atol=1e-12)
    plain = _fit(MLPRegressor(hidden_layer_sizes=(8,), max_iter=1), X, y)
    assert plain.embedding_ is None and plain.coefs_[0].shape == (4, 8)


def test_initial_frequencies_follow_the_scale(regression):
    X, y = regression
    spreads = []
    for scale in (0.1, 10.0):
        emb = PeriodicEmbedding(n_frequencies=50, d_embedding=2, frequency_scale=scale)
        est = MLPRegressor(hidden_layer_sizes=(4,), numeric_embedding=emb,
                           max_iter=1, random_state=0)  # fmt: skip
        spreads.append(_fit(est, X, y).embedding_["frequencies"].std())
    assert 0.07 < spreads[0] < 0.13 and 7 < spreads[1] < 13


def test_embedding_fits_a_periodic_target():
    # y = sin(3 x): a ReLU network on x needs many units; the embedding fits it
    rng = np.random.RandomState(0)
    X = rng.uniform(-3, 3, size=(600, 1))
    y = np.sin(3 * X[:, 0])
    scores = {}
    for emb in (None, PeriodicEmbedding(frequency_scale=0.5)):
        est = MLPRegressor(hidden_layer_sizes=(16,), numeric_embedding=emb,
                           max_iter=300, random_state=0)  # fmt: skip
        scores[emb is not None] = _fit(est, X[:400], y[:400]).score(X[400:], y[400:])
    assert scores[True] > 0.95 and scores[True] > scores[False] + 0.1


def test_lbfgs_float32_sparse_partial_fit_and_pickling(regression):
    X, y = regression
    emb = PeriodicEmbedding(n_frequencies=4, d_embedding=3)
    lbfgs = _fit(MLPRegressor(hidden_layer_sizes=(6,), solver="lbfgs",
                              numeric_embedding=emb, random_state=0), X, y)  # fmt: skip
    assert lbfgs.score(X, y) > 0.9
    est = MLPRegressor(hidden_layer_sizes=(6,), numeric_embedding=emb, max_iter=5,
                       random_state=0)  # fmt: skip
    f32 = _fit(clone(est), X.astype(np.float32), y)
    assert f32.embedding_["frequencies"].dtype == np.float32
    dense = _fit(clone(est), X, y)
    sparse = _fit(clone(est), sp.csr_matrix(X), y)
    np.testing.assert_array_equal(sparse.predict(X), dense.predict(X))
    before = dense.embedding_["frequencies"].copy()
    dense.partial_fit(X, y)
    assert not np.array_equal(dense.embedding_["frequencies"], before)
    loaded = pickle.loads(pickle.dumps(dense))
    np.testing.assert_array_equal(loaded.predict(X), dense.predict(X))
    assert np.shares_memory(loaded.embedding_["frequencies"], loaded._net.theta)


def test_warm_start_with_another_embedding_raises(regression):
    X, y = regression
    est = _fit(MLPRegressor(hidden_layer_sizes=(6,), max_iter=2, warm_start=True,
                            random_state=0), X, y)  # fmt: skip
    est.set_params(numeric_embedding="periodic")
    with pytest.raises(ValueError, match="numeric_embedding"):
        _fit(est, X, y)


def test_lr_factor_of_the_embedding_group(regression):
    # factor 0 (a tiny one: factors must be positive) keeps the embedding still
    X, y = regression
    emb = PeriodicEmbedding(n_frequencies=4, d_embedding=3)
    est = MLPRegressor(hidden_layer_sizes=(6,), numeric_embedding=emb, max_iter=3,
                       random_state=0)  # fmt: skip
    start = _fit(clone(est).set_params(max_iter=1, learning_rate_init=1e-300), X, y)
    slow = _fit(clone(est).set_params(lr_factors={"embedding": 1e-300}), X, y)
    fast = _fit(clone(est), X, y)
    np.testing.assert_allclose(
        slow.embedding_["frequencies"], start.embedding_["frequencies"], rtol=1e-12
    )
    moved = fast.embedding_["frequencies"]
    assert not np.allclose(moved, start.embedding_["frequencies"])


@pytest.mark.parametrize(
    "value, match",
    [
        ("sine", "numeric_embedding"),
        (3, "numeric_embedding"),
        (PeriodicEmbedding(n_frequencies=0), "n_frequencies"),
        (PeriodicEmbedding(frequency_scale=-1.0), "frequency_scale"),
        (PeriodicEmbedding(keep_input="yes"), "keep_input"),
    ],
)
def test_invalid_embedding(regression, value, match):
    X, y = regression
    with pytest.raises(InvalidParameterError, match=match):
        MLPRegressor(numeric_embedding=value).fit(X, y)


def test_grid_search_tunes_the_embedding(regression):
    X, y = regression
    emb = PeriodicEmbedding(n_frequencies=3)
    est = MLPRegressor(hidden_layer_sizes=(6,), max_iter=3, random_state=0,
                       numeric_embedding=emb)  # fmt: skip
    grid = {"numeric_embedding__d_embedding": [2, 3]}
    search = _fit(GridSearchCV(est, grid, cv=2), X, y)
    assert search.best_estimator_.embedding_["weights"].shape[2] in (2, 3)
    assert search.best_params_["numeric_embedding__d_embedding"] in (2, 3)


def test_inspection_and_classifier(regression):
    X, y = regression
    labels = (y > 0).astype(int)
    est = _fit(MLPClassifier(hidden_layer_sizes=(5,), numeric_embedding="periodic",
                             max_iter=5, random_state=0), X, labels)  # fmt: skip
    proba = est.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    acts = hidden_activations(est, X)
    assert acts[0].shape == (len(X), 5)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_onnx_export_computes_the_embedding(regression, dtype):
    pytest.importorskip("onnxruntime")
    import onnxruntime as ort
    from skl2onnx import to_onnx

    import skdnn.onnx  # noqa: F401

    X, y = regression
    X = X.astype(dtype)
    # the embedding in the middle of the columns, and ensemble members after it
    emb = PeriodicEmbedding(n_frequencies=5, d_embedding=3, frequency_scale=0.5,
                            keep_input=dtype == np.float32)  # fmt: skip
    est = MLPRegressor(hidden_layer_sizes=(8,), numeric_embedding=emb, n_members=2,
                       max_iter=20, random_state=0)  # fmt: skip
    est._embedded_columns = lambda n: (1, 2)
    _fit(est, X, y)
    assert est.coefs_[0].shape == (2 + 2 * (3 + emb.keep_input), 8)
    onx = to_onnx(est, X[:1])
    sess = ort.InferenceSession(onx.SerializeToString(),
                                providers=["CPUExecutionProvider"])  # fmt: skip
    got = sess.run(None, {sess.get_inputs()[0].name: X})[0]
    expected = est.predict(X)
    f32 = dtype == np.float32
    np.testing.assert_allclose(got[:, 0], expected, rtol=1e-4 if f32 else 1e-10,
                               atol=1e-5 if f32 else 1e-12)  # fmt: skip


# ------------------------------------------------------- tabular estimators
def test_tabular_embeds_the_numeric_columns_only():
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    n = 200
    X = pd.DataFrame({
        "colour": rng.choice(["red", "green", "blue"], n),
        "x1": rng.normal(size=n),
        "x2": np.where(rng.uniform(size=n) < 0.1, np.nan, rng.normal(size=n)),
        "flag": rng.uniform(size=n) < 0.5,
    })  # fmt: skip
    y = (X["x1"] > 0).astype(int) ^ (X["colour"] == "red").astype(int)
    # quantile inputs (the default): the embedding reads the quantile block,
    # the scaled block is kept as plain inputs
    emb = PeriodicEmbedding(n_frequencies=4, d_embedding=3)
    est = _fit(TabularMLPClassifier(hidden_layer_sizes=(8,), numeric_embedding=emb,
                                    max_iter=5, random_state=0), X, y)  # fmt: skip
    names = list(est.encoder_.get_feature_names_out())
    blocks = est.encoder_.transformer_.output_indices_
    assert names[blocks["numeric"]] == ["x1", "x2"]
    assert names[blocks["quantile"]] == ["x1_quantile", "x2_quantile"]
    assert est.embedding_["frequencies"].shape == (2, 4)
    # 3 + 2 one-hot, 2 scaled, 2 * 3 embedded quantiles, one missing indicator
    assert est.coefs_[0].shape == (len(names) + 2 * (3 - 1), 8)
    assert est.predict(X).shape == (n,)
    # keep_input=False: the quantiles only
    est = _fit(TabularMLPClassifier(hidden_layer_sizes=(8,), max_iter=2,
                                    numeric_embedding=clone(emb).set_params(
                                        keep_input=False)), X, y)  # fmt: skip
    names = list(est.encoder_.get_feature_names_out())
    assert "x1" not in names and "x1_quantile" in names
    assert est.coefs_[0].shape == (len(names) + 2 * (3 - 1), 8)
    # quantile_inputs=False: the scaled values, embedded with themselves kept
    emb = PeriodicEmbedding(n_frequencies=4, d_embedding=3, quantile_inputs=False)
    est = _fit(TabularMLPClassifier(hidden_layer_sizes=(8,), numeric_embedding=emb,
                                    max_iter=5, random_state=0), X, y)  # fmt: skip
    names = list(est.encoder_.get_feature_names_out())
    numeric = est.encoder_.transformer_.output_indices_["numeric"]
    assert names[numeric] == ["x1", "x2"]
    assert "quantile" not in est.encoder_.transformer_.named_transformers_
    # 3 + 2 one-hot blocks, 2 * (3 + 1) embedded values, one missing indicator
    assert est.coefs_[0].shape == (len(names) + 2 * (3 + 1 - 1), 8)
    assert est.predict(X).shape == (n,)
    reg = _fit(TabularMLPRegressor(hidden_layer_sizes=(8,), numeric_embedding=emb,
                                   max_iter=3, random_state=0), X, X["x1"])  # fmt: skip
    assert np.isfinite(reg.predict(X)).all()


def test_quantile_inputs_changes_and_sparse_input_are_refused():
    X, y = np.random.RandomState(0).normal(size=(60, 3)), np.arange(60) % 2
    est = _fit(TabularMLPClassifier(hidden_layer_sizes=(4,), max_iter=2,
                                    random_state=0), X, y)  # fmt: skip
    # a warm-started fit continues with its encoder: other inputs are refused
    for emb in (PeriodicEmbedding(quantile_inputs=False),
                PeriodicEmbedding(keep_input=False)):  # fmt: skip
        est.set_params(numeric_embedding=emb, warm_start=True)
        with pytest.raises(ValueError, match="continues with the encoder"):
            est.fit(X, y)
    est.set_params(numeric_embedding="periodic")
    _fit(est, X, y)  # the same embedding: fine
    # sparse input keeps the scaled values: 'auto' embeds them, True refuses
    auto = _fit(TabularMLPClassifier(hidden_layer_sizes=(4,), max_iter=2),
                sp.csr_matrix(X), y)  # fmt: skip
    assert auto.encoder_.numeric_output_ == "scaled"
    assert auto.embedding_["frequencies"].shape == (3, 16)
    emb = PeriodicEmbedding(quantile_inputs=True)
    with pytest.raises(ValueError, match="needs dense input"):
        TabularMLPClassifier(numeric_embedding=emb, max_iter=2).fit(sp.csr_matrix(X), y)


def test_quantile_inputs_need_the_tabular_encoder():
    X, y = np.random.RandomState(0).normal(size=(40, 3)), np.arange(40) % 2
    emb = PeriodicEmbedding(quantile_inputs=True)
    with pytest.raises(ValueError, match="quantiles of the tabular estimators"):
        MLPClassifier(numeric_embedding=emb, max_iter=2).fit(X, y)
    # 'auto' is False for the MLP estimators: every column embedded as it is
    est = MLPClassifier(
        hidden_layer_sizes=(4,), max_iter=2, numeric_embedding="periodic"
    )
    est = _fit(est, X, y)
    assert est.embedding_["frequencies"].shape == (3, 16)


def test_tabular_without_numeric_columns_has_no_embedding():
    pd = pytest.importorskip("pandas")
    X = pd.DataFrame({"c": list("abcab") * 8})
    y = np.arange(40) % 2
    est = _fit(TabularMLPClassifier(hidden_layer_sizes=(4,), max_iter=2,
                                    numeric_embedding="periodic"), X, y)  # fmt: skip
    assert est.embedding_ is None
