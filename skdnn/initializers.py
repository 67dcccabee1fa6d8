"""Weight initialisation strategies.

With ``fan_avg = (fan_in + fan_out) / 2`` (Glorot [1]_, He [2]_, LeCun [3]_):

================  ==================================  ============
``init``          distribution                        variance
================  ==================================  ============
glorot_uniform    U(-r, r), r = sqrt(3 / fan_avg)     1 / fan_avg
glorot_normal     N(0, sigma^2)                       1 / fan_avg
he_uniform        U(-r, r), r = sqrt(6 / fan_in)      2 / fan_in
he_normal         N(0, sigma^2)                       2 / fan_in
lecun_uniform     U(-r, r), r = sqrt(3 / fan_in)      1 / fan_in
lecun_normal      N(0, sigma^2)                       1 / fan_in
normal            N(0, 0.01^2)                        1e-4
zeros             0                                   0
================  ==================================  ============

``auto`` picks per layer from the layer's activation: He (uniform) for the ReLU
family (relu, leaky_relu, elu, softplus, gelu, swish), LeCun (normal) for SELU, Glorot
(uniform) otherwise. The output layer's activation (identity, logistic, softmax, exp)
makes ``auto`` use Glorot there.

References
----------
.. [1] Glorot, Bengio (2010). Understanding the difficulty of training deep
   feedforward neural networks. AISTATS.
.. [2] He, Zhang, Ren, Sun (2015). Delving Deep into Rectifiers. ICCV.
.. [3] LeCun, Bottou, Orr, Mueller (1998). Efficient BackProp.
"""

import numpy as np

INIT_NAMES = frozenset(
    {
        "auto",
        "glorot_uniform",
        "glorot_normal",
        "he_uniform",
        "he_normal",
        "lecun_uniform",
        "lecun_normal",
        "normal",
        "zeros",
    }
)

_AUTO = {"glorot": "glorot_uniform", "he": "he_uniform", "lecun": "lecun_normal"}


_UNIFORM_NUMERATOR = {"glorot_uniform": 6.0, "he_uniform": 6.0, "lecun_uniform": 3.0}


def _fan(name, fan_in, fan_out):
    return fan_in + fan_out if name.startswith("glorot") else fan_in


def _variance(name, fan_in, fan_out):
    family = name.split("_")[0]
    if family == "glorot":
        return 2.0 / (fan_in + fan_out)
    if family == "he":
        return 2.0 / fan_in
    return 1.0 / fan_in  # lecun


def init_weights(W, init, family, random_state):
    """Fill the weight matrix ``W`` (fan_in, fan_out) in place.

    Parameters
    ----------
    W : ndarray of shape (fan_in, fan_out)
    init : str
        One of ``INIT_NAMES``.
    family : {"glorot", "he", "lecun"}
        The layer activation's family, used when ``init="auto"``.
    random_state : numpy.random.RandomState
    """
    if init == "auto":
        init = _AUTO[family]
    fan_in, fan_out = W.shape
    if init == "zeros":
        W[...] = 0.0
    elif init == "normal":
        W[...] = random_state.normal(0.0, 0.01, W.shape)
    elif init.endswith("_uniform"):
        # r = sqrt(3 * variance), written as scikit-learn writes the Glorot bound
        # (sqrt(6 / (fan_in + fan_out))): the same rounding, so that the default
        # initialisation equals scikit-learn's bit for bit
        r = np.sqrt(_UNIFORM_NUMERATOR[init] / _fan(init, fan_in, fan_out))
        W[...] = random_state.uniform(-r, r, W.shape)
    else:
        W[...] = random_state.normal(
            0.0, np.sqrt(_variance(init, fan_in, fan_out)), W.shape
        )


def sklearn_bias_bound(fan_in, fan_out):
    """The bound ``r`` of ``bias_init="uniform"``: ``U(-r, r)`` with
    ``r = sqrt(6 / (fan_in + fan_out))``, scikit-learn's bound for its MLP's weights
    and biases (the Glorot uniform bound)."""
    return np.sqrt(6.0 / (fan_in + fan_out))
