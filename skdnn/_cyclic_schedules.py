"""The schedules shaped over a cycle of ``max_iter`` epochs: 1cycle, cosine and
flat-then-cosine; and the multipliers of the estimators' ``dropout_schedule``.

Public through :mod:`skdnn.schedules` (documented and pickled under that name).
"""

from numbers import Real

import numpy as np

from ._compat import Interval
from ._schedule import Schedule


class OneCycle(Schedule):
    """1cycle (Smith, 2018) over ``max_iter`` epochs.

    The rate climbs linearly from ``max_lr / div_factor`` to ``max_lr`` during the
    first 45 % of the updates, comes back down during the next 45 %, then falls to
    ``max_lr / (div_factor * final_div_factor)`` in the last 10 %. The momentum
    (SGD's ``momentum``, the Adam family's ``beta_1``) goes the opposite way:
    ``max_momentum`` to ``min_momentum`` and back, then stays at ``max_momentum``.

    Parameters
    ----------
    max_lr : float or None, default=None
        The peak rate; None uses ``learning_rate_init``.
    div_factor : float, default=10.0
        Start rate is ``max_lr / div_factor``.
    final_div_factor : float, default=100.0
        The last rate is ``max_lr / (div_factor * final_div_factor)``.
    min_momentum : float, default=0.85
    max_momentum : float, default=0.95

    Notes
    -----
    The cycle is the whole training run: the ``tol``/``n_iter_no_change``
    stopping rule is off, so training always runs ``max_iter`` epochs (with
    ``early_stopping=True`` the best epoch's parameters are still restored).
    Every ``fit``, warm-started too, runs a whole new cycle; ``partial_fit``
    runs one epoch per call and starts a new cycle every ``max_iter`` calls.
    """

    spans_max_iter = True

    _parameter_constraints = {
        "max_lr": [None, Interval(Real, 0, None, closed="neither")],
        "div_factor": [Interval(Real, 1, None, closed="left")],
        "final_div_factor": [Interval(Real, 1, None, closed="left")],
        "min_momentum": [Interval(Real, 0, 1, closed="left")],
        "max_momentum": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        max_lr=None,
        div_factor=10.0,
        final_div_factor=100.0,
        min_momentum=0.85,
        max_momentum=0.95,
    ):
        self.max_lr = max_lr
        self.div_factor = div_factor
        self.final_div_factor = final_div_factor
        self.min_momentum = min_momentum
        self.max_momentum = max_momentum

    def _phases(self, ctx):
        """Position of every step in the cycle: 0..1 up, 1..2 down, 2..3 anneal."""
        total = max(ctx.total_steps, 1)
        up = 0.45 * total
        pos = np.minimum(ctx.cycle_steps(), total - 1)
        return np.where(
            pos < up,
            pos / up,
            np.where(
                pos < 2 * up, 1 + (pos - up) / up, 2 + (pos - 2 * up) / (total - 2 * up)
            ),
        )

    def rates(self, ctx):
        peak = ctx.lr_init if self.max_lr is None else self.max_lr
        low = peak / self.div_factor
        last = low / self.final_div_factor
        ph = self._phases(ctx)
        return np.where(
            ph < 1,
            low + (peak - low) * ph,
            np.where(
                ph < 2, peak - (peak - low) * (ph - 1), low - (low - last) * (ph - 2)
            ),
        )

    def momenta(self, momentum, ctx):
        ph = self._phases(ctx)
        hi, lo = self.max_momentum, self.min_momentum
        return np.where(
            ph < 1, hi - (hi - lo) * ph, np.where(ph < 2, lo + (hi - lo) * (ph - 1), hi)
        )


def _warmed_up(lrs, ctx, warmup):
    """``lrs`` times the linear warm-up factor ``min(1, (s + 1) / (warmup * T))``
    of each update ``s`` of the cycle (``T = ctx.total_steps``); ``lrs`` itself
    when ``warmup`` is 0."""
    if warmup == 0:
        return lrs
    span = warmup * max(ctx.total_steps, 1)
    return lrs * np.minimum(1.0, (ctx.cycle_steps() + 1.0) / span)


def _flat_cos(t, flat):
    """1 for ``t <= flat``, then a half cosine from 1 down to 0 at ``t = 1``:
    ``(1 + cos(pi (t - flat) / (1 - flat))) / 2`` (``0 <= flat < 1``)."""
    t = np.asarray(t, dtype=np.float64)
    decay = np.maximum(t - flat, 0.0) / (1.0 - flat)
    return np.where(t <= flat, 1.0, 0.5 * (1.0 + np.cos(np.pi * decay)))


_WARMUP_DOC = """warmup : float, default=0.0
        Fraction of the cycle's updates, in [0, 1), over which the rate rises
        linearly to the schedule's value: update ``s`` of the cycle (from 0)
        has its rate multiplied by ``min(1, (s + 1) / (warmup * T))``, ``T``
        being ``max_iter`` epochs' updates (PyTorch's ``LinearLR`` from
        ``1 / (warmup * T)``). The rates after the warm-up are those without
        it; 0 (the default) turns it off."""

_CYCLE_NOTES = """Like 1cycle, it shapes the whole run: training always runs
    ``max_iter`` epochs (the ``tol``/``n_iter_no_change`` stopping rule is
    off). Every ``fit``, warm-started too, starts the schedule (and its
    warm-up) again from ``learning_rate_init``; ``partial_fit`` runs one epoch
    per call and restarts it every ``max_iter`` calls (SGDR's warm restarts)."""


class Cosine(Schedule):
    __doc__ = f"""Cosine annealing from ``learning_rate_init`` to ``min_lr`` over
    ``max_iter`` epochs: ``min_lr + (lr0 - min_lr) (1 + cos(pi t / T)) / 2``.

    Parameters
    ----------
    min_lr : float, default=0.0
        The rate at the end of the cycle.
    {_WARMUP_DOC}

    Notes
    -----
    {_CYCLE_NOTES}
    """

    spans_max_iter = True

    _parameter_constraints = {
        "min_lr": [Interval(Real, 0, None, closed="left")],
        "warmup": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(self, min_lr=0.0, warmup=0.0):
        self.min_lr = min_lr
        self.warmup = warmup

    def __setstate__(self, state):
        state = dict(state)
        state.setdefault("warmup", 0.0)  # pickled before the warm-up existed
        super().__setstate__(state)

    def rates(self, ctx):
        frac = np.minimum(ctx.cycle_steps() / max(ctx.total_steps, 1), 1.0)
        lrs = self.min_lr + (ctx.lr_init - self.min_lr) * 0.5 * (
            1 + np.cos(np.pi * frac)
        )
        return _warmed_up(lrs, ctx, self.warmup)


class FlatCosine(Schedule):
    __doc__ = f"""Flat, then cosine annealing over ``max_iter`` epochs ('flat_cos').

    The rate is ``learning_rate_init`` for the first ``flat`` fraction of the
    ``max_iter`` epochs' updates, then follows a cosine down to ``min_lr``:
    update ``t`` of the ``T`` in the cycle has the rate ``lr0`` while
    ``t / T <= flat``, then
    ``min_lr + (lr0 - min_lr) (1 + cos(pi (t / T - flat) / (1 - flat))) / 2``.
    With ``flat=0.5`` this is RealMLP's schedule [1]_ (fastai's
    ``fit_flat_cos`` has the same shape); ``flat=0`` is :class:`Cosine`.

    Parameters
    ----------
    flat : float, default=0.5
        Fraction of the cycle's updates at ``learning_rate_init``, in [0, 1).
    min_lr : float, default=0.0
        The rate the cosine falls to at the end of the cycle.
    {_WARMUP_DOC}

    Notes
    -----
    {_CYCLE_NOTES}

    References
    ----------
    .. [1] Holzmüller, Grinsztajn, Steinwart (2024). Better by Default: Strong
       Pre-Tuned MLPs and Boosted Trees on Tabular Data. NeurIPS.
    """

    spans_max_iter = True

    _parameter_constraints = {
        "flat": [Interval(Real, 0, 1, closed="left")],
        "min_lr": [Interval(Real, 0, None, closed="left")],
        "warmup": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(self, flat=0.5, min_lr=0.0, warmup=0.0):
        self.flat = flat
        self.min_lr = min_lr
        self.warmup = warmup

    def rates(self, ctx):
        frac = np.minimum(ctx.cycle_steps() / max(ctx.total_steps, 1), 1.0)
        lrs = np.where(
            frac <= self.flat,
            ctx.lr_init,
            self.min_lr + (ctx.lr_init - self.min_lr) * _flat_cos(frac, self.flat),
        )
        return _warmed_up(lrs, ctx, self.warmup)


# the estimators' dropout_schedule: the multiplier of every dropout rate at the
# position t in [0, 1] of an epoch in its cycle
_DROPOUT_SHAPES = {
    "flat_cos": lambda t: _flat_cos(t, 0.5),
    "cosine": lambda t: _flat_cos(t, 0.0),
    "linear": lambda t: 1.0 - t,
}
DROPOUT_SCHEDULE_NAMES = frozenset(_DROPOUT_SHAPES)


def dropout_scale(name, cycle_epoch, max_iter):
    """The multiplier of the dropout rates in epoch ``cycle_epoch`` (from 0) of a
    cycle of ``max_iter`` epochs under ``dropout_schedule=name``.

    The epochs of a cycle sit at ``t = cycle_epoch / (max_iter - 1)``, from 0
    (the first epoch: the multiplier is 1) to 1 (the last: 0, no dropout); a
    cycle of one epoch has ``t = 0``.
    """
    t = cycle_epoch / (max_iter - 1) if max_iter > 1 else 0.0
    return float(_DROPOUT_SHAPES[name](min(t, 1.0)))
