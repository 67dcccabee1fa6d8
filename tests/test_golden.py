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
    """A model pickled by skdnn 0.1 (before the core redesign) loads and continues
    training."""
    est = pickle.loads((DATA / "model_0_1.pkl").read_bytes())
    fresh, X = fitted("nadam_bn_before_elu_step")
    # the same parameters; not the same running statistics: 0.1 kept the moving
    # averages, a fit now recomputes them from the final weights (precise BN), and
    # so does the partial_fit below
    np.testing.assert_array_equal(est._net.theta, fresh._net.theta)
    _, y = load("digits")
    est.partial_fit(X, y)
    fresh.partial_fit(X, y)
    np.testing.assert_array_equal(est.predict_proba(X), fresh.predict_proba(X))
