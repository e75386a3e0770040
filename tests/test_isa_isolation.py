"""The instruction-set copies stay behind their CPU checks (Note [ISA copies of the generic
loops] in lib/cpu/isa_dispatch.cpp). The AVX2 copies of elementwise.cpp and copy.cpp emit, besides its
own namespace's functions, the inline functions and template instantiations it shares with the
baseline code (Tensor's accessors, cpu::map2<float, float, fn::MaximumF<float>>, std::
templates), compiled for AVX2. The linker keeps the first copy of each it meets, so the AVX2
object must be linked last: then a shared function keeps the AVX2 body only where no other object
emitted it, i.e. where only the AVX2 copy calls it. Were the order to change, the baseline's calls
would reach AVX2 code and the library would die with SIGILL on a CPU without AVX2, which this
machine cannot show by running it.

The linker lays out .text in link order, so the check reads the library's symbols and
disassembly: no strong function of another object lies after the AVX2 object's first function,
and every global or weak function holding AVX instructions that is not deliberately instruction-set code
(an `avx2` namespace, a target clone, the vector tables' getters) lies after the start of the
AVX2 object's code. Local functions (anonymous namespaces, lambdas, compiler clones) cannot be
called from another object and are not checked."""
import os
import re
import shutil
import subprocess

import pytest

import tapegrad

LIB = os.path.join(os.path.dirname(tapegrad.__file__), "libtapegrad_kernels.so")
ISA_NAME = re.compile(r"::avx2::|\[clone \.(avx|arch_)|vmath::avx512_set|vmath::avx2_set")
WIDE = re.compile(r"%[yz]mm\d")
HEAD = re.compile(r"^([0-9a-f]+) <(.+)>:$")


def _wide_functions():
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", LIB], capture_output=True,
                         text=True, check=True).stdout
    wide, addr = set(), None
    for line in out.splitlines():
        m = HEAD.match(line)
        if m:
            addr = int(m.group(1), 16)
        elif addr is not None and WIDE.search(line):
            wide.add(addr)
    return wide


def _symbols():
    """address -> (binding letter, demangled name) for the defined text symbols"""
    out = subprocess.run(["nm", "-C", "--defined-only", LIB], capture_output=True, text=True,
                         check=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in "TtWwi":
            syms.setdefault(int(parts[0], 16), (parts[1], parts[2]))
    return syms


@pytest.mark.skipif(shutil.which("objdump") is None or shutil.which("nm") is None,
                    reason="binutils (objdump, nm) is not installed")
@pytest.mark.skipif(not os.path.exists(LIB), reason="no libtapegrad_kernels.so beside the package")
def test_shared_avx_functions_come_from_the_last_object():
    wide, syms = _wide_functions(), _symbols()
    starts = [a for a, (b, n) in syms.items() if "kern::avx2::" in n and b in "TW"]
    if not starts:
        pytest.skip("this build has no AVX2 copy (not x86-64 with GCC or Clang)")
    first = min(starts)
    # the AVX2 object is the last: no other object's strong (non-inline) function follows it
    after = sorted(n for a, (b, n) in syms.items() if a > first and b == "T" and "::avx2::" not in n)
    assert after == [], after[:20]
    bad = sorted(n for a, (b, n) in syms.items()
                 if a in wide and b in "TWi" and not ISA_NAME.search(n) and a < first)
    assert bad == [], bad[:20]
    # the check can fail: the baseline's own wide functions (the vector tables) lie before it
    assert any(a < first for a in wide)
