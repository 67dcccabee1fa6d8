"""The quantile block of TabularEncoder (``numeric_output="both"`` or
``"quantile"``): every numeric column mapped through its distribution in
training, the values a periodic embedding reads.

scikit-learn's ``QuantileTransformer`` (uniform output) does the work; this
step only fixes its settings and rescales its output from ``[0, 1]`` to
``[-sqrt(3), sqrt(3)]`` (mean 0 and variance 1 for continuous columns).
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import QuantileTransformer
from sklearn.utils.validation import check_is_fitted

#: at most this many quantiles per column (scikit-learn's default)
MAX_QUANTILES = 1000
#: rows the quantiles are computed from (a fixed random subset beyond it)
SUBSAMPLE = 10_000
#: the half-width of the output: [0, 1] becomes [-HALF_WIDTH, HALF_WIDTH]
HALF_WIDTH = float(np.sqrt(3.0))


class QuantileInputs(TransformerMixin, BaseEstimator):
    """Each column's quantile in training, in ``[-sqrt(3), sqrt(3)]``.

    ``2 * sqrt(3) * (F(x) - 1/2)`` with ``F`` the column's empirical
    distribution function in training, linear between at most 1,000 quantiles
    (computed from at most 10,000 rows, a subset drawn with seed 0 beyond that).
    A value that many training rows share (a point mass, such as the zeros of
    an amount) maps to the middle of its mass (to the end of the range when it
    is the smallest or the largest value), so that it stands apart from its
    neighbours however close they are. Dense input only (NaN stays NaN).
    """

    def __init__(self, dtype=np.float64):
        self.dtype = dtype

    def fit(self, X, y=None):
        X = np.asarray(X)
        self.quantiles_ = QuantileTransformer(
            n_quantiles=max(1, min(MAX_QUANTILES, X.shape[0])),
            output_distribution="uniform",
            subsample=SUBSAMPLE,
            random_state=0,
        ).fit(X)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X):
        check_is_fitted(self)
        U = self.quantiles_.transform(np.asarray(X, dtype=np.float64))
        U -= 0.5
        U *= 2.0 * HALF_WIDTH
        return U.astype(self.dtype, copy=False)

    def get_feature_names_out(self, input_features=None):
        names = np.asarray(input_features, dtype=object)
        return np.asarray([f"{name}_quantile" for name in names], dtype=object)
