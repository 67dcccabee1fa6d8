"""The configurations whose fitted models the golden test pins bit for bit.

Each entry builds an estimator, fits it on a small problem and returns the arrays
that define the fitted model (every public parameter array) and its predictions.
They cover every layer type, every solver and every schedule; a change of the core
that keeps the arithmetic keeps every hash. ``python -m tests._golden_configs``
rewrites ``tests/data/golden.json`` (do that only for an intended change of the
models, and say so in the commit).
"""

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.datasets import load_diabetes, load_digits
from sklearn.preprocessing import StandardScaler

from skdnn import MLPClassifier, MLPRegressor
from skdnn.optimizers import SGD, Adam
from skdnn.schedules import OneCycle, Plateau

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden.json"


def _digits():
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)[:300]
    return X, y[:300]


def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return X[:200], (y[:200] - y.mean()) / y.std()


def _clf(**kw):
    kw.setdefault("hidden_layer_sizes", (16, 8))
    kw.setdefault("max_iter", 6)
    kw.setdefault("random_state", 0)
    return MLPClassifier(**kw)


def _reg(**kw):
    kw.setdefault("hidden_layer_sizes", (16, 8))
    kw.setdefault("max_iter", 6)
    kw.setdefault("random_state", 0)
    return MLPRegressor(**kw)


# name -> (estimator factory, data, how to fit)
CONFIGS = {
    "adam_relu": (lambda: _clf(), "digits", "fit"),
    "sgd_nesterov_invscaling_tanh": (
        lambda: _clf(
            solver="sgd",
            learning_rate="invscaling",
            activation="tanh",
            learning_rate_init=0.05,
        ),  # fmt: skip
        "digits",
        "fit",
    ),
    "sgd_momentum_l1_maxnorm_clip": (
        lambda: _clf(
            solver=SGD(nesterov=False, momentum=0.8),
            l1=1e-3,
            max_norm=2.0,
            clipnorm=1.0,
            clipvalue=0.5,
            learning_rate_init=0.05,
        ),  # fmt: skip
        "digits",
        "fit",
    ),
    "nadam_bn_before_elu_step": (
        lambda: _clf(
            solver="nadam", batch_norm="before", activation="elu", learning_rate="step"
        ),  # fmt: skip
        "digits",
        "fit",
    ),
    "adamax_bn_after_input_bn_gelu_exponential": (
        lambda: _clf(
            solver="adamax",
            batch_norm="after",
            input_batch_norm=True,
            activation="gelu",
            learning_rate="exponential",
        ),  # fmt: skip
        "digits",
        "fit",
    ),
    "radam_dropout_swish_cosine": (
        lambda: _clf(
            solver="radam",
            dropout=0.2,
            input_dropout=0.1,
            activation="swish",
            learning_rate="cosine",
        ),  # fmt: skip
        "digits",
        "fit",
    ),
    "adagrad_prelu_piecewise_l1": (
        lambda: _clf(
            solver="adagrad", activation="prelu", learning_rate="piecewise", l1=1e-4
        ),  # fmt: skip
        "digits",
        "fit",
    ),
    "rmsprop_rrelu_plateau_earlystop": (
        lambda: _clf(
            solver="rmsprop",
            activation="rrelu",
            learning_rate=Plateau(patience=1),
            early_stopping=True,
            n_iter_no_change=2,
        ),  # fmt: skip
        "digits",
        "fit",
    ),
    "adadelta_maxout_power_class_weight": (
        lambda: _clf(
            solver="adadelta",
            activation="maxout",
            learning_rate="power",
            class_weight="balanced",
            learning_rate_init=1.0,
        ),  # fmt: skip
        "digits",
        "fit",
    ),
    "amsgrad_onecycle_selu_alpha_dropout": (
        lambda: _clf(
            solver=Adam(amsgrad=True),
            learning_rate=OneCycle(),
            activation="selu",
            dropout=0.1,
        ),  # fmt: skip
        "digits",
        "fit",
    ),
    "sgd_adaptive_softplus_multilabel": (
        lambda: _clf(
            solver="sgd",
            learning_rate="adaptive",
            activation="softplus",
            learning_rate_init=0.05,
        ),  # fmt: skip
        "multilabel",
        "fit",
    ),
    "lbfgs_logistic_bn": (
        lambda: _clf(
            solver="lbfgs", activation="logistic", batch_norm=True, max_iter=15
        ),  # fmt: skip
        "digits",
        "fit",
    ),
    "lbfgs_l1_owlqn_regressor": (
        lambda: _reg(solver="lbfgs", l1=1e-3, max_iter=15),
        "diabetes",
        "fit",
    ),
    "regressor_leaky_adam_sparse_f32": (
        lambda: _reg(activation="leaky_relu", batch_size=32),
        "sparse32",
        "fit",
    ),
    "poisson_regressor_sgd": (
        lambda: _reg(loss="poisson", solver="sgd", learning_rate_init=0.01),
        "counts",
        "fit",
    ),
    "partial_fit_adam_float32": (lambda: _clf(), "digits32", "partial_fit"),
    "warm_start_identity_regressor": (
        lambda: _reg(activation="identity", warm_start=True),
        "diabetes",
        "fit_twice",
    ),
}


def load(name):
    if name == "digits":
        return _digits()
    if name == "digits32":
        X, y = _digits()
        return X.astype(np.float32), y
    if name == "multilabel":
        X, y = _digits()
        return X, np.column_stack([y % 2, y > 4, y % 3 == 0]).astype(int)
    if name == "diabetes":
        return _diabetes()
    if name == "sparse32":
        X, y = _diabetes()
        X = np.where(np.abs(X) > 0.7, X, 0.0)
        return sp.csr_matrix(X.astype(np.float32)), y.astype(np.float32)
    if name == "counts":
        X, y = _diabetes()
        return X, np.floor(np.exp(y))
    raise KeyError(name)


def fitted(name):
    """The fitted estimator of configuration ``name`` and its input."""
    make, data, how = CONFIGS[name]
    X, y = load(data)
    est = make()
    if how == "fit":
        est.fit(X, y)
    elif how == "fit_twice":
        est.fit(X, y)
        est.fit(X, y)
    else:
        for _ in range(3):
            est.partial_fit(X, y, classes=np.unique(y))
    return est, X


def model_arrays(est, X):
    """Every public array that defines the fitted model, then its predictions."""
    arrays = [*est.coefs_, *est.intercepts_, *getattr(est, "prelu_slopes_", [])]
    for bn in getattr(est, "batch_norm_", []):
        if bn is not None:
            arrays.extend(bn[k] for k in sorted(bn))
    if hasattr(est, "predict_proba"):
        arrays.append(est.predict_proba(X))
    else:
        arrays.append(np.asarray(est.predict(X)))
    arrays.append(np.asarray(est.loss_curve_ if hasattr(est, "loss_curve_") else []))
    arrays.append(np.asarray([est.loss_, est.n_iter_], dtype=np.float64))
    return arrays


def digest(arrays):
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.dtype.str, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def fingerprint():
    """What bitwise results depend on besides skdnn: the numeric libraries."""
    import numba
    import scipy
    from threadpoolctl import threadpool_info

    blas = sorted(
        (i.get("internal_api"), i.get("version"), i.get("architecture"))
        for i in threadpool_info()
        if i.get("user_api") == "blas"
    )
    return {
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "numba": numba.__version__,
        "blas": [list(map(str, b)) for b in blas],
    }


def record():
    """Write the hashes and the predictions of every configuration."""
    from threadpoolctl import threadpool_limits

    DATA.mkdir(exist_ok=True)
    out = {"fingerprint": fingerprint(), "hashes": {}, "predictions": {}}
    with threadpool_limits(limits=1, user_api="blas"):
        for name in CONFIGS:
            est, X = fitted(name)
            arrays = model_arrays(est, X)
            out["hashes"][name] = digest(arrays)
            out["predictions"][name] = np.asarray(arrays[-3][:20], np.float64).tolist()
    # tests/data/model_0_1.pkl and model_0_1_proba.npy are artifacts of release
    # 0.1 (a model pickled by it, and its predictions then): never rewritten
    GOLDEN.write_text(json.dumps(out))


if __name__ == "__main__":
    record()
    sys.exit(0)
