"""Activation functions of the hidden layers.

Pass a name (``activation="elu"``) or one of the objects below, whose
hyperparameters are tunable in a grid search (``activation__alpha``)::

    MLPClassifier(activation=LeakyReLU(negative_slope=0.2))

=============  ============================================  ==================
name           f(z)                                          ``init="auto"``
=============  ============================================  ==================
identity       z                                             Glorot
logistic       1 / (1 + exp(-z))                             Glorot
tanh           tanh(z)                                       Glorot
relu           max(0, z)                                     He
leaky_relu     max(a z, z), a = 0.01                         He
elu            z if z > 0 else a (exp(z) - 1), a = 1         He
selu           scale * elu(z) (Klambauer et al.)             LeCun
softplus       log(1 + exp(z))                               He
gelu           z * Phi(z) (exact, with erf)                  He
swish          z * sigmoid(z) (SiLU)                         He
prelu          max(a_j z, z), a_j trained per unit (0.25)    He
rrelu          max(a z, z), a ~ U[1/8, 1/3] per element      He
               while training, a = 11/48 (their mean) after
maxout         max_q (x W_q + b_q) over k = 2 pieces         LeCun
=============  ============================================  ==================

PReLU's slopes are trained with the weights (never penalised, see the fitted
``prelu_slopes_``); RReLU draws a new slope for every negative element at every
training step from the fit's random stream. Maxout gives every unit ``k`` affine
pieces: the layer's ``coefs_`` has ``units * k`` columns, unit ``j`` owning columns
``j * k ... j * k + k - 1``; LeCun initialisation keeps the second moment of a
2-piece maxout layer, as He's does for ReLU.

SELU is from [1]_, ELU from [2]_, leaky ReLU from [3]_, GELU from [4]_, swish
from [5]_, PReLU from [6]_, RReLU from [7]_ and maxout from [8]_.

References
----------
.. [1] Klambauer, Unterthiner, Mayr, Hochreiter (2017). Self-Normalizing Neural
   Networks. NeurIPS.
.. [2] Clevert, Unterthiner, Hochreiter (2016). Fast and Accurate Deep Network
   Learning by Exponential Linear Units (ELUs). ICLR.
.. [3] Maas, Hannun, Ng (2013). Rectifier Nonlinearities Improve Neural Network
   Acoustic Models. ICML.
.. [4] Hendrycks, Gimpel (2016). Gaussian Error Linear Units (GELUs). arXiv:1606.08415.
.. [5] Ramachandran, Zoph, Le (2017). Searching for Activation Functions.
   arXiv:1710.05941.
.. [6] He, Zhang, Ren, Sun (2015). Delving Deep into Rectifiers: Surpassing
   Human-Level Performance on ImageNet Classification. ICCV.
.. [7] Xu, Wang, Chen, Li (2015). Empirical Evaluation of Rectified Activations in
   Convolutional Network. arXiv:1505.00853.
.. [8] Goodfellow, Warde-Farley, Mirza, Courville, Bengio (2013). Maxout Networks.
   ICML.
"""

from numbers import Integral, Real
from typing import NamedTuple

from sklearn.base import BaseEstimator

from ._compat import Interval, StrOptions
from ._core import codes

__all__ = ["ELU", "LeakyReLU", "Maxout", "PReLU", "RReLU"]

# name -> (kernel code, default parameter, initialisation family)
_ACTIVATIONS = {
    "identity": (codes.IDENTITY, 0.0, "glorot"),
    "logistic": (codes.LOGISTIC, 0.0, "glorot"),
    "tanh": (codes.TANH, 0.0, "glorot"),
    "relu": (codes.RELU, 0.0, "he"),
    "leaky_relu": (codes.LEAKY_RELU, 0.01, "he"),
    "elu": (codes.ELU, 1.0, "he"),
    "selu": (codes.SELU, 0.0, "lecun"),
    "softplus": (codes.SOFTPLUS, 0.0, "he"),
    "gelu": (codes.GELU, 0.0, "he"),
    "swish": (codes.SWISH, 0.0, "he"),
    "prelu": (codes.PRELU, 0.25, "he"),
    "rrelu": (codes.RRELU, 1.0 / 8.0, "he"),
    "maxout": (codes.MAXOUT, 0.0, "lecun"),
}
# defaults of the second parameter and of the number of pieces
_PARAM2 = {"rrelu": 1.0 / 3.0}
_PIECES = {"maxout": 2}


class ActivationConfig(NamedTuple):
    """What the network needs to know about a hidden activation."""

    name: str
    code: int
    param: float  # leaky slope, ELU alpha, RReLU lower bound, PReLU initial slope
    param2: float  # RReLU upper bound
    family: str  # initialisation family for init="auto"
    pieces: int  # maxout pieces, 1 otherwise


ACTIVATION_NAMES = frozenset(_ACTIVATIONS)


class Activation(BaseEstimator):
    """Base class of the configurable activations (``get_params``/``set_params``)."""

    name = None
    _parameter_constraints: dict = {}

    def _param(self):
        raise NotImplementedError

    def _param2(self):
        return _PARAM2.get(self.name, 0.0)

    def _pieces(self):
        return _PIECES.get(self.name, 1)

    def _kernel_config(self):
        if self.name not in _ACTIVATIONS:
            raise TypeError(
                f"{type(self).__name__} is not a hidden activation: pass a name "
                f"({', '.join(sorted(_ACTIVATIONS))}) or one of {', '.join(__all__)}."
            )
        self._validate_params()
        code, _, family = _ACTIVATIONS[self.name]
        return ActivationConfig(
            self.name,
            code,
            float(self._param()),
            float(self._param2()),
            family,
            int(self._pieces()),
        )


class LeakyReLU(Activation):
    """Leaky ReLU: ``max(negative_slope * z, z)`` [3]_.

    Parameters
    ----------
    negative_slope : float, default=0.01
        Slope for ``z < 0``; 0.01 is the usual value (Keras uses 0.3).

    References
    ----------
    .. [3] Maas, Hannun, Ng (2013). Rectifier Nonlinearities Improve Neural Network
       Acoustic Models. ICML.
    """

    name = "leaky_relu"
    _parameter_constraints = {"negative_slope": [Interval(Real, 0, 1, closed="left")]}

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    def _param(self):
        return self.negative_slope


class ELU(Activation):
    """Exponential linear unit: ``z if z > 0 else alpha * (exp(z) - 1)`` [2]_.

    Parameters
    ----------
    alpha : float, default=1.0
        Saturation value for very negative ``z`` is ``-alpha``.

    References
    ----------
    .. [2] Clevert, Unterthiner, Hochreiter (2016). Fast and Accurate Deep Network
       Learning by Exponential Linear Units (ELUs). ICLR.
    """

    name = "elu"
    _parameter_constraints = {"alpha": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, alpha=1.0):
        self.alpha = alpha

    def _param(self):
        return self.alpha


class PReLU(Activation):
    """Parametric ReLU: ``max(a_j * z, z)`` with one slope ``a_j`` per unit, trained
    by back-propagation [6]_.

    Parameters
    ----------
    alpha_init : float, default=0.25
        Initial slope of every unit (He et al.'s value). The slopes are never
        penalised by ``alpha`` or ``l1``.

    References
    ----------
    .. [6] He, Zhang, Ren, Sun (2015). Delving Deep into Rectifiers. ICCV.
    """

    name = "prelu"
    _parameter_constraints = {
        "alpha_init": [Interval(Real, None, None, closed="neither")]
    }

    def __init__(self, alpha_init=0.25):
        self.alpha_init = alpha_init

    def _param(self):
        return self.alpha_init


class RReLU(Activation):
    """Randomised leaky ReLU [7]_: while training, every negative element gets a slope
    drawn uniformly in ``[lower, upper]``; at inference the slope is their mean.

    Parameters
    ----------
    lower, upper : float, default=1/8 and 1/3
        Bounds of the random slope, ``0 <= lower <= upper <= 1``.

    References
    ----------
    .. [7] Xu, Wang, Chen, Li (2015). Empirical Evaluation of Rectified Activations in
       Convolutional Network. arXiv:1505.00853.
    """

    name = "rrelu"
    _parameter_constraints = {
        "lower": [Interval(Real, 0, 1, closed="both")],
        "upper": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(self, lower=1.0 / 8.0, upper=1.0 / 3.0):
        self.lower = lower
        self.upper = upper

    def _param(self):
        if self.lower > self.upper:
            raise ValueError(
                f"RReLU needs lower <= upper, got lower={self.lower} and "
                f"upper={self.upper}."
            )
        return self.lower

    def _param2(self):
        return self.upper


class Maxout(Activation):
    """Maxout [8]_: every unit is the maximum of ``pieces`` affine functions of the
    layer's input, so a layer of ``m`` units has ``m * pieces`` weight columns.

    Parameters
    ----------
    pieces : int, default=2
        Affine pieces per unit (k).

    References
    ----------
    .. [8] Goodfellow, Warde-Farley, Mirza, Courville, Bengio (2013). Maxout Networks.
       ICML.
    """

    name = "maxout"
    _parameter_constraints = {"pieces": [Interval(Integral, 2, None, closed="left")]}

    def __init__(self, pieces=2):
        self.pieces = pieces

    def _param(self):
        return 0.0

    def _pieces(self):
        return self.pieces


ACTIVATION_CONSTRAINT = [StrOptions(set(_ACTIVATIONS)), Activation]


def resolve_activation(activation):
    """The :class:`ActivationConfig` of a name or an Activation object."""
    if isinstance(activation, Activation):
        return activation._kernel_config()
    code, param, family = _ACTIVATIONS[activation]
    return ActivationConfig(
        activation,
        code,
        param,
        _PARAM2.get(activation, 0.0),
        family,
        _PIECES.get(activation, 1),
    )
