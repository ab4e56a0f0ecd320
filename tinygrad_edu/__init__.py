"""tinygrad_edu: reverse-mode automatic differentiation on numpy, with PyTorch's API.

``import tinygrad_edu as tg`` (or ``as torch``) and write PyTorch code.
"""

# tensor first: the ops and autograd modules import Tensor from it.
from tinygrad_edu.tensor import Size, Tensor  # isort: skip
from tinygrad_edu import autograd
from tinygrad_edu.autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from tinygrad_edu.creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from tinygrad_edu.dtypes import (
    DType,
    bool,
    double,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int8,
    int16,
    int32,
    int64,
    long,
    set_default_dtype,
    short,
    uint8,
)
from tinygrad_edu.dtypes import int as int  # noqa: PLC0414 - PyTorch's alias for int32
from tinygrad_edu.functions import (
    abs,
    add,
    allclose,
    amax,
    amin,
    argmax,
    argmin,
    cat,
    chunk,
    clamp,
    clip,
    concat,
    cos,
    div,
    dot,
    equal,
    exp,
    flatten,
    heaviside,
    is_tensor,
    isfinite,
    isnan,
    log,
    log1p,
    log_softmax,
    logsumexp,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    neg,
    norm,
    numel,
    outer,
    permute,
    pow,
    reciprocal,
    relu,
    reshape,
    rsqrt,
    sigmoid,
    sign,
    sin,
    softmax,
    split,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    sub,
    sum,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)
from tinygrad_edu.random import manual_seed
from tinygrad_edu.device import device, get_default_device, set_default_device
from tinygrad_edu import accelerator, backends, cuda
from tinygrad_edu.compat import (  # legacy names of old tutorials (and Tensor's device methods)
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from tinygrad_edu import optim  # after Tensor and the functions it uses
from tinygrad_edu import nn  # after Tensor and the functions it uses
from tinygrad_edu import datasets, utils
from tinygrad_edu.serialization import load, save
from tinygrad_edu.torch_alias import install_as_torch

dtype = DType
__version__ = "0.1.0"
