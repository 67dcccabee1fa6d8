"""How an epoch is run: the stochastic training loop of ``fit`` and ``partial_fit``.

Python owns the loop over epochs (schedules, early stopping, history, verbose
output, rollback of a diverged epoch); every epoch runs inside one compiled call,
:meth:`skdnn._network.Network.train_epoch`.
"""

import time
import warnings
from dataclasses import dataclass, field, fields

import numpy as np
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from ._cyclic_schedules import dropout_scale
from ._network import input_arrays
from ._progress import Progress
from .optimizers import resolve_optimizer
from .schedules import Context, resolve_schedule


@dataclass
class TrainState:
    """What the stochastic loop remembers between calls (warm start, partial_fit).

    Attributes
    ----------
    schedule : dict
        The schedule's own state; ``schedule["lr"]`` is the current base rate,
        which ``adaptive`` and ``plateau`` lower.
    epoch : int
        Epochs run since the network was built (drives the shuffles and the
        epoch-based schedules).
    no_improvement : int
        Consecutive epochs without improvement (scikit-learn's stopping rule).
    opt_signature : tuple or None
        The update rule whose slots the network holds; another one starts fresh.
    cycle_epoch : int
        Epochs run in the current cycle of a schedule shaped over ``max_iter``
        epochs (1cycle, cosine, flat_cos, the ``dropout_schedule``): 0 at the
        start of every ``fit``; ``partial_fit`` starts a new cycle once it
        reaches ``max_iter``.
    lr_init : float or None
        The ``learning_rate_init`` that ``schedule["lr"]`` started from; a
        continued fit with another one starts the schedule's state afresh.
    """

    schedule: dict
    epoch: int = 0
    no_improvement: int = 0
    opt_signature: tuple | None = field(default=None)
    cycle_epoch: int = 0
    lr_init: float | None = None

    def to_state(self):
        """The fields as a plain dict (what a persisted model holds: a dataclass
        cannot be audited by ``skops.io``); :meth:`from_state` rebuilds it."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_state(cls, state):
        """The TrainState of :meth:`to_state`'s ``state``."""
        state = dict(state)
        if state.get("opt_signature") is not None:
            state["opt_signature"] = tuple(state["opt_signature"])
        return cls(**state)


def _update_ratios(before, after, n_steps):
    """Per layer, ``||W_after - W_before|| / ||W_before||`` divided by the number
    of steps: a lower bound of the mean update/weight ratio of one step."""

    # no np.linalg.norm: it calls numpy's BLAS, whose threads then spin for a
    # while and take the cores from the BLAS that the compiled epoch uses
    # blocks of rows: no temporary of the size of a weight matrix (the first
    # layer's can be most of the model on wide sparse input)
    def sum_sq(W, W0=None):
        step = max(1, 65536 // max(W.shape[1], 1))
        total = 0.0
        for i in range(0, W.shape[0], step):
            d = W[i : i + step] if W0 is None else W[i : i + step] - W0[i : i + step]
            total += float(np.square(d).sum())
        return total

    out = []
    with np.errstate(over="ignore", invalid="ignore"):  # diverging weights: inf
        for W0, W1 in zip(before, after, strict=True):
            norm = float(np.sqrt(sum_sq(W0)))
            delta = float(np.sqrt(sum_sq(W1, W0)))
            ratio = delta / norm / max(n_steps, 1) if norm > 0 else float("nan")
            out.append(ratio)
    return out


def _split(est, Y, y, random_state):
    """Row indices of the training and validation sets (early stopping)."""
    n = Y.shape[0]
    rows = np.arange(n, dtype=np.int64)
    if not est.early_stopping:
        return rows, None
    stratify = None
    if is_classifier(est) and y.ndim == 1:
        # stratify binary and multiclass targets when every class can be split
        # and both sets can hold every class (train_test_split raises otherwise)
        _, counts = np.unique(y, return_counts=True)
        n_val = int(np.ceil(est.validation_fraction * n))
        if counts.min() >= 2 and min(n_val, n - n_val) >= counts.shape[0]:
            stratify = y
    train, val = train_test_split(
        rows,
        random_state=random_state,
        test_size=est.validation_fraction,
        stratify=stratify,
    )
    if val.shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    return np.sort(train), val


def _check_split_weights(est, sw, train_rows, val_rows):
    """Both sides of the early-stopping split need a positive total weight."""
    if val_rows is None:
        return
    how = (
        "Give more samples a non-zero sample_weight, change random_state (it "
        "draws the split) or validation_fraction, or set early_stopping=False."
    )
    if not sw[train_rows].sum() > 0:
        raise ValueError(
            "early_stopping=True holds out validation_fraction="
            f"{est.validation_fraction} of the samples, and the {len(train_rows)} "
            "samples left for training all have zero sample_weight: every "
            "weighted sample went to the validation set, so there is nothing to "
            "train on. " + how
        )
    if not sw[val_rows].sum() > 0:
        raise ValueError(
            "early_stopping=True holds out validation_fraction="
            f"{est.validation_fraction} of the samples, and the {len(val_rows)} "
            "held-out samples all have zero sample_weight, so no validation score "
            "can be computed. " + how
        )


def _restore_best(est, net, best_theta, best_bn, n_nonfinite):
    """Early stopping: restore the best epoch's parameters, and warn when the
    validation score was not finite (it then cannot rank the epochs)."""
    if not n_nonfinite:
        net.theta[:] = best_theta
        net.bn_stats[:] = best_bn
        return
    why = (
        "the predictions on the validation set overflow or are NaN, e.g. with "
        "loss='poisson', whose exp output overflows on extreme inputs. Scale "
        "the inputs (e.g. with StandardScaler), or set early_stopping=False."
    )
    if n_nonfinite == est.n_iter_:
        warnings.warn(
            f"The validation score of early stopping was not finite in any of the "
            f"{est.n_iter_} epochs of this fit, so it cannot pick the best epoch: "
            "the parameters of the last epoch are kept (not the best "
            "validation epoch's). Usually " + why,
            UserWarning,
            stacklevel=3,
        )
        return
    net.theta[:] = best_theta
    net.bn_stats[:] = best_bn
    warnings.warn(
        f"The validation score of early stopping was not finite in {n_nonfinite} "
        f"of the {est.n_iter_} epochs of this fit; those epochs count as no "
        "improvement, and the parameters of the epoch with the best finite "
        "validation score are restored. Usually " + why,
        UserWarning,
        stacklevel=3,
    )


def _batch_size(est, n_train, batch_norm):
    if est.batch_size == "auto":
        size = est._auto_batch(n_train)
    else:
        if est.batch_size > n_train:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than "
                "sample size. It is going to be clipped",
                stacklevel=2,
            )
        size = int(np.clip(est.batch_size, 1, n_train))
    if batch_norm and size < 2:
        # a batch of one row has variance 0: batch normalisation maps it to beta
        samples = "1 sample" if n_train == 1 else f"{n_train} samples"
        raise ValueError(
            "Batch normalisation needs batches of at least 2 rows, but this call "
            f"trains on {samples} in batches of {size}: a single row has "
            "batch variance 0 and normalises to a constant. Pass more training "
            "samples per fit/partial_fit call, or set batch_norm=False and "
            "input_batch_norm=False."
        )
    return size


def _n_batches(n_train, batch_size, batch_norm):
    """Batches per epoch. With batch normalisation a remainder of one row joins
    the last full batch (alone, it would have variance 0)."""
    n_batches = -(-n_train // batch_size)
    if batch_norm and n_batches > 1 and n_train % batch_size == 1:
        n_batches -= 1
    return n_batches


def _optimizer(est, net, state, sw_train):
    """The OPTIMIZER record of this fit and the base momentum (or beta_1)."""
    cfg = resolve_optimizer(est)
    if cfg.get("weight_decay_schedule") == "constant":
        # AdamW's decay at the initial rate, whatever the schedule does
        cfg["decay_lr"] = float(est.learning_rate_init)
    # another optimizer (warm_start after set_params) starts from fresh state (Adam
    # and AdamW share the rule and its slots)
    signature = (cfg["rule"], cfg.get("amsgrad", False))
    if state.opt_signature not in (None, signature):
        net.reset_optimizer()
    state.opt_signature = signature
    opt = net.optimizer(
        est.alpha, sw_train, cfg, est.l1, est.max_norm, est.clipnorm, est.clipvalue
    )
    return opt, float(cfg["momentum"])


def _improved(est, state, val_score):
    """scikit-learn's stopping rule; returns True when this epoch is the best."""
    if val_score is not None:
        est.validation_scores_.append(val_score)
        if not np.isfinite(val_score):  # cannot be compared: no improvement
            state.no_improvement += 1
            return False
        if val_score < est.best_validation_score_ + est.tol:
            state.no_improvement += 1
        else:
            state.no_improvement = 0
        if val_score > est.best_validation_score_:
            est.best_validation_score_ = val_score
            return True
        return False
    if est.loss_curve_[-1] > est.best_loss_ - est.tol:
        state.no_improvement += 1
    else:
        state.no_improvement = 0
    if est.loss_curve_[-1] < est.best_loss_:
        est.best_loss_ = est.loss_curve_[-1]
        return True
    return False


#: ``max_iter="auto"`` (the tabular estimators' default): 40 epochs, or for more
#: than 2,048 training rows as many row visits (40 * 2,048 / n_train epochs,
#: rounded), at least 12 epochs; L-BFGS: 200 iterations, scikit-learn's default
AUTO_EPOCHS, AUTO_ROWS, AUTO_MIN_EPOCHS, AUTO_LBFGS = 40, 2048, 12, 200


def resolved_max_iter(est, n_train, incremental=False):
    """The epochs (L-BFGS: iterations) of a fit: ``est.max_iter``, or the rule of
    ``max_iter="auto"`` for ``n_train`` training rows (for ``partial_fit``,
    whose calls may bring any number of rows, a cycle of 40 calls)."""
    if est.max_iter != "auto":
        return est.max_iter
    if est.solver == "lbfgs":
        return AUTO_LBFGS
    if incremental or n_train <= AUTO_ROWS:
        return AUTO_EPOCHS
    return int(max(AUTO_MIN_EPOCHS, round(AUTO_EPOCHS * AUTO_ROWS / n_train)))


def fit_stochastic(est, X, Y, y, sw, incremental, random_state):
    """Train ``est._net`` for ``max_iter`` epochs (one with ``incremental``; see
    :func:`resolved_max_iter`)."""
    if est.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    net, state = est._net, est._train
    train_rows, val_rows = _split(est, Y, y, random_state)
    if val_rows is not None:
        X_val = X[val_rows]
        y_val = y[val_rows]
        sw_val = sw[val_rows]
    _check_split_weights(est, sw, train_rows, val_rows)
    n_train = train_rows.shape[0]
    max_iter = resolved_max_iter(est, n_train, incremental)
    sw_train = float(sw[train_rows].sum())
    batch_norm = net.spec.has_batch_norm
    batch_size = _batch_size(est, n_train, batch_norm)
    n_batches = _n_batches(n_train, batch_size, batch_norm)

    source = input_arrays(X, net.dtype)
    frozen = net.spec.frozen_mask(est.frozen_layers)
    factors = net.spec.lr_factor_array(est.lr_factors, net.dtype)
    opt, momentum = _optimizer(est, net, state, sw_train)
    schedule = resolve_schedule(est)
    # Sample order, shuffled in place by the kernel (X itself is never copied).
    # Every epoch starts from the same order, so an epoch's permutation depends
    # only on (seed, epoch): fit, warm_start and partial_fit agree bitwise.
    perm = np.empty_like(train_rows)
    best_theta = net.theta.copy() if est.early_stopping else None
    best_bn = net.bn_stats.copy() if est.early_stopping else None
    progress = Progress(est.verbose, 1 if incremental else max_iter, est.progress_bar)
    # 1cycle, cosine, flat_cos and the dropout schedule are shaped over a cycle
    # of max_iter epochs: every fit runs a whole one, partial_fit starts a new
    # one every max_iter calls
    if not incremental or state.cycle_epoch >= max_iter:
        state.cycle_epoch = 0
    n_nonfinite = 0  # epochs whose validation score is NaN or infinite
    backup = None  # the state before the epoch (rollback), its buffers reused

    est.n_iter_ = 0
    for _ in range(max_iter):
        tic = time.perf_counter()
        ctx = Context(
            lr_init=float(est.learning_rate_init),
            lr=state.schedule["lr"],
            epoch=state.epoch,
            step=int(net.step[0]),
            n_steps=n_batches,
            total_steps=n_batches * max_iter,
            samples=est.t_,
            cycle_epoch=state.cycle_epoch,
            cycle_step=state.cycle_epoch * n_batches,
        )
        lrs = schedule._checked_rates(ctx)
        moms = schedule._checked_momenta(momentum, ctx)
        cycled = moms is not None
        moms = np.full(n_batches, momentum) if moms is None else moms.astype(float)
        # dropout_schedule: this epoch's multiplier of the dropout rates (the
        # records keep the constructor's rates: MC dropout, saved models)
        drop_scale = 1.0
        if est.dropout_schedule is not None:
            drop_scale = dropout_scale(
                est.dropout_schedule, state.cycle_epoch, max_iter
            )
        backup = net.snapshot(backup)
        perm[:] = train_rows
        data_loss, penalty, n_done, step_losses = net.train_epoch(
            source, Y, sw, perm, est.shuffle, state.epoch, opt, lrs, moms, frozen,
            batch_size, drop_scale, factors,
        )  # fmt: skip
        if n_done < n_batches or not net.is_finite():
            net.restore(backup)
            net.step_losses = step_losses[:n_done]  # the finite steps (lr finder)
            warnings.warn(
                f"Training diverged in epoch {state.epoch + 1}: the loss became "
                "non-finite (learning_rate_init too large, or unscaled inputs?). "
                "Training stopped; the parameters of the last finite epoch are "
                "kept.",
                ConvergenceWarning,
                stacklevel=2,
            )
            break
        net.step_losses = step_losses
        state.epoch += 1
        state.cycle_epoch += 1
        est.n_iter_ += 1
        est.t_ += n_train
        est.loss_ = (data_loss + penalty) / sw_train
        est.loss_curve_.append(est.loss_)

        val_score = None
        if val_rows is not None:
            # score with the statistics of this epoch's weights (not the lagging
            # running averages)
            net.recompute_bn_statistics(
                source, sw, train_rows, est.shuffle, state.epoch, batch_size, n_batches
            )
            val_score = est._score(X_val, y_val, sample_weight=sw_val)
            n_nonfinite += not np.isfinite(val_score)
        if _improved(est, state, val_score) and best_theta is not None:
            best_theta[:] = net.theta
            best_bn[:] = net.bn_stats
        has_val = val_score is not None
        metric = val_score if has_val else est.loss_
        schedule.after_epoch(state.schedule, metric, has_val, est.tol)
        record = {
            "epoch": state.epoch,
            "loss": est.loss_,
            "validation_score": val_score,
            "learning_rate": float(lrs[0]),
            "seconds": time.perf_counter() - tic,
            "threads": getattr(net, "epoch_threads", 1),
            "update_ratio": _update_ratios(
                net.spec.coefs(backup[0]), est.coefs_, n_done
            ),
        }
        if cycled:
            record["momentum"] = float(moms[0])
        if est.dropout_schedule is not None:
            record["dropout_scale"] = drop_scale
        est.history_.append(record)
        progress.epoch_done(record)

        # 1cycle, cosine and flat_cos shape the whole run of max_iter epochs: no
        # early stop
        stall = state.no_improvement > est.n_iter_no_change
        if stall and not schedule.spans_max_iter:
            what = "Validation score" if val_rows is not None else "Training loss"
            msg = "%s did not improve more than tol=%f for %d consecutive epochs." % (
                what,
                est.tol,
                est.n_iter_no_change,
            )
            lr, stop = schedule.on_no_improvement(state.schedule["lr"])
            state.schedule["lr"] = lr
            if stop:
                progress.message(msg + " Stopping.")
                break
            progress.message(msg + " Setting learning rate to %f" % lr)
            state.no_improvement = 0

        if incremental:
            break
        if est.n_iter_ == max_iter and not schedule.spans_max_iter:
            # a schedule shaped over max_iter epochs (cosine, 1cycle, flat_cos)
            # runs them all by design: reaching max_iter is not a failure
            warnings.warn(
                "Stochastic Optimizer: Maximum iterations (%d) reached and the "
                "optimization hasn't converged yet." % max_iter,
                ConvergenceWarning,
                stacklevel=2,
            )
    progress.close()
    if best_theta is not None:
        _restore_best(est, net, best_theta, best_bn, n_nonfinite)
    # "precise BN": the running statistics become those of the final weights over
    # this call's training rows (the moving averages lag the weights)
    net.recompute_bn_statistics(
        source, sw, train_rows, est.shuffle, state.epoch, batch_size, n_batches
    )
