"""A pandas DataFrame's columns as TabularEncoder reads them.

Which kind every column is, and the normalisation of its values before
scikit-learn's encoders (levels as strings with one missing marker, numbers as
floats). Every function here receives a DataFrame; pandas is imported inside
them, never at module level.
"""

import numpy as np

CATEGORICAL_KINDS = ("bool", "category", "string")  # "from_dtype" one-hot encodes


def is_frame(X):
    """Duck-typed pandas DataFrame test (never imports pandas)."""
    return hasattr(X, "columns") and hasattr(X, "iloc") and hasattr(X, "dtypes")


def frame_kinds(X):
    """The kind of every column of a DataFrame: ``"numeric"``, ``"bool"``,
    ``"category"`` or ``"string"`` (object and string dtypes); a ValueError names
    a column of any other dtype."""
    import pandas as pd  # X is a DataFrame: pandas is installed

    types = pd.api.types
    kinds = []
    for name, dtype in X.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype):
            kind = "category"
        elif types.is_bool_dtype(dtype):
            kind = "bool"
        elif types.is_complex_dtype(dtype):
            kind = None
        elif types.is_numeric_dtype(dtype):
            kind = "numeric"
        elif types.is_object_dtype(dtype) or types.is_string_dtype(dtype):
            kind = "string"
        else:
            kind = None
        if kind is None:
            raise ValueError(
                f"Column {name!r} has dtype {dtype}, which TabularEncoder cannot "
                "encode: give numbers, strings, booleans or categories (convert "
                "dates, durations and the like to numbers first)."
            )
        kinds.append(kind)
    return kinds


def frame_numbers(X, dtype):
    """The columns of a DataFrame as a float array, missing values (NaN, None,
    pd.NA) as NaN; a ValueError names a column that does not hold numbers."""
    try:
        return X.to_numpy(dtype=dtype, na_value=np.nan)
    except (TypeError, ValueError):  # e.g. pd.NA in an object column
        pass
    out = np.empty(X.shape, dtype=dtype)
    for j in range(X.shape[1]):
        try:  # a Series replaces every missing value before converting
            out[:, j] = X.iloc[:, j].to_numpy(dtype=dtype, na_value=np.nan)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"Column {X.columns[j]!r} is encoded as numbers but holds values "
                f"that are not ({error}); list it in categorical_features to "
                "one-hot encode it."
            ) from error
    return out


def frame_levels(X, as_string):
    """The categorical columns of a DataFrame as an object array for
    OneHotEncoder: every level as its ``str`` (so that ints, strings and
    booleans mix), or as a float for the columns with ``as_string`` False
    (numeric columns); every missing value (NaN, None, pd.NA) as NaN."""
    import pandas as pd  # X is a DataFrame: pandas is installed

    out = np.empty(X.shape, dtype=object)
    for j, string in enumerate(as_string):
        column = X.iloc[:, j]
        if string:
            values = column.to_numpy(dtype=object)
            missing = pd.isna(values)
            values = values.astype(str).astype(object)
            values[missing] = np.nan
        else:
            values = frame_numbers(column.to_frame(), np.float64)[:, 0]
        out[:, j] = values
    return out
