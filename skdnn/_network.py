"""The owner of a network's compiled state, and the only caller of its kernels.

A :class:`Network` holds everything the compiled kernels read and write for one
fitted model: the parameters ``theta``, the running batch-normalisation statistics,
the optimizer's slots and step counter, the random seed and the work buffers. Its
methods are the operations the rest of skdnn needs — one training epoch, the full
objective and its gradient, a forward pass — and it alone knows the kernels'
argument order. The estimators, L-BFGS, prediction, Monte Carlo dropout, the
learning-rate finder and :mod:`skdnn.inspection` all go through it.
"""

import numpy as np

from ._core import codes
from ._core.epoch import (
    bn_population_statistics,
    full_loss_grad,
    full_loss_grad_parallel,
    run_epoch,
    run_epoch_parallel,
)
from ._core.layers import EXTRAS
from ._core.normalization import input_statistics
from ._core.predict import forward_all, predict_forward
from ._core.records import OPTIMIZER, optimizer_record
from ._layout import NetworkSpec  # (0.1 pickles also name it here)
from ._threads import (
    BLAS_SPLIT_MIN_WORK,
    CHUNK_ROWS,
    compiled,
    split_rows,
    training_threads,
)
from .initializers import init_weights, sklearn_bias_bound

# rows per call of the forward pass of Network.hidden_activations (inspection)
ACTIVATION_CHUNK = 4096


#: the hidden activations of the lean kernels (``extras=None``): scikit-learn's
_LEAN_ACTIVATIONS = (codes.IDENTITY, codes.RELU, codes.TANH, codes.LOGISTIC)


class Workspace:
    """Work buffers for batches of at most ``batch_size`` rows, allocated once.

    With ``m = spec.n_members`` ensemble members, a batch of ``n`` rows is
    expanded to ``m * n`` rows after it is gathered: the buffers past ``xbuf``
    hold ``m * batch_size`` rows, their row stride (the last entry of
    ``buffers``). ``gather`` (see :func:`gathers_batches`): whether batches of X
    are gathered densely; the gather buffer ``xbuf`` is empty otherwise.

    ``parts`` 0: the buffers of whole batches, ``(xbuf, ybuf, swbuf, abuf, dbuf,
    bn_batch, bs)`` (:func:`~skdnn._core.epoch.bn_population_statistics`); 1 or
    2: those of a training epoch (:func:`~skdnn._core.epoch.run_epoch`) whose
    batches are whole or split in two halves, or of the full objective
    (:func:`~skdnn._core.epoch.full_loss_grad`) in single chunks or pairs,
    ``(gb, xb2, yb2, swb2, ab2, db2, bnb2, hs)``: the second part's gradient
    (empty for one part), then one row per part of each buffer above, each for
    ``ceil(batch_size / parts)`` rows.
    """

    def __init__(self, spec, batch_size, dtype, gather=True, parts=0):
        p = spec.layer_units[0]
        k = spec.layer_units[-1]
        self.batch_size = int(batch_size)
        self.gather = bool(gather)
        self.parts = int(parts)
        self.spec = spec
        # the keys of the parallel kernels known to be compiled for these
        # buffers (see parallel_ready_for)
        self.parallel_ready = set()
        rows = -(-self.batch_size // max(self.parts, 1))  # rows of a part
        bs = rows * spec.n_members
        width = buffer_width(spec, not gather)
        whole = (
            # xbuf: the gathered batch
            (rows * p if gather else 0,),
            (bs * k,),  # ybuf: its targets
            (bs,),  # swbuf: its sample weights
            (bs * width,),  # abuf: every forward array
            (bs * width,),  # dbuf: their gradients
            (2, spec.n_stats),  # bn_batch: batch statistics
        )
        if not parts:
            self.buffers = (*(np.empty(s, dtype=dtype) for s in whole), bs)
        else:
            gb = np.empty(spec.n_params if parts == 2 else 0, dtype=dtype)
            self.buffers = (
                gb,
                *(np.empty((parts, *s), dtype=dtype) for s in whole),
                bs,
            )

    def parallel_ready_for(self, key, kernel, args):
        """Whether ``kernel`` (a parallel Numba dispatcher) is compiled for
        ``args``, this workspace's buffers among them (its compilation starts in
        the background if not: :func:`~skdnn._threads.compiled`). Numba's typing
        of some 30 arguments takes about 0.26 ms: once it is, the answer is kept
        under ``key`` (what else sets the argument types: the extras, the
        input's form)."""
        if key not in self.parallel_ready and compiled(kernel, args):
            self.parallel_ready.add(key)
        return key in self.parallel_ready


def writable(a, dtype=None):
    """``a`` as a C-contiguous array (of ``dtype`` if given) that the kernels can
    take: copied once when it is read-only (a memory map, ``writeable=False``).

    Numba types a read-only array apart from a writeable one: passing one would
    compile a second specialisation of every kernel (5-6 s), and a copy costs
    less. ``np.ascontiguousarray`` alone returns a read-only array unchanged.
    """
    a = np.ascontiguousarray(a, dtype=dtype)
    if not a.flags.writeable:
        a = a.copy()
    return a


def gathers_batches(spec, sparse):
    """Whether the kernels gather batches of X into a dense buffer: always for
    dense X; for CSR X only when the first layer embeds, drops out or adapts its
    inputs (else it computes its products from the CSR arrays, with batch
    normalisation of the inputs folded in). The Python twin of
    :func:`skdnn._core.sparse.csr_first_layer`."""
    L = spec.layers[0]
    return not (
        sparse
        and L["src"] < 0
        and L["in_drop"] == codes.DROP_NONE
        and L["adapt_off"] < 0
    )


def buffer_width(spec, from_csr):
    """Columns per row of the work buffers: every array's, or when layer 0
    computes its products from CSR input (``from_csr``; see
    :func:`gathers_batches`) all but those of the input batch normalisation,
    which it folds into them (the last columns; :mod:`skdnn._core.sparse`)."""
    return spec.csr_width if from_csr else spec.width


def predict_work(spec, lo, hi, chunk, sparse, bn_stats, dtype):
    """The work buffers of one :func:`~skdnn._core.predict.predict_forward` call
    over the rows ``lo:hi`` in chunks of ``chunk`` rows: the gather buffer (CSR
    input the first layer cannot take as it is), the row indices (CSR input),
    the activations, the members' outputs, the batch statistics and the (empty)
    sample weights. A fresh set per call: calls run in parallel threads."""
    bs = max(min(hi - lo, chunk), 0)
    m = spec.n_members
    gather = sparse and gathers_batches(spec, True)
    return (
        np.empty(bs * spec.layer_units[0] if gather else 0, dtype=dtype),
        np.arange(lo, hi if sparse else lo, dtype=np.int64),
        np.empty(bs * m * buffer_width(spec, sparse and not gather), dtype=dtype),
        np.empty((bs * m if m > 1 else 0, spec.layer_units[-1]), dtype=dtype),
        np.empty_like(bn_stats),
        np.empty(0, dtype=dtype),
    )


def input_arrays(X, dtype):
    """``(X, data, indices, indptr, sparse)`` as the kernels take their input.

    Dense X must be C-contiguous of ``dtype``; sparse X is converted to CSR with int64
    indices. The unused form is an empty array of the right type. ``sparse`` is
    True or None (not False: Numba then compiles none of the CSR code for dense
    X, see :mod:`skdnn._core.epoch`). Read-only arrays are copied (see
    :func:`writable`).
    """
    empty_i = np.empty(0, dtype=np.int64)
    if hasattr(X, "tocsr"):
        Xc = X.tocsr()
        if not Xc.has_canonical_format:  # sorted indices, no duplicate entries
            Xc = Xc.copy()
            Xc.sum_duplicates()
        return (
            np.empty((0, Xc.shape[1]), dtype=dtype),
            writable(Xc.data, dtype),
            writable(Xc.indices, np.int64),
            writable(Xc.indptr, np.int64),
            True,
        )
    return (
        writable(X, dtype),
        np.empty(0, dtype=dtype),
        empty_i,
        empty_i,
        None,
    )


class Network:
    """A network's parameters and training state, and the operations on them.

    Parameters
    ----------
    spec : NetworkSpec
        The layout: layer records and offsets (:mod:`skdnn._layout`).
    theta : ndarray of shape (spec.n_params,)
        Every trainable parameter (float32 or float64: the compute dtype).
    bn_stats : ndarray of shape (2, spec.n_stats)
        Running means and variances of every batch-normalised column.
    seed : int
        The random key of the fit (shuffles, dropout masks, RReLU slopes).

    Attributes
    ----------
    opt_state : ndarray of shape (3, spec.n_params)
        The optimizer's slots (which rule uses which: :mod:`skdnn.optimizers`;
        Nadam keeps the running product of its momentum schedule in
        ``opt_state[2, 0]``).
    step : ndarray of shape (1,), int64
        Updates done so far.
    """

    def __init__(self, spec, theta, bn_stats, seed):
        self.spec = spec
        self.theta = theta
        self.bn_stats = bn_stats
        self.seed = np.uint64(seed)
        self.opt_state = np.zeros((3, spec.n_params), dtype=theta.dtype)
        self.step = np.zeros(1, dtype=np.int64)
        # the objective at every step of the last epoch (of a diverged, rolled
        # back epoch: its steps before the non-finite one); set by the training
        # loop, read by find_learning_rate
        self.step_losses = np.zeros(0)
        self._work = None  # Workspaces of the last batch size, by parts
        self._grad = None  # gradient buffer of train_epoch
        self._last_epoch = None  # seconds of the last training epoch
        self._last_objective = None  # seconds of the last full objective
        # threads the last epoch's batches ran on (history_'s 'threads')
        self.epoch_threads = 1

    @classmethod
    def create(cls, spec, dtype, init, families, bias_init, prelu_init, random_state):
        """A new network with initialised parameters.

        ``families`` gives each weight layer's activation family for
        ``init="auto"``; the weights are drawn layer by layer from
        ``random_state``, then the signs of the ensemble members' input adapters
        (several members only), then the periodic embedding and the categorical
        tables (if any), then the seed of the fit. ``bias_init`` is a constant,
        or ``"uniform"``: each layer's biases are drawn right after its weights
        from ``U(-r, r)``, ``r = sqrt(6 / (fan_in + fan_out))``, as
        scikit-learn draws its MLP's weights and biases (layer by layer, weights
        first), so that ``init="glorot_uniform"`` with it gives scikit-learn's
        initial network for the same ``random_state``.
        """
        theta = np.empty(spec.n_params, dtype=dtype)
        drawn = bias_init == "uniform"
        if not drawn:
            theta[spec.n_weights : spec.n_weights + spec.n_biases] = bias_init
        for W, b, L, family in zip(spec.coefs(theta), spec.intercepts(theta),
                                   spec.layers, families, strict=True):  # fmt: skip
            init_weights(W, init, family, random_state)
            if drawn and not L["pre_bn"]:  # BN's beta replaces the bias
                r = sklearn_bias_bound(*W.shape)
                b[...] = random_state.uniform(-r, r, b.shape)
        spec.init_extras(theta, prelu_init)
        spec.init_adapters(theta, random_state)
        spec.init_embedding(theta, random_state)
        bn_stats = np.zeros((2, spec.n_stats), dtype=dtype)
        bn_stats[1] = 1.0
        seed = random_state.randint(0, 2**63 - 1, dtype=np.int64)
        return cls(spec, theta, bn_stats, seed)

    @classmethod
    def from_release_0_1(cls, spec, theta, bn_stats, opt_state, step, seed):
        """The network of a model pickled by skdnn 0.1 (before this class)."""
        net = cls(spec, theta, bn_stats, seed)
        net.opt_state = opt_state
        net.step = step
        return net

    @property
    def extras(self):
        """The kernels' ``extras`` argument: None for a network without batch
        normalisation, dropout and input adapters whose hidden activation is
        identity, ReLU, tanh or logistic (the code that handles the others is
        then not compiled),
        :data:`~skdnn._core.layers.EXTRAS` otherwise."""
        spec = self.spec
        plain = not (
            spec.has_batch_norm
            or spec.has_dropout
            or spec.has_adapter
            or spec.hidden_code not in _LEAN_ACTIVATIONS
        )
        return None if plain else EXTRAS

    @property
    def emb(self):
        """The kernels' ``emb`` argument: None without embeddings (periodic or
        categorical: their code is then not compiled),
        :data:`~skdnn._core.layers.EXTRAS` with one."""
        return EXTRAS if self.spec.embed_count or self.spec.cat_count else None

    def __getstate__(self):
        state = self.__dict__.copy()
        # work buffers and the threads' timings: rebuilt on demand
        state["_work"] = state["_grad"] = state["_last_epoch"] = None
        state["_last_objective"] = None
        return state

    # the arrays of the state, in the order of to_state
    _STATE_ARRAYS = ("theta", "bn_stats", "opt_state", "step", "step_losses")

    def to_state(self):
        """The network as plain data: a dict of the spec's arguments
        (:meth:`NetworkSpec.to_state`), the seed (an int) and plain numeric
        arrays, not copied. A fitted estimator persists this rather than the
        object (``BaseMLP.__getstate__``), so that ``skops.io`` can audit every
        type of a saved model; :meth:`from_state` rebuilds the network."""
        state = {name: getattr(self, name) for name in self._STATE_ARRAYS}
        state["spec"] = self.spec.to_state()
        state["seed"] = int(self.seed)
        return state

    @classmethod
    def from_state(cls, state):
        """The network of :meth:`to_state`'s ``state`` (its arrays are used as
        they are: a read-only memory map stays one until training copies it)."""
        spec = NetworkSpec.from_state(state["spec"])
        net = cls.__new__(cls)
        net.spec = spec
        net.seed = np.uint64(state["seed"])
        for name in cls._STATE_ARRAYS:
            setattr(net, name, state[name])
        net._work = net._grad = net._last_epoch = net._last_objective = None
        return net

    # ------------------------------------------------------------ the state
    @property
    def dtype(self):
        return self.theta.dtype

    def copy_from(self, source):
        """Copy the lowest hidden layers of the network ``source`` whose shapes
        match (transfer learning); returns how many were copied."""
        return self.spec.copy_layers_from(
            source.spec, source.theta, source.bn_stats, self.theta, self.bn_stats
        )

    def reset_optimizer(self):
        """Forget the optimizer's slots and step count (another update rule)."""
        self.opt_state[:] = 0.0
        self.step[:] = 0

    def snapshot(self, into=None):
        """Copies of everything an epoch changes, for :meth:`restore`; written into
        the arrays of an earlier snapshot ``into`` when given (a second set of
        copies of the parameters and the optimizer's slots would otherwise exist
        while the first is dropped)."""
        arrays = (self.theta, self.opt_state, self.step, self.bn_stats)
        if into is None or any(
            a.shape != b.shape or a.dtype != b.dtype
            for a, b in zip(arrays, into, strict=True)
        ):
            return tuple(a.copy() for a in arrays)
        for a, b in zip(arrays, into, strict=True):
            b[...] = a
        return into

    def restore(self, snapshot):
        """Put back the state of a :meth:`snapshot` (in place: views stay valid)."""
        self.theta[:], self.opt_state[:], self.step[:], self.bn_stats[:] = snapshot

    def is_finite(self):
        """Whether every parameter and running statistic is finite."""
        return bool(
            np.all(np.isfinite(self.theta)) and np.all(np.isfinite(self.bn_stats))
        )

    def ensure_writable(self):
        """Copy the arrays that training writes when one is read-only (a model
        loaded with ``joblib.load(..., mmap_mode="r")``); returns whether it did.

        The caller rebinds the views of ``theta`` (the estimator's ``coefs_``,
        ...), which still show the old arrays.
        """
        names = self._STATE_ARRAYS
        arrays = [getattr(self, name) for name in names]
        if all(a.flags.writeable and type(a) is np.ndarray for a in arrays):
            return False
        for name, a in zip(names, arrays, strict=True):
            # np.array: a plain ndarray, not a (read-only) np.memmap subclass
            setattr(self, name, np.array(a, copy=True))
        return True

    def _writable(self):
        """``theta`` and ``bn_stats``, copied when read-only (a model loaded from a
        memory map): a read-only array would compile another specialisation of the
        kernels, and a copy costs less."""
        return writable(self.theta), writable(self.bn_stats)

    def workspace(self, batch_size, X, parts=0):
        """The work buffers for batches of ``batch_size`` rows of ``X`` (the tuple
        of :func:`input_arrays`) in ``parts`` parts (see :class:`Workspace`), kept
        between calls with the same spec, size and need of a gather buffer, one
        for each number of parts (training, then the statistics of batch
        normalisation after every epoch, take turns)."""
        works = self._work if isinstance(self._work, dict) else {}
        work = works.get(parts)
        gather = gathers_batches(self.spec, X[4])
        if (
            work is None
            or work.spec is not self.spec
            or work.batch_size != batch_size
            or work.gather != gather
        ):
            work = works[parts] = Workspace(
                self.spec, batch_size, self.dtype, gather, parts
            )
        self._work = works
        return work

    def splits_batches(self, batch_size):
        """Whether training splits batches of ``batch_size`` rows into two halves
        (:func:`skdnn._core.epoch.run_epoch`): unless batch normalisation
        computes statistics over the whole batch, or a batch is one row."""
        return not self.spec.has_batch_norm and batch_size >= 2

    def optimizer(self, alpha, sw_total, solver=None, l1=0.0, max_norm=None,
                  clipnorm=None, clipvalue=None):  # fmt: skip
        """The OPTIMIZER record of a fit.

        ``alpha`` and ``l1`` are the penalty strengths of the objective over the
        total sample weight ``sw_total``; ``solver`` is the resolved update rule
        (:func:`skdnn.optimizers.resolve_optimizer`; None for L-BFGS, which only
        needs the penalty).
        """
        # the record's fields that the rule's configuration names
        rule = {k: v for k, v in (solver or {}).items() if k in OPTIMIZER.names}
        return optimizer_record(
            n_weights=self.spec.n_weights,
            l2=alpha / sw_total,
            l1=l1,
            max_norm=0.0 if max_norm is None else max_norm,
            clipnorm=0.0 if clipnorm is None else clipnorm,
            clipvalue=0.0 if clipvalue is None else clipvalue,
            **rule,
        )

    # ----------------------------------------------------------- operations
    @staticmethod
    def _largest_batch(n_rows, batch_size, n_batches):
        """Rows of the largest of ``n_batches`` batches of ``batch_size`` rows over
        ``n_rows`` rows, the last one taking every remaining row."""
        return max(batch_size, n_rows - (n_batches - 1) * batch_size)

    def train_epoch(self, X, Y, sw, perm, shuffle, epoch, opt, lrs, moms, frozen,
                    batch_size, dropout_scale=1.0, factors=None):  # fmt: skip
        """One epoch of minibatch training over the rows ``perm`` of ``X``.

        ``X`` is the tuple of :func:`input_arrays`; ``lrs``/``moms`` give every
        step's learning rate and momentum (one per batch: the last batch takes every
        row left, see :func:`skdnn._core.epoch.run_epoch`), ``frozen`` masks the
        parameters that must not change. ``dropout_scale`` multiplies every
        dropout rate for this epoch only (a copy of the records; the spec keeps
        its rates); ``factors`` (None: none) holds the learning-rate factors of
        ``theta[n_weights:]`` (:meth:`NetworkSpec.lr_factor_array`). Returns
        ``(data_loss, penalty, n_done, step_losses)``, ``step_losses`` being every
        step's objective.
        """
        if self._grad is None or self._grad.shape != self.theta.shape:
            self._grad = np.empty_like(self.theta)
        n_batches = lrs.shape[0]
        step_losses = np.zeros(n_batches)
        split = self.splits_batches(batch_size)
        work = self.workspace(
            self._largest_batch(perm.shape[0], batch_size, n_batches), X, 1 + split
        )
        if factors is None:
            factors = self.theta[:0]
        extras = self._training_extras(opt, factors)
        args = (
            *X, Y, sw, perm, shuffle, self.seed, epoch, self.theta, self._grad,
            self.opt_state, self.step, self.spec.scaled_dropout(dropout_scale),
            self.bn_stats, opt, lrs, moms, step_losses, frozen, factors,
            np.int64(batch_size), *work.buffers, extras, self.emb,
        )  # fmt: skip

        def ready():
            key = ("epoch", extras is None, X[4])
            return work.parallel_ready_for(key, run_epoch_parallel, args)

        kernels = (run_epoch, run_epoch_parallel)
        last = getattr(self, "_last_epoch", None)  # (not in older pickles)
        with training_threads(split, last, ready, kernels) as threads:
            kernel = run_epoch_parallel if threads.parallel else run_epoch
            data_loss, penalty, n_done = kernel(*args)
        self._last_epoch = threads.wall
        self.epoch_threads = 2 if threads.parallel else 1
        return data_loss, penalty, n_done, step_losses

    def _training_extras(self, opt, factors):
        """``extras`` of a training epoch: the network's, and not None for a step
        that the lean kernels leave out (:func:`skdnn._core.optimizers.apply_update`):
        an update rule other than SGD and Adam, AMSGrad, L1, decoupled weight
        decay, learning-rate factors (``factors`` not empty), clipping or the
        max-norm projection. A default fit then compiles none of their code."""
        lean = (
            opt["rule"] in (codes.SGD, codes.ADAM)
            and not opt["amsgrad"]
            and factors.shape[0] == 0
            and all(
                opt[name] == 0.0
                for name in ("l1", "weight_decay", "clipnorm", "clipvalue", "max_norm")
            )
        )
        return self.extras if lean else EXTRAS

    def recompute_bn_statistics(self, X, sw, rows, shuffle, epoch, batch_size,
                                n_batches):  # fmt: skip
        """Set the running batch-normalisation statistics to those of the current
        parameters: the sample-weighted average of the batch statistics over one
        pass of ``n_batches`` batches of ``batch_size`` rows over ``rows`` (formed
        as in :meth:`train_epoch`; shuffled with a stream of ``(seed, epoch)``
        when ``shuffle``), without dropout ("precise BN",
        :func:`skdnn._core.epoch.bn_population_statistics`).

        ``X`` is the tuple of :func:`input_arrays`; sparse input is gathered one
        batch at a time. Does nothing without batch normalisation.
        """
        if not self.spec.has_batch_norm:
            return
        perm = np.array(rows, dtype=np.int64)
        work = self.workspace(
            self._largest_batch(perm.shape[0], batch_size, n_batches), X
        )
        bn_population_statistics(
            *X, sw, perm, bool(shuffle), self.seed, np.int64(epoch), self.theta,
            self.spec.layers.copy(), self.bn_stats, np.int64(batch_size),
            np.int64(n_batches), *work.buffers, self.extras, self.emb,
        )  # fmt: skip

    def loss_and_gradient(self, X, Y, sw, opt, grad, mode=codes.MODE_OBJECTIVE,
                          key=0, batch_size=None, bn_momentum=None,
                          bn_stats=None):  # fmt: skip
        """The smooth part of the objective over all rows of ``X`` (the tuple of
        :func:`input_arrays`), its gradient written to ``grad``.

        The rows are processed ``batch_size`` at a time (all at once by default,
        which batch normalisation needs); with more rows than that, the chunks
        go in pairs, on two threads when :func:`~skdnn._threads.training_threads`
        finds that faster (:func:`~skdnn._core.epoch.full_loss_grad`), BLAS on
        one thread: the result does not depend on the threads. One chunk runs
        with BLAS's threads (the caller may hold them at one).
        ``mode=MODE_TRAIN`` with ``bn_momentum=0`` sets the running statistics
        to those of the data. ``bn_stats``: running statistics to use instead of
        the network's.
        """
        n = Y.shape[0]
        layers = self.spec.layers
        if bn_momentum is not None:
            layers = layers.copy()
            layers["bn_momentum"] = bn_momentum
        chunk = n if batch_size is None else min(batch_size, n)
        pairs = n > chunk
        work = self.workspace(2 * chunk if pairs else chunk, X, 1 + pairs)
        theta, own = self._writable()
        bn_stats = own if bn_stats is None else bn_stats
        args = (
            *X, Y, sw, np.arange(n, dtype=np.int64), theta, grad, np.empty_like(grad),
            layers, bn_stats, opt, np.int64(mode), np.uint64(key), float(sw.sum()),
            *work.buffers, self.extras, self.emb,
        )  # fmt: skip

        def ready():
            key = ("objective", self.extras is None, X[4])
            return work.parallel_ready_for(key, full_loss_grad_parallel, args)

        kernels = (full_loss_grad, full_loss_grad_parallel)
        last = getattr(self, "_last_objective", None)
        with training_threads(pairs, last, ready, kernels) as threads:
            kernel = full_loss_grad_parallel if threads.parallel else full_loss_grad
            loss = kernel(*args)
        self._last_objective = threads.wall
        return loss

    def set_input_statistics(self, X, sw, bn_stats=None):
        """Set the running statistics of the input batch normalisation (in
        ``bn_stats``, by default the network's) to the weighted mean and
        variance of every row of ``X`` (the tuple of :func:`input_arrays`; CSR
        input is not densified). Those are the statistics of the one batch of
        every row (L-BFGS), fixed by the data: the objective can then be
        computed in chunks of rows, normalising with the running statistics
        (``MODE_PREDICT``, or ``MODE_MC`` with dropout)."""
        first = self.spec.layers[0]
        p, s = int(first["fan_in"]), int(first["in_bn_s"])
        mean, var = np.empty(p), np.empty(p)
        input_statistics(*X, np.ascontiguousarray(sw), mean, var)
        if bn_stats is None:
            _, bn_stats = self._writable()
        bn_stats[0, s : s + p] = mean
        bn_stats[1, s : s + p] = var

    def forward(self, X, mode=codes.MODE_PREDICT, key=0):
        """Output-layer activations for the rows of ``X`` (an array or sparse
        matrix of the network's dtype).

        Many rows are split over threads (see :mod:`skdnn._threads`). Returns the
        outputs, shape (n_samples, n_outputs), and whether the first layer's
        products were all finite (see :func:`skdnn._core.predict.predict_forward`).
        """
        spec = self.spec
        out = np.empty((X.shape[0], spec.layer_units[-1]), dtype=self.dtype)
        theta, bn_stats = self._writable()
        source = input_arrays(X, self.dtype)
        key = np.uint64(key)
        extras, emb = self.extras, self.emb
        dtype = self.dtype

        def rows(lo, hi):
            work = predict_work(spec, lo, hi, CHUNK_ROWS, source[4], bn_stats, dtype)
            return predict_forward(
                *source, lo, hi, theta, spec.layers, bn_stats, mode, key, CHUNK_ROWS,
                out, work, extras, emb,
            )  # fmt: skip

        work = min(X.shape[0], CHUNK_ROWS) * spec.n_members * spec.max_layer_work
        finite = all(split_rows(rows, X.shape[0], work >= BLAS_SPLIT_MIN_WORK))
        return out, finite

    def hidden_activations(self, X, mode=codes.MODE_PREDICT, key=0):
        """Every hidden layer's activation for the rows of ``X``: (n_samples,
        units), or (n_samples, n_members, units) with several ensemble members.

        In chunks of :data:`ACTIVATION_CHUNK` rows (the prediction modes use the
        running batch-normalisation statistics, and each row draws its own dropout
        mask whatever the chunk): no array of the size of X is made, even when
        sparse X is gathered densely (input batch normalisation).
        """
        spec = self.spec
        n = X.shape[0]
        m = spec.n_members
        if hasattr(X, "tocsr"):
            X = X.tocsr()
        theta, bn_stats = self._writable()  # prediction modes write neither
        units = [int(L["fan_out"]) for L in spec.layers[:-1]]
        outs = [np.empty((n * m, u), dtype=self.dtype) for u in units]
        for lo in range(0, n, ACTIVATION_CHUNK):
            hi = min(n, lo + ACTIVATION_CHUNK)
            rows = hi - lo
            source = input_arrays(X[lo:hi], self.dtype)
            # CSR X is gathered only when the first layer cannot take it as it is
            gather = source[4] and gathers_batches(spec, True)
            xbuf = np.empty(rows * spec.layer_units[0] if gather else 0, self.dtype)
            width = buffer_width(spec, source[4] and not gather)
            abuf = np.empty(rows * m * width, dtype=self.dtype)
            forward_all(
                *source, theta, spec.layers, bn_stats, mode, np.uint64(key), xbuf,
                abuf, np.int64(lo * m), self.extras, self.emb,
            )  # fmt: skip
            for out, a in zip(outs, spec.activations(abuf, rows * m), strict=True):
                out[lo * m : hi * m] = a
        if m > 1:
            return [a.reshape(n, m, a.shape[1]) for a in outs]
        return outs
