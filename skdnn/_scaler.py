"""SmoothClipScaler: robust scaling followed by smooth clipping (RealMLP).

Public as :class:`skdnn.preprocessing.SmoothClipScaler`. The column statistics
(median, quantiles, minimum and maximum, NaN ignored; for sparse columns the
implicit zeros included) come from one sort of every column, with NumPy's
``"linear"`` quantile rule.
"""

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, OneToOneFeatureMixin, TransformerMixin
from sklearn.utils.sparsefuncs import inplace_column_scale
from sklearn.utils.validation import check_array, check_is_fitted

from ._compat import Interval, _fit_context, validate_data

_FLOATS = (np.float64, np.float32)  # float32 stays float32, anything else float64

_SPARSE_CENTERING = (
    "Cannot center sparse matrices: use with_centering=False instead (centring "
    "would make every implicit zero nonzero)."
)


def _dense_order_statistics(X):
    """``(stat, n_valid)`` of the columns of a dense X: ``stat(k)`` is the k-th
    smallest non-NaN value of every column (``k`` an int array of shape (m,))."""
    S = np.sort(X, axis=0)  # NaN sorts last
    n_valid = X.shape[0] - np.count_nonzero(np.isnan(X), axis=0)
    columns = np.arange(X.shape[1])

    def stat(k):
        return S[k, columns].astype(np.float64)

    return stat, n_valid


def _sparse_order_statistics(X):
    """As :func:`_dense_order_statistics` for a sparse X, whose implicit zeros
    count as values: every column's sorted values are its sorted negative
    entries, then its zeros, then its sorted positive entries."""
    X = sp.csc_matrix(X)  # a copy only when X is not CSC already
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    n, m = X.shape
    col = np.repeat(np.arange(m), np.diff(X.indptr))
    values = X.data
    n_valid = n - np.bincount(col[np.isnan(values)], minlength=m)
    nonzero = ~np.isnan(values) & (values != 0)
    col, values = col[nonzero], values[nonzero]
    order = np.lexsort((values, col))  # by column, then by value
    col, values = col[order], values[order]
    n_neg = np.bincount(col[values < 0], minlength=m)
    n_pos = np.bincount(col[values > 0], minlength=m)
    n_zero = n_valid - n_neg - n_pos
    start = np.concatenate(([0], np.cumsum(n_neg + n_pos)[:-1]))
    values = np.append(values, 0.0).astype(np.float64)  # never indexed empty

    def stat(k):
        below = k < n_neg
        above = k >= n_neg + n_zero
        index = np.where(below, start + k, start + k - n_zero)
        return np.where(below | above, values[np.where(below | above, index, -1)], 0)

    return stat, n_valid


def _quantile(stat, n_valid, q):
    """The q-quantile (q in [0, 1]) of every column, NumPy's ``"linear"`` rule;
    arbitrary where a column has no valid value."""
    last = np.maximum(n_valid - 1, 0)
    h = last * q
    lo = np.floor(h).astype(np.intp)
    t = h - lo
    a, b = stat(lo), stat(np.minimum(lo + 1, last))
    diff = b - a
    return np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)


def column_statistics(X, quantile_range, with_centering):
    """``(center, scale)`` of SmoothClipScaler for X (dense or sparse)."""
    stat, n_valid = (
        _sparse_order_statistics(X) if sp.issparse(X) else _dense_order_statistics(X)
    )
    q_lo, q_hi = (_quantile(stat, n_valid, q / 100.0) for q in quantile_range)
    last = np.maximum(n_valid - 1, 0)
    half_range = (stat(last) - stat(np.zeros_like(last))) / 2
    scale = np.where(q_hi > q_lo, q_hi - q_lo, half_range)
    scale = np.where((scale > 0) & (n_valid > 0), scale, np.inf)
    center = None
    if with_centering:
        center = np.where(n_valid > 0, _quantile(stat, n_valid, 0.5), 0.0)
    return center, scale


def smooth_clip(Z, bound):
    """``Z / sqrt(1 + (Z / bound)^2)`` in place (overflow-free through hypot)."""
    np.divide(Z, np.hypot(1, Z / bound), out=Z)
    return Z


def smooth_unclip(C, bound):
    """The inverse ``C / sqrt(1 - (C / bound)^2)`` in place: ±inf at ±bound, NaN
    beyond."""
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(C, np.sqrt(1 - (C / bound) ** 2), out=C)
    return C


class SmoothClipScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Robust scaling followed by smooth clipping, as RealMLP preprocesses numbers.

    Each column is centred on its median and divided by its interquartile range
    (like :class:`~sklearn.preprocessing.RobustScaler`), then squashed smoothly
    into ``(-smooth_clip, smooth_clip)``:

    .. math::

        z = \\frac{x - \\mathrm{center}}{\\mathrm{scale}}, \\qquad
        \\mathrm{output} = \\frac{z}{\\sqrt{1 + (z / s)^2}}, \\quad
        s = \\texttt{smooth\\_clip}.

    The clip is the identity near 0 (a slope of 1 at 0) and tends to ``±s`` for
    outliers, so that no value reaches the network far outside the range of the
    others (Holzmüller et al., "Better by Default: Strong Pre-Tuned MLPs and
    Boosted Trees on Tabular Data", NeurIPS 2024).

    Read more in the :ref:`User Guide <preprocessing-tables>`.

    Parameters
    ----------
    with_centering : bool, default=True
        Subtract the median. Must be False for sparse input (centring would make
        every implicit zero nonzero); the clip maps 0 to 0, so sparse input stays
        sparse.

    quantile_range : tuple (q_lo, q_hi), default=(25.0, 75.0)
        The percentiles, ``0 <= q_lo < q_hi <= 100``, whose difference is the
        scale.

    smooth_clip : float > 0 or None, default=3.0
        The bound ``s`` of the smooth clip; None: no clipping (robust scaling
        only).

    copy : bool, default=True
        If False, transform a float array (or sparse matrix) in place when
        possible.

    Attributes
    ----------
    center_ : ndarray of shape (n_features,) or None
        The median of every column (NaN ignored), subtracted before scaling; None
        when ``with_centering=False``.

    scale_ : ndarray of shape (n_features,)
        What the centred values are **divided** by, as in scikit-learn's
        ``RobustScaler``: ``q_hi - q_lo``, the difference of the quantiles of
        ``quantile_range``; where it is 0, half the range ``(max - min) / 2``;
        where that is 0 too (a constant column, or a column without any observed
        value), ``inf``, so that the column becomes 0 at every transform.

    n_features_in_ : int
        Number of columns seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the columns seen during fit, when they are all strings.

    See Also
    --------
    sklearn.preprocessing.RobustScaler : The same scaling without the clip (and
        with ``scale_ = 1`` for constant columns).
    TabularEncoder : Turns a whole table into network inputs with this scaler.

    Notes
    -----
    The statistics ignore NaN, and NaN stays NaN in ``transform``. Quantiles
    interpolate linearly between order statistics (NumPy's default); the
    quantiles of a sparse column include its implicit zeros. ``float32`` input
    gives ``float32`` output, any other input ``float64``.

    ``inverse_transform`` undoes the clip by :math:`z = c / \\sqrt{1 - (c/s)^2}`,
    defined for :math:`|c| < s`: it returns ``±inf`` at ``±s`` and NaN beyond,
    and it amplifies rounding errors near ``±s`` (in floating point, values far
    in the tails all clip to ``±s``). Constant columns come back as their
    centre.

    Examples
    --------
    >>> import numpy as np
    >>> from skdnn.preprocessing import SmoothClipScaler
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    >>> scaler = SmoothClipScaler().fit(X)
    >>> scaler.center_, scaler.scale_
    (array([3.]), array([2.]))
    >>> scaler.transform(X).ravel().round(3)
    array([-0.949, -0.493,  0.   ,  0.493,  2.994])
    """

    _parameter_constraints: dict = {
        "with_centering": ["boolean"],
        "quantile_range": [tuple],
        "smooth_clip": [Interval(Real, 0, None, closed="neither"), None],
        "copy": ["boolean"],
    }

    def __init__(
        self,
        *,
        with_centering=True,
        quantile_range=(25.0, 75.0),
        smooth_clip=3.0,
        copy=True,
    ):
        self.with_centering = with_centering
        self.quantile_range = quantile_range
        self.smooth_clip = smooth_clip
        self.copy = copy

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the median and the scale of every column.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The data; NaN marks missing values, which are ignored.

        y : None
            Ignored.

        Returns
        -------
        self : SmoothClipScaler
            The fitted scaler.
        """
        X = validate_data(
            self,
            X,
            accept_sparse=("csr", "csc"),
            dtype=_FLOATS,
            ensure_all_finite="allow-nan",
        )
        q_range = self.quantile_range
        if (
            len(q_range) != 2
            or not all(isinstance(q, Real) for q in q_range)
            or not 0 <= q_range[0] < q_range[1] <= 100
        ):
            raise ValueError(
                "quantile_range must be two percentiles (q_lo, q_hi) with "
                f"0 <= q_lo < q_hi <= 100, got {q_range!r}."
            )
        if self.with_centering and sp.issparse(X):
            raise ValueError(_SPARSE_CENTERING)
        self.center_, self.scale_ = column_statistics(X, q_range, self.with_centering)
        return self

    def transform(self, X):
        """Scale and clip X.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The data; NaN stays NaN.

        Returns
        -------
        X_tr : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The scaled values, in ``(-smooth_clip, smooth_clip)``; sparse input
            gives the same sparse format.
        """
        check_is_fitted(self)
        X = validate_data(
            self,
            X,
            accept_sparse=("csr", "csc"),
            copy=self.copy,
            dtype=_FLOATS,
            force_writeable=True,
            reset=False,
            ensure_all_finite="allow-nan",
        )
        multiplier = (1.0 / self.scale_).astype(X.dtype)
        if sp.issparse(X):
            if self.center_ is not None:
                raise ValueError(_SPARSE_CENTERING)
            inplace_column_scale(X, multiplier)
            values = X.data
        else:
            if self.center_ is not None:
                X -= self.center_.astype(X.dtype)
            X *= multiplier
            values = X
        if self.smooth_clip is not None:
            smooth_clip(values, self.smooth_clip)
        return X

    def inverse_transform(self, X):
        """Undo the clip and the scaling (see Notes).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Transformed data.

        Returns
        -------
        X_original : {ndarray, sparse matrix} of shape (n_samples, n_features)
            The data in the original units; ``±inf`` or NaN where a value is
            ``±smooth_clip`` or beyond.
        """
        check_is_fitted(self)
        X = check_array(
            X,
            accept_sparse=("csr", "csc"),
            copy=self.copy,
            dtype=_FLOATS,
            force_writeable=True,
            ensure_all_finite="allow-nan",
        )
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but SmoothClipScaler is expecting "
                f"{self.n_features_in_} features as input."
            )
        # a constant column (infinite scale) comes back as its centre
        scale = np.where(np.isinf(self.scale_), 0.0, self.scale_).astype(X.dtype)
        if sp.issparse(X):
            if self.smooth_clip is not None:
                smooth_unclip(X.data, self.smooth_clip)
            inplace_column_scale(X, scale)
            return X
        if self.smooth_clip is not None:
            smooth_unclip(X, self.smooth_clip)
        X *= scale
        if self.center_ is not None:
            X += self.center_.astype(X.dtype)
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = not self.with_centering
        tags.input_tags.allow_nan = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags
