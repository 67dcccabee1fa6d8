"""TabularEncoder: a table (DataFrame, array or sparse matrix) to network inputs.

Public as :class:`skdnn.preprocessing.TabularEncoder`. The work is done by a
scikit-learn ColumnTransformer (OneHotEncoder, SimpleImputer, MissingIndicator and
:class:`~skdnn._scaler.SmoothClipScaler`); this module decides which column goes
where. A DataFrame's columns are normalised first by the functions of
:mod:`skdnn._frames`. pandas is never imported unless X is a DataFrame.
"""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.impute import MissingIndicator, SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder
from sklearn.utils.validation import check_array, check_is_fitted

from ._compat import (
    Interval,
    Options,
    StrOptions,
    _check_feature_names_in,
    _fit_context,
    validate_data,
)
from ._frames import (
    CATEGORICAL_KINDS,
    frame_kinds,
    frame_levels,
    frame_numbers,
    is_frame,
)
from ._quantiles import QuantileInputs
from ._scaler import SmoothClipScaler

_FLOATS = (np.float64, np.float32)


class TabularEncoder(TransformerMixin, BaseEstimator):
    """Turn a table into the numeric matrix a network reads.

    Categorical columns are one-hot encoded (or, with ``max_one_hot_levels``,
    those with many levels become integer codes for a learned embedding);
    numeric columns are imputed by their median, flagged by missing-value
    indicators and scaled by :class:`SmoothClipScaler`. The built-in
    preprocessing of skdnn's tabular estimators, usable in any scikit-learn
    pipeline.

    Read more in the :ref:`User Guide <preprocessing-tables>`.

    Parameters
    ----------
    categorical_features : "from_dtype", None or array-like, default="from_dtype"
        Which columns are categorical, as in scikit-learn's
        ``HistGradientBoostingClassifier``:

        - ``"from_dtype"``: the DataFrame columns of dtype ``category``,
          ``object``, string or ``bool`` (scikit-learn's gradient boosting takes
          only ``category``). With a NumPy array or a sparse matrix, none.
        - None: none.
        - column names (DataFrame with string column names only), integer
          indices, or a boolean mask with one entry per column.

        Sparse input is all numeric: with it, anything but None and
        ``"from_dtype"`` raises a ValueError.

    smooth_clip : float > 0 or None, default=3.0
        The bound of :class:`SmoothClipScaler`'s smooth clip for the numeric
        columns; None: robust scaling without clipping.

    missing_indicator : bool, default=True
        Add a 0/1 column for every numeric column that had missing values in
        training (1 where the value was missing).

    max_one_hot_levels : int >= 1 or None, default=None
        None: every categorical column is one-hot encoded. An int ``k``: a
        categorical column with more than ``k`` levels in training (a missing
        value counts as one) becomes a single column of level codes instead
        (0, 1, ...: the level's position in ``categories_``; -1 for a level
        not seen in training), placed at the end of the output. The codes are
        meant for the learned embeddings of skdnn's tabular estimators
        (``categorical_embedding``), which read them; other models would take
        them for numbers.

    numeric_output : {"scaled", "quantile", "both"}, default="scaled"
        What the numeric columns become (after the median imputation):
        ``"scaled"``, their :class:`SmoothClipScaler` values; ``"quantile"``,
        each value's quantile in the column's training distribution, mapped
        to ``[-sqrt(3), sqrt(3)]`` (``2 sqrt(3) (F(x) - 1/2)``, scikit-learn's
        ``QuantileTransformer`` with at most 1,000 quantiles computed from at
        most 10,000 rows; a value many rows share maps to the middle of its
        mass, or to the end of the range when it is the smallest or the
        largest value); ``"both"``, the scaled block then the quantile block. The
        quantiles are what the tabular estimators' periodic embedding reads
        (:class:`~skdnn.embeddings.PeriodicEmbedding`'s ``quantile_inputs``),
        which set this parameter themselves. Sparse input always gives the
        scaled values (quantiles would make every implicit zero nonzero).

    dtype : {np.float32, np.float64, "float32", "float64"} or None, default=None
        The output dtype. None: ``float32`` if every numeric input column is
        ``float32`` (and there is at least one), else ``float64``.

    Attributes
    ----------
    n_features_in_ : int
        Number of input columns.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the input columns, when X is a DataFrame whose column names are
        all strings.

    is_categorical_ : ndarray of bool of shape (`n_features_in_`,)
        Which input columns are categorical (one-hot encoded or coded; the
        others are numeric).

    is_coded_ : ndarray of bool of shape (`n_features_in_`,)
        Which categorical columns are encoded as level codes (all False
        without ``max_one_hot_levels``).

    numeric_output_ : str
        The ``numeric_output`` in effect (``"scaled"`` for sparse input).

    transformer_ : sklearn.compose.ColumnTransformer
        The fitted ColumnTransformer that does the work, with the steps
        ``"categorical"`` (a OneHotEncoder), ``"numeric"`` (a SimpleImputer and
        a SmoothClipScaler), ``"quantile"`` (a SimpleImputer and the quantile
        map), ``"missing"`` (a MissingIndicator) and ``"codes"`` (the level
        codes); a step without columns is left out (``"missing"`` when no
        numeric value was missing in training; ``"numeric"`` or
        ``"quantile"`` by ``numeric_output``). For a
        DataFrame, each step starts with a FunctionTransformer that normalises
        the columns.

    See Also
    --------
    SmoothClipScaler : The scaling of the numeric columns.
    sklearn.compose.ColumnTransformer : To encode a table differently.

    Notes
    -----
    The output columns come in this order: the one-hot blocks of the
    categorical columns (in input order; within a block, the levels seen in
    training, sorted, the missing level last), then the numeric columns (in
    input order; scaled, then their quantiles with ``numeric_output="both"``),
    then the missing-value indicators (in input order), then the
    coded categorical columns (in input order; codes of the levels in the same
    order as a one-hot block's).
    ``get_feature_names_out`` names them ``"<column>_<level>"``,
    ``"<column>"`` (``"<column>_quantile"`` for a quantile),
    ``"missingindicator_<column>"`` and ``"<column>"`` (``x0``,
    ``x1``, ... for input without string column names); if two names would
    collide, every name is prefixed by its step (``"categorical__"``,
    ``"numeric__"``, ``"quantile__"``, ``"missing__"``, ``"codes__"``).

    Categorical columns: a missing value (NaN, None, pd.NA) is a level of its
    own; the levels of a non-numeric column are compared as strings (``str`` of
    each value), so that a column mixing ints and strings works; a ``bool``
    column has the levels ``False`` and ``True``; a level not seen in training
    gives a block of zeros, never an error. A numeric column declared
    categorical keeps numbers as levels.

    Numeric columns: missing values are replaced by the column's median in
    training (by 0 for a column without any observed value), also in columns
    that had no missing value in training; then :class:`SmoothClipScaler`
    scales them (centred for dense input, not centred for sparse input, which
    stays sparse). The indicators are not scaled.

    A DataFrame must keep its columns (names and order) between ``fit`` and
    ``transform``; a column of another dtype (dates, durations, complex
    numbers) raises a ValueError naming it. Dense input gives a C-contiguous
    array, sparse input a CSR matrix.

    Examples
    --------
    >>> import pandas as pd
    >>> from skdnn.preprocessing import TabularEncoder
    >>> X = pd.DataFrame({"colour": ["red", "blue", None, "red"],
    ...                   "size": [1.0, None, 3.0, 10.0]})
    >>> encoder = TabularEncoder().fit(X)
    >>> encoder.get_feature_names_out().tolist()
    ['colour_blue', 'colour_red', 'colour_nan', 'size', 'missingindicator_size']
    >>> encoder.transform(X).round(2)
    array([[ 0.  ,  1.  ,  0.  , -0.85,  0.  ],
           [ 1.  ,  0.  ,  0.  ,  0.  ,  1.  ],
           [ 0.  ,  0.  ,  1.  ,  0.  ,  0.  ],
           [ 0.  ,  1.  ,  0.  ,  2.16,  0.  ]])
    """

    _parameter_constraints: dict = {
        "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
        "smooth_clip": [Interval(Real, 0, None, closed="neither"), None],
        "missing_indicator": ["boolean"],
        "max_one_hot_levels": [Interval(Integral, 1, None, closed="left"), None],
        "numeric_output": [StrOptions({"scaled", "quantile", "both"})],
        "dtype": [
            Options(type, {np.float32, np.float64}),
            StrOptions({"float32", "float64"}),
            None,
        ],
    }

    def __init__(
        self,
        *,
        categorical_features="from_dtype",
        smooth_clip=3.0,
        missing_indicator=True,
        max_one_hot_levels=None,
        numeric_output="scaled",
        dtype=None,
    ):
        self.categorical_features = categorical_features
        self.smooth_clip = smooth_clip
        self.missing_indicator = missing_indicator
        self.max_one_hot_levels = max_one_hot_levels
        self.numeric_output = numeric_output
        self.dtype = dtype

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learn the levels, medians, scales and indicator columns.

        Parameters
        ----------
        X : {DataFrame, array-like, sparse matrix} of shape (n_samples, n_features)
            The table; missing values as NaN (or None, pd.NA in a DataFrame).

        y : None
            Ignored.

        Returns
        -------
        self : TabularEncoder
            The fitted encoder.
        """
        self._fit(X, transform=False)
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        """Fit, then encode X (faster than ``fit(X).transform(X)``).

        Parameters
        ----------
        X : {DataFrame, array-like, sparse matrix} of shape (n_samples, n_features)
            The table.

        y : None
            Ignored.

        Returns
        -------
        X_tr : {ndarray, sparse matrix} of shape (n_samples, n_features_out)
            The encoded table (see Notes for the column order).
        """
        return self._fit(X, transform=True)

    def transform(self, X):
        """Encode X.

        Parameters
        ----------
        X : {DataFrame, array-like, sparse matrix} of shape (n_samples, n_features)
            A table with the columns seen in ``fit``.

        Returns
        -------
        X_tr : {ndarray, sparse matrix} of shape (n_samples, n_features_out)
            The encoded table (see Notes for the column order).
        """
        check_is_fitted(self)
        if self._frame_columns is None:
            X = validate_data(
                self,
                X,
                reset=False,
                accept_sparse="csr",
                dtype=_FLOATS,
                ensure_all_finite="allow-nan",
            )
        elif is_frame(X):
            validate_data(self, X, reset=False, skip_check_array=True)
            frame_kinds(X)
        else:
            X = self._array_to_frame(X)
        return self._output(self.transformer_.transform(X))

    def get_feature_names_out(self, input_features=None):
        """Names of the output columns (see Notes for their order).

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Names of the input columns; None: ``feature_names_in_``, or
            ``["x0", "x1", ...]`` when X had no column names.

        Returns
        -------
        feature_names_out : ndarray of str objects
            One name per output column.
        """
        check_is_fitted(self)
        input_features = _check_feature_names_in(self, input_features)
        return self.transformer_.get_feature_names_out(input_features)

    # -- fitting -------------------------------------------------------------

    def _fit(self, X, transform):
        if is_frame(X):
            if X.shape[0] == 0 or X.shape[1] == 0:
                raise ValueError(
                    f"TabularEncoder needs at least one row and one column; got a "
                    f"DataFrame of shape {X.shape}."
                )
            validate_data(self, X, reset=True, skip_check_array=True)
            kinds = frame_kinds(X)
            mask = self._categorical_mask(kinds, sparse=False)
            numeric_dtypes = [d for d, c in zip(X.dtypes, mask, strict=True) if not c]
            float32 = bool(numeric_dtypes) and all(
                getattr(d, "numpy_dtype", d) == np.float32 for d in numeric_dtypes
            )
            natural = np.dtype(np.float32 if float32 else np.float64)
            self._frame_columns = list(X.columns)
        else:
            X = validate_data(
                self,
                X,
                accept_sparse="csr",
                dtype=_FLOATS,
                ensure_all_finite="allow-nan",
            )
            kinds = None
            mask = self._categorical_mask(kinds, sparse=sp.issparse(X))
            natural = X.dtype
            self._frame_columns = None
        self.is_categorical_ = mask
        self._out_dtype = np.dtype(self.dtype) if self.dtype is not None else natural
        self.transformer_ = self._column_transformer(kinds, mask, natural, X)
        out = self.transformer_.fit_transform(X)  # ColumnTransformer.fit does too
        try:
            self.transformer_.get_feature_names_out()
        except ValueError:  # two output names collide: prefix them by the step
            self.transformer_.set_params(verbose_feature_names_out=True)
        return self._output(out) if transform else None

    def _categorical_mask(self, kinds, sparse):
        """``is_categorical_`` from categorical_features, checked as scikit-learn's
        gradient boosting checks it."""
        n = self.n_features_in_
        spec = self.categorical_features
        none = np.zeros(n, dtype=bool)
        if spec is None:
            return none
        if isinstance(spec, str):  # "from_dtype"
            if kinds is None:
                return none
            return np.array([k in CATEGORICAL_KINDS for k in kinds], dtype=bool)
        if sparse:
            raise ValueError(
                "Sparse input is all numeric: categorical_features must be None or "
                f"'from_dtype' with sparse X, got {spec!r}. Pass a dense array or "
                "a DataFrame to one-hot encode columns."
            )
        spec = np.asarray(spec)
        if spec.ndim != 1:
            raise ValueError(
                "categorical_features must be a 1-D array of column names, integer "
                f"indices or booleans, got an array of shape {spec.shape}."
            )
        if spec.size == 0:
            return none
        if spec.dtype.kind == "b":
            if spec.shape[0] != n:
                raise ValueError(
                    "categorical_features as a boolean mask needs one entry per "
                    f"column of X ({n}), got {spec.shape[0]}."
                )
            return spec.copy()
        if spec.dtype.kind in "iu":
            bad = spec[(spec < 0) | (spec >= n)]
            if bad.size:
                raise ValueError(
                    "categorical_features as integer indices must be in "
                    f"[0, {n - 1}] (X has {n} columns), got {bad.tolist()}."
                )
            mask = none.copy()
            mask[spec] = True
            return mask
        if spec.dtype.kind in "UO" and all(isinstance(s, str) for s in spec):
            names = getattr(self, "feature_names_in_", None)
            if names is None:
                raise ValueError(
                    "categorical_features as column names needs a DataFrame with "
                    "string column names; give integer indices or a boolean mask "
                    "for other input."
                )
            unknown = [str(s) for s in spec if s not in set(names)]
            if unknown:
                raise ValueError(
                    f"categorical_features names {unknown} that are not columns of "
                    f"X; its columns are {names.tolist()}."
                )
            return np.isin(names, spec)
        raise ValueError(
            "categorical_features must be 'from_dtype', None, or an array of "
            "column names, integer indices or booleans; got "
            f"{self.categorical_features!r}."
        )

    def _column_transformer(self, kinds, mask, natural, X):
        """The unfitted ColumnTransformer for this input (sets ``is_coded_``)."""
        coded = np.zeros_like(mask)
        if self.max_one_hot_levels is not None and mask.any():
            levels = _n_levels(X, np.flatnonzero(mask), kinds)
            coded[np.flatnonzero(mask)] = levels > self.max_one_hot_levels
        self.is_coded_ = coded
        categorical = np.flatnonzero(mask & ~coded).tolist()
        coded = np.flatnonzero(coded).tolist()
        numeric = np.flatnonzero(~mask).tolist()
        encoder = [
            OneHotEncoder(
                handle_unknown="ignore",
                sparse_output=False,
                dtype=self._out_dtype.type,
            )
        ]
        imputer = [SimpleImputer(strategy="median", keep_empty_features=True)]
        indicator = [MissingIndicator(error_on_new=False)]
        codes = [_LevelCodes(dtype=self._out_dtype.type)]
        if kinds is not None:  # a DataFrame: normalise the columns first
            as_string = [kinds[j] != "numeric" for j in categorical]
            encoder.insert(0, _function(frame_levels, as_string=as_string))
            as_string = [kinds[j] != "numeric" for j in coded]
            codes.insert(0, _function(frame_levels, as_string=as_string))
            numbers = _function(frame_numbers, dtype=natural)
            imputer.insert(0, numbers)
            indicator.insert(0, clone(numbers))
        scaler = SmoothClipScaler(
            with_centering=not sp.issparse(X), smooth_clip=self.smooth_clip, copy=False
        )
        # sparse input: the scaled values only (quantiles would densify it)
        output = "scaled" if sp.issparse(X) else self.numeric_output
        self.numeric_output_ = output
        steps = []
        if categorical:
            steps.append(("categorical", make_pipeline(*encoder), categorical))
        if numeric:
            if output != "quantile":
                steps.append(("numeric", make_pipeline(*imputer, scaler), numeric))
            if output != "scaled":
                quantiles = QuantileInputs(dtype=self._out_dtype.type)
                imputed = [clone(step) for step in imputer]
                steps.append(("quantile", make_pipeline(*imputed, quantiles), numeric))
            if self.missing_indicator and _has_missing(X, numeric):
                steps.append(("missing", make_pipeline(*indicator), numeric))
        if coded:
            steps.append(("codes", make_pipeline(*codes), coded))
        transformer = ColumnTransformer(
            steps, sparse_threshold=1.0, verbose_feature_names_out=False
        )
        return transformer.set_output(transform="default")

    # -- transforming --------------------------------------------------------

    def _array_to_frame(self, X):
        """A non-DataFrame X given to an encoder fitted on a DataFrame: checked
        (with scikit-learn's warning about missing column names), then wrapped
        in a DataFrame with the fitted column labels."""
        import pandas as pd  # fitted on a DataFrame: pandas is installed

        if sp.issparse(X):
            raise ValueError(
                "This TabularEncoder was fitted on a DataFrame; transform needs a "
                "DataFrame or a dense array with the same columns, got a sparse "
                "matrix."
            )
        validate_data(self, X, reset=False, skip_check_array=True)
        X = check_array(X, dtype=None, ensure_all_finite=False)
        return pd.DataFrame(X, columns=self._frame_columns)

    def _output(self, out):
        if sp.issparse(out):
            return out.tocsr().astype(self._out_dtype, copy=False)
        return np.ascontiguousarray(out, dtype=self._out_dtype)

    def __setstate__(self, state):
        # pickled before level codes existed: every categorical column one-hot
        state = dict(state)
        state.setdefault("max_one_hot_levels", None)
        if "is_categorical_" in state:
            state.setdefault("is_coded_", np.zeros_like(state["is_categorical_"]))
        # pickled before quantile outputs existed: the scaled values only
        state.setdefault("numeric_output", "scaled")
        if "transformer_" in state:
            state.setdefault("numeric_output_", "scaled")
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        spec = self.categorical_features  # only all-numeric input can be sparse
        tags.input_tags.sparse = spec is None or isinstance(spec, str)
        tags.transformer_tags.preserves_dtype = (
            ["float64", "float32"]
            if self.dtype is None
            else [np.dtype(self.dtype).name]
        )
        return tags


class _LevelCodes(TransformerMixin, BaseEstimator):
    """Categorical columns as level codes: a level's position in
    ``categories_`` (sorted, the missing level last, as OneHotEncoder orders
    them), -1 for a level not seen in training (a missing value too, when the
    column had none in training). scikit-learn's OrdinalEncoder does the work;
    this only gives the missing values the code of their level."""

    def __init__(self, dtype=np.float64):
        self.dtype = dtype

    def fit(self, X, y=None):
        self.ordinal_ = OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=-1,
            encoded_missing_value=-2,
            dtype=np.float64,
        ).fit(X)
        self.categories_ = self.ordinal_.categories_
        self.n_features_in_ = self.ordinal_.n_features_in_
        self.missing_code_ = np.array(
            [len(c) - 1 if len(c) and _is_missing(c[-1]) else -1
             for c in self.categories_],
            dtype=np.float64,
        )  # fmt: skip
        return self

    def transform(self, X):
        codes = self.ordinal_.transform(X)
        codes = np.where(codes == -2, self.missing_code_, codes)
        return codes.astype(self.dtype, copy=False)

    def get_feature_names_out(self, input_features=None):
        return self.ordinal_.get_feature_names_out(input_features)


def _is_missing(value):
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def _n_levels(X, columns, kinds):
    """The number of levels (the missing level included) of each of the given
    columns of X, as the encoders will see them."""
    if is_frame(X):
        import pandas as pd  # X is a DataFrame: pandas is installed

        as_string = [kinds[j] != "numeric" for j in columns]
        values = frame_levels(X.iloc[:, columns], as_string)
        missing = pd.isna(values)
        counts = [
            len(pd.unique(values[~missing[:, j], j])) + int(missing[:, j].any())
            for j in range(values.shape[1])
        ]
    else:
        values = np.asarray(X[:, columns], dtype=np.float64)
        missing = np.isnan(values)
        counts = [
            len(np.unique(values[~missing[:, j], j])) + int(missing[:, j].any())
            for j in range(values.shape[1])
        ]
    return np.array(counts, dtype=np.int64)


def _has_missing(X, columns):
    """Whether the given columns of X have a missing value (a step of
    MissingIndicator without any column would break a sparse output)."""
    if is_frame(X):
        return bool(X.iloc[:, columns].isna().to_numpy().any())
    if sp.issparse(X):
        return bool(np.isnan(X.data).any())  # sparse input is all numeric
    return bool(np.isnan(X[:, columns]).any())


def _function(func, **kw_args):
    """A one-to-one FunctionTransformer applying ``func(X, **kw_args)``."""
    return FunctionTransformer(func, kw_args=kw_args, feature_names_out="one-to-one")
