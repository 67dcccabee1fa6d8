"""Slow, obvious NumPy references for the kernels (written from the formulas).

Nothing here imports skdnn's kernels: every function is an independent statement of
the published formula, so that comparing with it can catch a kernel bug.
"""

import numpy as np
from scipy.special import erf, expit, logsumexp, xlogy

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805


def activation(name, z, param=None):
    """f(z) for the hidden activations."""
    if name == "identity":
        return z.copy()
    if name == "logistic":
        return expit(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "relu":
        return np.maximum(z, 0)
    if name == "leaky_relu":
        a = 0.01 if param is None else param
        return np.where(z > 0, z, a * z)
    if name == "elu":
        a = 1.0 if param is None else param
        return np.where(z > 0, z, a * (np.exp(np.minimum(z, 0)) - 1))
    if name == "selu":
        return SELU_SCALE * np.where(
            z > 0, z, SELU_ALPHA * (np.exp(np.minimum(z, 0)) - 1)
        )
    if name == "softplus":
        return np.logaddexp(0, z)
    if name == "gelu":
        return 0.5 * z * (1 + erf(z / np.sqrt(2)))
    if name == "swish":
        return z * expit(z)
    raise ValueError(name)


def activation_derivative(name, z, param=None):
    """f'(z), differentiated by hand from :func:`activation`."""
    if name == "identity":
        return np.ones_like(z)
    if name == "logistic":
        s = expit(z)
        return s * (1 - s)
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "relu":
        return (z > 0).astype(z.dtype)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, 0.01 if param is None else param)
    if name == "elu":
        a = 1.0 if param is None else param
        return np.where(z > 0, 1.0, a * np.exp(np.minimum(z, 0)))
    if name == "selu":
        return SELU_SCALE * np.where(z > 0, 1.0, SELU_ALPHA * np.exp(np.minimum(z, 0)))
    if name == "softplus":
        return expit(z)
    if name == "gelu":
        return 0.5 * (1 + erf(z / np.sqrt(2))) + z * np.exp(-0.5 * z**2) / np.sqrt(
            2 * np.pi
        )
    if name == "swish":
        s = expit(z)
        return s + z * s * (1 - s)
    raise ValueError(name)


def per_sample_loss(loss, Z, Y):
    """Per-sample loss from output pre-activations Z (n, k) and targets Y (n, k)."""
    if loss == "squared_error":
        return 0.5 * ((Z - Y) ** 2).sum(axis=1)
    if loss == "binary_log_loss":
        p = expit(Z)
        return -(xlogy(Y, p) + xlogy(1 - Y, 1 - p)).sum(axis=1)
    if loss == "log_loss":
        return logsumexp(Z, axis=1) - (Y * Z).sum(axis=1)
    if loss == "poisson":
        mu = np.exp(Z)
        return (xlogy(Y, Y / mu) - Y + mu).sum(axis=1)
    raise ValueError(loss)


def forward(X, coefs, intercepts, hidden):
    """Output-layer pre-activation of a fully connected network."""
    a = X
    for i, (W, b) in enumerate(zip(coefs, intercepts, strict=True)):
        z = a @ W + b
        a = activation(hidden, z) if i < len(coefs) - 1 else z
    return a


def objective(X, Y, sw, coefs, intercepts, hidden, loss, alpha):
    """docs/objective.rst, "Definition": (1/S) sum s_i l_i + alpha/(2S) sum ||W||^2."""
    Z = forward(X, coefs, intercepts, hidden)
    S = sw.sum()
    data = (sw * per_sample_loss(loss, Z, Y)).sum() / S
    return data + alpha / (2 * S) * sum((W**2).sum() for W in coefs)


def output(name, Z):
    """The output functions: identity, logistic, softmax, exp."""
    if name == "identity":
        return Z.copy()
    if name == "logistic":
        return expit(Z)
    if name == "softmax":
        e = np.exp(Z - Z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if name == "exp":
        return np.exp(Z)
    raise ValueError(name)


def members_predict(X, adapters, coefs, intercepts, hidden, out):
    """TabM-mini's prediction: the mean over the members j of the outputs of the
    shared network on ``X * adapters[j]``."""
    outs = [output(out, forward(X * r, coefs, intercepts, hidden)) for r in adapters]
    return np.mean(outs, axis=0)


def members_objective(X, Y, sw, adapters, coefs, intercepts, hidden, loss, alpha):
    """(1/S) sum_i s_i (1/k) sum_j l(y_i, f_j(x_i)) + alpha/(2S) sum ||W||^2: the
    members' mean loss; the adapters are not penalised."""
    S = sw.sum()
    per_sample = np.mean(
        [
            per_sample_loss(loss, forward(X * r, coefs, intercepts, hidden), Y)
            for r in adapters
        ],
        axis=0,
    )
    data = (sw * per_sample).sum() / S
    return data + alpha / (2 * S) * sum((W**2).sum() for W in coefs)


def periodic_embedding(X, first, frequencies, weights, biases, keep=False):
    """The periodic embedding ("PLR") of the columns ``first : first + count`` of
    X: ``relu([sin(2 pi c x), cos(2 pi c x)] @ V + u)`` per column (then ``x``
    itself with ``keep``), in place of the column; the other columns unchanged."""
    count = frequencies.shape[0]
    blocks = [X[:, :first]]
    for f in range(count):
        t = 2 * np.pi * X[:, first + f, None] * frequencies[f]
        s = np.hstack([np.sin(t), np.cos(t)])
        blocks.append(np.maximum(s @ weights[f] + biases[f], 0.0))
        if keep:
            blocks.append(X[:, first + f, None])
    blocks.append(X[:, first + count :])
    return np.hstack(blocks)


def categorical_embedding(X, tables):
    """The learned embeddings of the last ``len(tables)`` columns of X (level
    codes): each code's row of its column's table, zeros for a code that is no
    level (negative, past the table, NaN), after the other columns."""
    count, levels, d = tables.shape
    first = X.shape[1] - count
    blocks = [X[:, :first]]
    for f in range(count):
        codes = X[:, first + f]
        valid = (codes >= 0) & (codes < levels)
        rows = np.zeros((X.shape[0], d))
        rows[valid] = tables[f][codes[valid].astype(np.int64)]
        blocks.append(rows)
    return np.hstack(blocks)
