"""MLPClassifier: label handling, output activation, probabilities."""

from numbers import Real

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d

from ._base import BaseMLP, _set_params_from
from ._compat import (
    Interval,
    StrOptions,
    _check_partial_fit_first_call,
    _fit_context,
)
from ._docs import REFERENCES, SHARED_ATTRIBUTES, SHARED_PARAMETERS


class MLPClassifier(ClassifierMixin, BaseMLP):
    __doc__ = f"""Multi-layer perceptron classifier on a Numba-compiled core.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`: the
    same parameters, defaults and fitted attributes, plus the techniques of modern
    network training as parameters. It minimises the (weighted) log-loss, with a
    softmax output for multiclass targets and a logistic output per label for
    binary and multilabel targets.

    Parameters
    ----------
    {SHARED_PARAMETERS}

    class_weight : dict, 'balanced' or None, default=None
        Weights of the classes, as in :class:`~sklearn.linear_model.LogisticRegression`:
        each sample's weight is multiplied by the weight of its class. 'balanced'
        uses ``n_samples / (n_classes * np.bincount(y))``. A dict's weights must
        be finite and non-negative (a ValueError otherwise, as for
        ``sample_weight``). Not supported for multilabel targets, nor
        ('balanced') with ``partial_fit``.

    label_smoothing : float, default=0.0
        Label smoothing ``eps`` in [0, 1) (Szegedy et al., 2016), as in Keras
        and PyTorch: the network is trained on the targets ``(1 - eps) * y +
        eps / K`` instead of the one-hot ``y``, with ``K`` the number of classes
        for a multiclass (softmax) output, and ``K = 2`` for the logistic output
        of binary targets and for each label of multilabel targets (Keras'
        ``binary_crossentropy``). It keeps the logits from growing without
        bound on separable data and pulls ``predict_proba`` away from 0 and 1.
        ``loss_`` is the cross-entropy with the smoothed targets (as PyTorch's
        ``CrossEntropyLoss(label_smoothing=eps)``: it cannot reach 0); the
        validation score of early stopping and ``score`` stay the accuracy on
        the true labels. Class weights weight each sample by its true class.
        0 trains on the labels themselves.

    Attributes
    ----------
    classes_ : ndarray or list of ndarray of shape (n_classes,)
        Class labels.

    {SHARED_ATTRIBUTES}

    See Also
    --------
    MLPRegressor : Multi-layer perceptron regressor.
    sklearn.neural_network.MLPClassifier : scikit-learn's version.

    References
    ----------
    {REFERENCES}

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skdnn import MLPClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = make_pipeline(StandardScaler(), MLPClassifier(max_iter=500,
    ...                     random_state=0)).fit(X, y)
    >>> clf.predict(X[:3])
    array([0, 0, 0])
    >>> round(clf.score(X, y), 2) >= 0.95
    True
    """

    #: The loss minimised, under scikit-learn's name (a class attribute, not a
    #: parameter: the classifier has no other loss).
    loss = "log_loss"

    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        progress_bar=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        init="glorot_uniform",
        bias_init="uniform",
        l1=0.0,
        max_norm=None,
        clipnorm=None,
        clipvalue=None,
        batch_norm=False,
        input_batch_norm=False,
        batch_norm_momentum=0.99,
        batch_norm_epsilon=1e-3,
        dropout=0.0,
        input_dropout=0.0,
        dropout_schedule=None,
        frozen_layers=0,
        lr_factors=None,
        front_scale=False,
        n_members=1,
        numeric_embedding=None,
        class_weight=None,
        label_smoothing=0.0,
    ):
        _set_params_from(self, locals())

    # ---------------------------------------------------------------- hooks
    def _validate_input(self, X, y, incremental, reset, classes=None):
        X, y = self._validate_X_y(X, y, reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if incremental and classes is not None:
            # the first partial_fit: the binarizer was fitted on `classes`
            self._check_partial_fit_classes(y)
        elif not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
            if len(self.classes_) < 2:
                raise ValueError(
                    "MLPClassifier needs samples of at least 2 classes in y; got 1 "
                    f"class: {self.classes_[0]}."
                )
        else:
            labels = unique_labels(y)
            if self.warm_start and not incremental:
                if set(labels) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes "
                        f"as in the previous call to fit. Previously got "
                        f"{self.classes_}, `y` has {labels}"
                    )
            elif len(np.setdiff1d(labels, self.classes_, assume_unique=True)):
                raise ValueError(
                    "`y` has classes not in `self.classes_`. "
                    f"`self.classes_` has {self.classes_}. 'y' has {labels}."
                )
        if self._label_binarizer.y_type_ == "multiclass" and y.ndim == 1:
            # one-hot in X's dtype directly: LabelBinarizer would build an int64
            # matrix first (for 1e6 samples and 10 classes, 80 MB more at peak)
            classes = self._label_binarizer.classes_
            Y = np.zeros((y.shape[0], classes.shape[0]), dtype=X.dtype)
            Y[np.arange(y.shape[0]), np.searchsorted(classes, y)] = 1.0
        else:
            Y = self._label_binarizer.transform(y).astype(X.dtype)
        return X, np.ascontiguousarray(self._smooth(Y)), y

    def _smooth(self, Y):
        """Label smoothing of the 0/1 targets ``Y`` (float): ``(1 - eps) Y +
        eps / K``, with K the number of classes for a softmax output and 2 for
        each logistic output (binary, multilabel); ``Y`` itself when eps = 0."""
        eps = float(self.label_smoothing)
        if eps == 0.0:
            return Y
        k = Y.shape[1] if self._output_activation() == "softmax" else 2
        return Y * (1.0 - eps) + eps / k

    def _check_partial_fit_classes(self, y):
        """The first ``partial_fit``'s ``classes`` must hold 2 classes and y's."""
        if self._label_binarizer.y_type_.startswith("multilabel"):
            return  # the binarizer was fitted on the indicator matrix y itself
        if len(self.classes_) < 2:
            raise ValueError(
                "MLPClassifier needs at least 2 classes; partial_fit got "
                f"classes={self.classes_.tolist()}. Pass every class of all the "
                "partial_fit calls."
            )
        unseen = np.setdiff1d(unique_labels(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"`y` has labels {unseen.tolist()} that are not in "
                f"classes={self.classes_.tolist()}: `classes` must list every class "
                "of all the partial_fit calls."
            )

    def _target_matrix(self, y):
        """One-hot (or indicator) targets of ``y``, whose labels must be known."""
        if self._label_binarizer.y_type_.startswith("multilabel"):
            if not type_of_target(y).startswith("multilabel"):
                raise ValueError(
                    "The model was trained on multilabel targets: y must be a label "
                    f"indicator matrix with {self.n_outputs_} columns."
                )
            return self._smooth(self._label_binarizer.transform(y).astype(float))
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y.ravel()
        unseen = np.setdiff1d(unique_labels(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"y has labels {unseen.tolist()} that the model was not trained on "
                f"(classes_ = {self.classes_.tolist()})."
            )
        return self._smooth(self._label_binarizer.transform(y).astype(float))

    def __setstate__(self, state):
        # a classifier pickled before label_smoothing existed trained without it
        state = dict(state)
        state.setdefault("label_smoothing", 0.0)
        super().__setstate__(state)

    def _output_activation(self):
        if self._label_binarizer.y_type_ == "multiclass":
            return "softmax"
        return "logistic"

    def _extra_sample_weight(self, y, incremental):
        if self.class_weight is None:
            return None
        if self._label_binarizer.y_type_.startswith("multilabel"):
            raise ValueError(
                "class_weight is not supported for multilabel targets; pass "
                "sample_weight instead."
            )
        if isinstance(self.class_weight, dict):
            for label, weight in self.class_weight.items():
                if (
                    not isinstance(weight, Real | np.number)
                    or isinstance(weight, bool)
                    or not np.isfinite(weight)
                    or weight < 0
                ):
                    raise ValueError(
                        "class_weight must map classes to finite, non-negative "
                        f"weights; got {weight!r} for class {label!r}. A negative "
                        "weight would reward the errors on that class."
                    )
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight 'balanced' is not supported for partial_fit: the class "
                "frequencies of the whole data are unknown. Pass a dict computed with "
                "sklearn.utils.class_weight.compute_class_weight instead."
            )
        return compute_sample_weight(self.class_weight, y)

    def _score(self, X, y, sample_weight=None):
        """The validation score after each epoch: accuracy_score's value
        (subset accuracy for multilabel targets) without its checks of the
        labels, which fit has checked (they took about as long as the
        prediction on small validation sets)."""
        y_pred = self._predict(X, validate=False)
        correct = y_pred == y if y_pred.ndim == 1 else np.all(y_pred == y, axis=1)
        return float(np.average(correct, weights=sample_weight))

    # ------------------------------------------------------------------ API
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the model to the data X and the labels y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data. float32 input is trained in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a label indicator matrix (multilabel).
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative sample weights; multiplied by the class weights.

        Returns
        -------
        self : MLPClassifier
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    @available_if(BaseMLP._check_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            The labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        classes : array of shape (n_classes,), default=None
            Every class across all calls; required on the first call, with at
            least 2 classes and every label of that call's ``y`` (a ValueError
            otherwise).

        Returns
        -------
        self : MLPClassifier
            The updated estimator.
        """
        first = _check_partial_fit_first_call(self, classes)
        if first:
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        try:
            return self._fit(
                X,
                y,
                sample_weight=sample_weight,
                incremental=True,
                classes=classes if first else None,
            )
        except Exception:
            if first and not hasattr(self, "_net"):
                # a failed first call leaves no model: the next may pass classes
                for name in ("classes_", "_label_binarizer"):
                    self.__dict__.pop(name, None)
            raise

    def _labels(self, output):
        """Class labels from the output layer (one column for binary targets)."""
        if self.n_outputs_ == 1:
            output = output.ravel()
        return self._label_binarizer.inverse_transform(output)

    def _proba(self, output):
        """Class probabilities from the output layer: [1 - p, p] when binary."""
        if self.n_outputs_ == 1:
            p = output.ravel()
            return np.vstack([1 - p, p]).T
        return output

    def _predict(self, X, validate=True):
        return self._labels(self._forward(X, validate=validate))

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            The predicted classes.
        """
        return self._predict(X)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``.
        """
        return self._proba(self._forward(X))

    def mc_predict_proba(self, X, n_samples=100, random_state=None):
        """Monte Carlo dropout: class probabilities averaged over stochastic passes.

        Every pass keeps dropout on, as in training, with a new mask (Gal &
        Ghahramani, 2016); batch normalisation uses its running statistics and RReLU
        its mean slope, as in ``predict``. Needs a model trained with dropout.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples_X, n_features)
            The input data.
        n_samples : int, default=100
            Number of stochastic forward passes.
        random_state : int, RandomState instance or None, default=None
            Seeds the dropout masks: the same seed gives the same result.

        Returns
        -------
        proba : ndarray of shape (n_samples_X, n_classes)
            Mean over the passes of each class's probability.
        """
        return self._proba(self._mc_forward(X, n_samples, random_state).mean(axis=0))

    def mc_predict(self, X, n_samples=100, random_state=None):
        """Monte Carlo dropout: the classes of :meth:`mc_predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples_X, n_features)
            The input data.
        n_samples : int, default=100
            Number of stochastic forward passes.
        random_state : int, RandomState instance or None, default=None
            Seeds the dropout masks.

        Returns
        -------
        y : ndarray of shape (n_samples_X,) or (n_samples_X, n_classes)
            The class of highest mean probability (for multilabel targets, every
            label whose mean probability exceeds 0.5).
        """
        return self._labels(self._mc_forward(X, n_samples, random_state).mean(axis=0))

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
