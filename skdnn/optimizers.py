"""Optimizers: pass a name (``solver="rmsprop"``) or one of these objects.

Objects expose every hyperparameter, so a grid search can tune them
(``GridSearchCV(MLPClassifier(solver=Adam()), {"solver__beta_2": [0.99, 0.999]})``).
The learning rate is not part of the optimizer: it is ``learning_rate_init``
shaped by the ``learning_rate`` schedule, for every solver.

With the names 'sgd', 'adam', 'adamw', 'nadam', 'adamax' and 'radam', the
estimator's own ``momentum``, ``nesterovs_momentum``, ``beta_1``, ``beta_2`` and
``epsilon`` are used (scikit-learn's meaning); the other names use the defaults
below (for 'adamw': ``weight_decay=0.01``). Every rule
runs inside the compiled epoch loop on the flat parameter buffer.

==========  =====================================  ===============================
name        update (g: gradient, s: step size)     recommended learning_rate_init
==========  =====================================  ===============================
sgd         v = mu v - lr g; w += v (Nesterov:     0.01 - 0.1
            w += mu v - lr g)
adam        Adam (AMSGrad optional)                0.001
adamw       Adam with decoupled weight decay       0.001
nadam       Adam with Nesterov look-ahead and      0.001 - 0.002
            Dozat's momentum schedule
adamax      Adam with the infinity norm            0.002
radam       rectified Adam [4]_                    0.001
adagrad     G += g^2; w -= lr g / (sqrt(G) + eps)  0.01 - 0.1
rmsprop     E = rho E + (1 - rho) g^2;             0.001
            w -= lr g / (sqrt(E) + eps)
adadelta    Zeiler's rule scaled by lr             1.0 (the paper's)
lbfgs       scipy's L-BFGS-B; OWL-QN with l1 > 0   -
==========  =====================================  ===============================

Adam and AdaMax are from [1]_, AMSGrad from [2]_, Nadam from [3]_, RAdam from
[4]_, Adadelta from [5]_, AdaGrad from [6]_, RMSProp from [7]_ and AdamW from
[8]_.

References
----------
.. [1] Kingma, Ba (2015). Adam: A Method for Stochastic Optimization. ICLR.
.. [2] Reddi, Kale, Kumar (2018). On the Convergence of Adam and Beyond. ICLR.
.. [3] Dozat (2016). Incorporating Nesterov Momentum into Adam. ICLR workshop.
.. [4] Liu et al. (2020). On the Variance of the Adaptive Learning Rate and
   Beyond. ICLR.
.. [5] Zeiler (2012). ADADELTA: An Adaptive Learning Rate Method.
   arXiv:1212.5701.
.. [6] Duchi, Hazan, Singer (2011). Adaptive Subgradient Methods. JMLR.
.. [7] Tieleman, Hinton (2012). Lecture 6.5, RMSProp. COURSERA.
.. [8] Loshchilov, Hutter (2019). Decoupled Weight Decay Regularization. ICLR.
"""

from numbers import Real

from sklearn.base import BaseEstimator

from ._compat import Interval, StrOptions
from ._core import codes

__all__ = [
    "RECOMMENDED_LEARNING_RATES",
    "SGD",
    "AdaGrad",
    "Adadelta",
    "AdaMax",
    "Adam",
    "AdamW",
    "Nadam",
    "RAdam",
    "RMSProp",
]


class Optimizer(BaseEstimator):
    """Base class: ``_config()`` gives the update rule and its hyperparameters.

    A subclass sets ``_code`` (its rule in :mod:`skdnn._core.codes`) and takes its
    hyperparameters as constructor arguments; ``_config`` hands them to the core
    under the names of the OPTIMIZER record's fields (:mod:`skdnn._core.records`),
    ``beta_1`` and ``momentum`` as the per-step ``momentum``.
    """

    _code = None
    _parameter_constraints: dict = {}
    # constructor names that the record spells otherwise
    _FIELD_NAMES = {
        "beta_1": "momentum",
        "initial_accumulator_value": "initial_accumulator",
    }

    def _config(self):
        if self._code is None:
            raise TypeError(
                f"{type(self).__name__} has no update rule: pass one of "
                f"{', '.join(sorted(c.__name__ for c in _BY_NAME.values()))} "
                "(or a solver name) as solver."
            )
        self._validate_params()
        cfg = {"rule": self._code, "momentum": 0.0}
        for name, value in self.get_params().items():
            cfg[self._FIELD_NAMES.get(name, name)] = value
        return cfg


_UNIT = [Interval(Real, 0, 1, closed="left")]
_EPS = [Interval(Real, 0, None, closed="neither")]


class SGD(Optimizer):
    """Stochastic gradient descent with (Nesterov) momentum, scikit-learn's rule.

    Parameters
    ----------
    momentum : float, default=0.9
        In [0, 1]; 0 gives plain SGD.
    nesterov : bool, default=True
        Nesterov's accelerated gradient (Sutskever et al., 2013).
    """

    _code = codes.SGD
    _parameter_constraints = {
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterov": ["boolean"],
    }

    def __init__(self, momentum=0.9, nesterov=True):
        self.momentum = momentum
        self.nesterov = nesterov


class _AdamFamily(Optimizer):
    _parameter_constraints = {"beta_1": _UNIT, "beta_2": _UNIT, "epsilon": _EPS}

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon


class Adam(_AdamFamily):
    """Adam (Kingma and Ba, 2015), optionally AMSGrad (Reddi et al., 2018).

    The bias corrections are folded into the step size, as in section 2 of the
    paper and in scikit-learn: ``w -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v)
    + eps)``.

    Parameters
    ----------
    beta_1 : float, default=0.9
        Decay of the first-moment estimate (the paper's default).
    beta_2 : float, default=0.999
        Decay of the second-moment estimate (the paper's default).
    epsilon : float, default=1e-8
        Added to ``sqrt(v)`` (the paper's default).
    amsgrad : bool, default=False
        Use the running maximum of ``v`` (AMSGrad).
    """

    _code = codes.ADAM
    _parameter_constraints = {
        **_AdamFamily._parameter_constraints,
        "amsgrad": ["boolean"],
    }

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8, amsgrad=False):
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        self.amsgrad = amsgrad


class AdamW(Adam):
    """AdamW (Loshchilov and Hutter, 2019): Adam with decoupled weight decay, the
    rule of ``torch.optim.AdamW``.

    Before every Adam step the connection weights shrink,
    ``W <- W - eta * weight_decay * W``, with ``eta`` the step's learning rate
    (``weight_decay_schedule='learning_rate'``, PyTorch's and Keras' rule) or
    ``learning_rate_init`` at every step (``'constant'``); then the Adam step
    (:class:`Adam`, AMSGrad optional) uses the gradient of the objective alone.
    The decay is not part of the objective: ``loss_`` does not include it, it
    is not divided by the total sample weight (unlike ``alpha``) and, as it
    bypasses Adam's adaptive denominators, it is not the same as an L2 penalty
    (``alpha``) under Adam.

    Only the connection weights decay (the parameters ``alpha`` penalises):
    never biases, batch-normalisation parameters or PReLU slopes.
    ``torch.optim.AdamW`` decays every parameter of its group unless the user
    puts those in a group of their own with ``weight_decay=0``.

    Parameters
    ----------
    beta_1 : float, default=0.9
        Decay of the first-moment estimate.
    beta_2 : float, default=0.999
        Decay of the second-moment estimate.
    epsilon : float, default=1e-8
        Added to ``sqrt(v)``.
    amsgrad : bool, default=False
        Use the running maximum of ``v`` (AMSGrad).
    weight_decay : float, default=0.01
        ``lambda`` of the decay, >= 0 (PyTorch's default); 0 gives Adam.
    weight_decay_schedule : {'learning_rate', 'constant'}, default='learning_rate'
        'learning_rate': the decay of a step is ``lr_t * weight_decay``, with
        ``lr_t`` the step's learning rate from the ``learning_rate`` schedule,
        so it follows the schedule (PyTorch, Keras). 'constant': it is
        ``learning_rate_init * weight_decay`` at every step, whatever the
        schedule does.

    References
    ----------
    Loshchilov, Hutter (2019). Decoupled Weight Decay Regularization. ICLR.
    """

    _parameter_constraints = {
        **Adam._parameter_constraints,
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "weight_decay_schedule": [StrOptions({"learning_rate", "constant"})],
    }

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8, amsgrad=False,
                 weight_decay=0.01, weight_decay_schedule="learning_rate"):  # fmt: skip
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon, amsgrad=amsgrad)
        self.weight_decay = weight_decay
        self.weight_decay_schedule = weight_decay_schedule


class Nadam(_AdamFamily):
    """Nadam (Dozat, 2016): Adam with a Nesterov look-ahead on the first moment
    and Dozat's momentum schedule, the rule of ``torch.optim.NAdam`` and Keras'
    ``Nadam``.

    The first-moment decay follows the schedule ``mu_t = beta_1 (1 - 0.5 *
    0.96^(t momentum_decay))``, which warms the momentum up from ``beta_1 / 2``
    towards ``beta_1``; with ``P_t = mu_1 mu_2 ... mu_t``::

        m = beta_1 m + (1 - beta_1) g;   v = beta_2 v + (1 - beta_2) g^2
        m_hat = mu_(t+1) m / (1 - P_t mu_(t+1)) + (1 - mu_t) g / (1 - P_t)
        w -= lr m_hat / (sqrt(v / (1 - beta_2^t)) + eps)

    When a schedule changes ``beta_1`` every step (1cycle cycles it), ``mu_t``
    and ``mu_(t+1)`` use that step's ``beta_1`` (PyTorch's fixed ``beta_1`` is
    the case of a constant one). ``P_t`` is part of the optimizer state (kept in
    the spare slot ``opt_state[2, 0]`` of the network): it survives epochs,
    ``warm_start``, ``partial_fit`` and pickling.

    Parameters
    ----------
    beta_1 : float, default=0.9
        Decay of the first-moment estimate and the limit of the momentum
        schedule, in [0, 1).
    beta_2 : float, default=0.999
        Decay of the second-moment estimate, in [0, 1).
    epsilon : float, default=1e-8
        Added to ``sqrt(v_hat)``.
    momentum_decay : float, default=0.004
        ``psi`` of the momentum schedule (Dozat's value, the default of PyTorch
        and Keras), >= 0. Larger values reach ``beta_1`` sooner; 0 keeps the
        momentum at ``beta_1 / 2``.

    References
    ----------
    Dozat (2016). Incorporating Nesterov Momentum into Adam. ICLR workshop.
    """

    _code = codes.NADAM
    _parameter_constraints = {
        **_AdamFamily._parameter_constraints,
        "momentum_decay": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, beta_1=0.9, beta_2=0.999, epsilon=1e-8, momentum_decay=0.004):
        super().__init__(beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)
        self.momentum_decay = momentum_decay

    def __setstate__(self, state):
        # a Nadam pickled before momentum_decay existed gets the default
        state.setdefault("momentum_decay", 0.004)
        super().__setstate__(state)


class AdaMax(_AdamFamily):
    """AdaMax (Kingma and Ba, 2015, section 7): Adam with the infinity norm.

    ``u = max(b2 u, |g|)``; ``w -= lr / (1 - b1^t) m / (u + eps)``.

    Parameters
    ----------
    beta_1 : float, default=0.9
    beta_2 : float, default=0.999
    epsilon : float, default=1e-8
        Defaults of the paper (which has no epsilon; it guards u = 0).
    """

    _code = codes.ADAMAX


class RAdam(_AdamFamily):
    """Rectified Adam (Liu et al., 2020).

    While the variance of the adaptive rate is intractable (``rho_t <= 5``, the
    first steps) it takes SGD-with-momentum steps ``lr m_hat``; then Adam steps
    scaled by the rectification term ``r_t``.

    Parameters
    ----------
    beta_1 : float, default=0.9
    beta_2 : float, default=0.999
    epsilon : float, default=1e-8
        Defaults of the paper.
    """

    _code = codes.RADAM


class AdaGrad(Optimizer):
    """AdaGrad (Duchi et al., 2011): ``G += g^2``; ``w -= lr g / (sqrt(G) + eps)``.

    Parameters
    ----------
    initial_accumulator_value : float, default=0.1
        Starting value of ``G`` (Keras' default).
    epsilon : float, default=1e-7
        Keras' default.
    """

    _code = codes.ADAGRAD
    _parameter_constraints = {
        "initial_accumulator_value": [Interval(Real, 0, None, closed="left")],
        "epsilon": _EPS,
    }

    def __init__(self, initial_accumulator_value=0.1, epsilon=1e-7):
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon


class RMSProp(Optimizer):
    """RMSProp (Tieleman and Hinton, 2012).

    ``E = rho E + (1 - rho) g^2``; ``w -= lr g / (sqrt(E) + eps)``.

    Parameters
    ----------
    rho : float, default=0.9
        Decay of the squared-gradient average (Hinton's and Keras' default).
    epsilon : float, default=1e-7
        Keras' default.
    """

    _code = codes.RMSPROP
    _parameter_constraints = {"rho": _UNIT, "epsilon": _EPS}

    def __init__(self, rho=0.9, epsilon=1e-7):
        self.rho = rho
        self.epsilon = epsilon


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012), scaled by the learning rate as in Keras.

    ``Eg = rho Eg + (1 - rho) g^2``; ``d = sqrt(Edx + eps) / sqrt(Eg + eps) g``;
    ``w -= lr d``; ``Edx = rho Edx + (1 - rho) d^2``. The paper has no learning
    rate: use ``learning_rate_init=1.0`` for its rule.

    Parameters
    ----------
    rho : float, default=0.95
        The paper's default.
    epsilon : float, default=1e-6
        The paper's default.
    """

    _code = codes.ADADELTA
    _parameter_constraints = {"rho": _UNIT, "epsilon": _EPS}

    def __init__(self, rho=0.95, epsilon=1e-6):
        self.rho = rho
        self.epsilon = epsilon


_BY_NAME = {
    "sgd": SGD,
    "adam": Adam,
    "adamw": AdamW,
    "nadam": Nadam,
    "adamax": AdaMax,
    "radam": RAdam,
    "adagrad": AdaGrad,
    "rmsprop": RMSProp,
    "adadelta": Adadelta,
}
# names whose hyperparameters come from the estimator (scikit-learn's meaning)
_FROM_ESTIMATOR = {"sgd", "adam", "adamw", "nadam", "adamax", "radam"}

SOLVER_NAMES = frozenset({*_BY_NAME, "lbfgs"})

#: ``learning_rate_init`` recommended for each stochastic solver (the table above);
#: with these, every solver reaches at least 0.95 cross-validated accuracy on
#: standardised ``load_digits`` with default parameters otherwise.
RECOMMENDED_LEARNING_RATES = {
    "sgd": 0.01,
    "adam": 0.001,
    "adamw": 0.001,
    "nadam": 0.001,
    "adamax": 0.002,
    "radam": 0.001,
    "adagrad": 0.01,
    "rmsprop": 0.001,
    "adadelta": 1.0,
}


def resolve_optimizer(estimator):
    """The kernel configuration of ``estimator.solver`` (a stochastic solver)."""
    solver = estimator.solver
    if isinstance(solver, Optimizer):
        return solver._config()
    if solver == "sgd":
        opt = SGD(momentum=estimator.momentum, nesterov=estimator.nesterovs_momentum)
    elif solver in _FROM_ESTIMATOR:
        opt = _BY_NAME[solver](
            beta_1=estimator.beta_1, beta_2=estimator.beta_2, epsilon=estimator.epsilon
        )
    else:
        opt = _BY_NAME[solver]()
    return opt._config()
