"""BaseMLP: the estimators' parameters, fitted state and ``fit`` orchestration.

Each other question has its own module: which parameter values are accepted
(:mod:`skdnn._checks`), how an epoch is run (:mod:`skdnn._stochastic`), how L-BFGS
is wired (:mod:`skdnn._lbfgs`), how a prediction is computed
(:mod:`skdnn._predict`); the network's compiled state and the only calls of the
kernels live in :class:`skdnn._network.Network`.
"""

from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils import check_random_state

from ._checks import CheckMixin
from ._compat import HasMethods, Interval, Options, StrOptions, validate_data
from ._core import codes
from ._core.records import LAYER
from ._cyclic_schedules import DROPOUT_SCHEDULE_NAMES
from ._layout import NetworkSpec
from ._lbfgs import fit_lbfgs
from ._network import Network, writable
from ._predict import ACCEPTED_X, PredictMixin
from ._stochastic import TrainState, fit_stochastic
from .activations import ACTIVATION_CONSTRAINT, resolve_activation
from .embeddings import PeriodicEmbedding, resolve_embedding
from .initializers import INIT_NAMES
from .optimizers import SOLVER_NAMES, Optimizer
from .schedules import SCHEDULE_NAMES, Schedule

# output activation name -> kernel output code (the layout pairs it with its loss)
OUTPUT_CODES = {
    "identity": codes.IDENTITY,
    "logistic": codes.LOGISTIC,
    "softmax": codes.SOFTMAX,
    "exp": codes.EXP,
}

# the fitted state of releases before 0.2, which kept the network's arrays as
# separate attributes (see BaseMLP.__setstate__)
_STATE_0_1 = ("_spec", "_theta", "_bn_stats", "_opt_state", "_step", "_seed")

# the stochastic loop's record of the run (see BaseMLP._loop_attributes)
_LOOP_ATTRIBUTES = (
    "loss_curve_",
    "validation_scores_",
    "best_validation_score_",
    "best_loss_",
)


def _set_params_from(estimator, params):
    """Store the constructor arguments ``params`` (a ``locals()``) unchanged."""
    for name, value in params.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)


def _nadam_product_0_1(state):
    """skdnn 0.1's Nadam had no momentum schedule: give a Nadam model pickled by
    it the running product of the schedule (kept in ``opt_state[2, 0]``) that its
    steps would have built, so that continued training follows the current rule
    as if it had always been used (beta_1 of the pickled parameters, the default
    momentum_decay)."""
    net, signature = state["_net"], state["_train"].opt_signature
    t = int(net.step[0])
    if signature is None or signature[0] != codes.NADAM or t == 0:
        return
    solver = state.get("solver")
    beta_1 = solver.beta_1 if isinstance(solver, Optimizer) else state["beta_1"]
    steps = np.arange(1, t + 1)
    net.opt_state[2, 0] = np.prod(beta_1 * (1.0 - 0.5 * 0.96 ** (steps * 0.004)))


class BaseMLP(CheckMixin, PredictMixin, BaseEstimator, metaclass=ABCMeta):
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
        "progress_bar": ["boolean"],
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
        "bias_init": [
            Interval(Real, None, None, closed="neither"),
            StrOptions({"uniform"}),
        ],
        "batch_norm": ["boolean", StrOptions({"before", "after"})],
        "input_batch_norm": ["boolean"],
        "batch_norm_momentum": [Interval(Real, 0, 1, closed="left")],
        "batch_norm_epsilon": [Interval(Real, 0, None, closed="neither")],
        "dropout": [Interval(Real, 0, 1, closed="left"), "array-like"],
        "input_dropout": [Interval(Real, 0, 1, closed="left")],
        "dropout_schedule": [None, StrOptions(set(DROPOUT_SCHEDULE_NAMES))],
        "frozen_layers": [Interval(Integral, 0, None, closed="left")],
        "lr_factors": [dict, None],  # keys and values: _check_lr_factors
        "front_scale": ["boolean"],
        "n_members": [Interval(Integral, 1, None, closed="left")],
        "numeric_embedding": [None, StrOptions({"periodic"}), PeriodicEmbedding],
    }

    def _auto_batch(self, n_train):
        """batch_size='auto': scikit-learn's ``min(200, n_samples)``."""
        return min(200, n_train)

    #: whether numeric columns come with their quantiles (an encoder's: the
    #: tabular estimators), for ``PeriodicEmbedding(quantile_inputs=True)``
    _has_quantile_inputs = False

    #: whether ``partial_fit`` is hidden (not only refused) with early stopping:
    #: the tabular estimators, whose default is early_stopping=True
    _partial_fit_needs_no_early_stopping = False

    @abstractmethod
    def __init__(self):
        """Subclasses store their arguments with ``_set_params_from``."""

    # ------------------------------------------------------------------ hooks
    @abstractmethod
    def _validate_input(self, X, y, incremental, reset, classes=None):
        """Return ``(X, Y, y)``: validated X, 2-D float targets and the raw targets."""

    def _validate_X_y(self, X, y, reset, **kwargs):
        """``validate_data`` of X and y as every estimator's ``fit`` needs them
        (the tabular estimators encode X first)."""
        return validate_data(
            self,
            X,
            y,
            multi_output=True,
            **ACCEPTED_X,
            reset=reset,
            **kwargs,
        )

    @abstractmethod
    def _target_matrix(self, y):
        """The network's targets for ``y``: one column per output."""

    @abstractmethod
    def _output_activation(self):
        """Name of the output activation (a key of ``OUTPUT_CODES``)."""

    @abstractmethod
    def _score(self, X, y, sample_weight=None):
        """Validation score used by early stopping (higher is better)."""

    def _extra_sample_weight(self, y, incremental):
        """Per-sample multipliers folded into ``sample_weight`` (class weights)."""
        return None

    # ------------------------------------------------------------ solver
    def _is_stochastic(self):
        return not (isinstance(self.solver, str) and self.solver == "lbfgs")

    def _check_solver(self):
        """Whether partial_fit is available (stochastic solvers only)."""
        if not self._is_stochastic():
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        if self._partial_fit_needs_no_early_stopping and self.early_stopping:
            raise AttributeError(
                "partial_fit is only available with early_stopping=False: it trains "
                "on every row it is given, without a validation split."
            )
        return True

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
            OUTPUT_CODES[self._output_activation()],
            hidden_param2=act.param2,
            pieces=act.pieces,
            batch_norm=batch_norm or None,
            input_batch_norm=bool(self.input_batch_norm),
            dropout=tuple(rates),
            input_dropout=float(self.input_dropout),
            alpha_dropout=act.code == codes.SELU,
            bn_momentum=float(self.batch_norm_momentum),
            bn_epsilon=float(self.batch_norm_epsilon),
            front_scale=bool(self.front_scale),
            n_members=int(self.n_members),
            **self._embedding_fields(layer_units[0]),
            **self._categorical_fields(),
        )

    def _embedded_columns(self, n_features):
        """``(first, count)``: the input columns a ``numeric_embedding`` embeds
        (every column; the tabular estimators: their encoder's numeric ones)."""
        return 0, n_features

    def _categorical_fields(self):
        """The NetworkSpec fields of the categorical embeddings: none here (the
        tabular estimators' encoder makes the codes they read)."""
        return {}

    def _embedding_fields(self, n_features):
        """The NetworkSpec fields of ``numeric_embedding`` (none without one)."""
        embedding = resolve_embedding(self.numeric_embedding)
        if embedding is None:
            return {}
        fields = embedding._config()
        if embedding.quantile_inputs is True and not self._has_quantile_inputs:
            raise ValueError(
                "numeric_embedding=PeriodicEmbedding(quantile_inputs=True) needs "
                "the quantiles of the tabular estimators' encoder: use "
                "TabularMLPClassifier or TabularMLPRegressor, or "
                "quantile_inputs='auto' (False here)."
            )
        first, count = self._embedded_columns(n_features)
        if count == 0:
            return {}
        return dict(fields, embed_first=first, embed_count=count)

    def _build(self, spec, dtype, random_state):
        """Create the fitted state: the network, its parameters and the loop's
        memory (the one place that does; :meth:`_clear_state` forgets it)."""
        act = resolve_activation(self.activation)
        source = self._source_network()
        init = "auto" if source is not None else self.init
        families = [act.family] * (spec.n_layers - 1) + ["glorot"]
        net = Network.create(
            spec, dtype, init, families, self.bias_init, act.param, random_state
        )
        transferred = 0 if source is None else net.copy_from(source._net)
        self._check_frozen_transferred(transferred, source, spec)
        self._net = net
        self.transferred_layers_ = transferred
        lr_init = float(self.learning_rate_init)
        self._train = TrainState(schedule={"lr": lr_init}, lr_init=lr_init)
        self._bind_views()

        self.n_iter_ = 0
        self.t_ = 0
        self.n_layers_ = len(spec.layer_units)
        self.n_outputs_ = spec.layer_units[-1]
        self.out_activation_ = self._output_activation()
        self.history_ = []
        for name in _LOOP_ATTRIBUTES:  # a new fit forgets the previous curves
            self.__dict__.pop(name, None)
        self._loop_attributes()

    def _loop_attributes(self):
        """Create the stochastic loop's fitted attributes that the current
        ``solver`` and ``early_stopping`` need, where they are missing or of the
        other kind: on a new fit, and on a continued fit after ``set_params``
        switched from lbfgs to a stochastic solver, or early stopping on or off.

        ``loss_curve_`` keeps growing; a switch of the stopping rule starts its
        record (``validation_scores_`` and ``best_validation_score_``, or
        ``best_loss_``) and its count of epochs without improvement afresh.
        """
        if not self._is_stochastic():
            return
        if getattr(self, "loss_curve_", None) is None:
            self.loss_curve_ = []
        if self.early_stopping:
            if getattr(self, "validation_scores_", None) is None:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
                self._train.no_improvement = 0
        elif getattr(self, "best_loss_", None) is None:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self._train.no_improvement = 0

    def _clear_state(self):
        """Forget the fitted network and the loop's memory."""
        for name in ("_net", "_train"):
            self.__dict__.pop(name, None)

    def _bind_views(self):
        """The public views of the network's parameters (``coefs_``, ...)."""
        net = self._net
        spec = net.spec
        self.coefs_ = spec.coefs(net.theta)
        self.intercepts_ = spec.intercepts(net.theta)
        self.batch_norm_ = [
            None
            if v is None
            else dict(
                zip(("gamma", "beta", "moving_mean", "moving_variance"), v, strict=True)
            )
            for v in spec.batch_norm_views(net.theta, net.bn_stats)
        ]
        self.prelu_slopes_ = spec.prelu_slopes(net.theta)
        views = spec.embedding(net.theta)
        self.embedding_ = (
            None
            if views is None
            else dict(zip(("frequencies", "weights", "biases"), views, strict=True))
        )
        self.input_scale_ = spec.adapters(net.theta)

    def __getstate__(self):
        # a copy: on Python >= 3.11 the state of the base class is the instance's
        # own __dict__, which pickling must not change
        state = dict(super().__getstate__())
        # these are views of the network's arrays: rebuilt on load so they stay views
        for name in ("coefs_", "intercepts_", "batch_norm_", "prelu_slopes_",
                     "input_scale_", "category_embeddings_"):  # fmt: skip
            state.pop(name, None)
        # the network and the loop's memory as plain data (dicts, lists, numbers,
        # strings, numeric arrays): every type of a saved model is then one that
        # skops.io can audit (no dataclass, no structured array); rebuilt on load
        if isinstance(state.get("_net"), Network):
            state["_net"] = state["_net"].to_state()
        if isinstance(state.get("_train"), TrainState):
            state["_train"] = state["_train"].to_state()
        return state

    def __setstate__(self, state):
        state = dict(state)
        if isinstance(state.get("_net"), dict):  # plain data (see __getstate__)
            state["_net"] = Network.from_state(state["_net"])
        if isinstance(state.get("_train"), dict):
            state["_train"] = TrainState.from_state(state["_train"])
        net = state.get("_net")
        if isinstance(net, Network) and net.spec.layers.dtype != LAYER:
            # the Network object of a development version: records of an
            # earlier layout, rebuilt from the spec's arguments
            net.spec = NetworkSpec.from_pickled(net.spec)
        if "_theta" in state:  # pickled by skdnn 0.1
            spec, theta, bn_stats, opt_state, step, seed = (
                state.pop(name) for name in _STATE_0_1
            )
            state["_net"] = Network.from_release_0_1(
                NetworkSpec.from_pickled(spec), theta, bn_stats, opt_state, step, seed
            )
            state["_train"] = TrainState(
                schedule=state.pop("_schedule_state"),
                epoch=state.pop("_epoch"),
                no_improvement=state.pop("_no_improvement_count", 0),
                opt_signature=state.pop("_opt_signature", None),
            )
            state["_net"].step_losses = state.pop("_step_losses", np.zeros(0))
            _nadam_product_0_1(state)
        # parameters added since: their defaults (pickles of earlier versions)
        state.setdefault("progress_bar", False)
        state.setdefault("dropout_schedule", None)
        state.setdefault("lr_factors", None)
        state.setdefault("front_scale", False)
        state.setdefault("n_members", 1)
        state.setdefault("numeric_embedding", None)
        super().__setstate__(state)
        if "_net" in state:
            self._bind_views()

    # ------------------------------------------------------------------ fit
    def _fit(self, X, y, sample_weight=None, incremental=False, classes=None):
        hidden = self._hidden_sizes()
        rates = self._check_params(hidden)
        first_pass = not hasattr(self, "_net") or (
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
            self._clear_state()
            self._build(spec, X.dtype, random_state)
        elif not self._net.spec.same_parameters(spec):
            raise ValueError(
                "warm_start/partial_fit needs the network of the previous fit: it had "
                f"layer sizes {self._net.spec.layer_units}, now {layer_units} (or "
                "another activation, batch_norm, input_batch_norm, front_scale, "
                "n_members, numeric_embedding or categorical_embedding). Set "
                "warm_start=False (or call fit) to start over."
            )
        else:
            # same parameters: new dropout rates, BN momentum, ... take effect;
            # a model loaded from a read-only memory map gets writeable arrays
            self._net.spec = spec
            self._net.ensure_writable()
            self._bind_views()
        if not first_pass:
            self._continue_training()
        dtype = self._net.dtype
        if X.dtype != dtype:
            X = X.astype(dtype)
        # read-only targets or weights (a memory map) would compile the kernels
        # again: copied once here (X by input_arrays)
        Y = writable(Y, dtype)
        sw = writable(sw, dtype)

        if self._is_stochastic():
            fit_stochastic(self, X, Y, y, sw, incremental, random_state)
        else:
            fit_lbfgs(self, X, Y, sw)
        self._set_sparsity()
        return self

    def _continue_training(self):
        """Prepare the loop's memory for a warm-started fit or ``partial_fit``.

        The schedule's state (the rate lowered by 'adaptive' or 'plateau') is
        kept, unless ``learning_rate_init`` was changed since it was set: the
        new rate then takes effect. Attributes that another ``solver`` or
        ``early_stopping`` needs are created (:meth:`_loop_attributes`).
        """
        state = self._train
        lr_init = float(self.learning_rate_init)
        if state.lr_init is not None and state.lr_init != lr_init:
            state.schedule = {"lr": lr_init}
        state.lr_init = lr_init
        self._loop_attributes()

    def _set_sparsity(self):
        """``sparsity_``, ``dead_inputs_`` and ``dead_units_`` from the weights."""
        zero = [W == 0 for W in self.coefs_]
        self.sparsity_ = float(sum(z.sum() for z in zero)) / max(
            self._net.spec.n_weights, 1
        )
        self.dead_inputs_ = [int(z.all(axis=1).sum()) for z in zero]
        self.dead_units_ = [int(z.all(axis=0).sum()) for z in zero]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
