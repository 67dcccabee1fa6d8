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
=============  ============================================  ==================

SELU is from [1]_, ELU from [2]_, leaky ReLU from [3]_, GELU from [4]_ and swish
from [5]_.

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
"""

from numbers import Real

from sklearn.base import BaseEstimator

from ._compat import Interval, StrOptions
from ._core import codes

__all__ = ["ELU", "LeakyReLU"]

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
}

ACTIVATION_NAMES = frozenset(_ACTIVATIONS)


class Activation(BaseEstimator):
    """Base class of the configurable activations (``get_params``/``set_params``)."""

    name = None

    def _param(self):
        raise NotImplementedError

    def _kernel_config(self):
        self._validate_params()
        code, _, family = _ACTIVATIONS[self.name]
        return code, float(self._param()), family


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


ACTIVATION_CONSTRAINT = [StrOptions(set(_ACTIVATIONS)), Activation]


def resolve_activation(activation):
    """``(name, code, parameter, init family)`` of a name or an Activation object."""
    if isinstance(activation, Activation):
        code, param, family = activation._kernel_config()
        return activation.name, code, param, family
    code, param, family = _ACTIVATIONS[activation]
    return activation, code, param, family
