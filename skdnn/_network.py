"""The network as data: layer tables, one flat parameter buffer and its views.

Layout of ``theta`` (length ``n_params``): every layer's weight matrix, row-major
(fan_in, fan_out), one after the other, then every layer's bias. The weights come
first so that the penalised parameters are the prefix ``theta[:n_weights]``.
"""

from dataclasses import dataclass

import numpy as np

from ._core import codes


@dataclass
class NetworkSpec:
    """Shapes and codes of a fully connected network.

    Parameters
    ----------
    layer_units : list of int
        ``[n_features, hidden_1, ..., n_outputs]``.
    hidden_code, hidden_param : int, float
        Activation code and parameter of every hidden layer.
    out_code : int
        Output activation code.
    """

    layer_units: list
    hidden_code: int
    hidden_param: float
    out_code: int

    def __post_init__(self):
        units = self.layer_units
        n_layers = len(units) - 1
        net = np.zeros((n_layers, codes.NET_COLS), dtype=np.int64)
        netf = np.zeros((n_layers, codes.NETF_COLS), dtype=np.float64)
        w_off = 0
        for i in range(n_layers):
            net[i, codes.NET_FAN_IN] = units[i]
            net[i, codes.NET_FAN_OUT] = units[i + 1]
            net[i, codes.NET_W_OFF] = w_off
            w_off += units[i] * units[i + 1]
        b_off = w_off
        buf_off = 0
        for i in range(n_layers):
            net[i, codes.NET_B_OFF] = b_off
            b_off += units[i + 1]
            net[i, codes.NET_BUF_OFF] = buf_off
            buf_off += units[i + 1]
            is_hidden = i < n_layers - 1
            net[i, codes.NET_ACT] = self.hidden_code if is_hidden else self.out_code
            netf[i, codes.NETF_ACT_PARAM] = self.hidden_param if is_hidden else 0.0
        self.net = net
        self.netf = netf
        self.n_weights = w_off
        self.n_params = b_off
        self.width = buf_off

    @property
    def n_layers(self):
        """Number of weight layers (scikit-learn's ``n_layers_ - 1``)."""
        return self.net.shape[0]

    def coefs(self, theta):
        """Views of ``theta`` as the list of weight matrices."""
        out = []
        for fan_in, fan_out, w_off in self.net[:, :3]:
            out.append(theta[w_off : w_off + fan_in * fan_out].reshape(fan_in, fan_out))
        return out

    def intercepts(self, theta):
        """Views of ``theta`` as the list of bias vectors."""
        net = self.net
        return [
            theta[b : b + m]
            for b, m in zip(
                net[:, codes.NET_B_OFF], net[:, codes.NET_FAN_OUT], strict=True
            )
        ]


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
        self.zbuf = np.empty(bs * spec.width, dtype=dtype)
        self.abuf = np.empty(bs * spec.width, dtype=dtype)
        self.dbuf = np.empty(bs * spec.width, dtype=dtype)

    def args(self):
        """The buffers in the order the kernels take them."""
        return (
            self.xbuf,
            self.ybuf,
            self.swbuf,
            self.zbuf,
            self.abuf,
            self.dbuf,
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
