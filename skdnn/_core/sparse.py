"""The first layer's products straight from CSR input, without a dense batch.

When X is sparse (CSR) and the first layer reads the inputs as they are (no
periodic embedding, input batch normalisation, input dropout or input adapters:
:func:`csr_first_layer`; ``src < 0`` rules out the embedding and the adapters),
the kernels skip the dense gather of a batch: :func:`first_layer_input` computes
``Z0 = X[rows] @ W0`` from the row's nonzeros (an axpy of a row of ``W0`` per
nonzero) and hands :func:`~skdnn._core.layers.forward_hidden` an input of shape
``(nb, 0)``, which tells it that layer 0's product is already in its buffer
(``pre_bn_h`` with batch normalisation before the activation, ``z`` otherwise);
after :func:`~skdnn._core.layers.backward`, which skips layer 0's weight
gradient for such an input, :func:`first_layer_grad` scatters
``gW0 = X[rows]^T @ DZ0``. A row then costs ``2 nnz h`` operations instead of
``2 p h``, and no array of ``batch * p`` values exists.

Both products run in a fixed order (rows in order, each row's nonzeros in CSR
order), on one thread: results do not depend on the thread count. They differ
from the dense products (BLAS) by the order of the sums only.
"""

from numba import njit

from ._jit import KERNEL
from .codes import DROP_NONE
from .layers import buffer_view, gather_batch


@njit(**KERNEL)
def csr_first_layer(layers):
    """Whether layer 0's products come from CSR input as it is (not from a dense
    batch): the caller checks that the input is CSR.

    Mirrored in Python by :func:`skdnn._network.gathers_batches`, which sizes the
    dense gather buffer.
    """
    L = layers[0]
    return L.src < 0 and not L.in_bn and L.in_drop == DROP_NONE and L.adapt_off < 0


@njit(**KERNEL)
def csr_dot(data, indices, indptr, rows, W, Z):
    """``Z = X[rows] @ W`` for CSR X; W (p, m), Z (nb, m) overwritten."""
    nb, m = Z.shape
    for r in range(nb):
        i = rows[r]
        for j in range(m):
            Z[r, j] = 0.0
        for k in range(indptr[i], indptr[i + 1]):
            v = data[k]
            c = indices[k]
            for j in range(m):
                Z[r, j] += v * W[c, j]


@njit(**KERNEL)
def csr_dot_t(data, indices, indptr, rows, D, G):
    """``G = X[rows]^T @ D`` for CSR X; D (nb, m), G (p, m) overwritten."""
    nb, m = D.shape
    p = G.shape[0]
    for c in range(p):
        for j in range(m):
            G[c, j] = 0.0
    for r in range(nb):
        i = rows[r]
        for k in range(indptr[i], indptr[i + 1]):
            v = data[k]
            c = indices[k]
            for j in range(m):
                G[c, j] += v * D[r, j]


@njit(**KERNEL)
def first_layer_input(X, data, indices, indptr, sparse, rows, nb, xbuf, theta,
                      layers, abuf, bs):  # fmt: skip
    """The batch of the rows ``rows[:nb]`` as ``forward_hidden`` takes it.

    Either the rows gathered into ``xbuf`` (a dense (nb, p) view), or, when
    :func:`csr_first_layer`, layer 0's product written to its buffer in ``abuf``
    (row stride ``bs``) and an empty (nb, 0) view of ``xbuf``.
    """
    L = layers[0]
    # ``sparse is not None``: pruned by Numba for dense X (``sparse=None``)
    if sparse is not None:
        if csr_first_layer(layers):
            fan_in = L.fan_in
            w_cols = L.w_cols
            W = theta[L.w_off : L.w_off + fan_in * w_cols].reshape((fan_in, w_cols))
            off = L.pre_bn_h if L.pre_bn else L.z
            Z = buffer_view(abuf, bs, off, nb, w_cols)
            csr_dot(data, indices, indptr, rows, W, Z)
            return xbuf[:0].reshape((nb, 0))
    p = L.n_inputs  # the input's columns (fan_in counts embedded values)
    xb = xbuf[: nb * p].reshape((nb, p))
    gather_batch(X, data, indices, indptr, sparse, rows, nb, xb)
    return xb


@njit(**KERNEL)
def first_layer_grad(data, indices, indptr, sparse, rows, xb, layers, grad, dbuf,
                     bs):  # fmt: skip
    """Layer 0's weight gradient from CSR after ``backward`` (which leaves it out
    when ``xb`` has no columns): ``X[rows]^T @ DZ0``, DZ0 being the gradient of
    layer 0's product in ``dbuf``. Does nothing for a dense batch."""
    if sparse is None:  # dense X: pruned by Numba, compiles no CSR product
        return
    L = layers[0]
    if xb.shape[1] != 0:  # a gathered batch: backward wrote the gradient
        return
    fan_in = L.fan_in
    w_cols = L.w_cols
    off = L.pre_bn_h if L.pre_bn else L.z
    D = buffer_view(dbuf, bs, off, xb.shape[0], w_cols)
    gW = grad[L.w_off : L.w_off + fan_in * w_cols].reshape((fan_in, w_cols))
    csr_dot_t(data, indices, indptr, rows, D, gW)
