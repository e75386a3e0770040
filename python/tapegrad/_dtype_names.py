"""The names torch's error messages give dtypes: the legacy scalar-type names ("Float",
"Long", ...) and the C++ type names some checks print ("float", "long int", ...)."""

_LEGACY = {"float16": "Half", "bfloat16": "BFloat16", "float32": "Float", "float64": "Double",
           "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
           "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}
_CTYPE = {"int64": "long int", "float32": "float", "float64": "double", "int32": "int",
          "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
          "float16": "c10::Half", "bfloat16": "c10::BFloat16", "bool": "bool"}


def _short(dtype):
    return str(dtype).replace("torch.", "").replace("tapegrad.", "")


def type_name(dtype):
    """torch's legacy scalar-type name: float32 -> 'Float', int64 -> 'Long'."""
    return _LEGACY.get(_short(dtype), str(dtype))


def c_type_name(dtype):
    """The C++ type torch prints in some dtype checks: float32 -> 'float'."""
    return _CTYPE.get(_short(dtype), _short(dtype))
