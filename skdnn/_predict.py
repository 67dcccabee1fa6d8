"""How a prediction is computed: input validation, the forward pass, Monte Carlo
dropout.

The forward pass itself is :meth:`skdnn._network.Network.forward` (many rows split
over threads); this mixin gives the estimators their validation around it.
"""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._compat import validate_data
from ._core import codes

#: what every estimator accepts as X after its own encoding: dense or CSR/CSC
#: floats, trained in float32 or float64 (``check_array``/``validate_data``)
ACCEPTED_X = {"accept_sparse": ["csr", "csc"], "dtype": (np.float64, np.float32)}


def _mc_key(seed, i):
    """The dropout stream of Monte Carlo pass ``i``."""
    return (seed * 0x9E3779B97F4A7C15 + i * 0xBF58476D1CE4E5B9 + 1) % 2**64


class PredictMixin:
    """Forward passes of a fitted estimator (``self._net``)."""

    def _forward(self, X, validate=True, mode=codes.MODE_PREDICT, key=0):
        """Output-layer activations for X, shape (n_samples, n_outputs_).

        A plain float array skips the finiteness scan of the general validation:
        the kernel reports whether the first layer's products were finite, which
        they are whenever the input is, and only a non-finite report runs the full
        validation (which raises on NaN or infinity and lets mere overflow
        through, as scikit-learn does).
        """
        unchecked = False
        if validate:
            if not hasattr(self, "_net"):
                check_is_fitted(self)  # raises NotFittedError
            # the kernel's finiteness report covers prediction mode only (Monte
            # Carlo's alpha dropout can turn a dropped NaN into a finite value)
            unchecked = mode == codes.MODE_PREDICT and self._plain_input(X)
            if not unchecked:
                X = self._validate_predict_input(X)
        out, finite = self._net.forward(X, mode, key)
        if unchecked and not finite:
            self._validate_predict_input(X, plain=False)
        return out

    def _plain_input(self, X):
        """Whether X is a 2-D float32/float64 ndarray with the fitted number of
        features and no fitted feature names: what ``validate_data`` returns
        unchanged when its values are finite."""
        return (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in (np.float32, np.float64)
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
        )

    def _validate_predict_input(self, X, plain=True):
        """``validate_data(..., reset=False)`` with a fast path for plain arrays.

        A plain array (see ``_plain_input``) with finite values is what
        ``validate_data`` would return unchanged; it is accepted without the general
        checks, which cost more than the forward pass of a small batch. Anything else
        (or ``plain=False``) takes the general path and its errors.
        """
        if not hasattr(self, "_net"):
            check_is_fitted(self)  # raises NotFittedError
        if plain and self._plain_input(X) and np.isfinite(X.sum()):
            # a non-finite sum (NaN, infinity or overflow): the full check decides
            return X
        return validate_data(
            self,
            X,
            **ACCEPTED_X,
            reset=False,
        )

    def _mc_forward(self, X, n_samples, random_state):
        """Outputs of ``n_samples`` forward passes with dropout on, shape
        (n_samples, n_samples_X, n_outputs_)."""
        check_is_fitted(self, "_net")
        if not self._net.spec.has_dropout:
            raise ValueError(
                "Monte Carlo dropout needs a model trained with dropout > 0 or "
                "input_dropout > 0; this one has no dropout, so every pass would "
                "equal predict."
            )
        if (
            not isinstance(n_samples, Integral | np.integer)
            or isinstance(n_samples, bool)
            or n_samples < 1
        ):
            raise ValueError(
                f"n_samples must be a positive integer, got {n_samples!r}."
            )
        X = self._validate_predict_input(X)
        rng = check_random_state(random_state)
        seed = int(rng.randint(0, 2**63 - 1, dtype=np.int64))
        return np.stack(
            [
                self._forward(
                    X, validate=False, mode=codes.MODE_MC, key=_mc_key(seed, i)
                )
                for i in range(n_samples)
            ]
        )
