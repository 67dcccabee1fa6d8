"""The learning-rate schedule protocol: :class:`Context` and :class:`Schedule`.

Public through :mod:`skdnn.schedules`, whose docstring describes the protocol; the
built-in schedules live there too.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator


@dataclass
class Context:
    """What a schedule reads before an epoch: passed to ``rates`` and ``momenta``.

    A new Context is made for every epoch; changing it has no effect.

    Attributes
    ----------
    lr_init : float
        The estimator's ``learning_rate_init``.
    lr : float
        The base rate in force: ``state["lr"]`` (see :meth:`Schedule.after_epoch`).
        It starts at ``learning_rate_init`` and only changes when a schedule
        lowers it ('adaptive' through :meth:`Schedule.on_no_improvement`,
        'plateau' through :meth:`Schedule.after_epoch`). ``partial_fit`` and a
        warm-started fit keep the lowered rate, unless ``learning_rate_init``
        was changed (with ``set_params``) since the rate was set.
    epoch : int
        Epochs trained before this one (0 in the first epoch), counted since the
        network was built: ``partial_fit`` and ``warm_start`` fits continue it.
    step : int
        Updates (minibatches) done before this epoch, counted like ``epoch``.
        The optimizer's step counter restarts at 0 (and so does ``step``) when
        ``warm_start`` switches to another optimizer.
    n_steps : int
        Updates in this epoch: the number of minibatches, ``ceil(n_train /
        batch_size)``. ``rates`` and ``momenta`` return this many values.
    total_steps : int
        ``n_steps * max_iter``: the updates of a whole run of ``max_iter`` epochs
        of this size, the span over which 1cycle, cosine and flat_cos are shaped.
    samples : int
        Training samples seen before this epoch, counted like ``epoch``
        (scikit-learn's ``t_``; 'invscaling' decays with it).
    cycle_epoch : int or None, default=None
        Epochs trained before this one in the current *cycle* of ``max_iter``
        epochs, the span over which 1cycle and cosine are shaped: every ``fit``
        (warm-started too) starts a new cycle, and ``partial_fit`` starts one
        every ``max_iter`` calls (warm restarts). None (when a Context is made
        by hand) means ``epoch``.
    cycle_step : int or None, default=None
        The position of this epoch's first update in the current cycle,
        ``cycle_epoch * n_steps``: the updates of ``total_steps`` run from
        ``cycle_step = 0`` to ``total_steps - 1``. None (when a Context is made
        by hand) means ``step``.
    """

    lr_init: float
    lr: float
    epoch: int
    step: int
    n_steps: int
    total_steps: int
    samples: int
    cycle_epoch: int | None = None
    cycle_step: int | None = None

    def __post_init__(self):
        if self.cycle_epoch is None:
            self.cycle_epoch = self.epoch
        if self.cycle_step is None:
            self.cycle_step = self.step

    def steps(self):
        """Global update index of each step of the epoch.

        Returns
        -------
        steps : ndarray of shape (n_steps,), dtype float64
            ``step, step + 1, ..., step + n_steps - 1``.
        """
        return np.arange(self.step, self.step + self.n_steps, dtype=np.float64)

    def cycle_steps(self):
        """Position of each update of the epoch in the current cycle.

        Schedules shaped over ``max_iter`` epochs (``spans_max_iter``) read it
        instead of :meth:`steps`, so that every ``fit`` runs a whole cycle.

        Returns
        -------
        steps : ndarray of shape (n_steps,), dtype float64
            ``cycle_step, cycle_step + 1, ..., cycle_step + n_steps - 1``, each
            below ``total_steps`` within a cycle.
        """
        return np.arange(
            self.cycle_step, self.cycle_step + self.n_steps, dtype=np.float64
        )


class Schedule(BaseEstimator):
    """Base class of the learning-rate schedules; subclass it to write your own.

    A subclass must implement :meth:`rates`; :meth:`momenta`,
    :meth:`after_epoch` and :meth:`on_no_improvement` are optional hooks whose
    defaults change nothing (the default stopping behaviour is to stop). Its
    ``__init__`` should only store its arguments under their own names, as for
    any scikit-learn estimator. See the module docstring for an example.

    Attributes
    ----------
    spans_max_iter : bool, default=False
        Class attribute. True for schedules shaped over all ``max_iter``
        epochs (1cycle, cosine, flat_cos): the ``tol``/``n_iter_no_change``
        stopping rule is then off and training always runs ``max_iter`` epochs
        (``early_stopping=True`` still restores the best epoch's parameters).
        Such a schedule should read its position from ``ctx.cycle_steps()``
        (or ``ctx.cycle_epoch``), which restart with every ``fit`` and every
        ``max_iter`` calls of ``partial_fit``, not from ``ctx.steps()``, which
        keeps counting across them.
    """

    _parameter_constraints: dict = {}
    spans_max_iter = False

    def rates(self, ctx):
        """The learning rate of each update of the coming epoch.

        Parameters
        ----------
        ctx : Context
            Where training stands: see :class:`Context`.

        Returns
        -------
        rates : ndarray of shape (ctx.n_steps,)
            Finite, positive learning rates, one per update of the epoch. The
            first one is recorded in ``history_[i]["learning_rate"]``.
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement rates(self, ctx), returning "
            "the learning rate of each of the epoch's ctx.n_steps updates."
        )

    def momenta(self, momentum, ctx):
        """The momentum (or ``beta_1``) of each update, or None to keep it.

        Parameters
        ----------
        momentum : float
            The optimizer's own momentum: SGD's ``momentum``, the Adam family's
            ``beta_1`` (0 for optimizers without one, which ignore momenta).
        ctx : Context
            Where training stands: see :class:`Context`.

        Returns
        -------
        momenta : ndarray of shape (ctx.n_steps,) or None
            Values in [0, 1], one per update, or None (the default) for
            ``momentum`` throughout. When not None, the first one is recorded in
            ``history_[i]["momentum"]``.
        """
        return None

    def after_epoch(self, state, metric, higher_is_better, tol):
        """Update the schedule's state after each epoch (default: nothing).

        Called after every epoch, before the stopping rule, for example to
        lower the base rate when progress stalls (as :class:`Plateau` does).

        Parameters
        ----------
        state : dict
            Mutable state kept by the estimator between epochs, across
            ``partial_fit`` calls and across warm-started fits; it starts
            afresh with a new fit, and with a warm-started fit after
            ``learning_rate_init`` was changed.
            ``state["lr"]`` is the base rate, read as ``ctx.lr`` in the next
            epoch; it starts at ``learning_rate_init``. A schedule may store its
            own keys, best prefixed by its name (``state["plateau_wait"]``).
        metric : float
            The epoch's validation score with ``early_stopping=True``, else its
            training loss (objective).
        higher_is_better : bool
            True when ``metric`` is a validation score, False for a loss.
        tol : float
            The estimator's ``tol``.
        """

    def on_no_improvement(self, lr):
        """What to do when the ``tol``/``n_iter_no_change`` rule fires.

        Called when the training loss (or validation score) has not improved by
        ``tol`` for more than ``n_iter_no_change`` epochs; never called when
        ``spans_max_iter`` is True. The default stops training.

        Parameters
        ----------
        lr : float
            The base rate in force, ``state["lr"]``.

        Returns
        -------
        lr : float
            The new base rate (stored in ``state["lr"]``, read as ``ctx.lr``).
        stop : bool
            True to stop training; False to go on (the count of epochs without
            improvement restarts at 0). scikit-learn's 'adaptive' returns
            ``(lr / 5, False)`` while ``lr > 1e-6``.
        """
        return lr, True

    def _checked_rates(self, ctx):
        """``rates(ctx)`` as a contiguous float64 array, checked."""
        lrs = np.asarray(self.rates(ctx), dtype=np.float64)
        what = f"{type(self).__name__}.rates(ctx)"
        if lrs.shape != (ctx.n_steps,):
            raise ValueError(
                f"{what} must return one learning rate per update, an array of "
                f"shape ({ctx.n_steps},); got shape {lrs.shape}."
            )
        bad = ~(np.isfinite(lrs) & (lrs > 0))
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(
                f"{what} must return finite, positive learning rates; got "
                f"{float(lrs[i])} at update {ctx.step + i} (epoch {ctx.epoch})."
            )
        return np.ascontiguousarray(lrs)

    def _checked_momenta(self, momentum, ctx):
        """``momenta(momentum, ctx)`` as a float64 array or None, checked."""
        moms = self.momenta(momentum, ctx)
        if moms is None:
            return None
        moms = np.asarray(moms, dtype=np.float64)
        what = f"{type(self).__name__}.momenta(momentum, ctx)"
        if moms.shape != (ctx.n_steps,):
            raise ValueError(
                f"{what} must return None or one momentum per update, an array of "
                f"shape ({ctx.n_steps},); got shape {moms.shape}."
            )
        bad = ~((moms >= 0) & (moms <= 1))
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(
                f"{what} must return momenta in [0, 1]; got {float(moms[i])} at update "
                f"{ctx.step + i} (epoch {ctx.epoch})."
            )
        return moms
