"""Numeric embeddings: pass ``numeric_embedding="periodic"`` or this object.

A periodic embedding maps every numeric input column through its own learned
frequencies, a small linear map and a ReLU before the first dense layer
("PLR", Gorishniy, Rubachev, Babenko 2022, "On Embeddings for Numerical
Features in Tabular Deep Learning", NeurIPS). It lets a network fit functions
of one feature that change quickly (thresholds, periodic patterns), which a
ReLU network on the raw value needs many units for. Its parameters are trained
with the network's; ``lr_factors={"embedding": f}`` gives them their own
learning-rate factor.
"""

from numbers import Integral, Real

from sklearn.base import BaseEstimator

from ._compat import Interval

__all__ = ["PeriodicEmbedding"]


class PeriodicEmbedding(BaseEstimator):
    """Periodic embedding of numeric columns (``numeric_embedding``).

    Each embedded column ``x`` becomes ``d_embedding`` values::

        s = [sin(2 pi c x), cos(2 pi c x)]      # c: n_frequencies learned frequencies
        e = relu(s @ V + u)                     # V: (2 n_frequencies, d_embedding)

    with ``c``, ``V`` and ``u`` the column's own parameters. The first layer
    then sees ``d_embedding`` values per embedded column (``d_embedding + 1``
    with ``keep_input``: ``e`` then ``x``; the other columns unchanged), so it
    has that many times as many input weights for them.
    The MLP estimators embed every input column; the tabular estimators embed
    the numeric columns of their encoder (not the one-hot columns, nor the
    missing-value indicators).

    The embedding's parameters are never penalised (``alpha``, ``l1``,
    ``max_norm`` and AdamW's decay act on the connection weights only); they
    train with the learning-rate factor of the group 'embedding' of
    ``lr_factors``.

    Parameters
    ----------
    n_frequencies : int, default=16
        Frequencies ``c`` per column (``2 * n_frequencies`` sines and cosines).
    d_embedding : int, default=8
        Outputs per column.
    frequency_scale : float, default=0.3
        The initial frequencies are drawn from ``N(0, frequency_scale**2)``:
        larger values start from faster oscillations (rougher functions of each
        column). The inputs should be on a unit scale (standardised, or the
        tabular estimators' robust scaling).
    keep_input : bool, default=True
        Also pass each embedded column's value itself to the first layer, after
        its ``d_embedding`` outputs (RealMLP's "densenet" variant): the network
        keeps the plain linear path of every column.

    Notes
    -----
    The maps and biases start from ``U(-r, r)``, ``r = 1 / sqrt(2 *
    n_frequencies)``. ``fit`` draws the frequencies, then the maps, then the
    biases from ``random_state`` after every other parameter.

    Examples
    --------
    >>> from skdnn import MLPRegressor
    >>> from skdnn.embeddings import PeriodicEmbedding
    >>> model = MLPRegressor(numeric_embedding=PeriodicEmbedding(d_embedding=4))
    """

    _parameter_constraints: dict = {
        "n_frequencies": [Interval(Integral, 1, None, closed="left")],
        "d_embedding": [Interval(Integral, 1, None, closed="left")],
        "frequency_scale": [Interval(Real, 0, None, closed="neither")],
        "keep_input": ["boolean"],
    }

    def __init__(self, n_frequencies=16, d_embedding=8, frequency_scale=0.3,
                 keep_input=True):  # fmt: skip
        self.n_frequencies = n_frequencies
        self.d_embedding = d_embedding
        self.frequency_scale = frequency_scale
        self.keep_input = keep_input

    def _config(self):
        """The NetworkSpec fields of the embedding (validated), without the
        columns."""
        self._validate_params()
        return dict(embed_frequencies=int(self.n_frequencies),
                    embed_dim=int(self.d_embedding),
                    embed_scale=float(self.frequency_scale),
                    embed_keep_input=bool(self.keep_input))  # fmt: skip


def resolve_embedding(value):
    """The :class:`PeriodicEmbedding` of ``numeric_embedding`` (None: None)."""
    if value is None:
        return None
    if isinstance(value, str):  # "periodic" (checked by the estimator)
        return PeriodicEmbedding()
    return value
