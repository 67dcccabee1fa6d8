"""MLPRegressor: squared error or Poisson deviance, single or multiple outputs."""

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_array, column_or_1d

from ._base import BaseMLP, _set_params_from
from ._compat import StrOptions, _fit_context
from ._docs import REFERENCES, SHARED_ATTRIBUTES, SHARED_PARAMETERS


class MLPRegressor(RegressorMixin, BaseMLP):
    __doc__ = f"""Multi-layer perceptron regressor on a Numba-compiled core.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`: the
    same parameters, defaults and fitted attributes, plus the techniques of modern
    network training as parameters.

    Parameters
    ----------
    loss : {{'squared_error', 'poisson'}}, default='squared_error'
        'squared_error' minimises ``1/2 sum_k (y_k - f_k(x))^2`` per sample with an
        identity output; 'poisson' minimises the half Poisson deviance with an
        exponential output (targets must be non-negative).

    {SHARED_PARAMETERS}

    Attributes
    ----------
    {SHARED_ATTRIBUTES}

    See Also
    --------
    MLPClassifier : Multi-layer perceptron classifier.
    sklearn.neural_network.MLPRegressor : scikit-learn's version.

    References
    ----------
    {REFERENCES}

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from skdnn import MLPRegressor
    >>> X, y = make_regression(n_samples=200, n_features=5, noise=1.0,
    ...                        random_state=0)
    >>> reg = MLPRegressor(solver="lbfgs", max_iter=500, random_state=0).fit(X, y)
    >>> reg.predict(X[:2]).shape
    (2,)
    >>> round(reg.score(X, y), 2) > 0.99
    True
    """

    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        progress_bar=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        init="glorot_uniform",
        bias_init="uniform",
        l1=0.0,
        max_norm=None,
        clipnorm=None,
        clipvalue=None,
        batch_norm=False,
        input_batch_norm=False,
        batch_norm_momentum=0.99,
        batch_norm_epsilon=1e-3,
        dropout=0.0,
        input_dropout=0.0,
        dropout_schedule=None,
        frozen_layers=0,
        lr_factors=None,
        front_scale=False,
        n_members=1,
        numeric_embedding=None,
    ):
        _set_params_from(self, locals())

    def _validate_input(self, X, y, incremental, reset, classes=None):
        X, y = self._validate_X_y(X, y, reset, y_numeric=True)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "loss='poisson' requires non-negative targets y; got a minimum of "
                f"{np.min(y)}."
            )
        Y = np.ascontiguousarray(y.reshape(y.shape[0], -1), dtype=X.dtype)
        return X, Y, y

    def _target_matrix(self, y):
        """The targets as a 2-D float array, checked as ``fit`` checks them."""
        y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "loss='poisson' requires non-negative targets y; got a minimum of "
                f"{np.min(y)}."
            )
        return y.reshape(y.shape[0], -1)

    def _output_activation(self):
        return "exp" if self.loss == "poisson" else "identity"

    def _score(self, X, y, sample_weight=None):
        y_pred = self._predict(X, validate=False)
        if not np.all(np.isfinite(y_pred)):
            return np.nan
        return r2_score(y, y_pred, sample_weight=sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to the data X and the targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data. float32 input is trained in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights.

        Returns
        -------
        self : MLPRegressor
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(BaseMLP._check_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        self : MLPRegressor
            The updated estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _predict(self, X, validate=True):
        y_pred = self._forward(X, validate=validate)
        if y_pred.shape[1] == 1:
            return y_pred.ravel()
        return y_pred

    def predict(self, X):
        """Predict the targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The predicted values.
        """
        return self._predict(X)

    def mc_predict(self, X, n_samples=100, return_std=False, random_state=None):
        """Monte Carlo dropout: the mean (and spread) of stochastic predictions.

        Every pass keeps dropout on, as in training, with a new mask (Gal &
        Ghahramani, 2016); batch normalisation uses its running statistics and RReLU
        its mean slope, as in ``predict``. Needs a model trained with dropout. The
        signature follows
        :meth:`sklearn.gaussian_process.GaussianProcessRegressor.predict`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples_X, n_features)
            The input data.
        n_samples : int, default=100
            Number of stochastic forward passes.
        return_std : bool, default=False
            Also return the standard deviation of the passes.
        random_state : int, RandomState instance or None, default=None
            Seeds the dropout masks: the same seed gives the same result.

        Returns
        -------
        y_mean : ndarray of shape (n_samples_X,) or (n_samples_X, n_outputs)
            Mean of the passes.
        y_std : ndarray of the same shape, optional
            Standard deviation of the passes (only with ``return_std=True``).
        """
        outs = self._mc_forward(X, n_samples, random_state)
        if outs.shape[2] == 1:
            outs = outs[:, :, 0]
        mean = outs.mean(axis=0)
        if return_std:
            return mean, outs.std(axis=0)
        return mean

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags
