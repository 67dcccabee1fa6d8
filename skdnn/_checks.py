"""Which parameter values are accepted: the checks that span several parameters.

Single parameters are checked by scikit-learn's ``_parameter_constraints`` (declared
on :class:`skdnn._base.BaseMLP`); what depends on several of them, or on the data,
is checked here, with messages that say how to fix the problem.
"""

import warnings
from numbers import Integral, Real

import numpy as np

from ._compat import _check_sample_weight
from ._core import codes
from ._layout import PARAMETER_GROUPS
from .activations import resolve_activation


class CheckMixin:
    """The estimators' multi-parameter checks."""

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        if not hasattr(sizes, "__iter__"):
            sizes = [sizes]
        sizes = list(sizes)
        for s in sizes:
            if (
                not isinstance(s, Integral | np.integer)
                or isinstance(s, bool)
                or s <= 0
            ):
                raise ValueError(
                    "hidden_layer_sizes must be positive integers (the width of each "
                    f"hidden layer), got {self.hidden_layer_sizes!r}."
                )
        return [int(s) for s in sizes]

    def _dropout_rates(self, n_hidden):
        """One dropout rate per hidden layer, validated."""
        rates = self.dropout
        if isinstance(rates, Real) and not isinstance(rates, bool):
            return [float(rates)] * n_hidden
        rates = np.asarray(rates, dtype=object).ravel().tolist()
        if len(rates) != n_hidden:
            raise ValueError(
                f"dropout must be a float or one rate per hidden layer: got "
                f"{len(rates)} rates for {n_hidden} hidden layers."
            )
        for r in rates:
            if not isinstance(r, Real | np.floating | np.integer) or not 0 <= r < 1:
                raise ValueError(
                    "Every dropout rate must be a number in [0, 1), got "
                    f"{self.dropout!r}."
                )
        return [float(r) for r in rates]

    def _source_network(self):
        """The fitted skdnn estimator passed as ``init`` (or None)."""
        source = self.init
        if isinstance(source, str):
            return None
        if type(source).__name__ == "FrozenEstimator" and hasattr(source, "estimator"):
            source = source.estimator
        from ._base import BaseMLP  # the base class imports this module

        if not isinstance(source, BaseMLP) or not hasattr(source, "_net"):
            raise ValueError(
                "init must be the name of an initialisation or a fitted skdnn "
                f"MLPClassifier/MLPRegressor to copy layers from; got {self.init!r}. "
                "(A fitted estimator loses its fit when cloned, e.g. by "
                "GridSearchCV: wrap it in sklearn.frozen.FrozenEstimator.)"
            )
        return source

    def _check_lr_factors(self):
        """``lr_factors``: known group names, positive finite factors, and a
        stochastic solver."""
        factors = self.lr_factors
        if factors is None:
            return
        valid = ", ".join(repr(name) for name in PARAMETER_GROUPS)
        for name, factor in factors.items():
            if name not in PARAMETER_GROUPS:
                raise ValueError(
                    f"lr_factors has an unknown parameter group {name!r}; the "
                    f"groups are {valid} (the connection weights always train "
                    "with factor 1)."
                )
            if (
                not isinstance(factor, Real | np.floating | np.integer)
                or isinstance(factor, bool)
                or not np.isfinite(factor)
                or factor <= 0
            ):
                raise ValueError(
                    f"lr_factors[{name!r}] must be a positive finite number, got "
                    f"{factor!r}: it multiplies the learning rate of the group's "
                    "parameters."
                )
        if not self._is_stochastic():
            raise ValueError(
                "lr_factors scales the learning rate of the stochastic solvers; "
                "solver='lbfgs' has no learning rate. Use a stochastic solver "
                "such as 'adam' or 'sgd', or set lr_factors=None."
            )

    def _check_params(self, hidden):
        """Checks that span several parameters; returns the dropout rates."""
        rates = self._dropout_rates(len(hidden))
        self._check_lr_factors()
        act = resolve_activation(self.activation)  # validates activation objects
        self._source_network()
        if self.frozen_layers > len(hidden):
            raise ValueError(
                f"frozen_layers={self.frozen_layers} but the network has "
                f"{len(hidden)} hidden layer(s): at most every hidden layer can be "
                "frozen (the output layer always trains)."
            )
        if self.frozen_layers and not self._is_stochastic() and self.l1 > 0:
            raise ValueError(
                "frozen_layers with solver='lbfgs' and l1 > 0 is not supported; use "
                "a stochastic solver or l1=0."
            )
        if self._is_stochastic():
            if self.batch_size == 1 and (self.batch_norm or self.input_batch_norm):
                raise ValueError(
                    "batch_size=1 cannot be used with batch normalisation: a batch "
                    "of one row has variance 0, so batch_norm/input_batch_norm "
                    "would map every row to the same value and the model would be "
                    "constant. Use batch_size >= 2 (e.g. 32, or 'auto'), or set "
                    "batch_norm=False and input_batch_norm=False."
                )
            return rates
        if any(rates) or self.input_dropout > 0:
            raise ValueError(
                "dropout and input_dropout draw a new mask at every step and need a "
                "stochastic solver: solver='lbfgs' minimises a deterministic "
                "objective. Use 'adam' or 'sgd', or set dropout=0 and input_dropout=0."
            )
        if act.code == codes.RRELU:
            raise ValueError(
                "activation='rrelu' draws random slopes at every step and needs a "
                "stochastic solver, not solver='lbfgs'; use 'leaky_relu' or 'prelu' "
                "with lbfgs."
            )
        for name in ("max_norm", "clipnorm", "clipvalue"):
            if getattr(self, name) is not None:
                raise ValueError(
                    f"{name} acts on each stochastic update and is not supported "
                    f"with solver='lbfgs'; use a stochastic solver such as 'sgd' or "
                    f"'adam', or set {name}=None."
                )
        return rates

    def _check_frozen_transferred(self, transferred, source, spec):
        """Only layers copied from ``init`` may be frozen: a frozen layer that
        was not copied would keep its random initial weights. An estimator as
        ``init`` that gives no layer at all is warned about."""
        if source is not None and transferred == 0 and not self.frozen_layers:
            warnings.warn(
                "init is a fitted estimator, but none of its layers could be "
                "copied (the lowest hidden layer differs in shape or normalisation: "
                f"source layer sizes {list(source._net.spec.layer_units)}, this "
                f"network's {list(spec.layer_units)}): every layer is initialised "
                "as with init='auto'.",
                UserWarning,
                stacklevel=6,
            )
        if self.frozen_layers <= transferred:
            return
        if source is None:
            raise ValueError(
                f"frozen_layers={self.frozen_layers} keeps layers copied from a "
                f"fitted estimator passed as init, but init={self.init!r} copies "
                "none: the frozen layers would keep their random initial weights. "
                "Pass init=<fitted MLPClassifier/MLPRegressor> or set "
                "frozen_layers=0."
            )
        raise ValueError(
            f"frozen_layers={self.frozen_layers} but only {transferred} hidden "
            "layer(s) could be copied from init (a layer is copied while it and "
            "every layer below it match in shape and normalisation): the source "
            f"network has layer sizes {list(source._net.spec.layer_units)}, this "
            f"one {list(spec.layer_units)}. The other frozen layers would keep "
            f"their random initial weights. Set frozen_layers <= {transferred}, or "
            "hidden_layer_sizes, activation and batch_norm to match the source's."
        )

    def _check_sample_weight(self, sample_weight, X, y, incremental):
        sw = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        extra = self._extra_sample_weight(y, incremental)
        if extra is not None:
            sw = sw * extra.astype(X.dtype, copy=False)
        sw = np.ascontiguousarray(sw, dtype=X.dtype)
        if not np.all(np.isfinite(sw)):
            raise ValueError("sample_weight must be finite.")
        if sw.sum() <= 0:
            raise ValueError(
                "sample_weight must have a positive sum: all samples have zero weight."
            )
        return sw
