"""nn: modules, losses, initialisation, optimisers, data and training on autograd_core.

Imports only ``autograd_core``. Names follow PyTorch's ``torch.nn``.
"""
from . import data, functional, init, metrics, models, optim, plots, regularization, utils
from .activation import (
    CELU,
    ELU,
    GELU,
    GLU,
    SELU,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    PReLU,
    ReLU,
    ReLU6,
    RReLU,
    Sigmoid,
    Sign,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Step,
    Tanh,
    Tanhshrink,
    Threshold,
)
from .adaptive_max_pool import AdaptiveMaxPool1d, AdaptiveMaxPool2d
from .attention import MultiheadAttention
from .channel_shuffle import ChannelShuffle
from .checkpoint import CheckpointError, load_checkpoint, save_checkpoint
from .containers import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .distance import CosineSimilarity, PairwiseDistance
from .dropout import AlphaDropout, Dropout, GaussianNoise
from .dropout2d import Dropout1d, Dropout2d
from .embedding import Embedding
from .fold import Fold, Unfold
from .group_norm import GroupNorm
from .instance_norm import InstanceNorm1d, InstanceNorm2d
from .linear import Bilinear, Flatten, Identity, Linear
from .local_response_norm import LocalResponseNorm
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CosineEmbeddingLoss,
    CrossEntropyLoss,
    GaussianNLLLoss,
    HingeEmbeddingLoss,
    HingeLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    MSELoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    NLLLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
    TripletMarginLoss,
)
from .module import Module, StateDictError
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from .padding import (
    ConstantPad1d,
    ConstantPad2d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReplicationPad1d,
    ReplicationPad2d,
    ZeroPad1d,
    ZeroPad2d,
)
from .parameter import Parameter
from .pixel_shuffle import PixelShuffle, PixelUnshuffle
from .pooling import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, LPPool2d, MaxPool1d, MaxPool2d
from .regularization import l1_penalty, l2_penalty
from .rms_norm import RMSNorm
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from .training import EarlyStopping, History, fit
from .transformer import (
    Transformer,
    TransformerDecoder,
    TransformerDecoderLayer,
    TransformerEncoder,
    TransformerEncoderLayer,
)
from .unflatten import Unflatten
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d

# One line per area, so that additions rarely touch the same line.
__all__ = [
    "Module", "Parameter", "StateDictError", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Linear", "Identity", "Flatten", "Embedding", "Bilinear", "ChannelShuffle",
    "ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh", "Softplus", "Softmax", "LogSoftmax", "Sign", "Step",
    "SiLU", "Mish", "ReLU6", "Hardtanh", "Hardswish", "Hardsigmoid", "LogSigmoid", "Softsign", "SELU", "CELU",
    "Softmin", "GLU", "Threshold", "Tanhshrink", "PReLU", "Hardshrink", "Softshrink", "RReLU",
    "MSELoss", "L1Loss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "MultiMarginLoss", "HingeLoss",
    "SmoothL1Loss", "HuberLoss", "KLDivLoss", "CosineEmbeddingLoss", "CosineSimilarity", "PairwiseDistance",
    "MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss", "MultiLabelSoftMarginLoss", "TripletMarginLoss",
    "PoissonNLLLoss", "GaussianNLLLoss",
    "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "GroupNorm", "RMSNorm",
    "InstanceNorm1d", "InstanceNorm2d", "LocalResponseNorm",
    "PixelShuffle", "PixelUnshuffle", "Unflatten",
    "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad2d", "ReplicationPad2d",
    "ZeroPad1d", "ReflectionPad1d", "ReplicationPad1d",
    "Dropout", "GaussianNoise", "Dropout2d", "BatchNorm1d", "BatchNorm2d", "LayerNorm", "l1_penalty", "l2_penalty",
    "Dropout1d", "AlphaDropout",
    "Conv1d", "Conv2d", "ConvTranspose2d", "ConvTranspose1d", "Fold", "Unfold",
    "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "LPPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
    "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU",
    "MultiheadAttention", "Transformer", "TransformerEncoder", "TransformerDecoder",
    "TransformerEncoderLayer", "TransformerDecoderLayer",
    "fit", "History", "EarlyStopping", "save_checkpoint", "load_checkpoint", "CheckpointError",
    "init", "data", "functional", "metrics", "models", "optim", "plots", "regularization", "utils",
    "modules", "parameter",
]

from autograd_core.unsupported import missing_attribute as _missing_attribute  # noqa: E402

from . import modules, parameter  # noqa: E402  (last: nn.modules lists the layers imported above)


def __getattr__(name: str) -> object:
    """PyTorch's nn names this project lacks fail naming what to use instead (``autograd_core/unsupported.py``)."""
    raise _missing_attribute(__name__, name)
