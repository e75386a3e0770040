"""tapegrad.nn.modules: the layer classes, laid out as torch.nn.modules (module, linear,
activation, container, conv, pooling, padding, normalization, sparse, dropout, flatten, loss)."""
from .module import Module
from .linear import Identity, Linear
from .activation import (GELU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Softmin, Softplus,
                         Tanh)
from .container import ModuleDict, ModuleList, Sequential
from .conv import Conv2d
from .pooling import MaxPool2d
from .normalization import LayerNorm
from .sparse import Embedding
from .dropout import Dropout
from .flatten import Flatten, Unflatten
from .padding import (CircularPad1d, CircularPad2d, CircularPad3d, ConstantPad1d,
                      ConstantPad2d, ConstantPad3d, ReflectionPad1d, ReflectionPad2d,
                      ReflectionPad3d, ReplicationPad1d, ReplicationPad2d, ReplicationPad3d,
                      ZeroPad1d, ZeroPad2d, ZeroPad3d)
# normalisation, pooling, conv1d (helper N's block)
from .batchnorm import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d,
                        InstanceNorm3d)
from .normalization import GroupNorm, RMSNorm
from .pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d,
                      AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, MaxPool1d)
from .conv import Conv1d, ConvTranspose2d
from .activation_attention import MultiheadAttention
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss

__all__ = ["Module", "Identity", "Linear", "GELU", "LogSoftmax", "ReLU", "Sigmoid", "SiLU",
           "Softmax", "Softmin", "Softplus", "Tanh", "ModuleDict", "ModuleList", "Sequential",
           "Conv2d", "MaxPool2d", "LayerNorm", "Embedding", "Dropout", "Flatten", "Unflatten",
           "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
           "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d",
           "CircularPad3d", "BCELoss",
           "BCEWithLogitsLoss", "CrossEntropyLoss", "L1Loss", "MSELoss", "NLLLoss"]

# activations with arguments, extra losses, distances
from .activation import (CELU, ELU, GLU, SELU, Hardshrink, Hardsigmoid, Hardswish,  # noqa: E402
                         Hardtanh, LeakyReLU, LogSigmoid, Mish, PReLU, ReLU6, Softshrink,
                         Softsign, Tanhshrink, Threshold)
from .loss import (CosineEmbeddingLoss, GaussianNLLLoss, HingeEmbeddingLoss,  # noqa: E402
                   HuberLoss, KLDivLoss, MarginRankingLoss, PoissonNLLLoss, SmoothL1Loss,
                   SoftMarginLoss, TripletMarginLoss)
from .distance import CosineSimilarity, PairwiseDistance  # noqa: E402

__all__ += ["CELU", "ELU", "GLU", "SELU", "Hardshrink", "Hardsigmoid", "Hardswish", "Hardtanh",
            "LeakyReLU", "LogSigmoid", "Mish", "PReLU", "ReLU6", "Softshrink", "Softsign",
            "Tanhshrink", "Threshold", "CosineEmbeddingLoss", "GaussianNLLLoss",
            "HingeEmbeddingLoss", "HuberLoss", "KLDivLoss", "MarginRankingLoss",
            "PoissonNLLLoss", "SmoothL1Loss", "SoftMarginLoss", "TripletMarginLoss",
            "CosineSimilarity", "PairwiseDistance"]

__all__ += ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "InstanceNorm1d", "InstanceNorm2d",
            "InstanceNorm3d", "GroupNorm", "RMSNorm", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
            "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AvgPool1d", "AvgPool2d", "MaxPool1d",
            "Conv1d", "RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell",
            "GRUCell", "MultiheadAttention", "ConvTranspose2d"]

# parameter holders and smaller layers composed from existing ops (extra.py)
from .extra import *  # noqa: E402,F401,F403
from .extra import __all__ as _extra_all  # noqa: E402
__all__ += _extra_all

# the remaining torch.nn layers (helper N, seventh session): transformer, ...
from .transformer import (Transformer, TransformerDecoder, TransformerDecoderLayer,  # noqa: E402
                          TransformerEncoder, TransformerEncoderLayer)

from .conv_more import Conv3d, ConvTranspose1d, ConvTranspose3d  # noqa: E402
from .pooling_more import (AdaptiveAvgPool3d, AdaptiveMaxPool3d, AvgPool3d, Fold,  # noqa: E402
                           LPPool1d, LPPool2d, LPPool3d, MaxPool3d, MaxUnpool1d, MaxUnpool2d,
                           MaxUnpool3d, Unfold)

__all__ += ["Transformer", "TransformerEncoder", "TransformerDecoder",
            "TransformerEncoderLayer", "TransformerDecoderLayer", "Conv3d", "ConvTranspose1d",
            "ConvTranspose3d", "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d",
            "AdaptiveMaxPool3d", "LPPool1d", "LPPool2d", "LPPool3d", "MaxUnpool1d",
            "MaxUnpool2d", "MaxUnpool3d", "Fold", "Unfold"]
from .more_layers import (AlphaDropout, ChannelShuffle, EmbeddingBag,  # noqa: E402
                          FeatureAlphaDropout, LocalResponseNorm, MultiLabelMarginLoss,
                          MultiLabelSoftMarginLoss, MultiMarginLoss, RReLU,
                          TripletMarginWithDistanceLoss, CTCLoss, NLLLoss2d, Container,
                          SyncBatchNorm)
from .pooling_more import FractionalMaxPool2d, FractionalMaxPool3d  # noqa: E402
from .adaptive import AdaptiveLogSoftmaxWithLoss  # noqa: E402
from .parallel import DataParallel  # noqa: E402
from .crossmap_lrn import CrossMapLRN2d  # noqa: E402
__all__ += ["RReLU", "AlphaDropout", "FeatureAlphaDropout", "ChannelShuffle",
            "LocalResponseNorm", "EmbeddingBag", "MultiMarginLoss", "MultiLabelMarginLoss",
            "MultiLabelSoftMarginLoss", "TripletMarginWithDistanceLoss", "CTCLoss", "NLLLoss2d",
            "Container", "FractionalMaxPool2d", "FractionalMaxPool3d",
            "AdaptiveLogSoftmaxWithLoss", "SyncBatchNorm", "DataParallel", "CrossMapLRN2d"]
from .lazy import *  # noqa: E402,F401,F403
from .lazy import __all__ as _lazy_all  # noqa: E402
__all__ += _lazy_all
from .linear_cross_entropy import LinearCrossEntropyLoss  # noqa: E402
__all__ += ["LinearCrossEntropyLoss"]
