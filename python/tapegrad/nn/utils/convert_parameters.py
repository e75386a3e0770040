"""nn.utils.parameters_to_vector / vector_to_parameters: flatten parameters into one vector
and write such a vector back (torch's argument checks and wording)."""
from ... import _C

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    return _C.cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    if not isinstance(vec, _C.Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        # Like torch: rebinds .data to a view of vec (no copy, no autograd record).
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n
