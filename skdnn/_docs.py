"""numpydoc text shared by both estimators (written once, formatted into each)."""

SHARED_PARAMETERS = """\
hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units of the ith hidden layer. ``()``
        gives a network without hidden layer (a linear model with the output
        activation).

    activation : str or Activation, default='relu'
        Activation of the hidden layers: 'identity', 'logistic', 'tanh', 'relu'
        (scikit-learn's), 'leaky_relu', 'elu', 'selu', 'softplus', 'gelu',
        'swish', 'prelu' (one slope per unit, trained), 'rrelu' (random slopes
        while training; stochastic solvers only), 'maxout' (2 pieces per unit),
        or an object from :mod:`skdnn.activations` to set their
        hyperparameters: ``LeakyReLU``, ``ELU``, ``PReLU``, ``RReLU`` or
        ``Maxout`` (e.g. ``LeakyReLU(negative_slope=0.2)``).

    solver : str or Optimizer, default='adam'
        The optimizer: 'sgd' (plain, momentum and Nesterov momentum through
        ``momentum`` and ``nesterovs_momentum``), 'adam', 'adamw' (Adam with
        decoupled weight decay 0.01 on the weights, as ``torch.optim.AdamW``),
        'nadam', 'adamax', 'radam', 'adagrad', 'rmsprop', 'adadelta', 'lbfgs'
        (scipy's L-BFGS-B on the full batch; OWL-QN when ``l1 > 0``), or an
        object from :mod:`skdnn.optimizers` (e.g. ``Adam(amsgrad=True)``,
        ``AdamW(weight_decay=0.05)``).

    alpha : float, default=0.0001
        Strength of the L2 penalty ``(alpha / (2 S)) * sum ||W||^2`` on every
        weight matrix (never on biases), where ``S`` is the sum of the sample
        weights: Ridge's ``alpha``. The minimiser does not depend on
        ``batch_size`` (see the user guide, "Objective").

    batch_size : int, default='auto'
        Size of the minibatches of the stochastic solvers; 'auto' is
        ``min(200, n_samples)``. Ignored by 'lbfgs'.

    learning_rate : str or Schedule, default='constant'
        Learning-rate schedule: 'constant', 'invscaling', 'adaptive'
        (scikit-learn's), 'power', 'exponential', 'step', 'piecewise',
        'plateau', 'onecycle', 'cosine', 'flat_cos' (flat, then cosine: RealMLP's
        schedule, :class:`~skdnn.schedules.FlatCosine`), or an object from
        :mod:`skdnn.schedules`, including your own subclass of
        :class:`~skdnn.schedules.Schedule`. Unlike scikit-learn, it drives every
        stochastic solver, not just 'sgd'.

    learning_rate_init : float, default=0.001
        The initial learning rate of the stochastic solvers.

    power_t : float, default=0.5
        Exponent of the 'invscaling' schedule.

    max_iter : int, default=200
        Maximum number of epochs (stochastic solvers) or of iterations
        ('lbfgs').

    shuffle : bool, default=True
        Whether to shuffle the samples every epoch (stochastic solvers).

    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, the early-stopping split and the
        shuffling. The same integer gives bitwise-identical models.

    tol : float, default=1e-4
        Tolerance of the stopping rule: training stops (or, with 'adaptive',
        the learning rate drops) when the loss or validation score does not
        improve by ``tol`` for ``n_iter_no_change`` consecutive epochs.
        'lbfgs' stops when the largest (pseudo-)gradient component is at most
        ``tol`` or the objective's relative decrease is at most
        ``min(2.2e-9, tol**2)`` (scipy's default for the default ``tol``).

    verbose : bool or int, default=False
        Any value >= 1 (or True): one line per epoch with the loss, the
        validation score, the learning rate and the seconds it took
        (scikit-learn's ``Iteration N, loss = ...`` first), and the stopping
        messages ('lbfgs': SciPy's report; OWL-QN a summary). Higher values
        print the same.

    progress_bar : bool, default=False
        Draw a progress bar over the epochs, redrawn in place, for long fits
        (stochastic solvers). With ``verbose``, the per-epoch lines scroll above
        it.

    warm_start : bool, default=False
        Reuse the parameters and the optimizer state of the previous fit.

    momentum : float, default=0.9
        Momentum of 'sgd', in [0, 1].

    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum (solver 'sgd' with ``momentum > 0``).

    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified for
        single-label classification), stop when its score stops improving, and
        keep the parameters of the best epoch.

    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.

    beta_1 : float, default=0.9
        Decay rate of the first moment estimate of 'adam', 'adamw', 'nadam',
        'adamax' and 'radam', in [0, 1).

    beta_2 : float, default=0.999
        Decay rate of their second moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Their numerical-stability constant.

    n_iter_no_change : int, default=10
        Epochs without improvement by ``tol`` before stopping (stochastic
        solvers).

    max_fun : int, default=15000
        Maximum number of objective evaluations of 'lbfgs'.

    init : str or fitted MLPClassifier/MLPRegressor, default='glorot_uniform'
        Weight initialisation. The default, with ``bias_init='uniform'``, is
        scikit-learn's MLP initialisation: the same initial network for the same
        ``random_state`` (for every activation but 'logistic', whose weights
        scikit-learn draws from a narrower U(±sqrt(2 / (fan_in + fan_out)))); on
        real tables it gave scikit-learn's model quality where 'auto' did not
        (see the user guide). Options: 'glorot_uniform', 'glorot_normal', 'he_uniform',
        'he_normal', 'lecun_uniform', 'lecun_normal', 'normal' (N(0, 0.01^2)),
        'zeros', or 'auto' (He for the ReLU family, PReLU and RReLU included,
        LeCun for SELU and maxout, Glorot otherwise and for the output
        layer). See :mod:`skdnn.initializers`.
        Transfer learning: a fitted skdnn estimator (or one wrapped in
        :class:`sklearn.frozen.FrozenEstimator`, which survives ``clone``) whose
        lowest hidden layers are copied while their shapes and normalisation
        match (weights, biases, BN parameters and statistics, PReLU slopes); the
        other layers, and always the output layer, are initialised with 'auto'.
        See ``transferred_layers_`` and ``frozen_layers``.

    bias_init : float or 'uniform', default='uniform'
        Initial biases: a constant for every bias, or 'uniform': each layer's
        biases drawn right after its weights from U(-r, r) with
        ``r = sqrt(6 / (fan_in + fan_out))``, as scikit-learn draws them. Layers
        whose batch normalisation replaces the bias start with beta = 0.

    l1 : float, default=0.0
        Strength of the L1 penalty ``l1 * sum |W|`` on every weight matrix (never
        on biases), not divided by ``S``: Lasso's ``alpha``. It is never added to
        a gradient: the stochastic solvers apply it by a proximal
        (soft-thresholding) step after every update, with threshold ``l1`` times
        the step size (per coordinate for every adaptive solver, i.e. all but
        'sgd'; ``(1 + momentum)`` times the learning rate for Nesterov
        momentum), so weights reach exact zeros; 'lbfgs' switches to OWL-QN when
        ``l1 > 0``. See the user guide, "Objective".

    max_norm : float or None, default=None
        After every update, rescale each unit's incoming weight vector to an L2
        norm of at most ``max_norm`` (a projection, not a loss term). Stochastic
        solvers only.

    clipnorm : float or None, default=None
        Rescale the whole gradient (all layers together) to this global L2 norm
        when it is larger; its direction is kept. Stochastic solvers only.

    clipvalue : float or None, default=None
        Clip every gradient component to ``[-clipvalue, clipvalue]``.
        Stochastic solvers only.

    batch_norm : bool or {'before', 'after'}, default=False
        Batch normalisation of every hidden layer: ``True`` or 'before' normalises
        the pre-activations (then the layer has no bias: BN's beta replaces it, and
        ``intercepts_`` shows beta), 'after' the activations. Training uses the
        (sample-weighted) statistics of each minibatch; prediction uses running
        statistics, recomputed at the end of every ``fit`` and ``partial_fit`` as
        the average batch statistics of one pass over the training data with the
        final weights ("precise BN"; see the user guide). With 'lbfgs' the batch
        is the whole training set. Needs batches of at least 2 rows.

    input_batch_norm : bool, default=False
        Batch normalisation of the inputs: a standardisation learned inside the
        model.

    batch_norm_momentum : float, default=0.99
        Momentum of the moving averages kept while training (Keras' rule):
        ``running = momentum * running + (1 - momentum) * batch``. The running
        statistics are recomputed at the end of every ``fit`` and
        ``partial_fit``, so this does not change the fitted model; kept for
        compatibility with Keras.

    batch_norm_epsilon : float, default=1e-3
        Added to the variance before its square root (Keras' default).

    dropout : float or array-like of float, default=0.0
        Dropout rate after every hidden layer, or one rate per hidden layer, each in
        [0, 1). Inverted dropout (kept units scaled by ``1 / (1 - rate)``) while
        training only; ``predict`` is deterministic. With ``activation='selu'``,
        alpha dropout (dropped units take SELU's saturation value and an affine
        map keeps mean 0 and variance 1). Stochastic solvers only. See
        ``mc_predict`` for Monte Carlo dropout.

    input_dropout : float, default=0.0
        Dropout rate of the inputs, as ``dropout``.

    dropout_schedule : {'flat_cos', 'cosine', 'linear'} or None, default=None
        Vary every dropout rate (``input_dropout`` included) over a cycle of
        ``max_iter`` epochs; None keeps the rates constant. Epoch ``e`` (from 0)
        of the cycle, at ``t = e / (max_iter - 1)`` (0 if ``max_iter`` is 1),
        trains with the rates multiplied by: 'flat_cos' (RealMLP's): 1 for
        ``t <= 1/2``, then ``(1 + cos(pi (2t - 1))) / 2``; 'cosine':
        ``(1 + cos(pi t)) / 2``; 'linear': ``1 - t``. The first epoch uses the
        given rates, the last trains without dropout. Every ``fit`` (warm-started
        too) runs a whole cycle; ``partial_fit`` starts a new one every
        ``max_iter`` calls. The multiplier of each epoch is recorded in
        ``history_``. The fitted model keeps the given rates (Monte Carlo
        dropout uses them). Without dropout it has no effect.

    frozen_layers : int, default=0
        Keep the parameters of the lowest ``frozen_layers`` hidden layers fixed
        (weights, biases, BN gamma and beta, PReLU slopes): transfer learning
        with ``init=<fitted estimator>``. Their BN running statistics still
        follow the training data. At most ``transferred_layers_``: freezing a
        layer that was not copied from ``init`` raises a ValueError.

    lr_factors : dict or None, default=None
        Learning-rate factors per parameter group: ``{group: factor}`` with
        positive factors; every parameter of the group trains as with the
        learning rate ``lr_t * factor`` (its update is multiplied by the
        factor), for every stochastic solver. Groups: 'bias' (every layer's
        bias, i.e. ``intercepts_``, which with ``batch_norm='before'`` is BN's
        beta), 'batch_norm' (the other batch-normalisation parameters: every
        gamma, and the betas of ``input_batch_norm`` and
        ``batch_norm='after'``), 'activation' (PReLU's slopes), 'scale'
        (the input adapters of ``front_scale`` and ``n_members``) and
        'embedding' (the parameters of ``numeric_embedding`` and the tables
        of the tabular estimators' ``categorical_embedding``). The
        connection weights always have factor 1, so ``l1``, ``max_norm`` and
        AdamW's decay act on them unchanged. An unknown group raises a
        ValueError; so does any ``lr_factors`` with 'lbfgs', which has no
        learning rate. None: every factor is 1.

    front_scale : bool, default=False
        A learned scale of every input feature, ``x -> x * s`` with ``s``
        initialised to 1, before everything else (input batch normalisation,
        input dropout, the first layer): RealMLP's scaling layer. Never
        penalised by ``alpha`` or ``l1``. With ``n_members > 1`` the members'
        adapters are that scale. See ``input_scale_`` and the user guide,
        "Input scale and ensemble members".

    n_members : int, default=1
        Ensemble members (TabM-mini): the members share every weight of the
        network and differ only by a learned multiplicative adapter of the
        inputs, ``x -> x * r_j``, initialised to random signs (±1, drawn from
        ``random_state``). Every member sees every training row; the objective
        is the mean of the members' losses, and the prediction the mean of the
        members' outputs (probabilities for the classifier). Training and
        prediction cost about ``n_members`` times as much.
        ``front_scale=True, n_members=1`` is the front scale.

    numeric_embedding : {None, 'periodic'} or PeriodicEmbedding, default=None
        Periodic embeddings of the numeric inputs (Gorishniy et al. 2022,
        "PLR"): every embedded column ``x`` becomes ``relu([sin(2 pi c x),
        cos(2 pi c x)] @ V + u)``, with learned frequencies ``c`` and its own
        small linear map ``V, u``, before everything else (the input adapters,
        input batch normalisation and input dropout act on the embedded
        inputs). 'periodic' is ``PeriodicEmbedding()`` (16 frequencies, 8
        outputs and the value itself per column); pass a
        :class:`~skdnn.embeddings.PeriodicEmbedding` to choose. The MLP
        estimators embed every column, the tabular estimators the numeric
        ones, by their quantiles in training (``quantile_inputs``; the
        robust-scaled value is kept beside). The embedding's parameters are not
        penalised; see ``embedding_`` and the user guide, "Periodic numeric
        embeddings"."""

SHARED_ATTRIBUTES = """\
loss_ : float
        The objective ``J`` (data term plus penalty) of the last epoch, or at
        the solution for 'lbfgs'.

    best_loss_ : float or None
        The lowest ``loss_`` seen (stochastic solvers without early stopping).

    loss_curve_ : list of float
        ``loss_`` of every epoch (stochastic solvers).

    validation_scores_ : list of float or None
        Validation score of every epoch with ``early_stopping=True``.

    best_validation_score_ : float or None
        The best validation score with ``early_stopping=True``.

    t_ : int
        Number of training samples seen by the stochastic solvers.

    coefs_ : list of ndarray of shape (fan_in, fan_out)
        Weight matrices, layer by layer (views of one flat parameter buffer). With
        maxout, a hidden layer's matrix has ``fan_out * pieces`` columns.

    intercepts_ : list of ndarray of shape (fan_out,)
        Biases, layer by layer (BN's beta for layers normalised before their
        activation).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features seen during fit, when X has string column names.

    n_iter_ : int
        Number of epochs (or L-BFGS iterations) of the last fit.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    out_activation_ : str
        Name of the output activation.

    sparsity_ : float
        Fraction of the connection weights that are exactly zero.

    dead_inputs_ : list of int
        Per layer, the number of inputs whose outgoing weights are all zero
        (rows of ``coefs_[i]``), e.g. features an ``l1`` fit dropped.

    dead_units_ : list of int
        Per layer, the number of units whose incoming weights are all zero
        (columns of ``coefs_[i]``).

    batch_norm_ : list of dict or None
        Per position (0: the inputs, i: hidden layer i), None where there is no
        batch normalisation, else a dict of views ``gamma``, ``beta``,
        ``moving_mean`` and ``moving_variance``: at inference that position maps
        ``x`` to ``gamma * (x - moving_mean) / sqrt(moving_variance + eps) + beta``.

    transferred_layers_ : int
        Number of hidden layers copied from ``init`` when it is an estimator.

    prelu_slopes_ : list of ndarray of shape (units,)
        The trained slope of every unit of every hidden layer
        (``activation='prelu'`` or ``PReLU()`` only; an empty list otherwise).

    input_scale_ : ndarray of shape (n_members, n_features) or None
        The input adapters (a view of the parameters): row ``j`` multiplies the
        inputs of member ``j``; the front scale is the single row of
        ``front_scale=True, n_members=1``. None without ``front_scale`` and
        with one member.

    embedding_ : dict or None
        The periodic embedding's parameters (views): 'frequencies' (n_embedded,
        n_frequencies), 'weights' (n_embedded, 2 * n_frequencies,
        d_embedding) and 'biases' (n_embedded, d_embedding). None without
        ``numeric_embedding``. With an embedding, ``coefs_[0]`` has one row
        per embedded input value: the columns before the embedded block, then
        ``d_embedding`` rows per embedded column, then the columns after it.

    history_ : list of dict
        One record per epoch: 'epoch', 'loss', 'validation_score',
        'learning_rate' (of the epoch's first update), 'seconds', 'threads'
        (2: the halves of every batch ran on two threads; 1: on one, with the
        same result; stochastic solvers), 'update_ratio' (per layer,
        ``||W_end - W_start|| / ||W_start||`` over the epoch divided by its
        number of steps: a lower bound of the mean
        update/weight ratio of a step; stochastic solvers), 'momentum' when
        the schedule cycles it (1cycle) and 'dropout_scale' (the multiplier of
        the dropout rates) with a ``dropout_schedule``."""

REFERENCES = """\
.. [1] Glorot, Bengio (2010). Understanding the difficulty of training deep
       feedforward neural networks. AISTATS.
    .. [2] He, Zhang, Ren, Sun (2015). Delving Deep into Rectifiers. ICCV.
    .. [3] Kingma, Ba (2015). Adam: A Method for Stochastic Optimization. ICLR.
    .. [4] Sutskever, Martens, Dahl, Hinton (2013). On the importance of
       initialization and momentum in deep learning. ICML."""

# the tabular estimators: their own parameters and the defaults that differ from
# the MLP estimators' (each with where it comes from)
TABULAR_PARAMETERS = """\
categorical_features : 'from_dtype', array-like of str, int or bool, or None, \
default='from_dtype'
        Which columns are categorical, as in
        :class:`~sklearn.ensemble.HistGradientBoostingClassifier`: 'from_dtype'
        takes the DataFrame columns of dtype ``category``, ``object`` or
        ``bool``; or column names, column indices, a boolean mask, or None
        (every column numeric). Passed to
        :class:`~skdnn.preprocessing.TabularEncoder`.

    categorical_embedding : {None, 'learned'} or CategoricalEmbedding, \
default='learned'
        Learned embeddings of the categorical columns with many levels:
        'learned' is ``CategoricalEmbedding()`` (columns with more than 64
        levels, the missing level included, become 8 learned values per level
        instead of a one-hot block); pass a
        :class:`~skdnn.embeddings.CategoricalEmbedding` to choose, None to
        one-hot encode every categorical column. The tables are not
        penalised; see ``category_embeddings_`` and the user guide,
        "Categorical embeddings".

    max_iter : int or 'auto', default='auto'
        The stochastic solvers' epochs (L-BFGS: iterations), as in
        :class:`MLPClassifier`. 'auto' gives every table about the same number
        of row visits: 40 epochs up to 2,048 training rows (validation rows
        excluded), ``round(40 * 2048 / n_train)`` epochs above, at least 12
        (a 16,000-row table: 12 epochs); 200 L-BFGS iterations. On the panel
        of the performance page this kept the mean score (0.8714) and halved
        the fit time; with the 'cosine' schedule the learning rate spans
        whichever number it gives. ``partial_fit`` counts 40 calls per cycle.

    batch_size : int or 'auto', default='auto'
        Size of the minibatches of the stochastic solvers. 'auto': 256 rows
        (RealMLP-TD's batches), but 5/32 of the training rows on a small
        table, and at least 32: ``min(256, max(32, 5 * n_train // 32),
        n_train)`` rows, with ``n_train`` the training rows (validation rows
        excluded; the rows of the call for ``partial_fit``). From 205 to 1,638
        training rows that is at least 6.4 batches per epoch, so at least 256
        steps in the 40 epochs of ``max_iter='auto'``, as many as RealMLP-TD's
        256 epochs give a table of 256 rows; below 205 rows, batches of 32
        (at least 160 steps). On the
        panel of the performance page this raised the mean score at the same
        fit time (more epochs instead cost 2.5 times the time on the small
        tables for the same score). Ignored by 'lbfgs'.

    dropout : float, array-like of float or 'auto', default='auto'
        Dropout rate of the hidden units, as in :class:`MLPClassifier`.
        'auto': 0.15 (RealMLP-TD's rate) with a stochastic solver, 0 with
        'lbfgs' (which needs a deterministic objective). With the default
        ``dropout_schedule='flat_cos'`` the rate stays at 0.15 for the first
        half of the epochs, then falls to 0 along a cosine.

    refit : bool, default=False
        After best-epoch selection (``early_stopping=True``), train the
        network again from its initialisation on every row, validation rows
        included, for the number of epochs of the selected model
        (``selected_epochs_``; a span schedule such as 'cosine' then spans
        those epochs). About doubles the fit time; ``validation_scores_`` and
        ``best_validation_score_`` stay those of the selection. Ignored without
        early stopping or with ``warm_start=True``.

    Every other parameter is that of :class:`MLPClassifier` /
    :class:`MLPRegressor`, with the defaults listed above."""

TABULAR_DEFAULTS = """\
=========================  ====================  ===================================
    parameter                  tabular default       where it comes from
    =========================  ====================  ===================================
    ``hidden_layer_sizes``     ``(256, 256, 256)``   RealMLP-TD (Holzmüller et al. 2024)
    ``alpha``                  ``0.0``               RealMLP-TD
    ``batch_size``             ``'auto'``            256 rows (RealMLP-TD); fewer
                                                     below 1,639 training rows:
                                                     panel measurement
    ``dropout``                ``'auto'``            0.15 (RealMLP-TD), 0 for
                                                     L-BFGS
    ``dropout_schedule``       ``'flat_cos'``        RealMLP-TD
    ``learning_rate``          ``'cosine'``          panel measurement
    ``learning_rate_init``     ``0.002``             panel measurement
    ``numeric_embedding``      ``'periodic'``        Gorishniy et al. 2022; its
                                                     defaults and its quantile
                                                     inputs: panel measurement
    ``categorical_embedding``  ``'learned'``         above 64 levels: fit time
                                                     (``--many-levels`` tables)
    ``max_iter``               ``'auto'``            40 epochs, fewer above 2,048
                                                     training rows: panel
                                                     measurement (fit time)
    ``early_stopping``         ``True``              best-epoch selection, RealMLP-TD
    ``validation_fraction``    ``0.2``               RealMLP-TD
    ``beta_2``                 ``0.95``              RealMLP-TD
    ``init``                   ``'auto'``            He et al. 2015, for ReLU
    ``bias_init``              ``0.0``               common practice
    =========================  ====================  ===================================

    Holzmüller, Grinsztajn, Steinwart (2024), "Better by Default: Strong
    Pre-Tuned MLPs and Boosted Trees on Tabular Data", NeurIPS. The networks
    are float32 (twice the throughput of float64)."""
