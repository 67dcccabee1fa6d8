"""The learning-rate finder: one sweep of exponentially growing rates."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import Bunch

from ._base import BaseMLP
from ._compat import Interval, validate_params
from .schedules import Context, Schedule


class _Sweep(Schedule):
    """Rates growing geometrically from ``min_lr`` to ``max_lr`` over ``n_steps``."""

    _parameter_constraints = {
        "min_lr": [Interval(Real, 0, None, closed="neither")],
        "max_lr": [Interval(Real, 0, None, closed="neither")],
        "n_steps": [Interval(Integral, 2, None, closed="left")],
    }

    def __init__(self, min_lr=1e-6, max_lr=1.0, n_steps=100):
        self.min_lr = min_lr
        self.max_lr = max_lr
        self.n_steps = n_steps

    def rates(self, ctx):
        frac = np.minimum(ctx.steps() / max(self.n_steps - 1, 1), 1.0)
        return self.min_lr * (self.max_lr / self.min_lr) ** frac


@validate_params(
    {
        "estimator": [BaseMLP],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "min_lr": [Interval(Real, 0, None, closed="neither")],
        "max_lr": [Interval(Real, 0, None, closed="neither")],
        "n_steps": [Interval(Integral, 2, None, closed="left")],
        "diverge_factor": [Interval(Real, 1, None, closed="neither")],
    },
    prefer_skip_nested_validation=False,
)
def find_learning_rate(
    estimator, X, y, *, min_lr=1e-6, max_lr=1.0, n_steps=100, diverge_factor=4.0
):
    """Sweep the learning rate exponentially and record the training loss.

    A copy of ``estimator`` (never the estimator itself) is trained from its
    initial weights for ``n_steps`` updates, the k-th at rate
    ``min_lr * (max_lr / min_lr) ** (k / (n_steps - 1))``, looping over the data
    as often as needed. The sweep stops early once the smoothed loss exceeds
    ``diverge_factor`` times its minimum. A good ``learning_rate_init`` (or the
    peak of ``OneCycle``) is about a tenth of the rate with the lowest smoothed
    loss: the largest rate at which the loss still falls quickly.

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor
        An unfitted or fitted estimator with a stochastic solver; its parameters
        (network, solver, batch size) are used, its learning rate is not.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets.
    min_lr, max_lr : float, default=1e-6, 1.0
        The first and last rate of the sweep.
    n_steps : int, default=100
        Number of updates (rates) in the sweep.
    diverge_factor : float, default=4.0
        Stop when the smoothed loss exceeds this multiple of its minimum.

    Returns
    -------
    result : Bunch
        ``learning_rates`` and ``losses`` (each step's minibatch objective),
        ``smoothed_losses`` (bias-corrected exponential moving average, 0.98),
        and ``suggestion``, a tenth of the rate with the lowest smoothed loss.

    See Also
    --------
    skdnn.plotting.plot_learning_rate_finder : Plot the result.
    skdnn.schedules.OneCycle : The schedule to use the suggestion with.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdnn import MLPClassifier, find_learning_rate
    >>> X, y = load_digits(return_X_y=True)
    >>> res = find_learning_rate(MLPClassifier(batch_size=32, random_state=0),
    ...                          X / 16, y, n_steps=60)
    >>> len(res.learning_rates) == len(res.losses) <= 60
    True
    >>> 1e-6 <= res.suggestion <= 1.0
    True
    """
    if max_lr <= min_lr:
        raise ValueError(f"max_lr={max_lr} must be larger than min_lr={min_lr}.")
    est = clone(estimator)
    if not est._is_stochastic():
        raise ValueError(
            "find_learning_rate needs a stochastic solver; solver='lbfgs' has no "
            "learning rate."
        )
    est.set_params(
        learning_rate=_Sweep(min_lr=min_lr, max_lr=max_lr, n_steps=n_steps),
        early_stopping=False,
        warm_start=False,
        max_iter=n_steps,  # an upper bound on the epochs; the loop below stops first
    )
    fit_kw = {}
    if is_classifier(est) and np.ndim(y) == 1:
        fit_kw["classes"] = np.unique(y)
    losses = []
    smoothed = []
    avg, best = 0.0, np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        while len(losses) < n_steps:
            est.partial_fit(X, y, **fit_kw)
            diverged = False
            for loss in est._net.step_losses:
                if len(losses) == n_steps:
                    break
                losses.append(float(loss))
                avg = 0.98 * avg + 0.02 * loss
                value = avg / (1 - 0.98 ** len(losses))
                smoothed.append(value)
                best = min(best, value)
                if not np.isfinite(value) or value > diverge_factor * best:
                    diverged = True
                    break
            if diverged or est._net.step_losses.shape[0] == 0:
                break
    rates = _Sweep(min_lr, max_lr, n_steps).rates(
        Context(0.0, 0.0, 0, 0, len(losses), len(losses), 0)
    )
    smoothed = np.asarray(smoothed)
    finite = np.where(np.isfinite(smoothed), smoothed, np.inf)
    return Bunch(
        learning_rates=rates,
        losses=np.asarray(losses),
        smoothed_losses=smoothed,
        suggestion=float(rates[int(np.argmin(finite))] / 10),
    )
