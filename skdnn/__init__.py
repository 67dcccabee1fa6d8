"""skdnn: deep feed-forward networks for scikit-learn, on a Numba-compiled core."""

from ._classifier import MLPClassifier
from ._lr_finder import find_learning_rate
from ._regressor import MLPRegressor
from ._tabular import TabularMLPClassifier, TabularMLPRegressor

__version__ = "0.1.0"

__all__ = [
    "MLPClassifier",
    "MLPRegressor",
    "TabularMLPClassifier",
    "TabularMLPRegressor",
    "find_learning_rate",
    "__version__",
]
