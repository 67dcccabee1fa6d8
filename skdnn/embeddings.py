"""Embeddings of input columns: ``numeric_embedding="periodic"`` or a
:class:`PeriodicEmbedding`, and for the tabular estimators
``categorical_embedding="learned"`` or a :class:`CategoricalEmbedding`.

A periodic embedding maps every numeric input column through its own learned
frequencies, a small linear map and a ReLU before the first dense layer
("PLR", Gorishniy, Rubachev, Babenko 2022, "On Embeddings for Numerical
Features in Tabular Deep Learning", NeurIPS). It lets a network fit functions
of one feature that change quickly (thresholds, periodic patterns), which a
ReLU network on the raw value needs many units for. Its parameters are trained
with the network's; ``lr_factors={"embedding": f}`` gives them their own
learning-rate factor.

A categorical embedding gives every level of a categorical column with many
levels its own learned vector (a row of the column's table), where one-hot
encoding would give the first layer one input per level.
"""

from numbers import Integral, Real

from sklearn.base import BaseEstimator

from ._compat import Interval, StrOptions

__all__ = ["CategoricalEmbedding", "PeriodicEmbedding"]


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
    missing-value indicators), by default each column's quantile in training
    (``quantile_inputs``).

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
    frequency_scale : float, default=0.15
        The initial frequencies are drawn from ``N(0, frequency_scale**2)``:
        larger values start from faster oscillations (rougher functions of each
        column). The inputs should be on a unit scale (standardised, or the
        tabular estimators' quantiles or robust scaling). 0.15 was chosen with
        the tabular estimators' quantile inputs on skdnn's panel of real tables
        (before them it was 0.3, for the MLP estimators' embedding too, which
        reads their standardised columns; 0.15 there is not measured).
    keep_input : bool, default=True
        Also pass each embedded column's value itself to the first layer, after
        its ``d_embedding`` outputs (RealMLP's "densenet" variant): the network
        keeps the plain linear path of every column. With quantile inputs the
        value kept is the robust-scaled one (the encoder's ``numeric_output=
        "both"``), which keeps that path linear in the column.
    quantile_inputs : bool or "auto", default="auto"
        Embed each numeric column's quantile in training instead of its scaled
        value (the tabular estimators' encoder computes them, see
        :class:`~skdnn.preprocessing.TabularEncoder`'s ``numeric_output``):
        ``2 sqrt(3) (F(x) - 1/2)`` with ``F`` the column's distribution
        function in training. A value many rows share (the zeros of an amount)
        then stands apart from its neighbours, however close they are, and the
        frequencies see every column spread evenly. ``"auto"``: True in the
        tabular estimators (with dense input; sparse input keeps the scaled
        values, which stay sparse), False in MLPClassifier and MLPRegressor,
        which have no encoder (True there raises a ValueError at ``fit``).

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
        "quantile_inputs": ["boolean", StrOptions({"auto"})],
    }

    def __init__(self, n_frequencies=16, d_embedding=8, frequency_scale=0.15,
                 keep_input=True, quantile_inputs="auto"):  # fmt: skip
        self.n_frequencies = n_frequencies
        self.d_embedding = d_embedding
        self.frequency_scale = frequency_scale
        self.keep_input = keep_input
        self.quantile_inputs = quantile_inputs

    def __setstate__(self, state):
        # pickled before quantile inputs existed: it embedded the scaled values
        state.setdefault("quantile_inputs", False)
        super().__setstate__(state)

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


class CategoricalEmbedding(BaseEstimator):
    """Learned embeddings of categorical columns with many levels
    (``categorical_embedding`` of the tabular estimators).

    The tabular estimators' encoder one-hot encodes the categorical columns
    with at most ``max_one_hot_levels`` levels (a missing value counts as a
    level) and gives each of the others as one column of level codes
    (:class:`~skdnn.preprocessing.TabularEncoder`'s ``max_one_hot_levels``).
    The network maps each code to its row of the column's own table of
    ``d_embedding`` learned values, so a column with 40 levels gives the first
    layer ``d_embedding`` inputs instead of 40. A level not seen in training
    maps to zeros; a missing value is a level of its own when the column had
    missing values in training (zeros otherwise).

    The tables are trained with the network (as one-hot inputs would be, the
    rows of levels absent from a batch get no gradient from it), never
    penalised (``alpha``, ``l1``, ``max_norm`` and AdamW's decay act on the
    connection weights only), with the learning-rate factor of the group
    'embedding' of ``lr_factors``.

    Parameters
    ----------
    d_embedding : int, default=8
        Values per level (RealMLP-TD's ``embedding_size``).
    max_one_hot_levels : int, default=64
        Columns with at most this many levels stay one-hot. RealMLP-TD
        embeds every column with more than 8 levels besides the missing one;
        on the real tables of skdnn's benchmarks (columns of up to 50 levels)
        embedding the columns of 9 to 50 levels did not score better than
        one-hot blocks (lower on two tables, higher on one, within the
        folds' spread), while for columns of hundreds or thousands of levels
        the embedding fitted several times faster at the same accuracy (see
        the user guide, "Categorical embeddings").
    init_scale : float >= 0, default=0.0
        The tables start from ``N(0, init_scale**2)``: from zeros by default,
        so that a level starts as "no information" (the same as a level
        unseen in training) and moves only as far as its rows take it.
        PyTorch's ``nn.Embedding`` and RealMLP-TD start from ``N(0, 1)``; with
        skdnn's learning rates that left the rows of rare levels as random
        noise (see the user guide, "Categorical embeddings").

    Notes
    -----
    With ``init_scale > 0`` the tables are drawn from ``random_state`` after
    every other parameter. They are stored in ``theta`` with as many rows per
    column as the column with the most levels has; a fitted tabular estimator
    shows each column's own rows as ``category_embeddings_``.

    Examples
    --------
    >>> from skdnn import TabularMLPClassifier
    >>> from skdnn.embeddings import CategoricalEmbedding
    >>> model = TabularMLPClassifier(
    ...     categorical_embedding=CategoricalEmbedding(d_embedding=4))
    """

    _parameter_constraints: dict = {
        "d_embedding": [Interval(Integral, 1, None, closed="left")],
        "max_one_hot_levels": [Interval(Integral, 1, None, closed="left")],
        "init_scale": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, d_embedding=8, max_one_hot_levels=64, init_scale=0.0):
        self.d_embedding = d_embedding
        self.max_one_hot_levels = max_one_hot_levels
        self.init_scale = init_scale


def resolve_categorical(value):
    """The :class:`CategoricalEmbedding` of ``categorical_embedding`` (None:
    None), validated."""
    if value is None:
        return None
    if isinstance(value, str):  # "learned" (checked by the estimator)
        value = CategoricalEmbedding()
    value._validate_params()
    return value
