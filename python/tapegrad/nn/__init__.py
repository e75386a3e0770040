"""tapegrad.nn: Module and the layers, Parameter/Buffer, init and the functional API, laid out
as torch.nn."""
from . import functional, init, utils  # noqa: F401
from .parameter import Buffer, Parameter
from .modules import *  # noqa: F401,F403
from .modules import __all__ as _modules_all
from . import modules  # noqa: F401

__all__ = ["functional", "init", "utils", "modules", "Parameter", "Buffer"] + list(_modules_all)
