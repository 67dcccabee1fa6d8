"""skdnn: deep feed-forward networks for scikit-learn, on a Numba-compiled core."""

from ._classifier import MLPClassifier
from ._regressor import MLPRegressor

__version__ = "0.1.0"

__all__ = ["MLPClassifier", "MLPRegressor", "__version__"]
