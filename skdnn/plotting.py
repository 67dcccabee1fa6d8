"""Plotting helpers (matplotlib is imported only when one is called).

Install the extra with ``pip install "skdnn[plot]"``.
"""

import numpy as np


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "skdnn.plotting needs matplotlib: pip install 'skdnn[plot]' "
            "(or pip install matplotlib)."
        ) from exc
    return plt


def plot_learning_rate_finder(result, ax=None):
    """Loss against learning rate (log axis) from :func:`skdnn.find_learning_rate`.

    Parameters
    ----------
    result : Bunch
        The return value of :func:`skdnn.find_learning_rate`.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
    """
    if ax is None:
        _, ax = _pyplot().subplots()
    ax.plot(result.learning_rates, result.losses, alpha=0.3, label="loss per step")
    ax.plot(result.learning_rates, result.smoothed_losses, label="smoothed loss")
    ax.axvline(result.suggestion, color="C3", ls="--",
               label=f"suggestion {result.suggestion:.2g}")  # fmt: skip
    ax.set_xscale("log")
    ax.set_xlabel("learning rate")
    ax.set_ylabel("training loss")
    finite = result.smoothed_losses[np.isfinite(result.smoothed_losses)]
    if finite.size:
        ax.set_ylim(finite.min() * 0.9, min(finite.max(), 4 * finite.min()) * 1.1)
    ax.legend()
    return ax


def plot_history(estimator, ax=None):
    """Training loss (and validation score, learning rate) per epoch from
    ``history_``.

    Parameters
    ----------
    estimator : fitted MLPClassifier or MLPRegressor
    ax : matplotlib Axes, default=None
        Where to draw the loss; the validation score and the learning rate go on
        twin axes.

    Returns
    -------
    ax : matplotlib Axes
    """
    if ax is None:
        _, ax = _pyplot().subplots()
    hist = estimator.history_
    epochs = [h["epoch"] for h in hist]
    ax.plot(epochs, [h["loss"] for h in hist], label="loss_")
    ax.set_xlabel("epoch")
    ax.set_ylabel("training objective")
    if any(h["validation_score"] is not None for h in hist):
        ax2 = ax.twinx()
        ax2.plot(epochs, [h["validation_score"] for h in hist], color="C1",
                 label="validation score")  # fmt: skip
        ax2.set_ylabel("validation score")
    if all(h["learning_rate"] is not None for h in hist):
        ax3 = ax.twinx()
        ax3.spines["right"].set_position(("axes", 1.12))
        ax3.plot(epochs, [h["learning_rate"] for h in hist], color="C2", ls=":",
                 label="learning rate")  # fmt: skip
        ax3.set_ylabel("learning rate")
    ax.legend(loc="upper center")
    return ax
