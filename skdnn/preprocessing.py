"""Preprocessing of tables for neural networks.

:class:`TabularEncoder` turns a table (a pandas DataFrame with numeric,
categorical, string and boolean columns, a NumPy array or a sparse matrix) into
the numeric matrix a network reads: one-hot encoded categories, median-imputed
numbers with missing-value indicators, scaled by :class:`SmoothClipScaler`, the
robust scaling and smooth clipping of RealMLP (Holzmüller et al. 2024). Both are
scikit-learn transformers. pandas is imported only when the input is a
DataFrame.
"""

from ._encoder import TabularEncoder
from ._scaler import SmoothClipScaler

for _cls in (SmoothClipScaler, TabularEncoder):
    _cls.__module__ = __name__  # documented and pickled as skdnn.preprocessing.*
del _cls

__all__ = ["SmoothClipScaler", "TabularEncoder"]
