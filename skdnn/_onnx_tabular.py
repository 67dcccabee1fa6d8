"""The ONNX graph of a fitted TabularEncoder (private; used by :mod:`skdnn.onnx`).

The encoder's ColumnTransformer has FunctionTransformers that skl2onnx cannot
convert, so its graph is written here with standard operators (and
``ai.onnx.ml.LabelEncoder`` for string levels), step by step as
``TabularEncoder.transform`` computes:

- a categorical column becomes its one-hot block: string levels through a
  LabelEncoder to the level's index (-1 for an unseen level, a block of zeros),
  the string ``"nan"`` standing for a missing value; boolean inputs are the
  levels ``"False"`` and ``"True"``, integer inputs their decimal strings;
  numeric levels by equality (a NaN level by ``IsNaN``);
- numeric columns are cast to the dtype the encoder computes in, imputed
  (``Where(IsNaN(x), median, x)``), centred, multiplied by ``1 / scale_``
  and smoothly clipped; their quantile block (``numeric_output``) maps the
  imputed values through each column's quantiles (binary search, then linear
  interpolation, in float64);
- the missing-value indicators are ``IsNaN`` of the numeric columns.

The blocks are concatenated in the encoder's order (categorical, numeric,
missing), in the encoder's output dtype. Anything the graph could not reproduce
raises a ValueError at conversion time.

Also here: the shape calculators of the tabular estimators, TabularEncoder and
SmoothClipScaler, the tabular classifier's parser and ``initial_types``
(re-exported by :mod:`skdnn.onnx`, which registers the converters).
"""

import numpy as np
from skl2onnx._parse import _apply_zipmap, _parse_sklearn_simple_model
from skl2onnx.common.data_types import (
    BooleanTensorType,
    DoubleTensorType,
    FloatTensorType,
    Int32TensorType,
    Int64TensorType,
    StringTensorType,
)
from skl2onnx.common.utils_classifier import get_label_classes
from skl2onnx.proto import onnx_proto
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder
from sklearn.utils.validation import check_is_fitted

from ._encoder import TabularEncoder
from ._regressor import MLPRegressor

_TP = onnx_proto.TensorProto

#: what a missing value of a categorical column is in a string input
MISSING = "nan"

_NUMBERS = (
    FloatTensorType,
    DoubleTensorType,
    Int64TensorType,
    Int32TensorType,
    BooleanTensorType,
)
_TYPE_PROTO = {
    FloatTensorType: _TP.FLOAT,
    DoubleTensorType: _TP.DOUBLE,
    Int64TensorType: _TP.INT64,
    Int32TensorType: _TP.INT32,
    BooleanTensorType: _TP.BOOL,
    StringTensorType: _TP.STRING,
}
_DTYPE_PROTO = {np.dtype(np.float32): _TP.FLOAT, np.dtype(np.float64): _TP.DOUBLE}


def fitted_on_frame(encoder):
    """Whether the encoder was fitted on a DataFrame (one input per column)."""
    return encoder._frame_columns is not None


def frame_types(encoder):
    """``(column name, type)`` of every column of a DataFrame-fitted encoder:
    strings for the categorical columns with string levels, doubles for those
    with numeric levels, and the dtype the numeric columns are converted to."""
    if not fitted_on_frame(encoder):
        raise ValueError(
            "initial_types describes the columns of a model fitted on a "
            "DataFrame; this one was fitted on an array: convert it with "
            "to_onnx(model, X[:1]) (one tensor input)."
        )
    kinds = {}
    for name, pipe, cols in encoder.transformer_.transformers_:
        if name in ("categorical", "codes"):
            flags = pipe.steps[0][1].kw_args["as_string"]
            for j, string in zip(cols, flags, strict=True):
                kinds[j] = StringTensorType if string else DoubleTensorType
        elif name in ("numeric", "quantile"):
            dtype = np.dtype(pipe.steps[0][1].kw_args["dtype"])
            number = FloatTensorType if dtype == np.float32 else DoubleTensorType
            kinds.update(dict.fromkeys(cols, number))
    return [
        (str(column), kinds[j]([None, 1]))
        for j, column in enumerate(encoder._frame_columns)
    ]


def _column_name(encoder, j):
    names = getattr(encoder, "feature_names_in_", None)
    return repr(names[j]) if names is not None else f"x{j}"


def _split_columns(g, encoder, inputs):
    """The raw columns as ``(variable of shape (N, 1), type class)``, in the
    encoder's column order."""
    n = encoder.n_features_in_
    widths = []
    for var in inputs:
        shape = var.type.shape
        if len(shape) != 2:
            raise ValueError(
                f"ONNX input {var.raw_name!r} has shape {shape}; the encoder reads "
                "2-D inputs (n_samples, n_columns), e.g. (None, 1) per column."
            )
        width = shape[1]
        if width is None or (isinstance(width, str)):
            if len(inputs) > 1:
                raise ValueError(
                    f"ONNX input {var.raw_name!r} has an unknown number of "
                    "columns; with several inputs, give each its number of "
                    "columns, e.g. StringTensorType([None, 1])."
                )
            width = n
        widths.append(int(width))
    if sum(widths) != n:
        raise ValueError(
            f"The ONNX inputs have {sum(widths)} columns in all; the model was "
            f"fitted on {n} columns."
        )
    names = getattr(encoder, "feature_names_in_", None)
    raw = [var.raw_name for var in inputs]
    if (
        names is not None
        and all(w == 1 for w in widths)
        and sorted(raw) == sorted(map(str, names))
        and len(set(raw)) == n
    ):
        by_name = {var.raw_name: var for var in inputs}
        inputs = [by_name[str(name)] for name in names]  # one input per column
    columns = []
    for var, width in zip(inputs, widths, strict=True):
        kind = type(var.type)
        if kind not in _TYPE_PROTO:
            raise ValueError(
                f"ONNX input {var.raw_name!r} has type {kind.__name__}; the encoder "
                "reads strings, booleans, integers or floats."
            )
        if width == 1:
            columns.append((var.full_name, kind))
            continue
        for j in range(width):
            index = g.const(np.array([j], dtype=np.int64), np.int64)
            columns.append((g.op("Gather", var.full_name, index, axis=1), kind))
    return columns


def _cast(g, x, kind, proto):
    return x if _TYPE_PROTO[kind] == proto else g.cast(x, proto)


def _is_nan_level(value):
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def _one_hot_strings(g, x, kind, levels, name, out_proto):
    """The one-hot block of a column whose levels are strings (and NaN)."""
    strings = [v for v in levels if not _is_nan_level(v)]
    has_missing = len(strings) < len(levels)
    if kind is BooleanTensorType:
        # str(True) == "True": the levels "False" and "True" are the values 0, 1
        codes = {"False": 0, "True": 1}
        values = [-1 if _is_nan_level(v) else codes.get(v, -1) for v in levels]
        index = g.cast(x, _TP.INT64)
    elif kind in (StringTensorType, Int64TensorType, Int32TensorType):
        if kind is not StringTensorType:  # integers: their str, as the encoder's
            x = g.cast(x, _TP.STRING)
        elif MISSING in strings:
            raise ValueError(
                f"Column {name} has the level {MISSING!r} (a string) seen in "
                f"training, but the string {MISSING!r} is what the ONNX graph "
                "reads as a missing value: replace that level by another string "
                "before fitting to export this model."
            )
        keys = strings + ([MISSING] if has_missing else [])
        index = g.op(
            "LabelEncoder",
            x,
            domain="ai.onnx.ml",
            op_version=2,
            keys_strings=[k.encode("utf-8") for k in keys],
            values_int64s=list(range(len(keys))),
            default_int64=-1,
        )
        # the levels come sorted, the missing level (if any) last
        values = list(range(len(levels)))
    else:
        raise ValueError(
            f"Column {name} is categorical with string levels (e.g. "
            f"{strings[:3]}): give it to the ONNX graph as strings "
            f"(StringTensorType, str of each value, {MISSING!r} for a missing "
            f"value), as booleans or as integers, not as {kind.__name__}."
        )
    hot = g.op("Equal", index, g.const(np.array([values], dtype=np.int64), np.int64))
    return g.cast(hot, out_proto)


def _one_hot_numbers(g, x, kind, levels, name, out_proto):
    """The one-hot block of a column whose levels are numbers (and NaN)."""
    if kind not in _NUMBERS:
        raise ValueError(
            f"Column {name} is categorical with numeric levels: give it to the "
            f"ONNX graph as numbers (float, double or int64), not as "
            f"{kind.__name__}."
        )
    levels = np.asarray(levels, dtype=np.float64).reshape(1, -1)
    xd = _cast(g, x, kind, _TP.DOUBLE)
    hot = g.op("Equal", xd, g.const(levels, np.float64))
    nan = np.isnan(levels)
    if nan.any():
        at_nan = g.op("And", g.op("IsNaN", xd), g.const(nan, np.bool_))
        hot = g.op("Or", hot, at_nan)
    return g.cast(hot, out_proto)


def _compute_dtype(encoder, numbers, columns):
    """The dtype ``transform`` computes the numeric columns in: the one the
    DataFrame's columns are converted to, or the array's (float32 stays float32,
    anything else is float64)."""
    first = numbers.steps[0][1]
    if isinstance(first, FunctionTransformer):
        return np.dtype(first.kw_args["dtype"])
    if all(kind is FloatTensorType for _, kind in columns):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def smooth_clip(g, z, bound, dtype):
    """``z / hypot(1, z / bound)``, overflow-free as NumPy's ``hypot``."""
    t = g.op("Abs", g.op("Div", z, g.const(bound, dtype)))
    one = g.const(1.0, dtype)
    small = g.op("Sqrt", g.op("Add", one, g.op("Mul", t, t)))
    inv = g.op("Reciprocal", t)
    large = g.op("Mul", t, g.op("Sqrt", g.op("Add", one, g.op("Mul", inv, inv))))
    return g.op("Div", z, g.op("Where", g.op("Greater", t, one), large, small))


def scale(g, x, scaler, dtype):
    """SmoothClipScaler.transform of ``x`` (``dtype``): centre, multiply by
    ``1 / scale_``, clip."""
    if scaler.center_ is not None:
        x = g.op("Sub", x, g.const(scaler.center_.reshape(1, -1), dtype))
    multiplier = (1.0 / np.asarray(scaler.scale_, dtype=np.float64)).astype(dtype)
    x = g.op("Mul", x, g.const(multiplier.reshape(1, -1), dtype))
    if scaler.smooth_clip is not None:
        x = smooth_clip(g, x, float(scaler.smooth_clip), dtype)
    return x


def _search(g, flat, base, x, k, strict):
    """For every value of ``x`` (N, F): the first index ``i`` in ``[0, k]``
    of its column's sorted quantiles with ``q_i > x`` (``strict``) or
    ``q_i >= x``, by a binary search of ``ceil(log2(k + 1))`` fixed steps
    (``flat``: the quantiles column by column, ``base``: each column's offset).
    Memory and time grow as N * F * log(k), not N * F * k."""
    lo = g.cast(g.op("Less", x, x), _TP.INT64)  # zeros of x's shape
    hi = g.op("Add", lo, g.const(k, np.int64))
    one = g.const(1, np.int64)
    two = g.const(2, np.int64)
    last = g.const(k - 1, np.int64)
    for _ in range(int(np.ceil(np.log2(k + 1)))):
        mid = g.op("Div", g.op("Add", lo, hi), two)
        index = g.op("Add", g.op("Min", mid, last), base)
        q = g.op("Gather", flat, index, axis=0)
        right = g.op("Greater" if strict else "GreaterOrEqual", q, x)
        right = g.op("And", right, g.op("Less", mid, hi))
        hi = g.op("Where", right, mid, hi)
        lo = g.op("Where", right, lo, g.op("Min", g.op("Add", mid, one), hi))
    return lo


def quantile_inputs(g, x, step, dtype):
    """QuantileInputs.transform of ``x`` (``dtype``, no NaN): with the sorted
    quantiles ``q_0 .. q_K-1`` of each column and the outputs ``r_k``, the
    mean of the linear interpolation on the interval ``q_k <= x < q_k+1`` and
    of the one on ``q_j-1 < x <= q_j`` (the two agree except at a tie of
    quantiles, which maps to the middle of its outputs), ``r_0`` for ``x <=
    q_0`` and ``r_K-1`` for ``x >= q_K-1``. The intervals are found by binary
    search. Computed in float64, as the step computes, then cast to
    ``dtype``."""
    from ._quantiles import HALF_WIDTH

    out_dtype, dtype = dtype, np.float64
    x = g.cast(x, _TP.DOUBLE)
    q = np.asarray(step.quantiles_.quantiles_, dtype=np.float64)  # (K, F)
    r = (np.asarray(step.quantiles_.references_, dtype=np.float64) - 0.5) * (
        2 * HALF_WIDTH
    )
    k, n_features = q.shape
    if k < 2:  # one quantile: every value is at an end
        below = g.op("LessOrEqual", x, g.const(q[:1], dtype))
        value = g.op("Where", below, g.const(r[0], dtype), g.const(r[-1], dtype))
        return g.cast(value, _DTYPE_PROTO[np.dtype(out_dtype)])
    flat = g.const(q.T.ravel(), dtype)
    base = g.const((np.arange(n_features, dtype=np.int64) * k)[None], np.int64)
    refs = g.const(r, dtype)

    def interpolate(j):
        # linear between quantiles j - 1 and j of each column (1 <= j <= K - 1)
        j = g.op("Max", g.op("Min", j, g.const(k - 1, np.int64)), g.const(1, np.int64))
        i = g.op("Sub", j, g.const(1, np.int64))
        q0 = g.op("Gather", flat, g.op("Add", i, base), axis=0)
        q1 = g.op("Gather", flat, g.op("Add", j, base), axis=0)
        r0 = g.op("Gather", refs, i, axis=0)
        r1 = g.op("Gather", refs, j, axis=0)
        width = g.op("Sub", q1, q0)
        safe = g.op("Where", g.op("Greater", width, g.const(0.0, dtype)), width,
                    g.const(1.0, dtype))  # fmt: skip
        t = g.op("Div", g.op("Sub", x, q0), safe)
        return g.op("Add", r0, g.op("Mul", t, g.op("Sub", r1, r0)))

    right = interpolate(_search(g, flat, base, x, k, strict=True))
    left = interpolate(_search(g, flat, base, x, k, strict=False))
    value = g.op("Mul", g.op("Add", right, left), g.const(0.5, dtype))
    above = g.op("GreaterOrEqual", x, g.const(q[-1:], dtype))
    below = g.op("LessOrEqual", x, g.const(q[:1], dtype))
    value = g.op("Where", above, g.const(r[-1], dtype), value)
    value = g.op("Where", below, g.const(r[0], dtype), value)
    return g.cast(value, _DTYPE_PROTO[np.dtype(out_dtype)])


def _check_one_hot(ohe):
    if (
        not isinstance(ohe, OneHotEncoder)
        or ohe.handle_unknown != "ignore"
        or ohe.drop_idx_ is not None
        or getattr(ohe, "_infrequent_enabled", False)
    ):
        raise ValueError(
            "The encoder's categorical step is not the OneHotEncoder("
            "handle_unknown='ignore') TabularEncoder fits; it cannot be exported."
        )


def _one_hot_columns(g, encoder, pipe, cols, columns, categories, out_proto):
    """Each column's one-hot indicators (N, L) for the levels ``categories``
    of a step of categorical columns (one-hot or coded), with its levels."""
    first = pipe.steps[0][1]
    as_string = (
        first.kw_args["as_string"]
        if isinstance(first, FunctionTransformer)
        else [False] * len(cols)
    )
    for j, string, levels in zip(cols, as_string, categories, strict=True):
        x, kind = columns[j]
        block = _one_hot_strings if string else _one_hot_numbers
        name = _column_name(encoder, j)
        yield block(g, x, kind, list(levels), name, out_proto), levels


def encode(g, encoder, inputs):
    """The graph of ``encoder.transform``: the encoded matrix, in the encoder's
    output dtype (its ONNX type is ``_DTYPE_PROTO[encoder._out_dtype]``)."""
    columns = _split_columns(g, encoder, inputs)
    out_dtype = np.dtype(encoder._out_dtype)
    out_proto = _DTYPE_PROTO[out_dtype]
    steps = {
        name: (pipe, list(cols))
        for name, pipe, cols in encoder.transformer_.transformers_
        if name in ("categorical", "numeric", "quantile", "missing", "codes")
    }
    blocks = []
    if "categorical" in steps:
        pipe, cols = steps["categorical"]
        ohe = pipe.steps[-1][1]
        _check_one_hot(ohe)
        hot = _one_hot_columns(
            g, encoder, pipe, cols, columns, ohe.categories_, out_proto
        )
        blocks.extend(block for block, _ in hot)
    numeric = [name for name in ("numeric", "quantile") if name in steps]
    if numeric:
        pipe, cols = steps[numeric[0]]
        dtype = _compute_dtype(encoder, pipe, [columns[j] for j in cols])
        proto = _DTYPE_PROTO[dtype]
        parts = []
        for j in cols:
            x, kind = columns[j]
            if kind not in _NUMBERS:
                raise ValueError(
                    f"Column {_column_name(encoder, j)} is numeric: give it to the "
                    f"ONNX graph as numbers (float, double or int64; NaN for a "
                    f"missing value), not as {kind.__name__}."
                )
            parts.append(_cast(g, x, kind, proto))
        x = parts[0] if len(parts) == 1 else g.op("Concat", *parts, axis=1)
        imputer = pipe.steps[-2][1]
        statistics = np.nan_to_num(np.asarray(imputer.statistics_, dtype=np.float64))
        is_nan = g.op("IsNaN", x)
        imputed = g.op("Where", is_nan, g.const(statistics.reshape(1, -1), dtype), x)
        for name in numeric:
            last = steps[name][0].steps[-1][1]
            value = (scale if name == "numeric" else quantile_inputs)(
                g, imputed, last, dtype
            )
            blocks.append(_cast_dtype(g, value, proto, out_proto))
        if "missing" in steps:
            indicator = steps["missing"][0].steps[-1][1]
            if steps["missing"][1] != cols or indicator.features != "missing-only":
                raise ValueError(
                    "The encoder's missing-value indicators are not the ones "
                    "TabularEncoder fits; it cannot be exported."
                )
            index = np.asarray(indicator.features_, dtype=np.int64)
            picked = g.op("Gather", is_nan, g.const(index, np.int64), axis=1)
            blocks.append(g.cast(picked, out_proto))
    if "codes" in steps:
        blocks.append(_codes(g, encoder, *steps["codes"], columns, out_proto))
    out = blocks[0] if len(blocks) == 1 else g.op("Concat", *blocks, axis=1)
    return out


def _codes(g, encoder, pipe, cols, columns, out_proto):
    """The block of level codes: from each column's one-hot indicators ``h``
    (N, L), ``h @ [1, ..., L] - 1``: the level's position, -1 for none."""
    categories = pipe.steps[-1][1].categories_
    dtype = np.float64 if out_proto == _TP.DOUBLE else np.float32
    parts = []
    for hot, levels in _one_hot_columns(
        g, encoder, pipe, cols, columns, categories, out_proto
    ):
        ranks = np.arange(1, len(levels) + 1, dtype=dtype).reshape(-1, 1)
        code = g.op("MatMul", hot, g.const(ranks, dtype))
        parts.append(g.op("Sub", code, g.const(dtype(1.0), dtype)))
    return parts[0] if len(parts) == 1 else g.op("Concat", *parts, axis=1)


def _cast_dtype(g, x, proto, out_proto):
    return x if proto == out_proto else g.cast(x, out_proto)


# -- skl2onnx shape calculators and parser ------------------------------------


def _tabular_float_type(model, inputs):
    """The float type of a tabular model's outputs: for a model fitted on a
    DataFrame (one input per column), float32 probabilities (the network's
    dtype, which ZipMap needs) and float64 regression outputs (as predict);
    for a model fitted on an array, the input's type, as for the MLPs."""
    if fitted_on_frame(model.encoder_):
        return DoubleTensorType if isinstance(model, MLPRegressor) else FloatTensorType
    if isinstance(inputs[0].type, DoubleTensorType):
        return DoubleTensorType
    return FloatTensorType


def shape_tabular(operator):
    """Shape calculator of the tabular estimators (any number of inputs, the
    encoder checks them when converting)."""
    model = operator.raw_operator
    N = operator.inputs[0].get_first_dimension()
    float_type = _tabular_float_type(model, operator.inputs)
    if isinstance(model, MLPRegressor):
        operator.outputs[0].set_type(float_type([N, model.n_outputs_]))
        return
    if model._label_binarizer.y_type_.startswith("multilabel"):
        operator.outputs[0].set_type(Int64TensorType([N, model.n_outputs_]))
        operator.outputs[1].set_type(float_type([N, model.n_outputs_]))
        return
    classes = get_label_classes(operator.scope_inst, model)
    strings = all(isinstance(c, str) for c in classes)
    label_type = StringTensorType if strings else Int64TensorType
    operator.outputs[0].set_type(label_type([N]))
    operator.outputs[1].set_type(float_type([N, len(classes)]))


def parse_tabular_classifier(scope, model, inputs, custom_parsers=None):
    """skl2onnx's classifier parser, with the probabilities' type (and ZipMap's)
    of :func:`_tabular_float_type` rather than of the first input column."""
    options = scope.get_options(model, dict(zipmap=True))
    outputs = _parse_sklearn_simple_model(
        scope, model, inputs, custom_parsers=custom_parsers
    )
    float_type = _tabular_float_type(model, inputs)
    outputs[1].type = float_type()
    if options["zipmap"] is False:
        return outputs
    return _apply_zipmap(options["zipmap"], scope, model, float_type(), outputs)


def initial_types(model):
    """The ONNX inputs of a tabular model fitted on a DataFrame, for
    ``to_onnx(model, initial_types=initial_types(model))``.

    One input per column, named after it, of shape (n_samples, 1): a
    ``StringTensorType`` for every categorical column whose levels are strings
    (``object``, string, ``category`` and ``bool`` columns: ``str`` of each
    value, ``"nan"`` for a missing value), a ``DoubleTensorType`` for a numeric
    column (``FloatTensorType`` when the model converted them to float32) and
    for a numeric column declared categorical (NaN for a missing value). Unlike
    ``to_onnx(model, df[:1])``, it does not depend on the values of the first
    row, and covers pandas' nullable dtypes.

    Parameters
    ----------
    model : TabularMLPClassifier, TabularMLPRegressor or TabularEncoder
        Fitted on a DataFrame.

    Returns
    -------
    initial_types : list of (str, skl2onnx type)
        The inputs, in the order of the columns.
    """
    check_is_fitted(model)
    encoder = model if isinstance(model, TabularEncoder) else model.encoder_
    return frame_types(encoder)


def shape_encoder(operator):
    """Shape calculator of TabularEncoder: (n_samples, n_features_out) in the
    encoder's output dtype."""
    encoder = operator.raw_operator
    N = operator.inputs[0].get_first_dimension()
    cls = FloatTensorType if encoder._out_dtype == np.float32 else DoubleTensorType
    width = len(encoder.get_feature_names_out())
    operator.outputs[0].set_type(cls([N, width]))


def scaler_dtype(operator):
    """float32 input stays float32, anything else is float64 (as transform)."""
    if isinstance(operator.inputs[0].type, FloatTensorType):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def shape_scaler(operator):
    """Shape calculator of SmoothClipScaler: the input's shape, float32 for
    float32 input and float64 for any other."""
    if len(operator.inputs) != 1:
        raise ValueError("SmoothClipScaler's ONNX graph reads one input tensor.")
    shape = operator.inputs[0].type.shape
    cls = FloatTensorType if scaler_dtype(operator) == np.float32 else DoubleTensorType
    operator.outputs[0].set_type(cls([shape[0], operator.raw_operator.n_features_in_]))
