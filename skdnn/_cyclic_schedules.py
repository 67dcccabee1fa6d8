"""The schedules shaped over a cycle of ``max_iter`` epochs: 1cycle and cosine.

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


class Cosine(Schedule):
    """Cosine annealing from ``learning_rate_init`` to ``min_lr`` over ``max_iter``
    epochs: ``min_lr + (lr0 - min_lr) (1 + cos(pi t / T)) / 2``.

    Parameters
    ----------
    min_lr : float, default=0.0

    Notes
    -----
    Like 1cycle, it shapes the whole run: training always runs ``max_iter``
    epochs (the ``tol``/``n_iter_no_change`` stopping rule is off). Every
    ``fit``, warm-started too, anneals from ``learning_rate_init`` again;
    ``partial_fit`` runs one epoch per call and restarts the annealing every
    ``max_iter`` calls (SGDR's warm restarts).
    """

    spans_max_iter = True

    _parameter_constraints = {"min_lr": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, min_lr=0.0):
        self.min_lr = min_lr

    def rates(self, ctx):
        frac = np.minimum(ctx.cycle_steps() / max(ctx.total_steps, 1), 1.0)
        return self.min_lr + (ctx.lr_init - self.min_lr) * 0.5 * (
            1 + np.cos(np.pi * frac)
        )
