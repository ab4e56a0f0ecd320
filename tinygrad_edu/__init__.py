"""tinygrad_edu: reverse-mode automatic differentiation on numpy, with PyTorch's API.

``import tinygrad_edu as tg`` (or ``as torch``) and write PyTorch code.
"""

# tensor first: the ops and autograd modules import Tensor from it.
from tinygrad_edu.tensor import Size, Tensor  # isort: skip
# The op families that attach their thin methods to Tensor (x.sum, x.floor, x.gather ...).
from tinygrad_edu.ops import inplace_methods, pointwise, reduce_methods  # isort: skip  # noqa: F401
from tinygrad_edu.ops.counting import (  # isort: skip
    allclose, bincount, histc, histogram, isclose, unique,
)
from tinygrad_edu.ops.einsum import einsum  # isort: skip
from tinygrad_edu.ops.reduce_methods import (  # isort: skip
    median, nanmean, nansum, std_mean, var_mean,
)
from tinygrad_edu.ops.pointwise import acos, arccos, arcsin, asin, cosh, sinh  # isort: skip
from tinygrad_edu.ops.indexing import (  # isort: skip
    gather, index_select, masked_fill, scatter, scatter_add, take_along_dim,
)
from tinygrad_edu.ops.logical import (  # isort: skip
    argwhere, count_nonzero, eq, ge, greater, greater_equal, gt, isinf, isneginf, isposinf,
    bitwise_and, bitwise_not, bitwise_or, bitwise_xor,
    le, less, less_equal, logical_and, logical_not, logical_or, logical_xor, lt, masked_select,
    ne, nonzero, not_equal, signbit,
)
from tinygrad_edu.ops.rearrange import (  # isort: skip
    broadcast_to, clone, diag, diagonal, flip, fliplr, flipud, meshgrid, moveaxis, movedim,
    narrow, ravel, repeat_interleave, roll, swapaxes, swapdims, t, tile, trace, tril, triu,
    unbind,
)
from tinygrad_edu.ops.scan import cumprod, cumsum  # isort: skip
from tinygrad_edu.ops.sorting import argsort, sort, topk  # isort: skip
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
    all,
    amax,
    amin,
    any,
    arctan,
    argmax,
    argmin,
    atan,
    bmm,
    cat,
    ceil,
    chunk,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    concat,
    concatenate,
    cos,
    div,
    divide,
    dot,
    equal,
    exp,
    exp2,
    expm1,
    fix,
    flatten,
    floor,
    floor_divide,
    fmod,
    frac,
    heaviside,
    is_tensor,
    isfinite,
    isnan,
    log,
    log10,
    log1p,
    log2,
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
    prod,
    reciprocal,
    relu,
    remainder,
    reshape,
    round,
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
    tan,
    tanh,
    transpose,
    true_divide,
    trunc,
    unsqueeze,
    var,
    where,
)
from tinygrad_edu.ops.random import (
    bernoulli,
    multinomial,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
)
from tinygrad_edu.random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)
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
from tinygrad_edu.compiler import compile  # noqa: A004 - PyTorch's name (tg.compile)
from tinygrad_edu.torch_alias import install_as_torch

dtype = DType
__version__ = "0.1.0"
