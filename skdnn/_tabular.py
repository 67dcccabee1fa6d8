"""TabularMLPClassifier and TabularMLPRegressor: MLPs with defaults for tables.

They are :class:`~skdnn.MLPClassifier` and :class:`~skdnn.MLPRegressor` with a
built-in :class:`~skdnn.preprocessing.TabularEncoder` in front (a pandas
DataFrame goes in as it is) and other defaults; the regressor also standardises
its targets. Everything else (training, prediction, state) is the MLP
estimators'.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils.validation import check_array, check_is_fitted, check_X_y

from ._base import _set_params_from
from ._classifier import MLPClassifier
from ._compat import Interval, StrOptions
from ._docs import TABULAR_DEFAULTS, TABULAR_PARAMETERS
from ._predict import ACCEPTED_X
from ._regressor import MLPRegressor
from .embeddings import CategoricalEmbedding, resolve_categorical, resolve_embedding

# the tabular estimators' own parameters, and max_iter's 'auto'
_TABULAR_CONSTRAINTS = {
    "max_iter": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "categorical_features": ["array-like", StrOptions({"from_dtype"}), None],
    "refit": ["boolean"],
    "categorical_embedding": [None, StrOptions({"learned"}), CategoricalEmbedding],
    "dropout": [
        Interval(Real, 0, 1, closed="left"),
        "array-like",
        StrOptions({"auto"}),
    ],
}


class _TabularMixin:
    """The encoder in front of the network: raw table in, numeric matrix out.

    ``n_features_in_`` and ``feature_names_in_`` describe the raw table (the
    encoder's); the network sees ``encoder_.transform(X)``.
    """

    _partial_fit_needs_no_early_stopping = True
    #: the encoder gives the quantiles PeriodicEmbedding(quantile_inputs) reads
    _has_quantile_inputs = True
    #: dropout='auto' with a stochastic solver (RealMLP-TD's rate)
    _auto_dropout = 0.15

    def _auto_batch(self, n_train):
        """batch_size='auto': 256 rows (RealMLP-TD's batches), but 5/32 of a
        small table's training rows, at least 32: from 205 to 1,638 rows at
        least 6.4 batches per epoch, 256 steps in the 40 epochs such a table
        gets, as many as RealMLP-TD's 256 epochs make on 256 rows."""
        return min(256, max(32, 5 * n_train // 32), n_train)

    def _dropout_rates(self, n_hidden):
        if isinstance(self.dropout, str):  # 'auto' (validated)
            rate = self._auto_dropout if self._is_stochastic() else 0.0
            return [rate] * n_hidden
        return super()._dropout_rates(n_hidden)

    def _make_encoder(self):
        from .preprocessing import TabularEncoder

        # float32 networks: twice the throughput of float64 (the default of
        # PyTorch and of RealMLP); the fit is just as reproducible
        embedding = resolve_categorical(self.categorical_embedding)
        return TabularEncoder(
            categorical_features=self.categorical_features,
            max_one_hot_levels=None
            if embedding is None
            else embedding.max_one_hot_levels,
            numeric_output=self._numeric_output(),
            dtype=np.float32,
        )

    def _numeric_output(self):
        """The encoder's ``numeric_output`` for ``numeric_embedding``: the
        quantiles the embedding reads, and the scaled values when it keeps the
        input (or when nothing is embedded)."""
        embedding = resolve_embedding(self.numeric_embedding)
        if embedding is None or embedding.quantile_inputs is False:
            return "scaled"
        return "both" if embedding.keep_input else "quantile"

    def _validate_X_y(self, X, y, reset, **kwargs):
        if reset or not hasattr(self, "encoder_"):
            self._fit_encoder(X)
        elif self.encoder_.numeric_output != self._numeric_output():
            raise ValueError(
                "numeric_embedding reads other inputs than the encoder of the "
                "fitted model gives (quantile_inputs or keep_input changed): a "
                "warm-started fit or partial_fit continues with the encoder it "
                "has. Fit from scratch (warm_start=False) or keep the embedding."
            )
        Xt = self.encoder_.transform(X)
        return check_X_y(Xt, y, multi_output=True, **ACCEPTED_X, **kwargs)

    def _fit_encoder(self, X):
        self.encoder_ = self._make_encoder().fit(X)
        encoder = self.encoder_
        if (
            encoder.numeric_output_ != encoder.numeric_output  # sparse input
            and resolve_embedding(self.numeric_embedding).quantile_inputs is True
        ):
            raise ValueError(
                "PeriodicEmbedding(quantile_inputs=True) needs dense input: a "
                "sparse matrix keeps its scaled values (quantiles would make "
                "every implicit zero nonzero). Use quantile_inputs='auto' or "
                "False, or pass a dense array."
            )
        self.n_features_in_ = encoder.n_features_in_
        if hasattr(encoder, "feature_names_in_"):
            self.feature_names_in_ = encoder.feature_names_in_
        else:
            self.__dict__.pop("feature_names_in_", None)

    def fit(self, X, y, sample_weight=None):
        """Fit the encoder and the network to the table X and the targets y.

        Parameters
        ----------
        X : DataFrame, array-like or sparse matrix of shape (n_samples, n_features)
            The table: numeric, categorical and missing values.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        super().fit(X, y, sample_weight=sample_weight)
        if self.refit and self.early_stopping and not self.warm_start:
            self._refit(X, y, sample_weight)
        return self

    def _refit(self, X, y, sample_weight):
        """Train again on every row for the epochs of the selected model."""
        scores = np.asarray(self.validation_scores_, dtype=float)
        if not np.isfinite(scores).any():
            return  # no epoch was selected (every validation score non-finite)
        epochs = int(np.nanargmax(scores)) + 1
        selection = (list(self.validation_scores_), self.best_validation_score_)
        saved = (self.early_stopping, self.max_iter)
        try:
            self.early_stopping, self.max_iter = False, epochs
            super().fit(X, y, sample_weight=sample_weight)
        finally:
            self.early_stopping, self.max_iter = saved
        self.validation_scores_, self.best_validation_score_ = selection
        self.selected_epochs_ = epochs

    def _embedded_columns(self, n_features):
        """The encoder's numeric columns (not the one-hot columns, nor the
        missing-value indicators): one block of its output, their quantiles
        when the encoder made them."""
        blocks = self.encoder_.transformer_.output_indices_
        block = blocks.get("quantile", blocks.get("numeric"))
        if block is None:
            return 0, 0
        return block.start, block.stop - block.start

    def _embedding_fields(self, n_features):
        fields = super()._embedding_fields(n_features)
        if fields and self.encoder_.numeric_output_ != "scaled":
            # the scaled values (kept inputs) are a block of their own
            fields["embed_keep_input"] = False
        return fields

    def _code_step(self):
        """The encoder's output block of level codes and its fitted step, or
        None when it has none."""
        transformer = self.encoder_.transformer_
        block = transformer.output_indices_.get("codes")
        if block is None or block.stop == block.start:
            return None
        return block, transformer.named_transformers_["codes"].steps[-1][1]

    def _categorical_fields(self):
        """The learned embeddings of the encoder's coded columns (the last
        block of its output)."""
        embedding = resolve_categorical(self.categorical_embedding)
        codes = self._code_step()
        if embedding is None or codes is None:
            return {}
        block, step = codes
        return dict(
            cat_count=block.stop - block.start,
            cat_levels=max(len(c) for c in step.categories_),
            cat_dim=int(embedding.d_embedding),
            cat_scale=float(embedding.init_scale),
        )

    def _bind_views(self):
        super()._bind_views()
        net = self._net
        tables = net.spec.categorical_embedding(net.theta)
        codes = self._code_step() if hasattr(self, "encoder_") else None
        self.category_embeddings_ = None
        if tables is not None and codes is not None:
            self.category_embeddings_ = [
                tables[f, : len(levels)]
                for f, levels in enumerate(codes[1].categories_)
            ]

    def _plain_input(self, X):
        return False  # every input goes through the encoder

    def _validate_predict_input(self, X, plain=True):
        if not hasattr(self, "_net"):
            check_is_fitted(self)  # raises NotFittedError
        return check_array(self.encoder_.transform(X), **ACCEPTED_X)

    def __setstate__(self, state):
        # pickled before categorical embeddings existed: every category one-hot
        state = dict(state)
        state.setdefault("categorical_embedding", None)
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags


class TabularMLPClassifier(_TabularMixin, MLPClassifier):
    __doc__ = f"""Multi-layer perceptron classifier for tables.

    :class:`MLPClassifier` with built-in preprocessing
    (:class:`~skdnn.preprocessing.TabularEncoder`: one-hot categories, imputed
    numbers with missing indicators, robust scaling and smooth clipping) and
    defaults chosen on real tables. ``fit`` takes a pandas DataFrame with
    numeric, categorical (``category``, ``object``, ``bool``) and missing
    values directly; NumPy arrays and sparse matrices work too. Categories
    unseen in training and missing values at predict time never fail.

    Every parameter of :class:`MLPClassifier` is available with the same
    meaning; the defaults that differ, and where they come from:

    {TABULAR_DEFAULTS}

    The classifier also smooths its labels: ``label_smoothing=0.1`` (RealMLP-TD;
    on the panel of real tables it gained on attrition and taxi and lost on no
    table, see the documentation's tabular page). Its probabilities then stay
    away from 0 and 1 (about 0.95 at most for two classes); pass
    ``label_smoothing=0`` where probabilities must be calibrated.

    Parameters
    ----------
    {TABULAR_PARAMETERS}

    Attributes
    ----------
    encoder_ : TabularEncoder
        The fitted preprocessing; the network reads ``encoder_.transform(X)``.
    n_features_in_ : int
        Number of columns of the table seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of the table seen in ``fit`` (a DataFrame with string
        column names only).

    selected_epochs_ : int
        With ``refit=True``: the number of epochs of the selected model, for
        which the final network was trained on every row.

    Every other fitted attribute is :class:`MLPClassifier`'s (``coefs_`` and
    the first layer's ``n_features`` refer to the encoded columns,
    ``encoder_.get_feature_names_out()``).

    See Also
    --------
    MLPClassifier : The same network without preprocessing, scikit-learn's
        defaults.
    TabularMLPRegressor : The regressor for tables.

    Examples
    --------
    >>> import pandas as pd
    >>> from skdnn import TabularMLPClassifier
    >>> df = pd.DataFrame({{"size": [1.0, 2.5, None, 4.0] * 25,
    ...                    "colour": ["red", "blue", "red", None] * 25}})
    >>> y = [0, 1, 0, 1] * 25
    >>> clf = TabularMLPClassifier(random_state=0).fit(df, y)
    >>> clf.predict(df.head(2)).tolist()
    [0, 1]
    """

    _parameter_constraints: dict = {
        **MLPClassifier._parameter_constraints,
        **_TABULAR_CONSTRAINTS,
    }

    def __init__(
        self,
        hidden_layer_sizes=(256, 256, 256),
        activation="relu",
        *,
        categorical_features="from_dtype",
        refit=False,
        solver="adam",
        alpha=0.0,
        batch_size="auto",
        learning_rate="cosine",
        learning_rate_init=0.002,
        power_t=0.5,
        max_iter="auto",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        progress_bar=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=True,
        validation_fraction=0.2,
        beta_1=0.9,
        beta_2=0.95,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        init="auto",
        bias_init=0.0,
        l1=0.0,
        max_norm=None,
        clipnorm=None,
        clipvalue=None,
        batch_norm=False,
        input_batch_norm=False,
        batch_norm_momentum=0.99,
        batch_norm_epsilon=1e-3,
        dropout="auto",
        input_dropout=0.0,
        dropout_schedule="flat_cos",
        frozen_layers=0,
        lr_factors=None,
        front_scale=False,
        n_members=1,
        numeric_embedding="periodic",
        categorical_embedding="learned",
        class_weight=None,
        label_smoothing=0.1,
    ):
        _set_params_from(self, locals())


class TabularMLPRegressor(_TabularMixin, MLPRegressor):
    __doc__ = f"""Multi-layer perceptron regressor for tables.

    :class:`MLPRegressor` with built-in preprocessing
    (:class:`~skdnn.preprocessing.TabularEncoder`: one-hot categories, imputed
    numbers with missing indicators, robust scaling and smooth clipping),
    standardised targets and defaults chosen on real tables. ``fit`` takes a
    pandas DataFrame with numeric, categorical (``category``, ``object``,
    ``bool``) and missing values directly; NumPy arrays and sparse matrices
    work too. Categories unseen in training and missing values at predict
    time never fail.

    With ``loss='squared_error'`` the network is trained on the targets
    standardised with their (unweighted) mean and standard deviation of
    the first ``fit``/``partial_fit`` call, and its outputs are mapped back;
    ``loss_`` and ``loss_curve_`` are therefore on the standardised scale.
    With ``loss='poisson'`` the targets are divided by their mean only (which
    keeps them non-negative).

    Every parameter of :class:`MLPRegressor` is available with the same
    meaning; the defaults that differ, and where they come from:

    {TABULAR_DEFAULTS}

    Parameters
    ----------
    {TABULAR_PARAMETERS}

    Attributes
    ----------
    encoder_ : TabularEncoder
        The fitted preprocessing; the network reads ``encoder_.transform(X)``.
    target_mean_, target_scale_ : ndarray of shape (n_outputs,)
        The network predicts ``(y - target_mean_) / target_scale_``.
    n_features_in_ : int
        Number of columns of the table seen in ``fit``.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of the table seen in ``fit`` (a DataFrame with string
        column names only).

    selected_epochs_ : int
        With ``refit=True``: the number of epochs of the selected model, for
        which the final network was trained on every row.

    Every other fitted attribute is :class:`MLPRegressor`'s.

    See Also
    --------
    MLPRegressor : The same network without preprocessing, scikit-learn's
        defaults.
    TabularMLPClassifier : The classifier for tables.

    Examples
    --------
    >>> import pandas as pd
    >>> from skdnn import TabularMLPRegressor
    >>> df = pd.DataFrame({{"size": [1.0, 2.0, 3.0, None] * 25,
    ...                    "colour": ["red", "blue", "red", "green"] * 25}})
    >>> y = [1.0, 2.0, 3.0, 2.5] * 25
    >>> reg = TabularMLPRegressor(random_state=0).fit(df, y)
    >>> reg.predict(df.head(3)).round(1).tolist()
    [1.0, 2.0, 3.0]
    """

    _parameter_constraints: dict = {
        **MLPRegressor._parameter_constraints,
        **_TABULAR_CONSTRAINTS,
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(256, 256, 256),
        activation="relu",
        *,
        categorical_features="from_dtype",
        refit=False,
        solver="adam",
        alpha=0.0,
        batch_size="auto",
        learning_rate="cosine",
        learning_rate_init=0.002,
        power_t=0.5,
        max_iter="auto",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        progress_bar=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=True,
        validation_fraction=0.2,
        beta_1=0.9,
        beta_2=0.95,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        init="auto",
        bias_init=0.0,
        l1=0.0,
        max_norm=None,
        clipnorm=None,
        clipvalue=None,
        batch_norm=False,
        input_batch_norm=False,
        batch_norm_momentum=0.99,
        batch_norm_epsilon=1e-3,
        dropout="auto",
        input_dropout=0.0,
        dropout_schedule="flat_cos",
        frozen_layers=0,
        lr_factors=None,
        front_scale=False,
        n_members=1,
        numeric_embedding="periodic",
        categorical_embedding="learned",
    ):
        _set_params_from(self, locals())

    def _validate_input(self, X, y, incremental, reset, classes=None):
        X, Y, y = super()._validate_input(X, y, incremental, reset, classes)
        if reset or not hasattr(self, "target_mean_"):
            # unweighted statistics (sample_weight is not known here; documented)
            self._set_target_statistics(Y)
        return X, np.ascontiguousarray(self._standardised(Y)), y

    def _standardised(self, Y):
        """The targets the network trains on, in Y's dtype."""
        return (Y - self.target_mean_.astype(Y.dtype)) / self.target_scale_.astype(
            Y.dtype
        )

    def _set_target_statistics(self, Y):
        Y = Y.astype(np.float64)
        if self.loss == "poisson":
            mean = np.zeros(Y.shape[1])
            scale = Y.mean(axis=0)
        else:
            mean = Y.mean(axis=0)
            scale = Y.std(axis=0)
        self.target_mean_ = mean
        self.target_scale_ = np.where(scale > 0, scale, 1.0)

    def _target_matrix(self, y):
        return self._standardised(super()._target_matrix(y))

    def _forward(self, X, validate=True, *args, **kwargs):
        # back on the targets' scale, in float64 (prices, counts: large values)
        out = super()._forward(X, validate, *args, **kwargs)
        return out.astype(np.float64) * self.target_scale_ + self.target_mean_
