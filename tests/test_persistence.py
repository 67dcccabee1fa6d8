"""Persistence: skops.io (secure, audited), pickle and joblib.

Every estimator round-trips through ``skops.io.dumps``/``loads`` with only
skdnn's own public classes to trust (the estimator, and the optimizer,
activation and schedule objects passed as parameters), predicts identically and
trains on identically (bit for bit) to the original.
"""

import copy
import io
import pickle
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression

from skdnn import MLPClassifier, MLPRegressor
from skdnn.activations import ELU, LeakyReLU, Maxout, PReLU, RReLU
from skdnn.optimizers import SGD, Adam, AdamW, Nadam
from skdnn.schedules import Cosine, FlatCosine, OneCycle, Plateau

sio = pytest.importorskip("skops.io", reason="skops is not installed")

DATA = Path(__file__).parent / "data"

_Xc, _yc = make_classification(
    n_samples=60, n_features=5, n_informative=4, n_redundant=0, n_classes=3,
    random_state=0,
)  # fmt: skip
_Xr, _yr = make_regression(n_samples=60, n_features=5, noise=0.1, random_state=0)


def _data(task, dtype=np.float64):
    """(estimator class, X, y) of a small problem of each kind."""
    X = _Xc.astype(dtype)
    if task == "binary":
        return MLPClassifier, X, _yc % 2
    if task == "multiclass":
        return MLPClassifier, X, np.array(["a", "b", "c"])[_yc]
    if task == "multilabel":
        return MLPClassifier, X, np.c_[_yc == 0, _yc == 1, _yc == 2].astype(int)
    Xr = _Xr.astype(dtype)
    if task == "poisson":
        return MLPRegressor, Xr, np.exp(_yr / np.abs(_yr).max())
    return MLPRegressor, Xr, _yr / 100.0


def _skdnn_type(obj):
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


# (id, task, parameters, dtype): every layer type, solver, target kind and dtype
CASES = [
    ("binary-adam", "binary", {}, np.float64),
    ("multiclass-sgd-bn-before", "multiclass",
     {"solver": "sgd", "batch_norm": "before"}, np.float64),
    ("multilabel-bn-after-input-bn", "multilabel",
     {"batch_norm": "after", "input_batch_norm": True}, np.float64),
    ("binary-lbfgs", "binary", {"solver": "lbfgs"}, np.float64),
    ("regressor-dropout", "squared_error",
     {"dropout": 0.2, "input_dropout": 0.1}, np.float64),
    ("regressor-lbfgs", "squared_error", {"solver": "lbfgs"}, np.float64),
    ("poisson", "poisson", {"loss": "poisson"}, np.float64),
    ("prelu", "multiclass", {"activation": "prelu"}, np.float64),
    ("rrelu-float32", "binary", {"activation": "rrelu", "dropout": 0.1}, np.float32),
    ("maxout", "squared_error", {"activation": "maxout"}, np.float64),
    ("selu-alpha-dropout", "multiclass",
     {"activation": "selu", "dropout": 0.2, "input_dropout": 0.1}, np.float64),
    ("float32-bn-input-bn", "poisson",
     {"loss": "poisson", "batch_norm": "before", "input_batch_norm": True},
     np.float32),
    ("objects-nadam-leaky-plateau", "multiclass",
     {"solver": Nadam(beta_1=0.8), "activation": LeakyReLU(0.1),
      "learning_rate": Plateau(patience=1), "early_stopping": True}, np.float64),
    ("objects-sgd-prelu-onecycle-float32", "squared_error",
     {"solver": SGD(momentum=0.8), "activation": PReLU(0.2),
      "learning_rate": OneCycle(), "batch_norm": "after"}, np.float32),
    ("objects-adam-rrelu-cosine", "multilabel",
     {"solver": Adam(amsgrad=True), "activation": RReLU(),
      "learning_rate": Cosine()}, np.float64),
    ("selu-dropout-schedule-flat-cos-warmup", "multiclass",
     {"activation": "selu", "dropout": 0.2, "input_dropout": 0.1,
      "dropout_schedule": "flat_cos", "learning_rate": FlatCosine(warmup=0.2)},
     np.float64),
    ("objects-maxout-elu", "binary",
     {"activation": Maxout(3), "solver": "rmsprop"}, np.float64),
    ("objects-elu-lbfgs", "squared_error",
     {"activation": ELU(0.5), "solver": "lbfgs"}, np.float64),
    ("objects-adamw-constant-decay-factors-float32", "multiclass",
     {"solver": AdamW(weight_decay=0.1, weight_decay_schedule="constant"),
      "learning_rate": Cosine(), "activation": "prelu", "batch_norm": True,
      "lr_factors": {"bias": 2.0, "batch_norm": 0.5, "activation": 3.0},
      "label_smoothing": 0.1, "l1": 1e-3, "max_norm": 3.0}, np.float32),
    ("adamw-label-smoothing-multilabel", "multilabel",
     {"solver": "adamw", "label_smoothing": 0.2, "clipnorm": 1.0}, np.float64),
    ("members-input-bn-dropout", "multiclass",
     {"n_members": 3, "input_batch_norm": True, "dropout": 0.1}, np.float64),
    ("front-scale-float32", "poisson",
     {"loss": "poisson", "front_scale": True}, np.float32),
    ("members-lbfgs", "binary", {"n_members": 2, "solver": "lbfgs"}, np.float64),
]  # fmt: skip


def _fit(task, params, dtype, partial=False):
    cls, X, y = _data(task, dtype)
    est = cls(hidden_layer_sizes=(6, 5), max_iter=3, batch_size=16, random_state=0)
    est.set_params(**params)
    if partial:  # mid-partial_fit: a model only partial_fit has trained
        kwargs = {}
        if cls is MLPClassifier:
            kwargs["classes"] = np.arange(3) if task == "multilabel" else np.unique(y)
        est.partial_fit(X, y, **kwargs)
        est.partial_fit(X, y)
    else:
        est.fit(X, y)
    return est, X, y


def _expected_trusted(est):
    """The types a user passes in ``trusted=``: the estimator's class and those
    of the config objects among its parameters."""
    names = {_skdnn_type(est)}
    for name in ("solver", "activation", "learning_rate"):
        value = getattr(est, name)
        if not isinstance(value, str):
            names.add(_skdnn_type(value))
    return names


def _predictions(est, X):
    out = [est.predict(X)]
    if hasattr(est, "predict_proba"):
        out.append(est.predict_proba(X))
    return out


def _continue(est, X, y):
    """Train further: partial_fit (stochastic solvers) or a warm-started fit."""
    if est.solver == "lbfgs" or est.early_stopping:
        est.set_params(warm_start=True, max_iter=2)
        est.fit(X, y)
    else:
        est.partial_fit(X, y)
    return est


def _assert_same_training(a, b, X, y):
    for p, q in zip(_predictions(a, X), _predictions(b, X), strict=True):
        np.testing.assert_array_equal(p, q)
    _continue(a, X, y)
    _continue(b, X, y)
    for p, q in zip(_predictions(a, X), _predictions(b, X), strict=True):
        np.testing.assert_array_equal(p, q)
    for name in ("coefs_", "intercepts_", "prelu_slopes_"):
        for p, q in zip(getattr(a, name), getattr(b, name), strict=True):
            np.testing.assert_array_equal(p, q)
    if a.input_scale_ is None:
        assert b.input_scale_ is None
    else:
        np.testing.assert_array_equal(a.input_scale_, b.input_scale_)
        assert np.shares_memory(b.input_scale_, b._net.theta)
    np.testing.assert_array_equal(a._net.opt_state, b._net.opt_state)
    np.testing.assert_array_equal(a._net.bn_stats, b._net.bn_stats)
    assert a.n_iter_ == b.n_iter_ and a.t_ == b.t_


def _round_trip_cases():
    """Every case after fit, and mid-partial_fit where partial_fit exists (not
    with lbfgs or early stopping)."""
    for name, task, params, dtype in CASES:
        yield pytest.param(task, params, dtype, False, id=f"{name}-fit")
        if params.get("solver") != "lbfgs" and not params.get("early_stopping"):
            yield pytest.param(task, params, dtype, True, id=f"{name}-partial_fit")


@pytest.mark.parametrize("task, params, dtype, partial", list(_round_trip_cases()))
def test_skops_round_trip(task, params, dtype, partial):
    est, X, y = _fit(task, params, dtype, partial)
    data = sio.dumps(est)
    untrusted = sio.get_untrusted_types(data=data)
    # skdnn's public classes only: no Network, dataclass or structured array
    assert set(untrusted) == _expected_trusted(est)
    loaded = sio.loads(data, trusted=untrusted)
    assert type(loaded) is type(est)
    assert loaded._net.theta.dtype == dtype
    np.testing.assert_array_equal(loaded._net.spec.layers, est._net.spec.layers)
    assert loaded._net.spec.layers.dtype == est._net.spec.layers.dtype
    # the public views are views of theta again
    assert np.shares_memory(loaded.coefs_[0], loaded._net.theta)
    _assert_same_training(est, loaded, X, y)


def test_skops_types_of_a_tabular_model():
    """The types a tabular model on a DataFrame asks skops to trust are those
    the deployment guide lists (with its default quantile inputs)."""
    sio = pytest.importorskip("skops.io")
    pd = pytest.importorskip("pandas")
    from skdnn import TabularMLPClassifier

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=60), "c": rng.choice(list("xyz"), 60)})
    y = (X["a"] > 0).astype(int)
    est = TabularMLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    data = sio.dumps(est.fit(X, y))
    assert set(sio.get_untrusted_types(data=data)) == {
        "numpy.dtype",
        "skdnn._frames.frame_levels",
        "skdnn._frames.frame_numbers",
        "skdnn._quantiles.QuantileInputs",
        "skdnn._tabular.TabularMLPClassifier",
        "skdnn.preprocessing.SmoothClipScaler",
        "skdnn.preprocessing.TabularEncoder",
    }
    loaded = sio.loads(data, trusted=sio.get_untrusted_types(data=data))
    np.testing.assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))


def test_skops_refuses_untrusted_model():
    est, _, _ = _fit("binary", {}, np.float64)
    data = sio.dumps(est)
    assert sio.get_untrusted_types(data=data) == ["skdnn._classifier.MLPClassifier"]
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.loads(data)
    reg, _, _ = _fit("squared_error", {}, np.float64)
    assert sio.get_untrusted_types(data=sio.dumps(reg)) == [
        "skdnn._regressor.MLPRegressor"
    ]


def test_skops_transfer_source_and_class_weight():
    """``init=<fitted model>`` adds the source's class to the types to trust."""
    source, X, y = _fit("squared_error", {}, np.float64)
    est, X, y = _fit(
        "binary", {"init": source, "class_weight": {0: 1.0, 1: 2.0}}, np.float64
    )
    data = sio.dumps(est)
    untrusted = sio.get_untrusted_types(data=data)
    assert untrusted == [
        "skdnn._classifier.MLPClassifier",
        "skdnn._regressor.MLPRegressor",
    ]
    loaded = sio.loads(data, trusted=untrusted)
    assert type(loaded.init) is MLPRegressor
    _assert_same_training(est, loaded, X, y)


def test_skops_file_round_trip(tmp_path):
    est, X, y = _fit("multiclass", {"batch_norm": True}, np.float64)
    path = tmp_path / "model.skops"
    sio.dump(est, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert untrusted == ["skdnn._classifier.MLPClassifier"]
    loaded = sio.load(path, trusted=untrusted)
    _assert_same_training(est, loaded, X, y)


def test_skops_model_pickled_by_release_0_1():
    """A 0.1 pickle, loaded, can be saved with skops and trains on identically."""
    est = pickle.loads((DATA / "model_0_1.pkl").read_bytes())
    data = sio.dumps(est)
    untrusted = sio.get_untrusted_types(data=data)
    assert set(untrusted) == _expected_trusted(est)
    loaded = sio.loads(data, trusted=untrusted)
    rng = np.random.RandomState(0)
    X = rng.rand(40, est.n_features_in_) * 16
    y = est.classes_[rng.randint(0, len(est.classes_), 40)]
    _assert_same_training(est, loaded, X, y)


@pytest.mark.parametrize("partial", [False, True], ids=["fit", "partial_fit"])
def test_pickle_and_joblib_round_trip(tmp_path, partial):
    params = {"batch_norm": "after", "input_batch_norm": True, "activation": "prelu"}
    est, X, y = _fit("multiclass", params, np.float64, partial)
    _assert_same_training(est, pickle.loads(pickle.dumps(est)), X, y)
    _assert_same_training(est, copy.deepcopy(est), X, y)
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    buffer.seek(0)
    _assert_same_training(est, joblib.load(buffer), X, y)


def test_joblib_mmap_model_trains_further(tmp_path):
    est, X, y = _fit("multiclass", {"batch_norm": True, "dropout": 0.1}, np.float64)
    path = tmp_path / "model.joblib"
    joblib.dump(est, path)
    loaded = joblib.load(path, mmap_mode="r")
    assert isinstance(loaded._net.theta, np.memmap)
    assert not loaded._net.theta.flags.writeable
    _assert_same_training(est, loaded, X, y)
    assert not isinstance(loaded._net.theta, np.memmap)


def test_pickling_keeps_the_fitted_attributes():
    """Pickling a fitted model leaves it intact (it used to drop ``coefs_``)."""
    est, X, _ = _fit("binary", {"activation": "prelu"}, np.float64)
    before = est.__dict__.copy()
    pickle.dumps(est)
    sio.dumps(est)
    assert est.__dict__.keys() == before.keys()
    assert est._net is before["_net"] and est.coefs_ is before["coefs_"]
    est.predict(X)


def test_pickles_before_warmup_and_dropout_schedule_load():
    """Models and Cosine objects pickled before ``dropout_schedule`` and
    ``warmup`` existed get their defaults, and train on as before."""
    est, X, y = _fit("squared_error", {"learning_rate": Cosine(min_lr=1e-4)},
                     np.float64, partial=True)  # fmt: skip
    state = est.__getstate__()
    del state["dropout_schedule"]
    sched = state["learning_rate"] = copy.deepcopy(est.learning_rate)
    del sched.__dict__["warmup"]
    old = MLPRegressor.__new__(MLPRegressor)
    old.__setstate__(pickle.loads(pickle.dumps(state)))
    assert old.dropout_schedule is None
    assert old.learning_rate.get_params() == {"min_lr": 1e-4, "warmup": 0.0}
    _assert_same_training(est, old, X, y)


def test_tabular_pickles_before_quantile_inputs_load():
    """A tabular model pickled before quantile inputs (its encoder without
    ``numeric_output``, its embedding without ``quantile_inputs``) loads, keeps
    its predictions and its parameters, and refits as it was configured."""
    pd = pytest.importorskip("pandas")
    from skdnn import TabularMLPRegressor
    from skdnn.embeddings import PeriodicEmbedding

    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=80), "b": rng.exponential(size=80)})
    y = X["a"] - X["b"]
    emb = PeriodicEmbedding(n_frequencies=4, d_embedding=2, quantile_inputs=False)
    est = TabularMLPRegressor(hidden_layer_sizes=(8,), max_iter=3, random_state=0,
                              numeric_embedding=emb).fit(X, y)  # fmt: skip
    state = est.__getstate__()
    encoder_state = est.encoder_.__getstate__()
    del encoder_state["numeric_output"], encoder_state["numeric_output_"]
    state["encoder_"] = type(est.encoder_).__new__(type(est.encoder_))
    state["encoder_"].__setstate__(pickle.loads(pickle.dumps(encoder_state)))
    embedding_state = dict(emb.__getstate__())
    del embedding_state["quantile_inputs"]
    state["numeric_embedding"] = PeriodicEmbedding.__new__(PeriodicEmbedding)
    state["numeric_embedding"].__setstate__(embedding_state)
    old = TabularMLPRegressor.__new__(TabularMLPRegressor)
    old.__setstate__(pickle.loads(pickle.dumps(state)))
    assert old.encoder_.get_params()["numeric_output"] == "scaled"
    assert old.numeric_embedding.quantile_inputs is False
    np.testing.assert_array_equal(old.predict(X), est.predict(X))
    np.testing.assert_array_equal(clone(old).fit(X, y).predict(X), est.predict(X))


def test_pickle_of_the_network_object_loads():
    """Pickles that hold the Network and TrainState objects themselves (the
    format of the development versions before plain-data state) still load."""
    est, X, y = _fit("multiclass", {"batch_norm": "before"}, np.float64)
    state = est.__dict__.copy()
    for name in ("coefs_", "intercepts_", "batch_norm_", "prelu_slopes_"):
        del state[name]
    old = MLPClassifier.__new__(MLPClassifier)
    old.__setstate__(pickle.loads(pickle.dumps(state)))
    assert type(old._net).__name__ == "Network"
    _assert_same_training(est, old, X, y)


def test_network_object_with_records_of_an_earlier_layout_loads():
    """A pickled Network whose layer records lack the fields added since (the
    input adapters') gets records rebuilt from its spec's arguments."""
    est, X, y = _fit("multiclass", {"input_batch_norm": True}, np.float64)
    state = est.__dict__.copy()
    for name in ("coefs_", "intercepts_", "batch_norm_", "prelu_slopes_",
                 "input_scale_"):  # fmt: skip
        del state[name]
    state = pickle.loads(pickle.dumps(state))
    spec = state["_net"].spec
    kept = [f for f in spec.layers.dtype.names if f not in ("adapt_off", "members")]
    spec.layers = np.ascontiguousarray(spec.layers[kept])
    for name in ("front_scale", "n_members", "adapter_off"):
        del spec.__dict__[name]
    old = MLPClassifier.__new__(MLPClassifier)
    old.__setstate__(state)
    assert "members" in old._net.spec.layers.dtype.names
    assert old.input_scale_ is None
    _assert_same_training(est, old, X, y)


def test_state_is_plain_data():
    """The persisted state holds no skdnn object but the config objects: the
    network is a dict of the spec's arguments, numbers and numeric arrays."""
    est, _, _ = _fit("multiclass", {"batch_norm": "before", "dropout": 0.1},
                     np.float64)  # fmt: skip
    state = est.__getstate__()

    def check(value):
        if isinstance(value, dict):
            for k, v in value.items():
                assert isinstance(k, str)
                check(v)
        elif isinstance(value, list | tuple):
            for v in value:
                check(v)
        elif isinstance(value, np.ndarray):
            assert value.dtype.names is None and value.dtype != object
        else:
            assert value is None or isinstance(value, int | float | str | np.generic)
            assert not isinstance(value, np.void)

    net, train = state["_net"], state["_train"]
    check(net)
    check(train)
    assert isinstance(net["spec"]["layer_units"], list)
