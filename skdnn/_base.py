"""BaseMLP: parameter validation and the fit/partial_fit orchestration.

Python owns the loop over epochs (schedules, early stopping, history, verbose output);
every epoch runs inside one compiled call (:func:`skdnn._core.epoch.run_epoch`).
"""

import sys
import time
import warnings
from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
import scipy.optimize
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._compat import (
    HasMethods,
    Interval,
    Options,
    StrOptions,
    _check_optimize_result,
    _check_sample_weight,
    validate_data,
)
from ._core import codes
from ._core.epoch import full_loss_grad, predict_forward, run_epoch
from ._core.optimizers import (
    OPT_AMSGRAD,
    OPT_BETA_2,
    OPT_CLIPNORM,
    OPT_CLIPVALUE,
    OPT_CODE,
    OPT_COLS,
    OPT_EPSILON,
    OPT_I_COLS,
    OPT_INITIAL_ACCUMULATOR,
    OPT_L1,
    OPT_L2,
    OPT_MAX_NORM,
    OPT_N_WEIGHTS,
    OPT_NESTEROV,
    OPT_RHO,
)
from ._network import NetworkSpec, Workspace, input_arrays
from ._owlqn import owlqn
from ._threads import CHUNK_ROWS, split_rows
from .activations import ACTIVATION_CONSTRAINT, resolve_activation
from .initializers import INIT_NAMES, init_weights
from .optimizers import SOLVER_NAMES, Optimizer, resolve_optimizer
from .schedules import SCHEDULE_NAMES, Context, Schedule, resolve_schedule

# output activation name -> (kernel output code, kernel loss code)
_OUTPUTS = {
    "identity": (codes.IDENTITY, codes.SQUARED_ERROR),
    "logistic": (codes.LOGISTIC, codes.BINARY_LOG_LOSS),
    "softmax": (codes.SOFTMAX, codes.LOG_LOSS),
    "exp": (codes.EXP, codes.POISSON),
}

# rows per chunk of the full-batch objective (L-BFGS): bounds its work memory
_FULL_BATCH_CHUNK = 4096


class _Progress:
    """Per-epoch output: ``verbose=1`` one line per epoch (scikit-learn's
    ``Iteration N, loss = ...`` prefix, then the validation score, learning rate
    and seconds), ``verbose >= 2`` a progress bar redrawn in place."""

    _WIDTH = 30

    def __init__(self, verbose, total):
        self.level = int(verbose)
        self.total = max(int(total), 1)
        self.done = 0
        self.started = time.perf_counter()
        self.drawn = False

    def epoch_done(self, record):
        self.done += 1
        if self.level == 1:
            parts = ["Iteration %d, loss = %.8f" % (record["epoch"], record["loss"])]
            if record["validation_score"] is not None:
                parts.append("validation score = %.6f" % record["validation_score"])
            parts.append("learning rate = %.4g" % record["learning_rate"])
            parts.append("%.2f s" % record["seconds"])
            print(", ".join(parts))
        elif self.level >= 2:
            filled = int(self._WIDTH * self.done / self.total)
            bar = "#" * filled + "." * (self._WIDTH - filled)
            elapsed = time.perf_counter() - self.started
            line = "\r[%s] %d/%d epochs, loss %.5g" % (
                bar,
                self.done,
                self.total,
                record["loss"],
            )
            if record["validation_score"] is not None:
                line += ", validation %.4f" % record["validation_score"]
            line += ", %.1f s" % elapsed
            sys.stdout.write(line)
            sys.stdout.flush()
            self.drawn = True

    def message(self, text):
        if self.level:
            self.close()
            print(text)

    def close(self):
        if self.drawn:
            sys.stdout.write("\n")
            sys.stdout.flush()
            self.drawn = False


def _update_ratios(before, after, n_steps):
    """Per layer, ``||W_after - W_before|| / ||W_before||`` divided by the number
    of steps: a lower bound of the mean update/weight ratio of one step."""
    # no np.linalg.norm: it calls numpy's BLAS, whose threads then spin for a
    # while and take the cores from the BLAS that the compiled epoch uses
    out = []
    with np.errstate(over="ignore", invalid="ignore"):  # diverging weights: inf
        for W0, W1 in zip(before, after, strict=True):
            norm = float(np.sqrt(np.square(W0).sum()))
            delta = float(np.sqrt(np.square(W1 - W0).sum()))
            ratio = delta / norm / max(n_steps, 1) if norm > 0 else float("nan")
            out.append(ratio)
    return out


def _mc_key(seed, i):
    """The dropout stream of Monte Carlo pass ``i``."""
    return (seed * 0x9E3779B97F4A7C15 + i * 0xBF58476D1CE4E5B9 + 1) % 2**64


def _same_parameters(old, new):
    """Whether two network specs lay out and use theta the same way."""
    cols = [
        codes.NET_FAN_IN, codes.NET_W_COLS, codes.NET_W_OFF, codes.NET_B_OFF,
        codes.NET_ACT, codes.NET_IN_BN_P, codes.NET_PRE_BN_P, codes.NET_PRELU_OFF,
    ]  # fmt: skip
    return (
        list(old.layer_units) == list(new.layer_units)
        and old.n_params == new.n_params
        and old.n_stats == new.n_stats
        and np.array_equal(old.net[:, cols], new.net[:, cols])
    )


def _set_params_from(estimator, params):
    """Store the constructor arguments ``params`` (a ``locals()``) unchanged."""
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


class BaseMLP(BaseEstimator, metaclass=ABCMeta):
    """Shared machinery of :class:`MLPClassifier` and :class:`MLPRegressor`.

    Subclasses declare their constructor (scikit-learn introspects it) and the
    label/target handling; everything else lives here.
    """

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": ACTIVATION_CONSTRAINT,
        "solver": [StrOptions(set(SOLVER_NAMES)), Optimizer],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions(set(SCHEDULE_NAMES)), Schedule],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "l1": [Interval(Real, 0, None, closed="left")],
        "max_norm": [None, Interval(Real, 0, None, closed="neither")],
        "clipnorm": [None, Interval(Real, 0, None, closed="neither")],
        "clipvalue": [None, Interval(Real, 0, None, closed="neither")],
        "init": [StrOptions(set(INIT_NAMES)), HasMethods(["predict"])],
        "bias_init": [Interval(Real, None, None, closed="neither")],
        "batch_norm": ["boolean", StrOptions({"before", "after"})],
        "input_batch_norm": ["boolean"],
        "batch_norm_momentum": [Interval(Real, 0, 1, closed="left")],
        "batch_norm_epsilon": [Interval(Real, 0, None, closed="neither")],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "input_dropout": [Interval(Real, 0, 1, closed="left")],
        "frozen_layers": [Interval(Integral, 0, None, closed="left")],
    }

    @abstractmethod
    def __init__(self):
        """Subclasses store their arguments with ``_set_params_from``."""

    # ------------------------------------------------------------------ hooks
    @abstractmethod
    def _validate_input(self, X, y, incremental, reset, classes=None):
        """Return ``(X, Y, y)``: validated X, 2-D float targets and the raw targets."""

    @abstractmethod
    def _output_activation(self):
        """Name of the output activation (a key of ``_OUTPUTS``)."""

    @abstractmethod
    def _score(self, X, y, sample_weight=None):
        """Validation score used by early stopping (higher is better)."""

    def _extra_sample_weight(self, y, incremental):
        """Per-sample multipliers folded into ``sample_weight`` (class weights)."""
        return None

    # ------------------------------------------------------------ validation
    def _is_stochastic(self):
        return not (isinstance(self.solver, str) and self.solver == "lbfgs")

    def _check_solver(self):
        """Whether partial_fit is available (stochastic solvers only)."""
        if not self._is_stochastic():
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        if not hasattr(sizes, "__iter__"):
            sizes = [sizes]
        sizes = list(sizes)
        for s in sizes:
            if (
                not isinstance(s, Integral | np.integer)
                or isinstance(s, bool)
                or s <= 0
            ):
                raise ValueError(
                    "hidden_layer_sizes must be positive integers (the width of each "
                    f"hidden layer), got {self.hidden_layer_sizes!r}."
                )
        return [int(s) for s in sizes]

    def _dropout_rates(self, n_hidden):
        """One dropout rate per hidden layer, validated."""
        rates = self.dropout
        if isinstance(rates, Real) and not isinstance(rates, bool):
            return [float(rates)] * n_hidden
        rates = np.asarray(rates, dtype=object).ravel().tolist()
        if len(rates) != n_hidden:
            raise ValueError(
                f"dropout must be a float or one rate per hidden layer: got "
                f"{len(rates)} rates for {n_hidden} hidden layers."
            )
        for r in rates:
            if not isinstance(r, Real | np.floating | np.integer) or not 0 <= r < 1:
                raise ValueError(
                    "Every dropout rate must be a number in [0, 1), got "
                    f"{self.dropout!r}."
                )
        return [float(r) for r in rates]

    def _source_network(self):
        """The fitted skdnn estimator passed as ``init`` (or None)."""
        source = self.init
        if isinstance(source, str):
            return None
        if type(source).__name__ == "FrozenEstimator" and hasattr(source, "estimator"):
            source = source.estimator
        if not isinstance(source, BaseMLP) or not hasattr(source, "_theta"):
            raise ValueError(
                "init must be the name of an initialisation or a fitted skdnn "
                f"MLPClassifier/MLPRegressor to copy layers from; got {self.init!r}. "
                "(A fitted estimator loses its fit when cloned, e.g. by "
                "GridSearchCV: wrap it in sklearn.frozen.FrozenEstimator.)"
            )
        return source

    def _check_params(self, hidden):
        """Checks that span several parameters; returns the dropout rates."""
        rates = self._dropout_rates(len(hidden))
        act = resolve_activation(self.activation)  # validates activation objects
        self._source_network()
        if self.frozen_layers > len(hidden):
            raise ValueError(
                f"frozen_layers={self.frozen_layers} but the network has "
                f"{len(hidden)} hidden layer(s): at most every hidden layer can be "
                "frozen (the output layer always trains)."
            )
        if self.frozen_layers and not self._is_stochastic() and self.l1 > 0:
            raise ValueError(
                "frozen_layers with solver='lbfgs' and l1 > 0 is not supported; use "
                "a stochastic solver or l1=0."
            )
        if self._is_stochastic():
            return rates
        if any(rates) or self.input_dropout > 0:
            raise ValueError(
                "dropout and input_dropout draw a new mask at every step and need a "
                "stochastic solver: solver='lbfgs' minimises a deterministic "
                "objective. Use 'adam' or 'sgd', or set dropout=0 and input_dropout=0."
            )
        if act.code == codes.RRELU:
            raise ValueError(
                "activation='rrelu' draws random slopes at every step and needs a "
                "stochastic solver, not solver='lbfgs'; use 'leaky_relu' or 'prelu' "
                "with lbfgs."
            )
        for name in ("max_norm", "clipnorm", "clipvalue"):
            if getattr(self, name) is not None:
                raise ValueError(
                    f"{name} acts on each stochastic update and is not supported "
                    f"with solver='lbfgs'; use a stochastic solver such as 'sgd' or "
                    f"'adam', or set {name}=None."
                )
        return rates

    def _check_sample_weight(self, sample_weight, X, y, incremental):
        sw = _check_sample_weight(
            sample_weight, X, dtype=X.dtype, ensure_non_negative=True
        )
        extra = self._extra_sample_weight(y, incremental)
        if extra is not None:
            sw = sw * extra.astype(X.dtype, copy=False)
        sw = np.ascontiguousarray(sw, dtype=X.dtype)
        if not np.all(np.isfinite(sw)):
            raise ValueError("sample_weight must be finite.")
        if sw.sum() <= 0:
            raise ValueError(
                "sample_weight must have a positive sum: all samples have zero weight."
            )
        return sw

    # --------------------------------------------------------- fitted state
    def _network_spec(self, layer_units, rates):
        """The :class:`NetworkSpec` of the current parameters."""
        act = resolve_activation(self.activation)
        batch_norm = self.batch_norm
        if batch_norm is True:
            batch_norm = "before"
        return NetworkSpec(
            layer_units,
            act.code,
            act.param,
            _OUTPUTS[self._output_activation()][0],
            hidden_param2=act.param2,
            pieces=act.pieces,
            batch_norm=batch_norm or None,
            input_batch_norm=bool(self.input_batch_norm),
            dropout=tuple(rates),
            input_dropout=float(self.input_dropout),
            alpha_dropout=act.code == codes.SELU,
            bn_momentum=float(self.batch_norm_momentum),
            bn_epsilon=float(self.batch_norm_epsilon),
        )

    def _build(self, spec, dtype, random_state):
        """Create the network, its parameters and the optimizer state."""
        act = resolve_activation(self.activation)
        out_name = self._output_activation()
        theta = np.empty(spec.n_params, dtype=dtype)
        n_layers = spec.n_layers
        source = self._source_network()
        init = "auto" if source is not None else self.init
        for i, W in enumerate(spec.coefs(theta)):
            layer_family = act.family if i < n_layers - 1 else "glorot"
            init_weights(W, init, layer_family, random_state)
        theta[spec.n_weights : spec.n_weights + spec.n_biases] = self.bias_init
        spec.init_extras(theta, act.param)
        bn_stats = np.zeros((2, spec.n_stats), dtype=dtype)
        bn_stats[1] = 1.0
        self.transferred_layers_ = 0
        if source is not None:
            self.transferred_layers_ = spec.copy_layers_from(
                source._spec, source._theta, source._bn_stats, theta, bn_stats
            )

        self._spec = spec
        self._theta = theta
        self._bn_stats = bn_stats
        self._opt_state = np.zeros((3, spec.n_params), dtype=dtype)
        self._step = np.zeros(1, dtype=np.int64)
        self._seed = np.uint64(random_state.randint(0, 2**63 - 1, dtype=np.int64))
        self._epoch = 0
        self._schedule_state = {"lr": float(self.learning_rate_init)}
        self._opt_signature = None
        self._bind_views()

        self.n_iter_ = 0
        self.t_ = 0
        self.n_layers_ = len(spec.layer_units)
        self.n_outputs_ = spec.layer_units[-1]
        self.out_activation_ = out_name
        self.history_ = []
        if self._is_stochastic():
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    def _bind_views(self):
        spec = self._spec
        self.coefs_ = spec.coefs(self._theta)
        self.intercepts_ = spec.intercepts(self._theta)
        self.batch_norm_ = [
            None
            if v is None
            else dict(
                zip(("gamma", "beta", "moving_mean", "moving_variance"), v, strict=True)
            )
            for v in spec.batch_norm_views(self._theta, self._bn_stats)
        ]
        self.prelu_slopes_ = spec.prelu_slopes(self._theta)

    def __getstate__(self):
        state = super().__getstate__()
        # these are views of _theta/_bn_stats: rebuilt on load so they stay views
        for name in ("coefs_", "intercepts_", "batch_norm_", "prelu_slopes_"):
            state.pop(name, None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "_theta" in state:
            self._bind_views()

    # ------------------------------------------------------------------ fit
    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None):
        hidden = self._hidden_sizes()
        rates = self._check_params(hidden)
        first_pass = not hasattr(self, "_theta") or (
            not self.warm_start and not incremental
        )
        X, Y, y = self._validate_input(
            X, y, incremental, reset=first_pass, classes=classes
        )
        sw = self._check_sample_weight(sample_weight, X, y, incremental)
        layer_units = [X.shape[1], *hidden, Y.shape[1]]
        random_state = check_random_state(self.random_state)

        spec = self._network_spec(layer_units, rates)
        if first_pass:
            self._build(spec, X.dtype, random_state)
        elif not _same_parameters(self._spec, spec):
            raise ValueError(
                "warm_start/partial_fit needs the network of the previous fit: it had "
                f"layer sizes {self._spec.layer_units}, now {layer_units} (or another "
                "activation, batch_norm or input_batch_norm). Set warm_start=False "
                "(or call fit) to start over."
            )
        else:
            # same parameters: new dropout rates, BN momentum, ... take effect
            self._spec = spec
            self._bind_views()
        if not first_pass and not incremental:
            # a warm-started fit re-reads learning_rate_init, as scikit-learn does
            self._schedule_state = {"lr": float(self.learning_rate_init)}
        dtype = self._theta.dtype
        if X.dtype != dtype:
            X = X.astype(dtype)
            Y = Y.astype(dtype)
            sw = sw.astype(dtype)

        if self._is_stochastic():
            self._fit_stochastic(X, Y, y, sw, incremental, random_state)
        else:
            self._fit_lbfgs(X, Y, sw)
        self._set_sparsity()
        return self

    def _set_sparsity(self):
        """``sparsity_``, ``dead_inputs_`` and ``dead_units_`` from the weights."""
        zero = [W == 0 for W in self.coefs_]
        self.sparsity_ = float(sum(z.sum() for z in zero)) / max(
            self._spec.n_weights, 1
        )
        self.dead_inputs_ = [int(z.all(axis=1).sum()) for z in zero]
        self.dead_units_ = [int(z.all(axis=0).sum()) for z in zero]

    def _optimizer_config(self, sw_total):
        """Kernel configuration arrays and the base momentum (or beta_1)."""
        cfg = resolve_optimizer(self)
        opt_i = np.zeros(OPT_I_COLS, dtype=np.int64)
        opt_i[OPT_CODE] = cfg["code"]
        opt_i[OPT_NESTEROV] = int(cfg["nesterov"])
        opt_i[OPT_AMSGRAD] = int(cfg["amsgrad"])
        opt_i[OPT_N_WEIGHTS] = self._spec.n_weights
        opt_f = np.zeros(OPT_COLS, dtype=np.float64)
        opt_f[OPT_BETA_2] = cfg["beta_2"]
        opt_f[OPT_EPSILON] = cfg["epsilon"]
        opt_f[OPT_RHO] = cfg["rho"]
        opt_f[OPT_INITIAL_ACCUMULATOR] = cfg["initial_accumulator_value"]
        opt_f[OPT_L2] = self.alpha / sw_total
        opt_f[OPT_L1] = self.l1
        opt_f[OPT_MAX_NORM] = 0.0 if self.max_norm is None else self.max_norm
        opt_f[OPT_CLIPNORM] = 0.0 if self.clipnorm is None else self.clipnorm
        opt_f[OPT_CLIPVALUE] = 0.0 if self.clipvalue is None else self.clipvalue
        # another optimizer (warm_start after set_params) starts from fresh state
        signature = (cfg["code"], cfg["amsgrad"])
        if self._opt_signature not in (None, signature):
            self._opt_state[:] = 0.0
            self._step[:] = 0
        self._opt_signature = signature
        return opt_i, opt_f, float(cfg["momentum"])

    def _split(self, Y, y, random_state):
        """Row indices of the training and validation sets (early stopping)."""
        n = Y.shape[0]
        rows = np.arange(n, dtype=np.int64)
        if not self.early_stopping:
            return rows, None
        stratify = None
        if is_classifier(self) and y.ndim == 1:
            # stratify binary and multiclass targets when every class can be split
            _, counts = np.unique(y, return_counts=True)
            if counts.min() >= 2:
                stratify = y
        train, val = train_test_split(
            rows,
            random_state=random_state,
            test_size=self.validation_fraction,
            stratify=stratify,
        )
        if val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        return np.sort(train), val

    def _fit_stochastic(self, X, Y, y, sw, incremental, random_state):
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        train_rows, val_rows = self._split(Y, y, random_state)
        if val_rows is not None:
            X_val = X[val_rows]
            y_val = y[val_rows]
            sw_val = sw[val_rows]
        n_train = train_rows.shape[0]
        sw_train = float(sw[train_rows].sum())

        if self.batch_size == "auto":
            batch_size = min(200, n_train)
        else:
            if self.batch_size > n_train:
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than "
                    "sample size. It is going to be clipped",
                    stacklevel=2,
                )
            batch_size = int(np.clip(self.batch_size, 1, n_train))
        n_batches = -(-n_train // batch_size)

        spec = self._spec
        theta = self._theta
        inputs = input_arrays(X, theta.dtype)
        workspace = Workspace(spec, batch_size, theta.dtype).args()
        bn_stats = self._bn_stats
        frozen = spec.frozen_mask(self.frozen_layers)
        grad = np.empty_like(theta)
        opt_i, opt_f, momentum = self._optimizer_config(sw_train)
        schedule = resolve_schedule(self)
        loss_code = _OUTPUTS[self.out_activation_][1]
        step_losses = np.zeros(n_batches)
        # Sample order, shuffled in place by the kernel (X itself is never copied).
        # Every epoch starts from the same order, so an epoch's permutation depends
        # only on (seed, epoch): fit, warm_start and partial_fit agree bitwise.
        perm = np.empty_like(train_rows)
        best_theta = theta.copy() if self.early_stopping else None
        best_bn = bn_stats.copy() if self.early_stopping else None
        progress = _Progress(self.verbose, 1 if incremental else self.max_iter)

        self.n_iter_ = 0
        for _ in range(self.max_iter):
            tic = time.perf_counter()
            ctx = Context(
                lr_init=float(self.learning_rate_init),
                lr=self._schedule_state["lr"],
                epoch=self._epoch,
                step=int(self._step[0]),
                n_steps=n_batches,
                total_steps=n_batches * self.max_iter,
                samples=self.t_,
            )
            lrs = schedule._checked_rates(ctx)
            moms = schedule._checked_momenta(momentum, ctx)
            cycled = moms is not None
            moms = np.full(n_batches, momentum) if moms is None else moms.astype(float)
            backup = (
                theta.copy(),
                self._opt_state.copy(),
                self._step.copy(),
                bn_stats.copy(),
            )
            perm[:] = train_rows
            data_loss, penalty, n_done = run_epoch(
                *inputs, Y, sw, perm, self.shuffle, self._seed, self._epoch,
                theta, grad, self._opt_state, self._step, spec.net, spec.netf,
                loss_code, bn_stats, opt_i, opt_f, lrs, moms, step_losses, frozen,
                *workspace,
            )  # fmt: skip
            finite = np.all(np.isfinite(theta)) and np.all(np.isfinite(bn_stats))
            if n_done < n_batches or not finite:
                theta[:], self._opt_state[:], self._step[:], bn_stats[:] = backup
                warnings.warn(
                    f"Training diverged in epoch {self._epoch + 1}: the loss became "
                    "non-finite (learning_rate_init too large, or unscaled inputs?). "
                    "Training stopped; the parameters of the last finite epoch are "
                    "kept.",
                    ConvergenceWarning,
                    stacklevel=2,
                )
                break
            self._step_losses = step_losses.copy()  # read by find_learning_rate
            self._epoch += 1
            self.n_iter_ += 1
            self.t_ += n_train
            self.loss_ = (data_loss + penalty) / sw_train
            self.loss_curve_.append(self.loss_)

            val_score = None
            if val_rows is not None:
                val_score = self._score(X_val, y_val, sample_weight=sw_val)
            improved = self._update_no_improvement_count(val_score)
            if improved and best_theta is not None:
                best_theta[:] = theta
                best_bn[:] = bn_stats
            has_val = val_score is not None
            metric = val_score if has_val else self.loss_
            schedule.after_epoch(self._schedule_state, metric, has_val, self.tol)
            record = {
                "epoch": self._epoch,
                "loss": self.loss_,
                "validation_score": val_score,
                "learning_rate": float(lrs[0]),
                "seconds": time.perf_counter() - tic,
                "update_ratio": _update_ratios(
                    spec.coefs(backup[0]), self.coefs_, n_done
                ),
            }
            if cycled:
                record["momentum"] = float(moms[0])
            self.history_.append(record)
            progress.epoch_done(record)

            # 1cycle and cosine shape the whole run of max_iter epochs: no early stop
            stall = self._no_improvement_count > self.n_iter_no_change
            if stall and not schedule.spans_max_iter:
                if val_rows is not None:
                    msg = (
                        "Validation score did not improve more than tol=%f for %d "
                        "consecutive epochs." % (self.tol, self.n_iter_no_change)
                    )
                else:
                    msg = (
                        "Training loss did not improve more than tol=%f for %d "
                        "consecutive epochs." % (self.tol, self.n_iter_no_change)
                    )
                lr, stop = schedule.on_no_improvement(self._schedule_state["lr"])
                self._schedule_state["lr"] = lr
                if stop:
                    progress.message(msg + " Stopping.")
                    break
                progress.message(msg + " Setting learning rate to %f" % lr)
                self._no_improvement_count = 0

            if incremental:
                break
            if self.n_iter_ == self.max_iter:
                warnings.warn(
                    "Stochastic Optimizer: Maximum iterations (%d) reached and the "
                    "optimization hasn't converged yet." % self.max_iter,
                    ConvergenceWarning,
                    stacklevel=2,
                )
        progress.close()
        if best_theta is not None:
            theta[:] = best_theta
            bn_stats[:] = best_bn

    def _update_no_improvement_count(self, val_score):
        """scikit-learn's stopping rule; returns True when this epoch is the best."""
        if val_score is not None:
            self.validation_scores_.append(val_score)
            if val_score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if val_score > self.best_validation_score_:
                self.best_validation_score_ = val_score
                return True
            return False
        if self.loss_curve_[-1] > self.best_loss_ - self.tol:
            self._no_improvement_count += 1
        else:
            self._no_improvement_count = 0
        if self.loss_curve_[-1] < self.best_loss_:
            self.best_loss_ = self.loss_curve_[-1]
            return True
        return False

    def _fit_lbfgs(self, X, Y, sw):
        spec = self._spec
        theta = self._theta
        dtype = theta.dtype
        n = X.shape[0]
        sw_total = float(sw.sum())
        l2 = self.alpha / sw_total
        inputs = input_arrays(X, dtype)
        # batch normalisation: the batch is the whole training set
        chunk = n if spec.has_batch_norm else min(n, _FULL_BATCH_CHUNK)
        workspace = Workspace(spec, chunk, dtype).args()
        rows = np.arange(n, dtype=np.int64)
        bn_stats = self._bn_stats
        key = np.uint64(0)  # no random draws: lbfgs refuses dropout and RReLU
        frozen = spec.frozen_mask(self.frozen_layers) if self.frozen_layers else None
        grad = np.empty_like(theta)
        gtmp = np.empty_like(theta)
        loss_code = _OUTPUTS[self.out_activation_][1]

        def fun(x):
            theta[:] = x
            loss = full_loss_grad(
                *inputs, Y, sw, rows, theta, grad, gtmp, spec.net, spec.netf,
                loss_code, bn_stats, codes.MODE_OBJECTIVE, key, l2, spec.n_weights,
                sw_total, *workspace,
            )  # fmt: skip
            if frozen is not None:
                grad[frozen] = 0.0
            return loss, grad.astype(np.float64)

        def record(intermediate_result):
            self.history_.append(
                {
                    "epoch": len(self.history_) + 1,
                    "loss": float(intermediate_result.fun),
                    "validation_score": None,
                    "learning_rate": None,
                    "seconds": time.perf_counter() - tic[0],
                }
            )
            tic[0] = time.perf_counter()

        # scipy's default relative-decrease tolerance (factr=1e7), tightened with tol
        # so that a small tol reaches the exact Ridge/Lasso solutions
        ftol = min(2.220446049250313e-09, self.tol**2)
        tic = [time.perf_counter()]
        if self.l1 > 0:
            result = owlqn(
                fun,
                theta.astype(np.float64),
                self.l1,
                spec.n_weights,
                maxiter=self.max_iter,
                maxfun=self.max_fun,
                gtol=self.tol,
                ftol=ftol,
                callback=record,
            )
            if self.verbose:
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
                        "maxfun": self.max_fun,
                        "maxiter": self.max_iter,
                        "gtol": self.tol,
                        "ftol": ftol,
                        "iprint": 1 if self.verbose else -1,
                    },
                )
        self.n_iter_ = _check_optimize_result("lbfgs", result, self.max_iter)
        self.loss_ = float(result.fun)
        theta[:] = result.x
        if not np.all(np.isfinite(theta)):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may"
                " contain large values and need to be preprocessed."
            )
        if spec.has_batch_norm:
            # the running statistics become those of the whole training set
            netf = spec.netf.copy()
            netf[:, codes.NETF_BN_MOMENTUM] = 0.0
            full_loss_grad(
                *inputs, Y, sw, rows, theta, grad, gtmp, spec.net, netf, loss_code,
                bn_stats, codes.MODE_TRAIN, key, l2, spec.n_weights, sw_total,
                *workspace,
            )  # fmt: skip

    # -------------------------------------------------------------- predict
    def _forward(self, X, validate=True, mode=codes.MODE_PREDICT, key=0):
        """Output-layer activations for X, shape (n_samples, n_outputs_).

        Many rows are split over threads (see :mod:`skdnn._threads`). A plain float
        array skips the finiteness scan of the general validation: the kernel reports
        whether the first layer's products were finite, which they are whenever the
        input is, and only a non-finite report runs the full validation (which raises
        on NaN or infinity and lets mere overflow through, as scikit-learn does).
        """
        unchecked = False
        if validate:
            if not hasattr(self, "_theta"):
                check_is_fitted(self)  # raises NotFittedError
            # the kernel's finiteness report covers prediction mode only (Monte
            # Carlo's alpha dropout can turn a dropped NaN into a finite value)
            unchecked = mode == codes.MODE_PREDICT and self._plain_input(X)
            if not unchecked:
                X = self._validate_predict_input(X)
        dtype = self._theta.dtype
        out = np.empty((X.shape[0], self.n_outputs_), dtype=dtype)
        spec = self._spec
        # read-only buffers (a model loaded from a memory map) would need another
        # compiled specialisation; a copy costs less
        theta, bn_stats = self._theta, self._bn_stats
        if not (theta.flags.writeable and bn_stats.flags.writeable):
            theta, bn_stats = theta.copy(), bn_stats.copy()
        inputs = input_arrays(X, dtype)
        out_code = _OUTPUTS[self.out_activation_][0]
        key = np.uint64(key)

        def rows(lo, hi):
            return predict_forward(
                *inputs, lo, hi, theta, spec.net, spec.netf, bn_stats, out_code,
                spec.width, mode, key, CHUNK_ROWS, out,
            )  # fmt: skip

        finite = all(split_rows(rows, X.shape[0]))
        if unchecked and not finite:
            self._validate_predict_input(X, plain=False)
        return out

    def _plain_input(self, X):
        """Whether X is a 2-D float32/float64 ndarray with the fitted number of
        features and no fitted feature names: what ``validate_data`` returns
        unchanged when its values are finite."""
        return (
            type(X) is np.ndarray
            and X.ndim == 2
            and X.dtype in (np.float32, np.float64)
            and X.shape[0] > 0
            and X.shape[1] == self.n_features_in_
            and not hasattr(self, "feature_names_in_")
        )

    def _validate_predict_input(self, X, plain=True):
        """``validate_data(..., reset=False)`` with a fast path for plain arrays.

        A plain array (see ``_plain_input``) with finite values is what
        ``validate_data`` would return unchanged; it is accepted without the general
        checks, which cost more than the forward pass of a small batch. Anything else
        (or ``plain=False``) takes the general path and its errors.
        """
        if not hasattr(self, "_theta"):
            check_is_fitted(self)  # raises NotFittedError
        if plain and self._plain_input(X) and np.isfinite(X.sum()):
            # a non-finite sum (NaN, infinity or overflow): the full check decides
            return X
        return validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            reset=False,
        )

    def _mc_forward(self, X, n_samples, random_state):
        """Outputs of ``n_samples`` forward passes with dropout on, shape
        (n_samples, n_samples_X, n_outputs_)."""
        check_is_fitted(self, "_theta")
        if not self._spec.has_dropout:
            raise ValueError(
                "Monte Carlo dropout needs a model trained with dropout > 0 or "
                "input_dropout > 0; this one has no dropout, so every pass would "
                "equal predict."
            )
        if (
            not isinstance(n_samples, Integral | np.integer)
            or isinstance(n_samples, bool)
            or n_samples < 1
        ):
            raise ValueError(
                f"n_samples must be a positive integer, got {n_samples!r}."
            )
        X = self._validate_predict_input(X)
        rng = check_random_state(random_state)
        seed = int(rng.randint(0, 2**63 - 1, dtype=np.int64))
        return np.stack(
            [
                self._forward(
                    X,
                    validate=False,
                    mode=codes.MODE_MC,
                    key=_mc_key(seed, i),
                )
                for i in range(n_samples)
            ]
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
