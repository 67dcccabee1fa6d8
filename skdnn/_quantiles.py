"""The quantile block of TabularEncoder (``numeric_output="both"`` or
``"quantile"``): every numeric column mapped through its distribution in
training, the values a periodic embedding reads.

scikit-learn's ``QuantileTransformer`` (uniform output) computes the
quantiles; the map itself is written here (as QuantileTransformer's uniform
map) so that it does not change with scikit-learn's version and the ONNX graph
reproduces it, with outputs in ``[-sqrt(3), sqrt(3)]`` (mean 0 and variance 1
for continuous columns).
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
        X = np.asarray(X, dtype=np.float64)
        quantiles = self.quantiles_.quantiles_
        refs = (self.quantiles_.references_ - 0.5) * (2.0 * HALF_WIDTH)
        U = np.empty_like(X)
        for j in range(X.shape[1]):
            x, q = X[:, j], quantiles[:, j]
            # QuantileTransformer's uniform map, fixed here (the ONNX graph
            # computes the same): the mean of the interpolations from either
            # side (a tie of quantiles maps to the middle of its outputs), the
            # ends at and beyond the lowest and the highest quantile
            u = 0.5 * (np.interp(x, q, refs) - np.interp(-x, -q[::-1], -refs[::-1]))
            with np.errstate(invalid="ignore"):  # NaN stays NaN
                u[x <= q[0]] = refs[0]
                u[x >= q[-1]] = refs[-1]
            U[:, j] = u
        return U.astype(self.dtype, copy=False)

    def get_feature_names_out(self, input_features=None):
        names = np.asarray(input_features, dtype=object)
        return np.asarray([f"{name}_quantile" for name in names], dtype=object)
