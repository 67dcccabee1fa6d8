"""Counter-based random numbers: splitmix64 of (seed, stream, index).

A draw depends only on its coordinates, never on hidden state, so the same seed gives
bitwise the same numbers whatever the order or the thread that asks for them.
"""

import numpy as np
from numba import njit

from ._jit import JIT, KERNEL

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53


@njit(inline="always", **JIT)
def splitmix64(x):
    """One splitmix64 output for the uint64 counter ``x``."""
    z = x + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(inline="always", **JIT)
def stream_key(seed, stream):
    """A key for the independent stream ``stream`` (int) of the uint64 ``seed``."""
    return splitmix64(seed ^ splitmix64(np.uint64(stream)))


@njit(inline="always", **JIT)
def random_uint(key, index):
    """The ``index``-th uint64 of the stream ``key``."""
    return splitmix64(key + np.uint64(index) * _GOLDEN)


@njit(inline="always", **JIT)
def random_uniform(key, index):
    """The ``index``-th float in [0, 1) of the stream ``key`` (53 random bits)."""
    return float(random_uint(key, index) >> _S11) * _INV53


@njit(**KERNEL)
def shuffle_inplace(perm, key):
    """Fisher-Yates shuffle of the int64 array ``perm`` (changed in place)."""
    n = perm.shape[0]
    for i in range(n - 1, 0, -1):
        j = np.int64(random_uint(key, i) % np.uint64(i + 1))
        tmp = perm[i]
        perm[i] = perm[j]
        perm[j] = tmp


_STEP_SALT = np.uint64(0xD1B54A32D192ED03)


@njit(inline="always", **JIT)
def step_key(seed, step):
    """The stream of dropout masks and RReLU slopes of update ``step``.

    Salted so that it never coincides with the shuffling streams ``(seed, epoch)``.
    """
    return stream_key(seed ^ _STEP_SALT, step)


_STATS_SALT = np.uint64(0x8CB92BA72F3D8DD7)


@njit(inline="always", **JIT)
def stats_key(seed, epoch):
    """The shuffle of the pass that recomputes the batch-normalisation statistics
    after ``epoch`` epochs; salted apart from the training shuffles and steps."""
    return stream_key(seed ^ _STATS_SALT, epoch)
