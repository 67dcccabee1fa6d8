"""Learning-rate schedules: pass a name (``learning_rate="cosine"``) or an object.

Unlike scikit-learn, where schedules drive only ``solver="sgd"``, every stochastic
solver follows ``learning_rate``. Before each epoch the schedule hands the compiled
loop one learning rate per update (and, for 1cycle, one momentum per update).
Step-based schedules advance per update ``t`` (counted since the network was
built), epoch-based ones per epoch ``e``; ``lr0`` is ``learning_rate_init``.
Both counts continue across warm-started fits and ``partial_fit`` calls, except
for 1cycle, cosine and flat_cos, whose ``t`` counts from the start of the
current cycle of ``max_iter`` epochs (``T`` updates): each ``fit`` runs a whole
cycle, and ``partial_fit`` starts a new one every ``max_iter`` calls.

===========  =========================================================  ========
name         rate                                                       advances
===========  =========================================================  ========
constant     lr0                                                        -
invscaling   lr0 / (n + 1) ** power_t, n = samples seen (scikit-learn)  epoch
adaptive     lr0, divided by 5 when progress stalls (scikit-learn)      epoch
power        lr0 / (1 + t / s) ** c                                     step
exponential  lr0 * 0.1 ** (t / s)                                       step
step         lr0 * drop ** floor(e / epochs_drop)                       epoch
piecewise    values[i] for boundaries[i-1] <= e < boundaries[i]          epoch
plateau      lr * factor after ``patience`` epochs without improvement  epoch
onecycle     linear warm-up to max_lr, back down, final annealing       step
cosine       min_lr + (lr0 - min_lr) (1 + cos(pi t / T)) / 2            step
flat_cos     lr0 while t / T <= flat, then a cosine down to min_lr      step
===========  =========================================================  ========

Power, exponential, piecewise-constant and performance (plateau) scheduling are the
classic ones; 1cycle follows Smith [1]_; cosine annealing is Loshchilov and
Hutter's SGDR [2]_, restarted at each ``fit`` (and every ``max_iter`` calls of
``partial_fit``); flat-then-cosine (:class:`FlatCosine`, ``flat=0.5``) is
RealMLP's schedule [3]_. :class:`Cosine` and :class:`FlatCosine` take a linear
warm-up over a fraction of the cycle (``warmup``).

**Writing your own schedule.** Subclass :class:`Schedule` and implement
:meth:`Schedule.rates`; every hook below is public, and the built-in schedules
use nothing else. The stochastic solvers call, for every epoch:

1. ``rates(ctx)`` (required): the learning rate of each of the epoch's
   ``ctx.n_steps`` updates, from the :class:`Context` ``ctx``.
2. ``momenta(momentum, ctx)`` (optional): the momentum (SGD) or ``beta_1``
   (Adam family) of each update, or None (the default) for the optimizer's own
   ``momentum`` throughout.
3. the epoch runs; then ``after_epoch(state, metric, higher_is_better, tol)``
   (optional) may lower ``state["lr"]`` from the epoch's training loss or
   validation score.
4. when the ``tol``/``n_iter_no_change`` stopping rule fires,
   ``on_no_improvement(lr)`` (optional) returns ``(new_lr, stop)``; the default
   stops training. Schedules whose class attribute ``spans_max_iter`` is True
   (shaped over all ``max_iter`` epochs, like 1cycle, cosine and flat_cos) are never
   stopped by this rule; they read their position in the cycle from
   ``ctx.cycle_steps()`` (or ``ctx.cycle_epoch``), which restarts with each
   ``fit``.

The rates are checked once per epoch: a wrong length, or a rate that is not
finite and positive, raises a ValueError (as do momenta outside [0, 1]). Like
every scikit-learn parameter, a schedule's ``__init__`` only stores its
arguments, so it can be cloned and tuned in a grid search
(``learning_rate__warmup``):

>>> import numpy as np
>>> from skdnn.schedules import Context, Schedule
>>> class LinearWarmup(Schedule):
...     def __init__(self, warmup=100):
...         self.warmup = warmup
...
...     def rates(self, ctx):
...         t = ctx.steps()  # global index of every update of the epoch
...         return ctx.lr_init * np.minimum(1.0, (t + 1) / self.warmup)
>>> ctx = Context(lr_init=0.1, lr=0.1, epoch=0, step=0, n_steps=4,
...               total_steps=40, samples=0)
>>> LinearWarmup(warmup=4).rates(ctx)
array([0.025, 0.05 , 0.075, 0.1  ])

References
----------
.. [1] Smith (2018). A disciplined approach to neural network hyper-parameters:
   Part 1. arXiv:1803.09820.
.. [2] Loshchilov, Hutter (2017). SGDR: Stochastic Gradient Descent with Warm
   Restarts. ICLR.
.. [3] Holzmüller, Grinsztajn, Steinwart (2024). Better by Default: Strong
   Pre-Tuned MLPs and Boosted Trees on Tabular Data. NeurIPS.
"""

from numbers import Integral, Real

import numpy as np

from ._compat import Interval, InvalidParameterError
from ._cyclic_schedules import Cosine, FlatCosine, OneCycle
from ._schedule import Context, Schedule

# documented (and pickled, and named to skops) under their public home
for _cls in (Context, Schedule, OneCycle, Cosine, FlatCosine):
    _cls.__module__ = __name__
del _cls

__all__ = [
    "Adaptive",
    "Constant",
    "Context",
    "Cosine",
    "Exponential",
    "FlatCosine",
    "InvScaling",
    "OneCycle",
    "Piecewise",
    "Plateau",
    "Power",
    "Schedule",
    "StepDecay",
]


class Constant(Schedule):
    """``learning_rate_init`` throughout."""

    def rates(self, ctx):
        return np.full(ctx.n_steps, ctx.lr_init)


class InvScaling(Schedule):
    """scikit-learn's 'invscaling': ``lr0 / (n + 1) ** power_t``.

    ``n`` is the number of samples seen before the epoch, so the rate changes once
    per epoch, exactly as in scikit-learn.

    Parameters
    ----------
    power_t : float, default=0.5
        The exponent (the estimator's ``power_t`` with the string 'invscaling').
    """

    _parameter_constraints = {"power_t": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, power_t=0.5):
        self.power_t = power_t

    def rates(self, ctx):
        return np.full(ctx.n_steps, ctx.lr_init / (ctx.samples + 1) ** self.power_t)


class Adaptive(Schedule):
    """scikit-learn's 'adaptive': divide the rate by 5 whenever the training loss
    (or validation score with early stopping) has not improved by ``tol`` for more
    than ``n_iter_no_change`` epochs; stop once the rate is at most 1e-6."""

    def rates(self, ctx):
        return np.full(ctx.n_steps, ctx.lr)

    def on_no_improvement(self, lr):
        if lr > 1e-6:
            return lr / 5.0, False
        return lr, True


class Power(Schedule):
    """Power scheduling: ``lr0 / (1 + t / decay_steps) ** power`` per update t.

    Parameters
    ----------
    decay_steps : int, default=1000
        ``s``: after s updates the rate is ``lr0 / 2 ** power``.
    power : float, default=1.0
        ``c``.
    """

    _parameter_constraints = {
        "decay_steps": [Interval(Integral, 1, None, closed="left")],
        "power": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, decay_steps=1000, power=1.0):
        self.decay_steps = decay_steps
        self.power = power

    def rates(self, ctx):
        return ctx.lr_init / (1.0 + ctx.steps() / self.decay_steps) ** self.power


class Exponential(Schedule):
    """Exponential scheduling: ``lr0 * 0.1 ** (t / decay_steps)`` per update t.

    Parameters
    ----------
    decay_steps : int, default=1000
        Updates over which the rate falls tenfold.
    """

    _parameter_constraints = {
        "decay_steps": [Interval(Integral, 1, None, closed="left")]
    }

    def __init__(self, decay_steps=1000):
        self.decay_steps = decay_steps

    def rates(self, ctx):
        return ctx.lr_init * 0.1 ** (ctx.steps() / self.decay_steps)


class StepDecay(Schedule):
    """Step decay: ``lr0 * drop ** floor(epoch / epochs_drop)``.

    Parameters
    ----------
    drop : float, default=0.5
        Factor applied every ``epochs_drop`` epochs.
    epochs_drop : int, default=10
    """

    _parameter_constraints = {
        "drop": [Interval(Real, 0, 1, closed="right")],
        "epochs_drop": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(self, drop=0.5, epochs_drop=10):
        self.drop = drop
        self.epochs_drop = epochs_drop

    def rates(self, ctx):
        return np.full(
            ctx.n_steps, ctx.lr_init * self.drop ** (ctx.epoch // self.epochs_drop)
        )


class Piecewise(Schedule):
    """Piecewise-constant rates: ``values[i]`` from epoch ``boundaries[i-1]`` on.

    Parameters
    ----------
    boundaries : tuple of int, default=(50, 100)
        Increasing epoch numbers where the rate changes.
    values : tuple of float, default=(1e-3, 1e-4, 1e-5)
        ``len(boundaries) + 1`` learning rates (absolute, not factors).
    """

    _parameter_constraints = {"boundaries": ["array-like"], "values": ["array-like"]}

    def __init__(self, boundaries=(50, 100), values=(1e-3, 1e-4, 1e-5)):
        self.boundaries = boundaries
        self.values = values

    def _validate_params(self):
        """The constraints, then what they cannot say: integer, increasing
        ``boundaries``; one more finite, positive rate in ``values``."""
        super()._validate_params()
        b = np.asarray(self.boundaries)
        v = np.asarray(self.values)
        if not (
            b.ndim == 1
            and b.dtype.kind in "iuf"
            and np.all(np.isfinite(b))
            and np.all(b == np.round(b))
            and np.all(np.diff(b) > 0)
        ):
            raise InvalidParameterError(
                "The 'boundaries' parameter of Piecewise must be increasing epoch "
                f"numbers (integers); got {self.boundaries!r}."
            )
        if not (
            v.shape == (b.shape[0] + 1,)
            and v.dtype.kind in "iuf"
            and np.all(np.isfinite(v))
            and np.all(v > 0)
        ):
            raise InvalidParameterError(
                "The 'values' parameter of Piecewise must hold len(boundaries) + 1 "
                f"= {b.shape[0] + 1} finite, positive learning rates; got "
                f"{self.values!r}."
            )

    def rates(self, ctx):
        boundaries = np.asarray(self.boundaries)
        values = np.asarray(self.values, dtype=np.float64)
        if len(values) != len(boundaries) + 1 or np.any(np.diff(boundaries) <= 0):
            raise ValueError(
                "Piecewise needs increasing boundaries and len(values) == "
                f"len(boundaries) + 1; got boundaries={self.boundaries!r}, "
                f"values={self.values!r}."
            )
        if np.any(values <= 0):
            raise ValueError(f"Piecewise values must be positive; got {self.values!r}.")
        i = int(np.searchsorted(boundaries, ctx.epoch, side="right"))
        return np.full(ctx.n_steps, values[i])


class Plateau(Schedule):
    """Performance scheduling: multiply the rate by ``factor`` when the monitored
    quantity has not improved by the estimator's ``tol`` for ``patience`` epochs.

    It monitors the validation score with ``early_stopping=True``, else the
    training loss.

    Parameters
    ----------
    factor : float, default=0.5
    patience : int, default=5
    min_lr : float, default=1e-6
        The rate never goes below it.
    """

    _parameter_constraints = {
        "factor": [Interval(Real, 0, 1, closed="neither")],
        "patience": [Interval(Integral, 1, None, closed="left")],
        "min_lr": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, factor=0.5, patience=5, min_lr=1e-6):
        self.factor = factor
        self.patience = patience
        self.min_lr = min_lr

    def rates(self, ctx):
        return np.full(ctx.n_steps, ctx.lr)

    def after_epoch(self, state, metric, higher_is_better, tol):
        value = metric if higher_is_better else -metric
        best = state.get("plateau_best")
        if best is None or value > best + tol:
            state["plateau_best"] = value
            state["plateau_wait"] = 0
            return
        state["plateau_wait"] = state.get("plateau_wait", 0) + 1
        if state["plateau_wait"] >= self.patience:
            state["lr"] = max(state["lr"] * self.factor, self.min_lr)
            state["plateau_wait"] = 0


_BY_NAME = {
    "constant": Constant,
    "invscaling": InvScaling,
    "adaptive": Adaptive,
    "power": Power,
    "exponential": Exponential,
    "step": StepDecay,
    "piecewise": Piecewise,
    "plateau": Plateau,
    "onecycle": OneCycle,
    "cosine": Cosine,
    "flat_cos": FlatCosine,
}
SCHEDULE_NAMES = frozenset(_BY_NAME)


def resolve_schedule(estimator):
    """The Schedule object of ``estimator.learning_rate`` (validated)."""
    schedule = estimator.learning_rate
    if isinstance(schedule, Schedule):
        schedule._validate_params()
        return schedule
    if schedule == "invscaling":
        return InvScaling(power_t=estimator.power_t)
    return _BY_NAME[schedule]()
