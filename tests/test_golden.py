"""The fitted models of a dozen configurations stay the same, bit for bit.

The hashes in ``tests/data/golden.json`` were recorded before the core was
restructured; a refactoring that keeps the arithmetic keeps every one of them. They
depend on the numeric libraries too (BLAS kernels, numpy's and scipy's versions):
in an environment other than the recorded one the test compares the predictions of
the first 20 rows to a relative 1e-4 instead.
"""

import json
import pickle

import numpy as np
import pytest

from ._golden_configs import (
    CONFIGS,
    DATA,
    GOLDEN,
    digest,
    fingerprint,
    fitted,
    load,
    model_arrays,
)

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

_RECORD = json.loads(GOLDEN.read_text())
_SAME_ENV = _RECORD["fingerprint"] == fingerprint()


@pytest.mark.parametrize("name", sorted(CONFIGS))
def test_fitted_model_is_unchanged(name):
    est, X = fitted(name)
    arrays = model_arrays(est, X)
    if _SAME_ENV:
        assert digest(arrays) == _RECORD["hashes"][name]
    else:
        np.testing.assert_allclose(
            arrays[-3][:20], _RECORD["predictions"][name], rtol=1e-4, atol=1e-7
        )


def test_model_pickled_by_release_0_1_loads_and_trains():
    """A model pickled by skdnn 0.1 (before the core redesign) predicts as it did
    and continues training.

    It is a ``nadam_bn_before_elu_step`` model, fitted with Nadam before its
    momentum schedule: a fresh fit of that configuration is another model now.
    ``model_0_1_proba.npy`` holds its predictions for the first 100 rows as skdnn
    0.1 made them (equal, bit for bit, to a fresh fit of the configuration then).
    """
    est = pickle.loads((DATA / "model_0_1.pkl").read_bytes())
    _, X = fitted("nadam_bn_before_elu_step")
    np.testing.assert_allclose(
        est.predict_proba(X[:100]),
        np.load(DATA / "model_0_1_proba.npy"),
        rtol=0 if _SAME_ENV else 1e-10,
        atol=0 if _SAME_ENV else 1e-14,
    )
    # it trains on exactly as the same model saved in the current format
    current = pickle.loads(pickle.dumps(est))
    _, y = load("digits")
    before = est.predict_proba(X)
    est.partial_fit(X, y)
    current.partial_fit(X, y)
    after = est.predict_proba(X)
    np.testing.assert_array_equal(after, current.predict_proba(X))
    assert np.all(np.isfinite(after)) and not np.array_equal(after, before)
