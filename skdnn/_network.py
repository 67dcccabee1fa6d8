"""The network as data: layer tables, one flat parameter buffer and its views.

Layout of ``theta`` (length ``n_params``): every layer's weight matrix, row-major
(fan_in, fan_out * pieces), one after the other, then every layer's bias, then the
gamma and beta of every batch normalisation, then the PReLU slopes. The weights come
first so that the penalised parameters are the prefix ``theta[:n_weights]``.
"""

from dataclasses import dataclass

import numpy as np

from ._core import codes


@dataclass
class NetworkSpec:
    """Shapes, codes and offsets of a fully connected network.

    Parameters
    ----------
    layer_units : list of int
        ``[n_features, hidden_1, ..., n_outputs]``.
    hidden_code, hidden_param : int, float
        Activation code and first parameter of every hidden layer.
    out_code : int
        Output activation code.
    hidden_param2 : float
        Second activation parameter (RReLU's upper bound).
    pieces : int
        Affine pieces per unit (maxout), 1 otherwise.
    batch_norm : {None, "before", "after"}
        Batch normalisation of every hidden layer, before or after its activation.
    input_batch_norm : bool
        Batch normalisation of the inputs.
    dropout : sequence of float
        Dropout rate after each hidden layer (empty: none).
    input_dropout : float
        Dropout rate of the inputs.
    alpha_dropout : bool
        Alpha dropout (SELU networks) instead of inverted dropout.
    bn_momentum, bn_epsilon : float
        Batch normalisation's running-average momentum and variance offset.
    """

    layer_units: list
    hidden_code: int
    hidden_param: float
    out_code: int
    hidden_param2: float = 0.0
    pieces: int = 1
    batch_norm: str | None = None
    input_batch_norm: bool = False
    dropout: tuple = ()
    input_dropout: float = 0.0
    alpha_dropout: bool = False
    bn_momentum: float = 0.99
    bn_epsilon: float = 1e-3

    def __post_init__(self):
        c = codes
        units = list(self.layer_units)
        n_layers = len(units) - 1
        n_hidden = n_layers - 1
        rates = list(self.dropout) if len(self.dropout) else [0.0] * n_hidden
        net = np.zeros((n_layers, c.NET_COLS), dtype=np.int64)
        netf = np.zeros((n_layers, c.NETF_COLS), dtype=np.float64)
        for col in (
            c.NET_B_OFF, c.NET_SRC, c.NET_X, c.NET_A, c.NET_IN_BN_P, c.NET_IN_BN_S,
            c.NET_IN_BN_H, c.NET_IN_BN_Y, c.NET_IN_DROP_M, c.NET_IN_DROP_Y,
            c.NET_PRE_BN_P, c.NET_PRE_BN_S, c.NET_PRE_BN_H, c.NET_PRELU_OFF,
        ):  # fmt: skip
            net[:, col] = -1
        off = 0  # theta: weights first (the penalised prefix)
        for i in range(n_layers):
            hidden = i < n_hidden
            pieces = self.pieces if hidden else 1
            net[i, c.NET_FAN_IN] = units[i]
            net[i, c.NET_FAN_OUT] = units[i + 1]
            net[i, c.NET_PIECES] = pieces
            net[i, c.NET_W_COLS] = units[i + 1] * pieces
            net[i, c.NET_W_OFF] = off
            off += units[i] * units[i + 1] * pieces
            net[i, c.NET_ACT] = self.hidden_code if hidden else self.out_code
            if hidden:
                netf[i, c.NETF_ACT_PARAM] = self.hidden_param
                netf[i, c.NETF_ACT_PARAM2] = self.hidden_param2
            netf[i, c.NETF_BN_MOMENTUM] = self.bn_momentum
            netf[i, c.NETF_BN_EPSILON] = self.bn_epsilon
            net[i, c.NET_IN_BN] = (i == 0 and self.input_batch_norm) or (
                i > 0 and self.batch_norm == "after"
            )
            net[i, c.NET_PRE_BN] = hidden and self.batch_norm == "before"
        self.n_weights = off
        for i in range(n_layers):  # biases (BN's beta replaces them before BN)
            if not net[i, c.NET_PRE_BN]:
                net[i, c.NET_B_OFF] = off
                off += net[i, c.NET_W_COLS]
        self.n_biases = off - self.n_weights
        stats = 0
        for i in range(n_layers):  # gamma then beta of every normalised column
            if net[i, c.NET_IN_BN]:
                m = net[i, c.NET_FAN_IN]
                net[i, c.NET_IN_BN_P], net[i, c.NET_IN_BN_S] = off, stats
                off += 2 * m
                stats += m
            if net[i, c.NET_PRE_BN]:
                m = net[i, c.NET_W_COLS]
                net[i, c.NET_PRE_BN_P], net[i, c.NET_PRE_BN_S] = off, stats
                net[i, c.NET_B_OFF] = off + m  # beta is the layer's bias
                off += 2 * m
                stats += m
        for i in range(n_hidden):  # PReLU slopes
            if self.hidden_code == c.PRELU:
                net[i, c.NET_PRELU_OFF] = off
                off += units[i + 1]
        self.n_params = off
        self.n_stats = stats
        col = 0  # work-buffer columns of every intermediate array
        for i in range(n_layers):
            m_in = units[i]
            net[i, c.NET_SRC] = -1 if i == 0 else net[i - 1, c.NET_A]
            if net[i, c.NET_IN_BN]:
                net[i, c.NET_IN_BN_H], net[i, c.NET_IN_BN_Y] = col, col + m_in
                net[i, c.NET_X] = col + m_in
                col += 2 * m_in
            rate = float(self.input_dropout if i == 0 else rates[i - 1])
            if rate > 0:
                net[i, c.NET_IN_DROP_M], net[i, c.NET_IN_DROP_Y] = col, col + m_in
                net[i, c.NET_X] = col + m_in
                col += 2 * m_in
                netf[i, c.NETF_DROP_RATE] = rate
                if self.alpha_dropout:
                    # Klambauer et al. (2017): dropped units take -scale * alpha, and
                    # a * x + b restores mean 0 and variance 1
                    sat = -c.SELU_SCALE * c.SELU_ALPHA
                    a = ((1.0 - rate) * (1.0 + rate * sat * sat)) ** -0.5
                    net[i, c.NET_IN_DROP] = c.DROP_ALPHA
                    netf[i, c.NETF_DROP_SAT] = sat
                    netf[i, c.NETF_DROP_A] = a
                    netf[i, c.NETF_DROP_B] = -a * sat * rate
                else:
                    net[i, c.NET_IN_DROP] = c.DROP_INVERTED
            if net[i, c.NET_PRE_BN]:
                net[i, c.NET_PRE_BN_H] = col
                col += net[i, c.NET_W_COLS]
            net[i, c.NET_Z] = col
            col += net[i, c.NET_W_COLS]
            if i < n_hidden:
                net[i, c.NET_A] = col
                col += units[i + 1]
        self.net = net
        self.netf = netf
        self.width = col

    @property
    def n_layers(self):
        """Number of weight layers (scikit-learn's ``n_layers_ - 1``)."""
        return self.net.shape[0]

    @property
    def has_batch_norm(self):
        return self.n_stats > 0

    @property
    def has_dropout(self):
        return bool(np.any(self.net[:, codes.NET_IN_DROP] != codes.DROP_NONE))

    def coefs(self, theta):
        """Views of ``theta`` as the weight matrices, (fan_in, fan_out * pieces)."""
        c = codes
        return [
            theta[
                r[c.NET_W_OFF] : r[c.NET_W_OFF] + r[c.NET_FAN_IN] * r[c.NET_W_COLS]
            ].reshape(r[c.NET_FAN_IN], r[c.NET_W_COLS])
            for r in self.net
        ]

    def intercepts(self, theta):
        """Views of ``theta`` as the list of bias vectors (BN's beta where it replaces
        the bias)."""
        c = codes
        out = []
        for r in self.net:
            m, off = r[c.NET_W_COLS], r[c.NET_B_OFF]
            out.append(theta[off : off + m])
        return out

    def batch_norm_views(self, theta, bn_run):
        """Per position (0: the inputs, i: hidden layer i), ``(gamma, beta, mean,
        var)`` views, or None where that position has no batch normalisation."""
        c = codes
        n_hidden = self.n_layers - 1
        out = [None] * (n_hidden + 1)
        for i, r in enumerate(self.net):
            if r[c.NET_IN_BN]:
                p, s, m = r[c.NET_IN_BN_P], r[c.NET_IN_BN_S], r[c.NET_FAN_IN]
                out[i] = (p, s, m)
            if r[c.NET_PRE_BN]:
                p, s, m = r[c.NET_PRE_BN_P], r[c.NET_PRE_BN_S], r[c.NET_W_COLS]
                out[i + 1] = (p, s, m)
        return [
            None
            if v is None
            else (
                theta[v[0] : v[0] + v[2]],
                theta[v[0] + v[2] : v[0] + 2 * v[2]],
                bn_run[0, v[1] : v[1] + v[2]],
                bn_run[1, v[1] : v[1] + v[2]],
            )
            for v in out
        ]

    def prelu_slopes(self, theta):
        """Views of the PReLU slopes of each hidden layer (empty list otherwise)."""
        c = codes
        return [
            theta[r[c.NET_PRELU_OFF] : r[c.NET_PRELU_OFF] + r[c.NET_FAN_OUT]]
            for r in self.net
            if r[c.NET_PRELU_OFF] >= 0
        ]

    def _layer_ranges(self, row):
        """theta ranges of the parameters of hidden layer ``row + 1``: its W and
        bias (or beta), the BN below its activation, the BN after it (stored in
        the next row) and its PReLU slopes; plus the input BN for row 0."""
        c = codes
        r = self.net[row]
        out = [
            (r[c.NET_W_OFF], r[c.NET_FAN_IN] * r[c.NET_W_COLS]),
            (r[c.NET_B_OFF], r[c.NET_W_COLS]),
        ]
        if r[c.NET_PRE_BN]:
            out.append((r[c.NET_PRE_BN_P], 2 * r[c.NET_W_COLS]))
        if row == 0 and r[c.NET_IN_BN]:
            out.append((r[c.NET_IN_BN_P], 2 * r[c.NET_FAN_IN]))
        nxt = self.net[row + 1]
        if nxt[c.NET_IN_BN]:
            out.append((nxt[c.NET_IN_BN_P], 2 * nxt[c.NET_FAN_IN]))
        if r[c.NET_PRELU_OFF] >= 0:
            out.append((r[c.NET_PRELU_OFF], r[c.NET_FAN_OUT]))
        return out

    def _layer_stats(self, row):
        """Ranges of the running statistics that belong with ``_layer_ranges``."""
        c = codes
        r, nxt = self.net[row], self.net[row + 1]
        out = []
        if r[c.NET_PRE_BN]:
            out.append((r[c.NET_PRE_BN_S], r[c.NET_W_COLS]))
        if row == 0 and r[c.NET_IN_BN]:
            out.append((r[c.NET_IN_BN_S], r[c.NET_FAN_IN]))
        if nxt[c.NET_IN_BN]:
            out.append((nxt[c.NET_IN_BN_S], nxt[c.NET_FAN_IN]))
        return out

    def frozen_mask(self, n_frozen):
        """Boolean mask over theta of the parameters of the lowest ``n_frozen``
        hidden layers (empty when none)."""
        if n_frozen == 0:
            return np.zeros(0, dtype=np.bool_)
        mask = np.zeros(self.n_params, dtype=np.bool_)
        for row in range(n_frozen):
            for off, size in self._layer_ranges(row):
                mask[off : off + size] = True
        return mask

    def copy_layers_from(self, source, src_theta, src_stats, theta, stats):
        """Copy the lowest hidden layers of ``source`` whose shapes and
        normalisation match into ``theta``/``stats``; returns how many."""
        n = 0
        for row in range(min(self.n_layers, source.n_layers) - 1):
            mine, theirs = self._layer_ranges(row), source._layer_ranges(row)
            if [s for _, s in mine] != [s for _, s in theirs]:
                break
            if not np.array_equal(self.net[row, :2], source.net[row, :2]):
                break
            for (o, size), (so, _) in zip(mine, theirs, strict=True):
                theta[o : o + size] = src_theta[so : so + size]
            for (o, size), (so, _) in zip(
                self._layer_stats(row), source._layer_stats(row), strict=True
            ):
                stats[:, o : o + size] = src_stats[:, so : so + size]
            n += 1
        return n

    def init_extras(self, theta, prelu_init):
        """BN gamma = 1, beta = 0 and PReLU slopes = ``prelu_init`` in ``theta``."""
        c = codes
        for r in self.net:
            for flag, p_col, m_col in (
                (c.NET_IN_BN, c.NET_IN_BN_P, c.NET_FAN_IN),
                (c.NET_PRE_BN, c.NET_PRE_BN_P, c.NET_W_COLS),
            ):
                if r[flag]:
                    p, m = r[p_col], r[m_col]
                    theta[p : p + m] = 1.0
                    theta[p + m : p + 2 * m] = 0.0
        for slopes in self.prelu_slopes(theta):
            slopes[:] = prelu_init


class Workspace:
    """Work buffers for batches of at most ``batch_size`` rows, allocated once."""

    def __init__(self, spec, batch_size, dtype):
        p = spec.layer_units[0]
        k = spec.layer_units[-1]
        self.batch_size = int(batch_size)
        bs = self.batch_size
        self.xbuf = np.empty(bs * p, dtype=dtype)
        self.ybuf = np.empty(bs * k, dtype=dtype)
        self.swbuf = np.empty(bs, dtype=dtype)
        self.abuf = np.empty(bs * spec.width, dtype=dtype)
        self.dbuf = np.empty(bs * spec.width, dtype=dtype)
        self.bn_batch = np.empty((2, spec.n_stats), dtype=dtype)

    def args(self):
        """The buffers in the order the kernels take them."""
        return (
            self.xbuf,
            self.ybuf,
            self.swbuf,
            self.abuf,
            self.dbuf,
            self.bn_batch,
            self.batch_size,
        )


def input_arrays(X, dtype):
    """``(X, data, indices, indptr, sparse)`` as the kernels take their input.

    Dense X must be C-contiguous of ``dtype``; sparse X is converted to CSR with int64
    indices. The unused form is an empty array of the right type.
    """
    empty_i = np.empty(0, dtype=np.int64)
    if hasattr(X, "tocsr"):
        Xc = X.tocsr()
        return (
            np.empty((0, Xc.shape[1]), dtype=dtype),
            np.ascontiguousarray(Xc.data, dtype=dtype),
            np.ascontiguousarray(Xc.indices, dtype=np.int64),
            np.ascontiguousarray(Xc.indptr, dtype=np.int64),
            True,
        )
    return (
        np.ascontiguousarray(X, dtype=dtype),
        np.empty(0, dtype=dtype),
        empty_i,
        empty_i,
        False,
    )
