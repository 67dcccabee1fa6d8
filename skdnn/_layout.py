"""The network as data: its layer records, one flat parameter buffer and its views.

Layout of ``theta`` (length ``n_params``): every layer's weight matrix, row-major
(fan_in, fan_out * pieces), one after the other, then every layer's bias, then the
gamma and beta of every batch normalisation, then the PReLU slopes, and last the
input adapters (front scale, ensemble members: one block of ``n_members *
n_features`` values at ``adapter_off``), then the periodic embedding's parameters
(at ``layers[0].emb_off``), then the tables of the categorical embeddings (at
``layers[0].cat_off``). The weights come first so that the penalised
parameters are the prefix ``theta[:n_weights]``.
"""

from dataclasses import dataclass, fields

import numpy as np

from ._core import codes
from ._core.records import LAYER, empty_layers

# the loss that goes with each output function (the canonical link)
_LOSS_OF_OUTPUT = {
    codes.IDENTITY: codes.SQUARED_ERROR,
    codes.LOGISTIC: codes.BINARY_LOG_LOSS,
    codes.SOFTMAX: codes.LOG_LOSS,
    codes.EXP: codes.POISSON,
}


def _bias_ranges(spec):
    """Every layer's bias: what ``intercepts_`` shows, BN's beta where it replaces
    the bias (``batch_norm='before'``)."""
    return [(L["b_off"], L["w_cols"]) for L in spec.layers]


def _batch_norm_ranges(spec):
    """The gammas and betas of every batch normalisation, except the betas that
    replace a bias (those are in the "bias" group)."""
    out = []
    for L in spec.layers:
        if L["in_bn"]:
            out.append((L["in_bn_p"], 2 * L["fan_in"]))
        if L["pre_bn"]:
            out.append((L["pre_bn_p"], L["w_cols"]))  # gamma; beta is the bias
    return out


def _activation_ranges(spec):
    """The trained parameters of the activations: PReLU's slopes."""
    return [(L["prelu_off"], L["fan_out"]) for L in spec.layers if L["prelu_off"] >= 0]


def _scale_ranges(spec):
    """The input adapters: the front scale or the ensemble members' adapters."""
    if not spec.has_adapter:
        return []
    return [(spec.adapter_off, spec.n_members * spec.layers[0]["fan_in"])]


def _embedding_ranges(spec):
    """The periodic embedding's frequencies, maps and biases, and the tables of
    the categorical embeddings."""
    out = []
    if spec.embed_count:
        out.append((spec.layers[0]["emb_off"], spec.n_embedding_params))
    if spec.cat_count:
        out.append((spec.layers[0]["cat_off"], spec.n_categorical_params))
    return out


#: The parameter groups of ``lr_factors``: name -> the function that gives the
#: group's ``(offset, size)`` ranges in theta for a spec. The groups are disjoint
#: and never include the connection weights (whose factor is always 1). A new
#: group is one line here.
PARAMETER_GROUPS = {
    "bias": _bias_ranges,
    "batch_norm": _batch_norm_ranges,
    "activation": _activation_ranges,
    "scale": _scale_ranges,
    "embedding": _embedding_ranges,
}


def _plain(value):
    """``value`` with NumPy scalars made Python numbers (lists and tuples too)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    return value


def dropout_fields(rate, alpha):
    """The LAYER fields of dropout at ``rate`` (a float in [0, 1)): ``drop_rate``,
    and for alpha dropout ``drop_sat``, ``drop_a`` and ``drop_b``.

    Alpha dropout (Klambauer et al. 2017): dropped units take ``sat = -scale *
    alpha`` of SELU, and ``a * x + b`` restores mean 0 and variance 1. At rate 0
    both kinds are the identity (``a = 1``, ``b = 0``; the kernels keep every
    unit, their uniform numbers being ``>= 0``).
    """
    if not alpha:
        return {"drop_rate": rate}
    sat = -codes.SELU_SCALE * codes.SELU_ALPHA
    a = ((1.0 - rate) * (1.0 + rate * sat * sat)) ** -0.5
    return {"drop_rate": rate, "drop_sat": sat, "drop_a": a, "drop_b": -a * sat * rate}


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
    front_scale : bool
        A learned scale of every input (one adapter row when ``n_members == 1``).
    n_members : int
        Ensemble members (TabM-mini): every member shares the network and has its
        own multiplicative input adapter; with ``front_scale`` or more than one
        member, the adapters take the block ``theta[adapter_off : adapter_off +
        n_members * layer_units[0]]``, shape (n_members, n_features) row-major.
    embed_first, embed_count, embed_frequencies, embed_dim, embed_scale, \
embed_keep_input
        The periodic embedding of the input columns ``embed_first : embed_first +
        embed_count`` (none when ``embed_count`` is 0), see
        :class:`skdnn.embeddings.PeriodicEmbedding`.
    cat_count, cat_levels, cat_dim, cat_scale
        Learned embeddings of the last ``cat_count`` input columns, which hold
        level codes: a table of ``cat_levels`` rows of ``cat_dim`` values per
        column (none when ``cat_count`` is 0), initialised from ``N(0,
        cat_scale**2)``, see
        :class:`skdnn.embeddings.CategoricalEmbedding`.

    Attributes
    ----------
    adapter_off : int
        Offset of the adapter block in theta (after every other parameter), -1
        when there is none.
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
    front_scale: bool = False
    n_members: int = 1
    embed_first: int = 0
    embed_count: int = 0
    embed_frequencies: int = 0
    embed_dim: int = 0
    embed_scale: float = 0.0
    embed_keep_input: bool = False
    cat_count: int = 0
    cat_levels: int = 0
    cat_dim: int = 0
    cat_scale: float = 0.0

    def __post_init__(self):
        c = codes
        units = list(self.layer_units)
        n_layers = len(units) - 1
        n_hidden = n_layers - 1
        rates = list(self.dropout) if len(self.dropout) else [0.0] * n_hidden
        count, d = self.embed_count, self.embed_dim
        keep = int(bool(self.embed_keep_input))
        n_codes = self.cat_count
        if count and self.embed_first + count > units[0] - n_codes:
            raise ValueError(
                "The periodic embedding's columns overlap the coded categorical "
                "columns at the end of the input."
            )
        fan_ins = [
            units[0] + count * (d + keep - 1) + n_codes * (self.cat_dim - 1),
            *units[1:-1],
        ]
        # built through a record-array view (attribute access to the fields)
        layers = empty_layers(n_layers).view(np.recarray)
        off = 0  # theta: weights first (the penalised prefix)
        for i, L in enumerate(layers):
            hidden = i < n_hidden
            pieces = self.pieces if hidden else 1
            L.fan_in = L.n_inputs = fan_ins[i]
            L.fan_out = units[i + 1]
            L.w_cols = units[i + 1] * pieces
            L.w_off = off
            off += fan_ins[i] * units[i + 1] * pieces
            if hidden:
                L.act = self.hidden_code
                L.act_param = self.hidden_param
                L.act_param2 = self.hidden_param2
            else:
                L.act = self.out_code
                L.loss = _LOSS_OF_OUTPUT[self.out_code]
            L.bn_momentum = self.bn_momentum
            L.bn_epsilon = self.bn_epsilon
            L.in_bn = (i == 0 and self.input_batch_norm) or (
                i > 0 and self.batch_norm == "after"
            )
            L.pre_bn = hidden and self.batch_norm == "before"
        self.n_weights = off
        for L in layers:  # biases (BN's beta replaces them before BN)
            if not L.pre_bn:
                L.b_off = off
                off += L.w_cols
        self.n_biases = off - self.n_weights
        stats = 0
        for L in layers:  # gamma then beta of every normalised column
            if L.in_bn:
                m = L.fan_in
                L.in_bn_p, L.in_bn_s = off, stats
                off += 2 * m
                stats += m
            if L.pre_bn:
                m = L.w_cols
                L.pre_bn_p, L.pre_bn_s = off, stats
                L.b_off = off + m  # beta is the layer's bias
                off += 2 * m
                stats += m
        for L in layers[:n_hidden]:  # PReLU slopes
            if self.hidden_code == c.PRELU:
                L.prelu_off = off
                off += L.fan_out
        self.adapter_off = -1
        if self.has_adapter:  # last: outside the penalised prefix
            self.adapter_off = layers[0].adapt_off = off
            layers[0].members = self.n_members
            off += self.n_members * fan_ins[0]
        first = layers[0]
        if count:  # last: outside the penalised prefix
            first.n_inputs = units[0]
            first.emb_off = off
            first.emb_first = self.embed_first
            first.emb_count = count
            first.emb_k = self.embed_frequencies
            first.emb_d = d
            first.emb_keep = keep
            off += self.n_embedding_params
        if n_codes:  # last: outside the penalised prefix
            first.n_inputs = units[0]
            first.cat_off = off
            first.cat_count = n_codes
            first.cat_levels = self.cat_levels
            first.cat_d = self.cat_dim
            off += self.n_categorical_params
        self.n_params = off
        self.n_stats = stats
        col = 0  # work-buffer columns of every intermediate array
        if count or n_codes:  # sines and cosines, pre-activations, embedded inputs
            first.emb_s = col
            first.emb_h = col + count * 2 * self.embed_frequencies
            first.emb_out = first.emb_h + count * d
            col = first.emb_out + fan_ins[0]
        for i, L in enumerate(layers):
            m_in = fan_ins[i]
            L.src = -1 if i == 0 else layers[i - 1].a
            if i == 0 and (count or n_codes):
                L.src = first.emb_out
            if i == 0 and self.has_adapter:  # the adapted inputs (and gradient)
                L.src = col
                col += m_in
            if L.in_bn and i > 0:  # layer 0's: the last columns (below)
                L.in_bn_h, L.in_bn_y = col, col + m_in
                L.x = col + m_in
                col += 2 * m_in
            rate = float(self.input_dropout if i == 0 else rates[i - 1])
            if rate > 0:
                L.in_drop_m, L.in_drop_y = col, col + m_in
                L.x = col + m_in
                col += 2 * m_in
                L.in_drop = c.DROP_ALPHA if self.alpha_dropout else c.DROP_INVERTED
                for name, value in dropout_fields(rate, self.alpha_dropout).items():
                    L[name] = value
            if L.pre_bn:
                L.pre_bn_h = col
                col += L.w_cols
            L.z = col
            col += L.w_cols
            if i < n_hidden:
                L.a = col
                col += units[i + 1]
        # the input batch normalisation's arrays last: CSR input folds it into
        # layer 0's products (skdnn._core.sparse) and its work buffers stop
        # before them (csr_width)
        self.csr_width = col
        if first.in_bn:
            m_in = fan_ins[0]
            first.in_bn_h, first.in_bn_y = col, col + m_in
            if first.in_drop == c.DROP_NONE:
                first.x = col + m_in
            col += 2 * m_in
        self.layers = layers.view(LAYER, np.ndarray)
        self.width = first.width = col

    @classmethod
    def from_pickled(cls, old):
        """The spec of a model pickled by an earlier release (its layer tables
        ``net``/``netf`` are rebuilt as records from the same parameters)."""
        return cls(**{f.name: getattr(old, f.name, f.default) for f in fields(cls)})

    def to_state(self):
        """The spec as plain data: its constructor arguments as Python numbers,
        strings, lists and tuples (the records are rebuilt from them by
        :meth:`from_state`). A persisted model holds this, not the records: a
        structured array cannot be audited by ``skops.io``."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_state(cls, state):
        """The spec of :meth:`to_state`'s ``state``."""
        state = dict(state)
        state["layer_units"] = list(state["layer_units"])
        state["dropout"] = tuple(state["dropout"])
        return cls(**state)

    @property
    def n_layers(self):
        """Number of weight layers (scikit-learn's ``n_layers_ - 1``)."""
        return self.layers.shape[0]

    @property
    def max_layer_work(self):
        """Multiply-adds per row of the largest product ``x @ W``."""
        return int(np.max(self.layers["fan_in"] * self.layers["w_cols"]))

    @property
    def has_adapter(self):
        """Whether the inputs go through learned adapters (front scale, members)."""
        return bool(self.front_scale) or self.n_members > 1

    @property
    def n_embedding_params(self):
        """Parameters of the periodic embedding: frequencies, maps, biases."""
        k, d = self.embed_frequencies, self.embed_dim
        return self.embed_count * (k + 2 * k * d + d)

    @property
    def n_categorical_params(self):
        """Parameters of the categorical embeddings: their tables."""
        return self.cat_count * self.cat_levels * self.cat_dim

    def categorical_embedding(self, theta):
        """View of ``theta`` as the categorical embeddings' tables (cat_count,
        cat_levels, cat_dim), or None without them."""
        if not self.cat_count:
            return None
        off = int(self.layers[0]["cat_off"])
        shape = (self.cat_count, self.cat_levels, self.cat_dim)
        return theta[off : off + self.n_categorical_params].reshape(shape)

    def embedding(self, theta):
        """Views of ``theta`` as the periodic embedding's frequencies (count,
        k), maps (count, 2k, d) and biases (count, d), or None without one."""
        if not self.embed_count:
            return None
        n, k, d = self.embed_count, self.embed_frequencies, self.embed_dim
        off = int(self.layers[0]["emb_off"])
        sizes = (n * k, n * 2 * k * d, n * d)
        shapes = ((n, k), (n, 2 * k, d), (n, d))
        out = []
        for size, shape in zip(sizes, shapes, strict=True):
            out.append(theta[off : off + size].reshape(shape))
            off += size
        return tuple(out)

    def init_embedding(self, theta, random_state):
        """Frequencies from ``N(0, embed_scale**2)``, maps and biases from
        ``U(-r, r)`` with ``r = 1 / sqrt(2k)`` (PyTorch's default for a linear
        layer of ``2k`` inputs), drawn in this order; then the categorical
        tables from ``N(0, cat_scale**2)`` (zeros, drawing nothing, for 0)."""
        tables = self.categorical_embedding(theta)
        views = self.embedding(theta)
        if views is not None:
            self._init_periodic(views, random_state)
        if tables is not None:  # zeros (cat_scale 0) draw nothing
            tables[...] = 0.0
            if self.cat_scale > 0:
                tables[...] = random_state.normal(0.0, self.cat_scale, tables.shape)

    def _init_periodic(self, views, random_state):
        freq, maps, biases = views
        freq[...] = random_state.normal(0.0, self.embed_scale, freq.shape)
        r = 1.0 / np.sqrt(2 * self.embed_frequencies)
        maps[...] = random_state.uniform(-r, r, maps.shape)
        biases[...] = random_state.uniform(-r, r, biases.shape)

    @property
    def input_batch_norm_only(self):
        """Whether the inputs are the only batch-normalised layer."""
        return bool(self.input_batch_norm) and self.batch_norm is None

    @property
    def has_batch_norm(self):
        return self.n_stats > 0

    @property
    def has_dropout(self):
        return bool(np.any(self.layers["in_drop"] != codes.DROP_NONE))

    def scaled_dropout(self, scale):
        """A copy of the layer records with every dropout rate (the inputs'
        included) multiplied by ``scale`` in [0, 1], alpha dropout's constants
        recomputed for the new rate (``dropout_schedule``); the records
        themselves, unchanged, for ``scale == 1``."""
        if scale == 1.0:
            return self.layers
        layers = self.layers.copy()
        for i in np.flatnonzero(layers["in_drop"] != codes.DROP_NONE):
            alpha = layers["in_drop"][i] == codes.DROP_ALPHA
            rate = float(layers["drop_rate"][i]) * scale
            for name, value in dropout_fields(rate, alpha).items():
                layers[name][i] = value
        return layers

    def same_parameters(self, other):
        """Whether ``other`` lays out and uses theta as this spec does (a warm
        start may change dropout rates or BN momentum, not these)."""
        names = ["fan_in", "w_cols", "w_off", "b_off", "act", "in_bn_p", "pre_bn_p",
                 "prelu_off", "adapt_off", "members", "n_inputs", "emb_off",
                 "emb_first", "emb_count", "emb_k", "emb_d", "emb_keep", "cat_off",
                 "cat_count", "cat_levels", "cat_d"]  # fmt: skip
        return (
            list(self.layer_units) == list(other.layer_units)
            and self.n_params == other.n_params
            and self.n_stats == other.n_stats
            and all(np.array_equal(self.layers[f], other.layers[f]) for f in names)
        )

    def coefs(self, theta):
        """Views of ``theta`` as the weight matrices, (fan_in, fan_out * pieces)."""
        return [
            theta[L["w_off"] : L["w_off"] + L["fan_in"] * L["w_cols"]].reshape(
                L["fan_in"], L["w_cols"]
            )
            for L in self.layers
        ]

    def intercepts(self, theta):
        """Views of ``theta`` as the list of bias vectors (BN's beta where it replaces
        the bias)."""
        return [theta[L["b_off"] : L["b_off"] + L["w_cols"]] for L in self.layers]

    def activations(self, abuf, n):
        """Views of the work buffer ``abuf`` of ``n`` rows as every hidden layer's
        activation, (n, units)."""
        return [
            abuf[n * L["a"] : n * (L["a"] + L["fan_out"])].reshape(n, L["fan_out"])
            for L in self.layers[:-1]
        ]

    def batch_norm_views(self, theta, bn_run):
        """Per position (0: the inputs, i: hidden layer i), ``(gamma, beta, mean,
        var)`` views, or None where that position has no batch normalisation."""
        n_hidden = self.n_layers - 1
        out = [None] * (n_hidden + 1)
        for i, L in enumerate(self.layers):
            if L["in_bn"]:
                out[i] = (L["in_bn_p"], L["in_bn_s"], L["fan_in"])
            if L["pre_bn"]:
                out[i + 1] = (L["pre_bn_p"], L["pre_bn_s"], L["w_cols"])
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

    def adapters(self, theta):
        """View of ``theta`` as the input adapters, (n_members, n_features), or
        None without them."""
        if not self.has_adapter:
            return None
        p = int(self.layers[0]["fan_in"])
        off = self.adapter_off
        return theta[off : off + self.n_members * p].reshape(self.n_members, p)

    def prelu_slopes(self, theta):
        """Views of the PReLU slopes of each hidden layer (empty list otherwise)."""
        return [
            theta[L["prelu_off"] : L["prelu_off"] + L["fan_out"]]
            for L in self.layers
            if L["prelu_off"] >= 0
        ]

    def _layer_ranges(self, row):
        """theta ranges of the parameters of hidden layer ``row + 1``: its W and
        bias (or beta), the BN below its activation, the BN after it (stored in
        the next row) and its PReLU slopes; plus the input BN and the embeddings
        for row 0."""
        L, nxt = self.layers[row], self.layers[row + 1]
        out = [
            (L["w_off"], L["fan_in"] * L["w_cols"]),
            (L["b_off"], L["w_cols"]),
        ]
        if L["pre_bn"]:
            out.append((L["pre_bn_p"], 2 * L["w_cols"]))
        if row == 0 and L["in_bn"]:
            out.append((L["in_bn_p"], 2 * L["fan_in"]))
        if row == 0 and self.embed_count:
            out.append((L["emb_off"], self.n_embedding_params))
        if row == 0 and self.cat_count:
            out.append((L["cat_off"], self.n_categorical_params))
        if nxt["in_bn"]:
            out.append((nxt["in_bn_p"], 2 * nxt["fan_in"]))
        if L["prelu_off"] >= 0:
            out.append((L["prelu_off"], L["fan_out"]))
        return out

    def _layer_stats(self, row):
        """Ranges of the running statistics that belong with ``_layer_ranges``."""
        L, nxt = self.layers[row], self.layers[row + 1]
        out = []
        if L["pre_bn"]:
            out.append((L["pre_bn_s"], L["w_cols"]))
        if row == 0 and L["in_bn"]:
            out.append((L["in_bn_s"], L["fan_in"]))
        if nxt["in_bn"]:
            out.append((nxt["in_bn_s"], nxt["fan_in"]))
        return out

    def lr_factor_array(self, lr_factors, dtype):
        """The learning-rate factors of ``theta[n_weights:]`` for ``lr_factors``
        (a dict of group name -> factor, see :data:`PARAMETER_GROUPS`; checked by
        the estimator), or None when every factor is 1 (no work in the update)."""
        factors = np.ones(self.n_params - self.n_weights, dtype=dtype)
        for name, factor in (lr_factors or {}).items():
            for off, size in PARAMETER_GROUPS[name](self):
                factors[off - self.n_weights : off - self.n_weights + size] = factor
        return None if np.all(factors == 1) else factors

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
        normalisation match into ``theta``/``stats``; returns how many.

        The input adapters come along with the first hidden layer (whose weights
        were trained on the adapted inputs) when both networks have adapters of
        the same shape; otherwise each keeps its own initialisation. A periodic
        embedding is part of the first hidden layer (it must match, as its
        weights do)."""
        n = 0
        for row in range(min(self.n_layers, source.n_layers) - 1):
            mine, theirs = self._layer_ranges(row), source._layer_ranges(row)
            if [s for _, s in mine] != [s for _, s in theirs]:
                break
            a, b = self.layers[row], source.layers[row]
            if (a["fan_in"], a["fan_out"]) != (b["fan_in"], b["fan_out"]):
                break
            for (o, size), (so, _) in zip(mine, theirs, strict=True):
                theta[o : o + size] = src_theta[so : so + size]
            for (o, size), (so, _) in zip(
                self._layer_stats(row), source._layer_stats(row), strict=True
            ):
                stats[:, o : o + size] = src_stats[:, so : so + size]
            n += 1
        mine, theirs = self.adapters(theta), source.adapters(src_theta)
        if n and mine is not None and theirs is not None and mine.shape == theirs.shape:
            mine[...] = theirs
        return n

    def init_extras(self, theta, prelu_init):
        """BN gamma = 1, beta = 0 and PReLU slopes = ``prelu_init`` in ``theta``."""
        for L in self.layers:
            for flag, p, m in (("in_bn", "in_bn_p", "fan_in"),
                               ("pre_bn", "pre_bn_p", "w_cols")):  # fmt: skip
                if L[flag]:
                    theta[L[p] : L[p] + L[m]] = 1.0
                    theta[L[p] + L[m] : L[p] + 2 * L[m]] = 0.0
        for slopes in self.prelu_slopes(theta):
            slopes[:] = prelu_init

    def init_adapters(self, theta, random_state):
        """Input adapters: ones for a single row (the front scale), random signs
        (+1 or -1, from ``random_state``) for several members (TabM-mini)."""
        adapters = self.adapters(theta)
        if adapters is None:
            return
        if self.n_members == 1:
            adapters[...] = 1.0
        else:
            adapters[...] = 2.0 * random_state.randint(0, 2, size=adapters.shape) - 1.0
