"""Python-callable shims for kernels that only other kernels call.

Those kernels are compiled without a CPython wrapper (``KERNEL`` in
``skdnn/_core/_jit.py``), so a test reaches them through a jitted function that
passes its arguments on.
"""

import numpy as np
from numba import njit

from skdnn._core import activations, optimizers, sparse
from skdnn._core.layers import EXTRAS


@njit
def activation_forward(
    Z, b, A, code, param, param2, slopes, rand, key, row0, width, off
):  # fmt: skip
    activations.activation_forward(
        Z, b, A, code, param, param2, slopes, rand, key, row0, width, off, EXTRAS
    )


@njit
def activation_backward(Z, A, DA, DZ, code, param, param2, slopes, gslopes):
    activations.activation_backward(
        Z, A, DA, DZ, code, param, param2, slopes, gslopes, EXTRAS
    )


@njit
def apply_update(theta, grad, state, step, lr, momentum, opt):
    no_factors = theta[:0]
    optimizers.apply_update(
        theta, grad, state[0], state[1], state[2], state[2, :1], step, lr, momentum,
        opt, opt.n_weights, no_factors, no_factors, EXTRAS,
    )  # fmt: skip


@njit
def apply_update_with_factors(theta, grad, state, step, lr, momentum, opt, factors):
    old = np.empty_like(factors)
    optimizers.apply_update(
        theta, grad, state[0], state[1], state[2], state[2, :1], step, lr, momentum,
        opt, opt.n_weights, factors, old, EXTRAS,
    )  # fmt: skip


@njit
def clip_gradient(grad, clipnorm, clipvalue):
    optimizers.clip_gradient(grad, clipnorm, clipvalue)


@njit
def csr_dot(data, indices, indptr, rows, W, Z):
    sparse.csr_dot(data, indices, indptr, rows, W, Z)


@njit
def csr_dot_t(data, indices, indptr, rows, D, G):
    sparse.csr_dot_t(data, indices, indptr, rows, D, G)
