"""Periodic embeddings of numeric input columns ("PLR", Gorishniy et al. 2022,
"On Embeddings for Numerical Features in Tabular Deep Learning", NeurIPS).

Each embedded column ``x`` (the input columns ``first : first + count``) becomes
``d`` values::

    s = [sin(2 pi c x), cos(2 pi c x)]      (2k values; c: the column's k frequencies)
    e = relu(s @ V + u)                    (V: (2k, d), u: (d,), the column's own)

and the embedded row is ``[x[:first], e_first, ..., e_last, x[first + count:]]``:
the columns before and after the embedded block pass through unchanged. Layer 0's
``fan_in`` is the embedded row's width, ``n_inputs`` the input batch's.

The parameters are one block of ``theta`` at ``emb_off``: the frequencies
``c`` (count, k), then the maps ``V`` (count, 2k, d), then the biases ``u``
(count, d), each row-major. The forward pass keeps ``s`` and the pre-activations
in the work buffer (``emb_s``, ``emb_h``) for the backward pass.
"""

import math

from numba import njit

from ._jit import KERNEL

TWO_PI = 2.0 * math.pi


@njit(**KERNEL)
def embed_forward(xb, theta, off, first, count, k, d, S, H, E):
    """Embed the rows of ``xb`` (n, n_inputs) into ``E`` (n, fan_in); ``S``
    (n, count * 2k) and ``H`` (n, count * d) receive the sines and cosines and
    the pre-activations."""
    n, p = xb.shape
    w_off = off + count * k
    b_off = w_off + count * 2 * k * d
    shift = count * (d - 1)  # the columns after the block move right by this
    for i in range(n):
        for c in range(first):
            E[i, c] = xb[i, c]
        for c in range(first + count, p):
            E[i, c + shift] = xb[i, c]
        for f in range(count):
            x = xb[i, first + f]
            s0 = f * 2 * k
            for j in range(k):
                t = TWO_PI * theta[off + f * k + j] * x
                S[i, s0 + j] = math.sin(t)
                S[i, s0 + k + j] = math.cos(t)
            h0 = f * d
            for e in range(d):
                H[i, h0 + e] = theta[b_off + h0 + e]
            wf = w_off + f * 2 * k * d
            for j in range(2 * k):
                s = S[i, s0 + j]
                for e in range(d):
                    H[i, h0 + e] += s * theta[wf + j * d + e]
            for e in range(d):
                h = H[i, h0 + e]
                E[i, first + h0 + e] = h if h > 0.0 else 0.0


@njit(**KERNEL)
def embed_backward(xb, theta, grad, off, first, count, k, d, S, H, DE):
    """The embedding's gradient ``grad[off : off + count * (k + 2kd + d)]``
    (overwritten) from that of the embedded rows ``DE`` (n, fan_in). ``DE``'s
    embedded columns are overwritten (with the pre-activations' gradient)."""
    n = xb.shape[0]
    w_off = off + count * k
    b_off = w_off + count * 2 * k * d
    for q in range(off, b_off + count * d):
        grad[q] = 0.0
    for i in range(n):
        for f in range(count):
            x = xb[i, first + f]
            s0 = f * 2 * k
            h0 = f * d
            wf = w_off + f * 2 * k * d
            for e in range(d):
                dh = DE[i, first + h0 + e] if H[i, h0 + e] > 0.0 else 0.0
                DE[i, first + h0 + e] = dh
                grad[b_off + h0 + e] += dh
            for j in range(k):
                sin_t = S[i, s0 + j]
                cos_t = S[i, s0 + k + j]
                ds_sin = 0.0
                ds_cos = 0.0
                for e in range(d):
                    dh = DE[i, first + h0 + e]
                    ds_sin += theta[wf + j * d + e] * dh
                    ds_cos += theta[wf + (k + j) * d + e] * dh
                    grad[wf + j * d + e] += sin_t * dh
                    grad[wf + (k + j) * d + e] += cos_t * dh
                grad[off + f * k + j] += TWO_PI * x * (ds_sin * cos_t - ds_cos * sin_t)
