"""Integer codes that select behaviour inside the kernels.

The public layer (:mod:`skdnn.activations`, the estimators) translates names to these
codes; the kernels branch on them at run time, outside their inner loops.
"""

# hidden and output activations
IDENTITY = 0
LOGISTIC = 1
TANH = 2
RELU = 3
LEAKY_RELU = 4
ELU = 5
SELU = 6
SOFTPLUS = 7
GELU = 8
SWISH = 9
# stateful activations
PRELU = 10  # one trained slope per unit (in theta)
RRELU = 11  # random slope per element while training, the mean slope otherwise
MAXOUT = 12  # max over ``pieces`` affine pieces per unit
# output-only activations (fused with their loss)
SOFTMAX = 20
EXP = 21

# losses, each tied to its canonical output activation
SQUARED_ERROR = 0  # identity output
BINARY_LOG_LOSS = 1  # logistic output, one column per label
LOG_LOSS = 2  # softmax output
POISSON = 3  # exp output

# optimizers
SGD = 0
ADAM = 1
NADAM = 2
ADAMAX = 3
RADAM = 4
ADAGRAD = 5
RMSPROP = 6
ADADELTA = 7

# dropout modes
DROP_NONE = 0
DROP_INVERTED = 1
DROP_ALPHA = 2  # SELU networks: drop to the saturation value, affine correction

# forward-pass modes
MODE_PREDICT = 0  # running BN statistics, no dropout, mean RReLU slopes
MODE_TRAIN = 1  # batch statistics (running ones updated), dropout, random slopes
MODE_OBJECTIVE = 2  # as MODE_TRAIN without updating the running statistics
MODE_MC = 3  # as MODE_PREDICT with dropout on (Monte Carlo dropout)
# batch statistics (running ones updated), otherwise as MODE_PREDICT: no dropout,
# mean RReLU slopes (the pass that recomputes the running statistics)
MODE_STATS = 4

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
