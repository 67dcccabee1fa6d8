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

# columns of the integer layer table ``net``: one row per weight layer. A row is
#   source -> [BN on it] -> [dropout on it] -> x @ W -> [BN] or [+ bias] -> activation
# where the source is the previous row's activation (the inputs for row 0). The
# ``*_OFF`` buffer columns are offsets (in columns per row) inside the work buffers
# ``abuf``/``dbuf``; -1 means "absent" (or, for NET_SRC, the input batch).
NET_FAN_IN = 0
NET_FAN_OUT = 1  # units (after maxout)
NET_W_OFF = 2  # theta offset of W (fan_in, w_cols)
NET_B_OFF = 3  # theta offset of the bias (w_cols); BN's beta when BN precedes
NET_ACT = 4
NET_W_COLS = 5  # fan_out * pieces
NET_PIECES = 6
NET_SRC = 7  # buffer: the row's source (previous activation), -1 = input batch
NET_X = 8  # buffer: what multiplies W (after input BN/dropout), -1 = the source
NET_Z = 9  # buffer: pre-activation (w_cols), bias or BN included
NET_A = 10  # buffer: activation (fan_out), -1 for the output row
NET_IN_BN = 11  # 1 when the source goes through BN
NET_IN_BN_P = 12  # theta offset of its gamma (beta follows, fan_in each)
NET_IN_BN_S = 13  # offset in the statistics arrays
NET_IN_BN_H = 14  # buffer: normalised source (fan_in)
NET_IN_BN_Y = 15  # buffer: gamma * normalised + beta (fan_in)
NET_IN_DROP = 16  # dropout mode of the (normalised) source
NET_IN_DROP_M = 17  # buffer: dropout multipliers (fan_in)
NET_IN_DROP_Y = 18  # buffer: dropped-out source (fan_in)
NET_PRE_BN = 19  # 1 when x @ W goes through BN (no bias)
NET_PRE_BN_P = 20  # theta offset of gamma (beta follows, w_cols each)
NET_PRE_BN_S = 21  # offset in the statistics arrays
NET_PRE_BN_H = 22  # buffer: normalised x @ W (w_cols)
NET_PRELU_OFF = 23  # theta offset of the PReLU slopes (fan_out), -1 otherwise
NET_COLS = 24

# columns of the float layer table ``netf``
NETF_ACT_PARAM = 0  # leaky slope, ELU alpha, RReLU lower bound
NETF_ACT_PARAM2 = 1  # RReLU upper bound
NETF_DROP_RATE = 2
NETF_DROP_A = 3  # alpha dropout: scale a
NETF_DROP_B = 4  # alpha dropout: shift b
NETF_DROP_SAT = 5  # alpha dropout: value of dropped units before the affine map
NETF_BN_MOMENTUM = 6
NETF_BN_EPSILON = 7
NETF_COLS = 8

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
