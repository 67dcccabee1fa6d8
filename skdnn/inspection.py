"""Looking inside a fitted network: what every hidden layer computes."""

import numpy as np
from sklearn.utils import check_random_state

from ._base import BaseMLP
from ._compat import validate_parameter_constraints
from ._core import codes
from ._lbfgs import _FULL_BATCH_CHUNK, input_batch_norm_chunk
from ._network import input_arrays

__all__ = ["hidden_activations", "layer_gradients"]

_CONSTRAINTS = {
    "estimator": [BaseMLP],
    "X": ["array-like", "sparse matrix"],
    "y": ["array-like"],
    "sample_weight": ["array-like", None],
    "dropout": ["boolean"],
    "random_state": ["random_state"],
}


def _check_args(caller, **args):
    """InvalidParameterError naming the argument that ``caller`` cannot take
    (a pipeline instead of an MLP, ...)."""
    validate_parameter_constraints(
        {name: _CONSTRAINTS[name] for name in args}, args, caller_name=caller
    )


def hidden_activations(estimator, X, dropout=False, random_state=None):
    """The activations of every hidden layer of a fitted network on X.

    Computed as ``predict`` computes them (running batch-normalisation statistics,
    no dropout), each taken right after the activation function: before a
    batch normalisation placed 'after' it and before dropout. Useful to check the
    self-normalising property of SELU networks, or to spot saturated and dead units.

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor
        A fitted estimator (not a pipeline: pass ``pipe[:-1].transform(X)`` and
        ``pipe[-1]``).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The input data.
    dropout : bool, default=False
        Keep dropout on, as in training (one Monte Carlo pass): each layer then
        sees the dropped-out activations of the layer before.
    random_state : int, RandomState instance or None, default=None
        Seeds the dropout masks (``dropout=True`` only).

    Returns
    -------
    activations : list of ndarray of shape (n_samples, units)
        One array per hidden layer, in order; of shape (n_samples, n_members,
        units) for a model with several ensemble members (``n_members``), each
        member's activations on its adapted inputs.

    Examples
    --------
    >>> import numpy as np
    >>> from skdnn import MLPRegressor
    >>> from skdnn.inspection import hidden_activations
    >>> X = np.random.RandomState(0).normal(size=(50, 3))
    >>> reg = MLPRegressor(hidden_layer_sizes=(8, 4), max_iter=5, random_state=0)
    >>> reg = reg.fit(X, X[:, 0])
    >>> [a.shape for a in hidden_activations(reg, X)]
    [(50, 8), (50, 4)]
    """
    _check_args(
        "hidden_activations",
        estimator=estimator,
        X=X,
        dropout=dropout,
        random_state=random_state,
    )
    X = estimator._validate_predict_input(X)  # NotFittedError when not fitted
    return estimator._net.hidden_activations(
        X,
        codes.MODE_MC if dropout else codes.MODE_PREDICT,
        check_random_state(random_state).randint(0, 2**63 - 1),
    )


def layer_gradients(estimator, X, y, sample_weight=None, random_state=None):
    """Gradient of the training objective with respect to every weight matrix.

    The objective ``J`` of the fit (data term and L2 penalty; see the user guide's
    "Objective" page) on ``(X, y)`` as one batch: batch normalisation uses the
    statistics of X, dropout draws one mask. The samples are weighted as ``fit``
    weights them: ``sample_weight`` times the classifier's ``class_weight``
    ('balanced': from the class frequencies of this ``y``). Per-layer gradient
    norms show vanishing or exploding gradients (the lower layers' gradients much
    smaller or larger than the upper ones').

    Parameters
    ----------
    estimator : MLPClassifier or MLPRegressor
        A fitted estimator.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The input data.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        The targets, as for ``fit``; a classifier's labels must be among its
        ``classes_`` (a ValueError otherwise).
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative sample weights, checked as ``fit`` checks them.
    random_state : int, RandomState instance or None, default=None
        Seeds the dropout mask.

    Returns
    -------
    gradients : list of ndarray
        dJ/dW for every weight matrix, shaped as ``coefs_``.
    """
    _check_args(
        "layer_gradients",
        estimator=estimator,
        X=X,
        y=y,
        sample_weight=sample_weight,
        random_state=random_state,
    )
    X = estimator._validate_predict_input(X)  # NotFittedError when not fitted
    net = estimator._net
    y = np.asarray(y)
    Y = np.ascontiguousarray(estimator._target_matrix(y), dtype=net.dtype)
    if Y.shape != (X.shape[0], estimator.n_outputs_):
        raise ValueError(
            f"y has shape {y.shape}: expected {X.shape[0]} rows and the fitted "
            f"{estimator.n_outputs_} output(s)."
        )
    # as fit weighs the samples: non-negative, finite, class weights folded in
    sw = estimator._check_sample_weight(sample_weight, X, y, incremental=False)
    sw = np.ascontiguousarray(sw, dtype=net.dtype)
    grad = np.empty_like(net.theta)
    # in chunks of rows unless batch normalisation needs all of them at once (each
    # row draws the same dropout mask in any chunk); sparse X is never densified
    # (input batch normalisation is folded into the first layer's CSR products; the
    # user guide's "Sparse input"). The inputs' statistics of every row depend on X
    # only: with input batch normalisation alone they are computed first (into a
    # copy of the running statistics) and the rows go in chunks normalised with
    # them, dropout drawn as in the objective (MODE_MC; RReLU's random slopes would
    # not be: those networks take every row at once)
    n = X.shape[0]
    spec = net.spec
    source = input_arrays(X, net.dtype)
    chunk = n if spec.has_batch_norm else min(n, _FULL_BATCH_CHUNK)
    mode, stats = codes.MODE_OBJECTIVE, None
    if spec.input_batch_norm_only and spec.hidden_code != codes.RRELU:
        stats = net.bn_stats.copy()
        net.set_input_statistics(source, sw, stats)
        mode = codes.MODE_MC
        chunk = input_batch_norm_chunk(spec, source, n)
    net.loss_and_gradient(
        source,
        Y,
        sw,
        net.optimizer(estimator.alpha, float(sw.sum())),
        grad,
        mode=mode,
        key=check_random_state(random_state).randint(0, 2**63 - 1),
        batch_size=max(chunk, 1),
        bn_stats=stats,
    )
    return [g.copy() for g in net.spec.coefs(grad)]
