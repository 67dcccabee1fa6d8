"""Learning-rate schedules.

Unlike scikit-learn, where schedules drive only ``solver="sgd"``, every stochastic
solver here follows ``learning_rate``:

- ``"constant"``: ``learning_rate_init`` throughout.
- ``"invscaling"``: ``learning_rate_init / (t + 1) ** power_t`` where ``t`` counts
  the samples seen before the epoch (scikit-learn's ``t_``), so it changes once per
  epoch as in scikit-learn.
- ``"adaptive"``: ``learning_rate_init`` until the training loss (or the validation
  score with ``early_stopping``) fails to improve by ``tol`` for
  ``n_iter_no_change`` consecutive epochs; then the rate is divided by 5, and
  training stops once it is at most 1e-6.
"""

SCHEDULE_NAMES = frozenset({"constant", "invscaling", "adaptive"})


def epoch_learning_rate(schedule, current, learning_rate_init, power_t, t):
    """The learning rate of the coming epoch.

    Parameters
    ----------
    schedule : str
    current : float
        The rate in force (``adaptive`` divides it when progress stalls).
    learning_rate_init, power_t : float
    t : int
        Samples seen so far.
    """
    if schedule == "invscaling":
        return learning_rate_init / (t + 1) ** power_t
    return current


def on_plateau(schedule, current):
    """``(new_rate, stop)`` once progress stalled for ``n_iter_no_change`` epochs."""
    if schedule == "adaptive" and current > 1e-6:
        return current / 5.0, False
    return current, True
