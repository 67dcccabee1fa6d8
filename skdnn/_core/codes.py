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

# columns of the integer layer table ``net``
NET_FAN_IN = 0
NET_FAN_OUT = 1
NET_W_OFF = 2
NET_B_OFF = 3
NET_ACT = 4
NET_BUF_OFF = 5
NET_COLS = 6

# columns of the float layer table ``netf``
NETF_ACT_PARAM = 0
NETF_COLS = 1

SELU_ALPHA = 1.6732632423543772
SELU_SCALE = 1.0507009873554805
