"""Plotting helpers (matplotlib is imported only when one is called).

Install the extra with ``pip install "skdnn[plot]"``.
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import BaseMLP
from ._compat import HasMethods, validate_parameter_constraints

_AX = [None, HasMethods(["plot"])]
_FINDER_FIELDS = ("learning_rates", "losses", "smoothed_losses", "suggestion")


def _check_estimator(caller, estimator, ax=None):
    """A fitted MLP (NotFittedError otherwise) and an Axes or None."""
    validate_parameter_constraints(
        {"estimator": [BaseMLP], "ax": _AX},
        {"estimator": estimator, "ax": ax},
        caller_name=caller,
    )
    check_is_fitted(estimator, "history_")


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
    missing = [f for f in _FINDER_FIELDS if not hasattr(result, f)]
    if missing:
        raise TypeError(
            "result must be the return value of skdnn.find_learning_rate (a Bunch "
            f"with {', '.join(_FINDER_FIELDS)}); got a {type(result).__name__} "
            f"without {', '.join(missing)}."
        )
    validate_parameter_constraints(
        {"ax": _AX}, {"ax": ax}, caller_name="plot_learning_rate_finder"
    )
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
    _check_estimator("plot_history", estimator, ax)
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


def plot_layer_statistics(estimator, X, y=None, axes=None, dropout=False):
    """Per-layer activation mean and standard deviation (and gradient norms).

    The diagnostic of Glorot & Bengio and of the CS231n notes: in a healthy
    network the activations keep a similar spread from layer to layer, and so do
    the gradients of the weight matrices. Activations come from
    :func:`skdnn.inspection.hidden_activations`, gradients from
    :func:`skdnn.inspection.layer_gradients` (when ``y`` is given).

    Parameters
    ----------
    estimator : fitted MLPClassifier or MLPRegressor
    X : array-like of shape (n_samples, n_features)
    y : array-like, default=None
        Targets; with them, a second panel shows the Frobenius norm of the
        objective's gradient with respect to each weight matrix.
    axes : sequence of matplotlib Axes, default=None
        One axes (activations) or two (and gradients; a ValueError when ``y`` is
        given with fewer); new ones when None.
    dropout : bool, default=False
        Keep dropout on while computing the activations.

    Returns
    -------
    axes : list of matplotlib Axes
    """
    from .inspection import hidden_activations, layer_gradients

    _check_estimator("plot_layer_statistics", estimator)
    n_panels = 1 if y is None else 2
    if axes is None:
        _, axes = _pyplot().subplots(1, n_panels, figsize=(4.5 * n_panels, 3.5))
    axes = list(np.atleast_1d(axes))
    if len(axes) < n_panels:
        raise ValueError(
            f"axes has {len(axes)} Axes, but plot_layer_statistics draws "
            f"{n_panels} panels (activations, and gradients when y is given)."
        )
    acts = hidden_activations(estimator, X, dropout=dropout, random_state=0)
    layers = np.arange(1, len(acts) + 1)
    ax = axes[0]
    ax.errorbar(layers, [a.mean() for a in acts], yerr=[a.std() for a in acts],
                marker="o", capsize=3, label="mean ± std")  # fmt: skip
    ax.set_xlabel("hidden layer")
    ax.set_ylabel("activation")
    ax.legend()
    if y is not None:
        grads = layer_gradients(estimator, X, y, random_state=0)
        ax = axes[1]
        ax.semilogy(np.arange(1, len(grads) + 1),
                    [np.linalg.norm(g) for g in grads], marker="o")  # fmt: skip
        ax.set_xlabel("weight layer (last = output)")
        ax.set_ylabel("||dJ/dW||")
    return axes


def plot_update_ratios(estimator, ax=None):
    """Update/weight ratio of every layer per epoch, from ``history_``.

    Karpathy's rule of thumb (CS231n): the ratio of an update's norm to the
    weights' norm should be around 1e-3; far below, the learning rate is too low;
    far above, too high. ``history_`` records, per layer and epoch, a lower bound
    of the mean ratio of one step (the epoch's change divided by its steps).

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor fitted with a stochastic solver
    ax : matplotlib Axes, default=None

    Returns
    -------
    ax : matplotlib Axes
    """
    _check_estimator("plot_update_ratios", estimator, ax)
    hist = [h for h in estimator.history_ if "update_ratio" in h]
    if not hist:
        raise ValueError(
            "history_ has no update ratios: they are recorded by the stochastic "
            "solvers, not by 'lbfgs'."
        )
    if ax is None:
        _, ax = _pyplot().subplots()
    ratios = np.array([h["update_ratio"] for h in hist])
    epochs = [h["epoch"] for h in hist]
    for layer in range(ratios.shape[1]):
        ax.semilogy(epochs, ratios[:, layer], label=f"layer {layer + 1}")
    ax.axhline(1e-3, color="gray", ls="--", lw=1, label="1e-3")
    ax.set_xlabel("epoch")
    ax.set_ylabel("update / weight ratio per step")
    ax.legend()
    return ax
