"""How L-BFGS is wired: ``solver="lbfgs"`` with scipy's L-BFGS-B, or OWL-QN for L1.

The objective and its gradient over the whole training set come from
:meth:`skdnn._network.Network.loss_and_gradient` (in chunks of rows, or in one batch
with batch normalisation of hidden layers; sparse X is never densified, see
:mod:`skdnn._core.sparse`); scipy owns the iterations. Batch normalisation of
the inputs alone normalises with the statistics of every row, which depend on
the data only: they are computed once, and the objective in chunks.
"""

import contextlib
import time
import warnings

import numpy as np
import scipy.optimize

from ._compat import _check_optimize_result
from ._core import codes
from ._network import gathers_batches, input_arrays
from ._owlqn import owlqn
from ._stochastic import resolved_max_iter
from ._threads import one_blas_thread

# rows per chunk of the full-batch objective at most: bounds its work memory
_FULL_BATCH_CHUNK = 4096
# fewer rows go in one chunk (two would cost more in threads than they save)
_PAIR_MIN_ROWS = 512
# values of the dense buffer a chunk of CSR rows is gathered into (when the
# first layer cannot take them as they are: input adapters; input batch
# normalisation is folded into the CSR products): 2M, 16 MB in float64; with the
# normalised copies and their gradients in the work buffers, five times that in
# all. Smaller chunks
# cost time: each adds the whole gradient into the total (5000 x 20000 CSR,
# hidden (100,): 1 << 19 took 20.9 s for 20 iterations, 1 << 21 12.5 s)
_GATHER_VALUES = 1 << 21


def _chunk_rows(n):
    """Rows per chunk of the full objective over ``n`` rows: an even number of
    chunks of (nearly) equal size, at most ``_FULL_BATCH_CHUNK`` rows each, for
    the two threads of :func:`~skdnn._core.epoch.full_loss_grad_parallel`; one
    chunk up to ``_PAIR_MIN_ROWS`` rows. The chunks depend on ``n`` only: the
    model does not depend on the threads."""
    if n <= _PAIR_MIN_ROWS:
        return n
    pairs = -(-n // (2 * _FULL_BATCH_CHUNK))
    return -(-n // (2 * pairs))


def input_batch_norm_chunk(spec, source, n):
    """Rows per chunk of the full-batch objective of a network whose inputs
    alone are batch-normalised, with the statistics of every row set
    beforehand: CSR rows that the first layer cannot take as they are (see
    :func:`~skdnn._network.gathers_batches`) are gathered densely, at most
    ``_GATHER_VALUES`` values at a time."""
    chunk = _chunk_rows(n)
    if source[4] is not None and gathers_batches(spec, True):
        p = spec.layers[0]["n_inputs"]
        chunk = min(chunk, max(_GATHER_VALUES // p, 16))
    return chunk


def fit_lbfgs(est, X, Y, sw):
    """Minimise the objective of ``est`` over ``est._net``'s parameters."""
    net = est._net
    spec = net.spec
    theta = net.theta
    n = X.shape[0]
    source = input_arrays(X, net.dtype)
    # batch normalisation: the batch is the whole training set; of the inputs
    # alone, its statistics are the data's (set once), the rows go in chunks
    mode = codes.MODE_OBJECTIVE
    chunk = n if spec.has_batch_norm else _chunk_rows(n)
    if spec.input_batch_norm_only:
        net.set_input_statistics(source, sw)
        mode = codes.MODE_PREDICT  # normalise with them (no dropout: refused)
        chunk = input_batch_norm_chunk(spec, source, n)
    # no random draws (key 0): lbfgs refuses dropout and RReLU
    opt = net.optimizer(est.alpha, float(sw.sum()))
    frozen = spec.frozen_mask(est.frozen_layers) if est.frozen_layers else None
    grad = np.empty_like(theta)
    max_iter = resolved_max_iter(est, n)

    def fun(x):
        theta[:] = x
        loss = net.loss_and_gradient(
            source, Y, sw, opt, grad, mode=mode, batch_size=chunk
        )
        if frozen is not None:
            grad[frozen] = 0.0
        return loss, grad.astype(np.float64)

    def record(intermediate_result):
        est.history_.append(
            {
                "epoch": len(est.history_) + 1,
                "loss": float(intermediate_result.fun),
                "validation_score": None,
                "learning_rate": None,
                "seconds": time.perf_counter() - tic[0],
            }
        )
        tic[0] = time.perf_counter()

    # scipy's default relative-decrease tolerance (factr=1e7), tightened with tol
    # so that a small tol reaches the exact Ridge/Lasso solutions
    ftol = min(2.220446049250313e-09, est.tol**2)
    tic = [time.perf_counter()]
    # BLAS on one thread throughout (the objective's products, and the solver's
    # own dot products, which OpenBLAS splits over its threads from about 10,000
    # parameters): the model does not depend on the number of threads. But with
    # batch normalisation of hidden layers, whose one batch is every row: its
    # products keep BLAS's threads, as whole batches do in training
    hidden_bn = spec.has_batch_norm and not spec.input_batch_norm_only
    with contextlib.nullcontext() if hidden_bn else one_blas_thread():
        if est.l1 > 0:
            result = owlqn(
                fun,
                theta.astype(np.float64),
                est.l1,
                spec.n_weights,
                maxiter=max_iter,
                maxfun=est.max_fun,
                gtol=est.tol,
                ftol=ftol,
                callback=record,
            )
            if est.verbose:
                print(f"OWL-QN: {result.message} after {result.nit} iterations")
        else:
            with warnings.catch_warnings():
                # scipy >= 1.15 deprecates iprint/disp but still honours them
                warnings.simplefilter("ignore", DeprecationWarning)
                result = scipy.optimize.minimize(
                    fun,
                    theta.astype(np.float64),
                    method="L-BFGS-B",
                    jac=True,
                    callback=record,
                    options={
                        "maxfun": est.max_fun,
                        "maxiter": max_iter,
                        "gtol": est.tol,
                        "ftol": ftol,
                        "iprint": 1 if est.verbose else -1,
                    },
                )
    est.n_iter_ = _check_optimize_result("lbfgs", result, max_iter)
    est.loss_ = float(result.fun)
    theta[:] = result.x
    if not np.all(np.isfinite(theta)):
        raise ValueError(
            "Solver produced non-finite parameter weights. The input data may"
            " contain large values and need to be preprocessed."
        )
    if hidden_bn:
        # the running statistics become those of the whole training set
        net.loss_and_gradient(
            source, Y, sw, opt, grad, mode=codes.MODE_TRAIN, batch_size=chunk,
            bn_momentum=0.0,
        )  # fmt: skip
