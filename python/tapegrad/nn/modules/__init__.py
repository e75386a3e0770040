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
from .padding import ConstantPad1d, ConstantPad2d, ZeroPad1d, ZeroPad2d
from .loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss

__all__ = ["Module", "Identity", "Linear", "GELU", "LogSoftmax", "ReLU", "Sigmoid", "SiLU",
           "Softmax", "Softmin", "Softplus", "Tanh", "ModuleDict", "ModuleList", "Sequential",
           "Conv2d", "MaxPool2d", "LayerNorm", "Embedding", "Dropout", "Flatten", "Unflatten",
           "ConstantPad1d", "ConstantPad2d", "ZeroPad1d", "ZeroPad2d", "BCELoss",
           "BCEWithLogitsLoss", "CrossEntropyLoss", "L1Loss", "MSELoss", "NLLLoss"]
