"""The learning-rate finder: one sweep of exponentially growing rates."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import Bunch
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import unique_labels

from ._base import BaseMLP
from ._compat import Interval, validate_parameter_constraints
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


_CONSTRAINTS = {
    "estimator": [BaseMLP],
    "X": ["array-like", "sparse matrix"],
    "y": ["array-like"],
    "min_lr": [Interval(Real, 0, None, closed="neither")],
    "max_lr": [Interval(Real, 0, None, closed="neither")],
    "n_steps": [Interval(Integral, 2, None, closed="left")],
    "diverge_factor": [Interval(Real, 1, None, closed="neither")],
}


def find_learning_rate(
    estimator, X, y, *, min_lr=1e-6, max_lr=1.0, n_steps=100, diverge_factor=4.0
):
    """Sweep the learning rate exponentially and record the training loss.

    A copy of ``estimator`` (never the estimator itself) is trained from its
    initial weights for ``n_steps`` updates, the k-th at rate
    ``min_lr * (max_lr / min_lr) ** (k / (n_steps - 1))``, looping over the data
    as often as needed. The sweep stops early once the smoothed loss exceeds
    ``diverge_factor`` times its minimum, or at the first step whose loss is not
    finite (or after which the parameters are not): that step is left out,
    ``diverged_lr`` gives its rate and a UserWarning says so. A good
    ``learning_rate_init`` (or the peak of ``OneCycle``) is about a tenth of the
    rate with the lowest smoothed loss: the largest rate at which the loss still
    falls quickly.

    The copy is trained with ``partial_fit`` over the whole of ``(X, y)``: for a
    classifier, the classes are those of ``y``, and ``class_weight='balanced'``
    uses the class frequencies of ``y`` (as ``fit`` would).

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor
        An unfitted or fitted estimator with a stochastic solver; its parameters
        (network, solver, batch size) are used, its learning rate is not.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets (for a classifier: labels or a label indicator matrix).
    min_lr, max_lr : float, default=1e-6, 1.0
        The first and last rate of the sweep.
    n_steps : int, default=100
        Number of updates (rates) in the sweep.
    diverge_factor : float, default=4.0
        Stop when the smoothed loss exceeds this multiple of its minimum.

    Returns
    -------
    result : Bunch
        ``learning_rates`` and ``losses`` (each step's minibatch objective, all
        finite), ``smoothed_losses`` (bias-corrected exponential moving average,
        0.98), ``suggestion``, a tenth of the rate with the lowest smoothed loss,
        and ``diverged_lr``, the rate of the first step whose loss was not finite
        (None when the sweep did not reach one).

    Raises
    ------
    ValueError
        When the loss is not finite from the first step on (``min_lr`` too
        large, or unscaled inputs): there is nothing to suggest.

    Warns
    -----
    UserWarning
        When the sweep stopped at a non-finite loss; the suggestion is then
        based on the finite steps before it.

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
    # not @validate_params: it would rename the estimator's own parameter errors,
    # raised by partial_fit below, as errors of find_learning_rate's parameters
    validate_parameter_constraints(
        _CONSTRAINTS,
        {
            "estimator": estimator,
            "X": X,
            "y": y,
            "min_lr": min_lr,
            "max_lr": max_lr,
            "n_steps": n_steps,
            "diverge_factor": diverge_factor,
        },
        caller_name="find_learning_rate",
    )
    if max_lr <= min_lr:
        raise ValueError(f"max_lr={max_lr} must be larger than min_lr={min_lr}.")
    est = clone(estimator)
    if not est._is_stochastic():
        raise ValueError(
            "find_learning_rate needs a stochastic solver; solver='lbfgs' has no "
            "learning rate."
        )
    sweep = _Sweep(min_lr=min_lr, max_lr=max_lr, n_steps=n_steps)
    est.set_params(
        learning_rate=sweep,
        early_stopping=False,
        warm_start=False,
        max_iter=n_steps,  # an upper bound on the epochs; the loop below stops first
    )
    fit_kw = {}
    if is_classifier(est):
        fit_kw["classes"] = _classifier_setup(est, y)
    losses = []
    smoothed = []
    avg, best = 0.0, np.inf
    non_finite = False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        while len(losses) < n_steps:
            est.partial_fit(X, y, **fit_kw)
            # a diverged epoch is rolled back (n_iter_ stays 0); its step losses
            # are then those of the finite steps before the divergence
            rolled_back = est.n_iter_ == 0
            step_losses = est._net.step_losses
            stop = False
            for loss in step_losses:
                if len(losses) == n_steps:
                    break
                if not np.isfinite(loss):
                    non_finite = stop = True
                    break
                losses.append(float(loss))
                avg = 0.98 * avg + 0.02 * loss
                value = avg / (1 - 0.98 ** len(losses))
                smoothed.append(value)
                best = min(best, value)
                if value > diverge_factor * best:
                    stop = True
                    break
            if rolled_back and not stop and len(losses) < n_steps:
                non_finite = stop = True
            if stop or step_losses.shape[0] == 0:
                break
    n = len(losses)
    all_rates = sweep.rates(Context(0.0, 0.0, 0, 0, n_steps, n_steps, 0))
    diverged_lr = float(all_rates[n]) if non_finite else None
    if n == 0:
        raise ValueError(
            f"The loss was not finite from the first step of the sweep, at "
            f"learning rate min_lr={min_lr}: lower min_lr, or scale the inputs "
            "(e.g. with sklearn.preprocessing.StandardScaler)."
        )
    if non_finite:
        warnings.warn(
            f"The loss became non-finite at step {n + 1} of {n_steps}, learning "
            f"rate {diverged_lr:.3g}: the sweep stopped there, and the suggestion "
            f"is based on the {n} finite step(s) before it.",
            UserWarning,
            stacklevel=2,
        )
    rates = all_rates[:n]
    smoothed = np.asarray(smoothed)
    return Bunch(
        learning_rates=rates,
        losses=np.asarray(losses),
        smoothed_losses=smoothed,
        suggestion=float(rates[int(np.argmin(smoothed))] / 10),
        diverged_lr=diverged_lr,
    )


def _classifier_setup(est, y):
    """The ``classes`` of the sweep's ``partial_fit`` calls, from the whole y;
    'balanced' class weights become the dict that ``fit`` would compute."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    classes = unique_labels(y)  # the columns of a label indicator matrix
    if est.class_weight == "balanced" and y.ndim == 1:
        weights = compute_class_weight("balanced", classes=classes, y=y)
        est.set_params(class_weight=dict(zip(classes, weights, strict=True)))
    return classes
