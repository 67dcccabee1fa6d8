"""The named records that carry the network and the optimizer into the kernels.

Every kernel reads its configuration by field name (``layer.fan_in``,
``opt.beta_2``): NumPy structured dtypes, which Numba reads as C structs. The only
code that fills them is :mod:`skdnn._layout` (the layers) and
:mod:`skdnn._network` (the optimizer).

``LAYER``: one record per weight layer. A record computes::

    source -> [BN on it] -> [dropout on it] -> x @ W -> [BN] or [+ bias] -> activation

where the source is the previous layer's activation (the inputs for layer 0, or
their periodic embedding, see ``emb_off``, or with input adapters the adapted
inputs, see ``adapt_off``; the learned embeddings of coded categorical columns,
see ``cat_off``). The fields ending in
``_p`` and ``_off`` are offsets into ``theta``; ``src``, ``x``, ``z``, ``a`` and
the other buffer fields are column offsets inside the work buffers ``abuf``/``dbuf``
(an array of ``m`` columns per row starts at ``batch * offset``); -1 means absent
(for ``src``: the input batch; for ``x``: the source itself).
"""

import numpy as np

_I = np.int64
_F = np.float64

LAYER = np.dtype(
    [
        # shapes and parameters
        ("fan_in", _I),
        ("fan_out", _I),  # units (after maxout)
        ("w_cols", _I),  # columns of W: fan_out * pieces (maxout), else fan_out
        ("w_off", _I),  # theta offset of W, (fan_in, w_cols) row-major
        ("b_off", _I),  # theta offset of the bias (w_cols); BN's beta when BN precedes
        # activation: hidden layers; the output layer's is the output function
        ("act", _I),  # activation code (skdnn._core.codes)
        ("act_param", _F),  # leaky slope, ELU alpha, RReLU lower bound
        ("act_param2", _F),  # RReLU upper bound
        ("prelu_off", _I),  # theta offset of the PReLU slopes (fan_out), or -1
        ("loss", _I),  # output layer: the loss code paired with ``act``
        # work-buffer columns of the layer's arrays
        ("src", _I),  # the source (previous activation); -1: the input batch
        ("x", _I),  # what multiplies W (after BN/dropout of the source); -1: src
        ("z", _I),  # pre-activation (w_cols), bias or BN included
        ("a", _I),  # activation (fan_out); -1 for the output layer
        # batch normalisation of the source (input BN, or BN "after" an activation)
        ("in_bn", np.bool_),
        ("in_bn_p", _I),  # theta offset of gamma (beta follows; fan_in each)
        ("in_bn_s", _I),  # offset in the statistics arrays
        ("in_bn_h", _I),  # buffer: normalised source (fan_in)
        ("in_bn_y", _I),  # buffer: gamma * normalised + beta (fan_in)
        # dropout of the (normalised) source
        ("in_drop", _I),  # dropout mode (DROP_* codes)
        ("in_drop_m", _I),  # buffer: dropout multipliers (fan_in)
        ("in_drop_y", _I),  # buffer: dropped-out source (fan_in)
        ("drop_rate", _F),
        ("drop_a", _F),  # alpha dropout: scale a
        ("drop_b", _F),  # alpha dropout: shift b
        ("drop_sat", _F),  # alpha dropout: value of dropped units before a x + b
        # batch normalisation of x @ W ("before" the activation; replaces the bias)
        ("pre_bn", np.bool_),
        ("pre_bn_p", _I),  # theta offset of gamma (beta follows; w_cols each)
        ("pre_bn_s", _I),  # offset in the statistics arrays
        ("pre_bn_h", _I),  # buffer: normalised x @ W (w_cols)
        # both batch normalisations of the layer
        ("bn_momentum", _F),
        ("bn_epsilon", _F),
        # layer 0 only: columns of the work buffers per row (the row stride of the
        # random streams; CSR input's buffers may stop before the last columns)
        ("width", _I),
        # layer 0 only: multiplicative input adapters (front scale, ensemble members)
        ("adapt_off", _I),  # theta offset of the adapters (members, fan_in), or -1
        ("members", _I),  # rows of the expanded batch per input row (1: none)
        # layer 0 only: periodic numeric embeddings of the input columns
        # emb_first : emb_first + emb_count (see skdnn._core.embedding)
        ("n_inputs", _I),  # columns of the input batch (fan_in without embeddings)
        ("emb_off", _I),  # theta offset of the embedding parameters, or -1
        ("emb_first", _I),  # first embedded input column
        ("emb_count", _I),  # embedded columns
        ("emb_k", _I),  # frequencies per column
        ("emb_d", _I),  # outputs per column (of the map)
        ("emb_keep", _I),  # 1: the column's value follows its d outputs, 0: not
        ("emb_s", _I),  # buffer: sines and cosines (emb_count * 2 * emb_k)
        ("emb_h", _I),  # buffer: pre-activations (emb_count * emb_d)
        ("emb_out", _I),  # buffer: the embedded inputs (fan_in); -1: no embedding
        # layer 0 only: learned embeddings of the coded categorical columns, the
        # last cat_count input columns (see skdnn._core.embedding)
        ("cat_off", _I),  # theta offset of the tables (cat_count, cat_levels, cat_d)
        ("cat_count", _I),  # coded columns
        ("cat_levels", _I),  # rows of each table
        ("cat_d", _I),  # outputs per column
    ],
    align=True,
)

OPTIMIZER = np.dtype(
    [
        ("rule", _I),  # update rule code (SGD, ADAM, ...)
        ("nesterov", np.bool_),  # SGD: Nesterov's momentum
        ("amsgrad", np.bool_),  # Adam: AMSGrad's running maximum of v
        ("n_weights", _I),  # the penalised prefix theta[:n_weights]
        # beta_1 and the momentum are not here: they arrive per step, so that
        # schedules such as 1cycle can cycle them
        ("beta_2", _F),
        ("epsilon", _F),
        ("rho", _F),  # RMSProp / Adadelta decay
        ("initial_accumulator", _F),  # AdaGrad
        ("momentum_decay", _F),  # Nadam: psi of Dozat's schedule of beta_1
        ("l2", _F),  # alpha / S: the gradient of the L2 term is l2 * W
        # decoupled weight decay (AdamW): before the rule, W *= 1 - eta * weight_decay
        # with eta this step's learning rate, or decay_lr when decay_lr > 0 (the
        # "constant" schedule of the decay); weight_decay = 0: off
        ("weight_decay", _F),
        ("decay_lr", _F),
        ("l1", _F),  # strength of the L1 term, applied by a proximal step
        ("max_norm", _F),  # bound on each unit's incoming weights; 0 = off
        ("clipnorm", _F),  # bound on the gradient's global L2 norm; 0 = off
        ("clipvalue", _F),  # bound on each gradient component; 0 = off
    ],
    align=True,
)


def empty_layers(n_layers):
    """``n_layers`` LAYER records with every offset absent (-1), flags off and
    parameters zero."""
    layers = np.zeros(n_layers, dtype=LAYER)
    for name, (dtype, _) in LAYER.fields.items():
        if dtype == np.int64 and name not in (
            "fan_in", "fan_out", "w_cols", "act", "n_inputs", "emb_first",
            "emb_count", "emb_k", "emb_d", "emb_keep", "cat_count", "cat_levels",
            "cat_d",
        ):  # fmt: skip
            layers[name] = -1
    layers["in_drop"] = 0
    layers["loss"] = 0
    layers["members"] = 1
    return layers


def optimizer_record(**fields):
    """One OPTIMIZER record (a NumPy scalar) with the given fields, others zero."""
    rec = np.zeros(1, dtype=OPTIMIZER)
    for name, value in fields.items():
        rec[name] = value
    return rec[0]
