"""ONNX export of fitted skdnn estimators, through skl2onnx.

Importing this module registers converters for :class:`~skdnn.MLPClassifier`,
:class:`~skdnn.MLPRegressor`, :class:`~skdnn.TabularMLPClassifier`,
:class:`~skdnn.TabularMLPRegressor` and the transformers
:class:`~skdnn.preprocessing.TabularEncoder` and
:class:`~skdnn.preprocessing.SmoothClipScaler` with skl2onnx
(``update_registered_converter``), so that :func:`skl2onnx.to_onnx` converts a
fitted estimator, or a :class:`~sklearn.pipeline.Pipeline` ending in one::

    import skdnn.onnx  # noqa: F401  (registers the converters)
    from skl2onnx import to_onnx

    onx = to_onnx(pipeline, X[:1])

It needs the ``onnx`` extra (``pip install "skdnn[onnx]"``: skl2onnx, onnx and
onnxruntime); ``import skdnn`` alone never imports them.

Every network that :meth:`predict` can run converts: all the hidden activations
(with their parameters, trained PReLU slopes, RReLU's mean slope, maxout), batch
normalisation before or after the activations and of the inputs (with the running
statistics), dropout (the identity at inference), the periodic embedding of
``numeric_embedding``, the learned embeddings of ``categorical_embedding`` (a
``Gather`` from the tables), the input adapters (``front_scale`` and the ensemble
members of ``n_members``: the rows are repeated per member, multiplied by their
adapters, and the members' outputs averaged), and every output (softmax,
logistic per label, identity, exp). The graph computes in the model's dtype
(float32 or float64); its input and outputs have the dtype of the initial type
(``X[:1]``'s dtype for ``to_onnx(model, X[:1])``), with casts where the two
differ.

Classifiers follow skl2onnx's conventions for scikit-learn classifiers: two
outputs, ``label`` and ``probabilities`` (two columns for a binary classifier, as
``predict_proba``; for multilabel targets ``label`` is the int64 indicator matrix
of shape (n_samples, n_labels)), and the options ``zipmap`` (True, False or
``"columns"``) and ``nocl``. Regressors have one output, ``variable``, of shape
(n_samples, n_outputs).

The tabular estimators' graph starts with their encoder (``encoder_``), written
with standard operators (and ``ai.onnx.ml.LabelEncoder`` for string levels) to
compute what :meth:`~skdnn.preprocessing.TabularEncoder.transform` computes. A
model fitted on a DataFrame takes one input per column, of shape (n_samples, 1),
as ``to_onnx(model, df[:1])`` declares them: numeric columns as numbers (NaN for
a missing value), categorical columns as strings (``str`` of each value, the
string ``"nan"`` for a missing value), booleans or integers. Its probabilities
are float32 (the network's dtype) and its regression outputs float64 (as
``predict``), whatever the columns' dtypes. A model fitted on an array takes one
tensor, as the MLPs. The regressor's outputs are mapped back to the targets'
scale in float64. A model the graph could not reproduce (a categorical column
with the string level ``"nan"``, an input of a type its column cannot read)
raises a ValueError when converting.

The formulas are skdnn's own (:mod:`skdnn._core`), written with standard ONNX
operators chosen to reproduce skdnn's numerics: ``expm1`` and ``log1p`` (ELU,
SELU, softplus) and the logistic function are composed so that they stay
accurate near zero, constants such as the leaky slope are tensors of the model's
dtype rather than float attributes, and the exact GELU of a float64 model
evaluates W. J. Cody's rational approximations of ``erf`` (onnxruntime has no
double ``Erf`` kernel); a float32 model uses the ``Erf`` operator.
"""

import numpy as np

try:
    from skl2onnx import update_registered_converter
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        Int64TensorType,
        guess_proto_type,
    )
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
        calculate_linear_regressor_output_shapes,
    )
    from skl2onnx.common.utils_classifier import get_label_classes
    from skl2onnx.proto import onnx_proto
except ImportError as exc:  # pragma: no cover - exercised without the extra
    raise ImportError(
        "skdnn.onnx needs skl2onnx, onnx and onnxruntime, which are not "
        'installed: install the onnx extra with pip install "skdnn[onnx]".'
    ) from exc

from . import _onnx_tabular as _tabular
from ._classifier import MLPClassifier
from ._core import codes
from ._encoder import TabularEncoder
from ._onnx_tabular import (
    initial_types,
    parse_tabular_classifier,
    shape_encoder,
    shape_scaler,
    shape_tabular,
)
from ._regressor import MLPRegressor
from ._scaler import SmoothClipScaler
from ._tabular import TabularMLPClassifier, TabularMLPRegressor, _TabularMixin

__all__ = [
    "convert_encoder",
    "convert_mlp",
    "convert_scaler",
    "initial_types",
    "parse_tabular_classifier",
    "shape_classifier",
    "shape_encoder",
    "shape_regressor",
    "shape_scaler",
    "shape_tabular",
]

for _fn in (initial_types, parse_tabular_classifier, shape_encoder, shape_scaler,
            shape_tabular):  # fmt: skip
    _fn.__module__ = __name__  # documented as skdnn.onnx.*, where they are public
del _fn

_TP = onnx_proto.TensorProto
_PROTO = {
    np.dtype(np.float32): _TP.FLOAT,
    np.dtype(np.float64): _TP.DOUBLE,
    np.dtype(np.int64): _TP.INT64,
    np.dtype(np.bool_): _TP.BOOL,
}

_INV_SQRT2 = 0.7071067811865476
_SQRPI = 5.6418958354775628695e-1  # 1 / sqrt(pi)
# W. J. Cody, "Rational Chebyshev approximations for the error function", Math.
# Comp. 23 (1969): erf on |x| <= 0.46875, erfc on (0.46875, 4] and on (4, inf)
_ERF_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
          3.20937758913846947e03, 1.85777706184603153e-1)  # fmt: skip
_ERF_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
          2.84423683343917062e03)  # fmt: skip
_ERF_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
          2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
          2.05107837782607147e03, 1.23033935479799725e03,
          2.15311535474403846e-8)  # fmt: skip
_ERF_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
          1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
          3.43936767414372164e03, 1.23033935480374942e03)  # fmt: skip
_ERF_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
          1.60837851487422766e-2, 6.58749161529837803e-4,
          1.63153871373020978e-2)  # fmt: skip
_ERF_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
          6.05183413124413191e-2, 2.33520497626869185e-3)  # fmt: skip


class _Graph:
    """Adds constants and nodes to an skl2onnx container, in one float dtype."""

    def __init__(self, scope, container, dtype):
        self.scope = scope
        self.container = container
        self.dtype = np.dtype(dtype)
        self.proto = _PROTO[self.dtype]
        self._consts = {}

    def const(self, value, dtype=None):
        """A constant tensor (the model's dtype unless ``dtype`` is given)."""
        arr = np.asarray(value, dtype=self.dtype if dtype is None else dtype)
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        if arr.size == 1 and key in self._consts:
            return self._consts[key]
        name = self.scope.get_unique_variable_name("c")
        self.container.add_initializer(
            name, _PROTO[arr.dtype], list(arr.shape), arr.ravel()
        )
        if arr.size == 1:
            self._consts[key] = name
        return name

    def op(self, op_type, *inputs, domain=None, op_version=1, **attrs):
        out = self.scope.get_unique_variable_name(op_type.lower())
        kwargs = {"op_domain": domain, "op_version": op_version} if domain else {}
        self.container.add_node(
            op_type, list(inputs), out,
            name=self.scope.get_unique_operator_name(op_type), **kwargs, **attrs,
        )  # fmt: skip
        return out

    def cast(self, x, proto):
        return self.op("Cast", x, to=proto)

    # elementwise arithmetic with scalars of the model's dtype
    def add(self, x, y):
        return self.op("Add", x, y if isinstance(y, str) else self.const(y))

    def sub(self, x, y):
        return self.op("Sub", x, y if isinstance(y, str) else self.const(y))

    def mul(self, x, y):
        return self.op("Mul", x, y if isinstance(y, str) else self.const(y))

    def div(self, x, y):
        return self.op("Div", x, y if isinstance(y, str) else self.const(y))

    def where(self, cond, x, y):
        return self.op(
            "Where",
            cond,
            x if isinstance(x, str) else self.const(x),
            y if isinstance(y, str) else self.const(y),
        )

    def positive(self, z):
        return self.op("Greater", z, self.const(0.0))

    # the functions of skdnn/_core, with their numerics
    def sigmoid(self, z):
        """``1 / (1 + e)`` for z >= 0 and ``e / (1 + e)`` below, ``e = exp(-|z|)``."""
        e = self.op("Exp", self.op("Neg", self.op("Abs", z)))
        d = self.add(e, 1.0)
        neg = self.op("Less", z, self.const(0.0))
        return self.where(neg, self.div(e, d), self.op("Reciprocal", d))

    def expm1(self, x):
        """``exp(x) - 1`` accurate near 0 (Kahan's ``(u - 1) x / log(u)``)."""
        u = self.op("Exp", x)
        um1 = self.sub(u, 1.0)
        ratio = self.div(self.mul(um1, x), self.op("Log", u))
        small = self.op("Equal", u, self.const(1.0))
        low = self.op("Equal", um1, self.const(-1.0))
        return self.where(small, x, self.where(low, -1.0, ratio))

    def log1p(self, x):
        """``log(1 + x)`` accurate for small x >= 0 (Kahan's trick)."""
        u = self.add(x, 1.0)
        ratio = self.div(self.mul(self.op("Log", u), x), self.sub(u, 1.0))
        return self.where(self.op("Equal", u, self.const(1.0)), x, ratio)

    def _horner(self, t, coefs, tail):
        """Cody's numerator: ``((c[-1] t + c[0]) t + c[1]) t ... + tail``."""
        num = self.mul(t, coefs[-1])
        for c in coefs[:-1]:
            num = self.mul(self.add(num, c), t)
        return self.add(num, tail)

    def _den(self, t, coefs, tail):
        den = t
        for c in coefs:
            den = self.mul(self.add(den, c), t)
        return self.add(den, tail)

    def erf(self, x):
        """erf: the ``Erf`` operator in float32; Cody's approximations in float64,
        which onnxruntime's ``Erf`` does not support."""
        if self.dtype == np.float32:
            return self.op("Erf", x)
        y = self.op("Abs", x)
        # |x| <= 0.46875: x * A(y^2) / B(y^2)
        t = self.mul(y, y)
        a, b = _ERF_A, _ERF_B
        r1 = self.div(
            self.mul(x, self._horner(t, a[:3] + (a[4],), a[3])),
            self._den(t, b[:3], b[3]),
        )
        # erfc(y) = exp(-y^2) R(y) on (0.46875, 4]; asymptotic form above
        expm = self.op("Exp", self.op("Neg", t))
        c, d = _ERF_C, _ERF_D
        r2 = self.div(self._horner(y, c[:7] + (c[8],), c[7]), self._den(y, d[:7], d[7]))
        s = self.op("Reciprocal", t)
        p, q = _ERF_P, _ERF_Q
        r3 = self.div(
            self.mul(s, self._horner(s, p[:4] + (p[5],), p[4])),
            self._den(s, q[:4], q[4]),
        )
        r3 = self.div(self.op("Sub", self.const(_SQRPI), r3), y)
        far = self.op("Greater", y, self.const(4.0))
        erfc = self.mul(expm, self.where(far, r3, r2))
        one_minus = self.op("Sub", self.const(1.0), erfc)
        signed = self.where(self.op("Less", x, self.const(0.0)),
                            self.op("Neg", one_minus), one_minus)  # fmt: skip
        return self.where(self.op("Greater", y, self.const(0.46875)), signed, r1)

    def leaky(self, z, slope):
        """``z`` where positive, ``slope * z`` elsewhere (slope: scalar or per unit)."""
        return self.where(self.positive(z), z, self.mul(z, self.const(slope)))

    def activation(self, z, L, slopes):
        """Hidden activation of ``z = x @ W + b`` (LAYER record ``L``)."""
        code = int(L["act"])
        c = codes
        if code == c.IDENTITY:
            return z
        if code == c.RELU:
            return self.op("Relu", z)
        if code == c.TANH:
            return self.op("Tanh", z)
        if code == c.LOGISTIC:
            return self.sigmoid(z)
        if code == c.LEAKY_RELU:
            return self.leaky(z, float(L["act_param"]))
        if code == c.RRELU:
            return self.leaky(z, 0.5 * (float(L["act_param"]) + float(L["act_param2"])))
        if code == c.PRELU:
            return self.leaky(z, slopes)
        if code in (c.ELU, c.SELU):
            neg = self.expm1(self.op("Min", z, self.const(0.0)))
            if code == c.ELU:
                return self.where(
                    self.positive(z), z, self.mul(neg, float(L["act_param"]))
                )
            return self.where(
                self.positive(z),
                self.mul(z, c.SELU_SCALE),
                self.mul(neg, c.SELU_SCALE * c.SELU_ALPHA),
            )
        if code == c.SOFTPLUS:
            e = self.op("Exp", self.op("Neg", self.op("Abs", z)))
            return self.op("Add", self.op("Max", z, self.const(0.0)), self.log1p(e))
        if code == c.GELU:
            cdf = self.add(self.erf(self.mul(z, _INV_SQRT2)), 1.0)
            return self.op("Mul", self.mul(z, 0.5), cdf)
        if code == c.SWISH:
            return self.op("Mul", z, self.sigmoid(z))
        if code == c.MAXOUT:
            units = int(L["fan_out"])
            pieces = int(L["w_cols"]) // units
            cols = np.arange(units, dtype=np.int64) * pieces
            parts = [
                self.op("Gather", z, self.const(cols + q, np.int64), axis=1)
                for q in range(pieces)
            ]
            return parts[0] if pieces == 1 else self.op("Max", *parts)
        raise NotImplementedError(f"No ONNX conversion of activation code {code}.")

    def output(self, z, code):
        """Output function (:func:`skdnn._core.losses.output_forward`)."""
        if code == codes.IDENTITY:
            return z
        if code == codes.LOGISTIC:
            return self.sigmoid(z)
        if code == codes.SOFTMAX:
            return self.op("Softmax", z, axis=1)
        if code == codes.EXP:
            return self.op("Exp", z)
        raise NotImplementedError(f"No ONNX conversion of output code {code}.")

    def batch_norm(self, x, gamma, beta, mean, var, eps):
        """``(x - mean) * inv_std * gamma (+ beta)`` with skdnn's ``inv_std``."""
        inv_std = 1.0 / np.sqrt(np.asarray(var, dtype=np.float64) + eps)
        h = self.mul(self.sub(x, self.const(mean)), self.const(inv_std))
        y = self.mul(h, self.const(gamma))
        return y if beta is None else self.add(y, self.const(beta))


def _expand_members(g, x, adapters):
    """The adapted inputs: ``x * r`` for one adapter row; for k rows, the (N * k,
    p) rows ``x[i] * r[j]`` at ``i * k + j``, as the kernels expand a batch."""
    k, p = adapters.shape
    if k == 1:
        return g.mul(x, g.const(adapters[0]))
    rows = g.op("Reshape", x, g.const(np.array([-1, 1, p]), np.int64))
    tiled = g.op("Mul", rows, g.const(adapters))  # (N, k, p)
    return g.op("Reshape", tiled, g.const(np.array([-1, p]), np.int64))


def _member_mean(g, out, k, n_out):
    """The mean over the k members of the outputs (N * k, K): (N, K), a sum then
    a division by k, as the kernels compute it."""
    flat = g.op("Reshape", out, g.const(np.array([-1, k * n_out]), np.int64))
    picks = np.tile(np.eye(n_out), (k, 1))  # (k * K, K): sums the members
    return g.div(g.op("MatMul", flat, g.const(picks)), float(k))


def _embed(g, x, spec, theta):
    """The embeddings of :mod:`skdnn._core.embedding`: the periodic embedding of
    the columns ``first : first + count`` of ``x``, the other columns around it
    unchanged, then the learned embeddings of the coded columns at the end."""
    views = spec.embedding(theta)
    tables = spec.categorical_embedding(theta)
    if views is None and tables is None:
        return x
    p = spec.layer_units[0]
    stop = p - spec.cat_count  # the columns before the codes

    def columns(lo, hi):
        i64 = np.int64
        return g.op("Slice", x, g.const([lo], i64), g.const([hi], i64),
                    g.const([1], i64))  # fmt: skip

    parts = []
    if views is None:
        parts.append(columns(0, stop))
    else:
        parts.extend(_periodic(g, columns, spec, views, stop))
    if tables is not None:
        parts.append(_lookup(g, columns(stop, p), tables))
    return parts[0] if len(parts) == 1 else g.op("Concat", *parts, axis=1)


def _periodic(g, columns, spec, views, stop):
    """The periodic embedding's part of the embedded row, as a list of blocks."""
    freq, maps, biases = views
    first, count = spec.embed_first, spec.embed_count
    shape = g.const(np.array([-1, count, 1]), np.int64)
    xs = g.op("Reshape", columns(first, first + count), shape)
    t = g.mul(g.mul(xs, 2.0 * np.pi), g.const(freq))  # (N, count, k), as the kernel
    s = g.op("Concat", g.op("Sin", t), g.op("Cos", t), axis=2)
    h = g.op("MatMul", g.op("Transpose", s, perm=[1, 0, 2]), g.const(maps))
    h = g.add(g.op("Transpose", h, perm=[1, 0, 2]), g.const(biases))
    e = g.op("Relu", h)  # (N, count, d)
    width = spec.embed_dim
    if spec.embed_keep_input:  # each column's value after its d outputs
        e = g.op("Concat", e, xs, axis=2)
        width += 1
    e = g.op("Reshape", e, g.const(np.array([-1, count * width]), np.int64))
    parts = []
    if first > 0:
        parts.append(columns(0, first))
    parts.append(e)
    if first + count < stop:
        parts.append(columns(first + count, stop))
    return parts


def _lookup(g, codes, tables):
    """The rows of the tables (count, levels, d) at the codes (N, count): one
    Gather from the tables stacked, with a row of zeros last for the codes that
    are no level (negative, past the table, NaN)."""
    count, levels, d = tables.shape
    stacked = np.vstack([tables.reshape(count * levels, d), np.zeros((1, d))])
    valid = g.op(
        "And",
        g.op("Not", g.op("Less", codes, g.const(0.0))),
        g.op("Less", codes, g.const(float(levels))),
    )  # False for NaN
    offsets = (np.arange(count, dtype=np.int64) * levels).reshape(1, count)
    rows = g.op("Add", g.cast(codes, _PROTO[np.dtype(np.int64)]),
                g.const(offsets, np.int64))  # fmt: skip
    rows = g.op("Where", valid, rows, g.const(np.int64(count * levels), np.int64))
    e = g.op("Gather", g.const(stacked), rows, axis=0)  # (N, count, d)
    return g.op("Reshape", e, g.const(np.array([-1, count * d]), np.int64))


def _network_output(g, model, x):
    """The graph of ``model._net``'s forward pass from ``x`` (model dtype)."""
    net = model._net
    theta, stats, layers = net.theta, net.bn_stats, net.spec.layers
    n_layers = layers.shape[0]
    x = _embed(g, x, net.spec, theta)
    adapters = net.spec.adapters(theta)
    if adapters is not None:
        x = _expand_members(g, x, adapters)
    for i in range(n_layers):
        L = layers[i]
        fan_in, fan_out, w_cols = int(L["fan_in"]), int(L["fan_out"]), int(L["w_cols"])
        eps = float(L["bn_epsilon"])
        if L["in_bn"]:
            p, s = int(L["in_bn_p"]), int(L["in_bn_s"])
            x = g.batch_norm(
                x, theta[p : p + fan_in], theta[p + fan_in : p + 2 * fan_in],
                stats[0, s : s + fan_in], stats[1, s : s + fan_in], eps,
            )  # fmt: skip
        # dropout of the source: the identity at inference
        w_off = int(L["w_off"])
        W = theta[w_off : w_off + fan_in * w_cols].reshape(fan_in, w_cols)
        z = g.op("MatMul", x, g.const(W))
        if L["pre_bn"]:
            # gamma * x_hat; beta is the bias added below
            p, s = int(L["pre_bn_p"]), int(L["pre_bn_s"])
            z = g.batch_norm(
                z, theta[p : p + w_cols], None,
                stats[0, s : s + w_cols], stats[1, s : s + w_cols], eps,
            )  # fmt: skip
        b_off = int(L["b_off"])
        z = g.add(z, g.const(theta[b_off : b_off + w_cols]))
        if i == n_layers - 1:
            out = g.output(z, int(L["act"]))
            if adapters is None or adapters.shape[0] == 1:
                return out
            return _member_mean(g, out, adapters.shape[0], fan_out)
        po = int(L["prelu_off"])
        slopes = theta[po : po + fan_out] if po >= 0 else None
        x = g.activation(z, L, slopes)


def _forward(scope, operator, container):
    """The model's outputs as a graph variable in the model's dtype, and the
    ``_Graph`` that built it; a tabular model's encoder comes first."""
    model = operator.raw_operator
    g = _Graph(scope, container, model._net.theta.dtype)
    if isinstance(model, _TabularMixin):
        x = _tabular.encode(g, model.encoder_, operator.inputs)
        if model.encoder_._out_dtype != g.dtype:
            x = g.cast(x, g.proto)
    else:
        x = operator.inputs[0].full_name
        if guess_proto_type(operator.inputs[0].type) != g.proto:
            x = g.cast(x, g.proto)
    return g, _network_output(g, model, x)


def _finish(g, value, output, proto=None):
    """Write ``value`` (model dtype, or ``proto``) to the float output ``output``."""
    proto = g.proto if proto is None else proto
    target = guess_proto_type(output.type)
    op_type, attrs = ("Cast", {"to": target}) if target != proto else ("Identity", {})
    name = g.scope.get_unique_operator_name(op_type)
    g.container.add_node(op_type, [value], output.full_name, name=name, **attrs)


def _is_multilabel(model):
    return model._label_binarizer.y_type_.startswith("multilabel")


def convert_mlp(scope, operator, container):
    """skl2onnx converter of :class:`~skdnn.MLPClassifier` (outputs ``label``,
    ``probabilities``) and :class:`~skdnn.MLPRegressor` (output ``variable``),
    and of the tabular estimators: their encoder first, the regressor's outputs
    mapped back to the targets' scale."""
    model = operator.raw_operator
    g, out = _forward(scope, operator, container)
    if isinstance(model, TabularMLPRegressor):
        # back on the targets' scale in float64, as predict
        out = g.cast(out, _TP.DOUBLE)
        out = g.op("Mul", out, g.const(model.target_scale_, np.float64))
        out = g.op("Add", out, g.const(model.target_mean_, np.float64))
        _finish(g, out, operator.outputs[0], _TP.DOUBLE)
        return
    if not isinstance(model, MLPClassifier):
        _finish(g, out, operator.outputs[0])
        return
    label, proba = operator.outputs[0], operator.outputs[1]
    if _is_multilabel(model):
        _finish(g, out, proba)
        positive = g.op("Greater", out, g.const(0.5))
        g.container.add_node("Cast", [positive], label.full_name, to=_TP.INT64,
                             name=scope.get_unique_operator_name("Cast"))  # fmt: skip
        return
    if model.n_outputs_ == 1:  # binary: [1 - p, p], as predict_proba
        out = g.op("Concat", g.op("Sub", g.const(1.0), out), out, axis=1)
    _finish(g, out, proba)
    classes = np.asarray(get_label_classes(scope, model))
    if classes.dtype.kind in "biuf":
        if classes.dtype.kind == "f" and np.any(classes != np.round(classes)):
            raise ValueError(
                "ONNX labels are int64 or strings: the float class labels "
                f"{classes.tolist()} are not integers. Fit on integer or string "
                "labels, or convert with options={'nocl': True} (class indices)."
            )
        classes = classes.astype(np.int64)
    else:
        classes = np.array([str(c).encode("utf-8") for c in classes])
    if classes.dtype == np.int64:
        cl = g.const(classes, np.int64)
    else:
        cl = scope.get_unique_variable_name("classes")
        container.add_initializer(cl, _TP.STRING, list(classes.shape), classes)
    index = g.op("ArgMax", out, axis=1)
    picked = g.op("ArrayFeatureExtractor", cl, index, domain="ai.onnx.ml")
    shape = g.const(np.array([-1], dtype=np.int64), np.int64)
    container.add_node("Reshape", [picked, shape], label.full_name,
                       name=scope.get_unique_operator_name("Reshape"))  # fmt: skip


def shape_classifier(operator):
    """skl2onnx's shape calculator of linear classifiers; for multilabel targets,
    ``label`` is an int64 indicator matrix (n_samples, n_labels)."""
    calculate_linear_classifier_output_shapes(operator)
    model = operator.raw_operator
    if _is_multilabel(model):
        N = operator.inputs[0].get_first_dimension()
        operator.outputs[0].set_type(Int64TensorType([N, model.n_outputs_]))


def shape_regressor(operator):
    """skl2onnx's shape calculator of linear regressors, (n_samples, n_outputs)."""
    calculate_linear_regressor_output_shapes(operator)
    model = operator.raw_operator
    N = operator.inputs[0].get_first_dimension()
    cls = type(operator.outputs[0].type)
    if cls not in (FloatTensorType, DoubleTensorType):
        cls = FloatTensorType
    operator.outputs[0].set_type(cls([N, model.n_outputs_]))


# skl2onnx's options of scikit-learn classifiers
_CLASSIFIER_OPTIONS = {"zipmap": [True, False, "columns"], "nocl": [True, False]}
update_registered_converter(
    MLPClassifier,
    "SkdnnMLPClassifier",
    shape_classifier,
    convert_mlp,
    parser=None,
    options=_CLASSIFIER_OPTIONS,
)
update_registered_converter(
    MLPRegressor, "SkdnnMLPRegressor", shape_regressor, convert_mlp
)


update_registered_converter(
    TabularMLPClassifier,
    "SkdnnTabularMLPClassifier",
    shape_tabular,
    convert_mlp,
    parser=parse_tabular_classifier,
    options=_CLASSIFIER_OPTIONS,
)
update_registered_converter(
    TabularMLPRegressor, "SkdnnTabularMLPRegressor", shape_tabular, convert_mlp
)


def convert_encoder(scope, operator, container):
    """skl2onnx converter of :class:`~skdnn.preprocessing.TabularEncoder`."""
    encoder = operator.raw_operator
    g = _Graph(scope, container, encoder._out_dtype)
    _finish(g, _tabular.encode(g, encoder, operator.inputs), operator.outputs[0])


def convert_scaler(scope, operator, container):
    """skl2onnx converter of :class:`~skdnn.preprocessing.SmoothClipScaler`."""
    g = _Graph(scope, container, _tabular.scaler_dtype(operator))
    x = operator.inputs[0].full_name
    if guess_proto_type(operator.inputs[0].type) != g.proto:
        x = g.cast(x, g.proto)
    out = _tabular.scale(g, x, operator.raw_operator, g.dtype)
    _finish(g, out, operator.outputs[0])


update_registered_converter(
    TabularEncoder, "SkdnnTabularEncoder", shape_encoder, convert_encoder
)
update_registered_converter(
    SmoothClipScaler, "SkdnnSmoothClipScaler", shape_scaler, convert_scaler
)
