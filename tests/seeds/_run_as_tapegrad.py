"""Run a seed script with the module under test installed as `torch`.

Usage: python _run_as_tapegrad.py SCRIPT. `import torch` (and torch.xxx submodules) inside the
script then resolve to tapegrad, or to torch itself when TAPEGRAD_TEST_BACKEND=torch.
"""
import os
import runpy
import sys

_TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _install_as_torch():
    sys.path.insert(0, _TESTS)
    try:
        from conftest import backend_name, tg
    finally:
        sys.path.remove(_TESTS)
    tapegrad = tg()
    prefix = backend_name()
    sys.modules["torch"] = tapegrad
    for name, mod in list(sys.modules.items()):
        if name.startswith(prefix + "."):
            sys.modules["torch" + name[len(prefix):]] = mod


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: _run_as_tapegrad.py SCRIPT")
    script = os.path.abspath(sys.argv[1])
    _install_as_torch()
    sys.argv = [script]
    sys.path[0] = os.path.dirname(script)
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
