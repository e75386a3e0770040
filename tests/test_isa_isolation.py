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
import bisect
import os
import re
import shutil
import subprocess

import pytest

import tapegrad

LIB = os.path.join(os.path.dirname(tapegrad.__file__), "libtapegrad_kernels.so")
ISA_NAME = re.compile(r"::avx2::|\[clone \.(avx|arch_)|vmath::avx512_set|vmath::avx2_set")
WIDE = re.compile(r"%[yz]mm\d")
INSN = re.compile(r"^\s+([0-9a-f]+):\s")


def _wide_addresses():
    """Sorted addresses of the instructions that use ymm/zmm registers."""
    out = subprocess.run(["objdump", "-d", "--no-show-raw-insn", LIB], capture_output=True,
                         text=True, check=True).stdout
    return sorted(int(m.group(1), 16) for line in out.splitlines()
                  if WIDE.search(line) and (m := INSN.match(line)))


def _symbols():
    """(address, size, binding letter, demangled name) of the defined text symbols: the full
    symbol table, or the dynamic one when the library is stripped (as the wheel's is), which
    holds every global and weak function."""
    for flags in (["-S", "-C", "--defined-only"], ["-D", "-S", "-C", "--defined-only"]):
        out = subprocess.run(["nm", *flags, LIB], capture_output=True, text=True).stdout
        syms = []
        for line in out.splitlines():
            parts = line.split(" ", 3)
            if len(parts) == 4 and parts[2] in "TtWwi":
                syms.append((int(parts[0], 16), int(parts[1], 16), parts[2], parts[3]))
        if syms:
            return syms
    return []


def _holds_wide(wide, addr, size):
    k = bisect.bisect_left(wide, addr)
    return k < len(wide) and wide[k] < addr + size


@pytest.mark.skipif(shutil.which("objdump") is None or shutil.which("nm") is None,
                    reason="binutils (objdump, nm) is not installed")
@pytest.mark.skipif(not os.path.exists(LIB), reason="no libtapegrad_kernels.so beside the package")
def test_shared_avx_functions_come_from_the_last_object():
    wide, syms = _wide_addresses(), _symbols()
    starts = [a for a, _, b, n in syms if "kern::avx2::" in n and b in "TW"]
    if not starts:
        pytest.skip("this build has no AVX2 copy (not x86-64 with GCC or Clang)")
    first = min(starts)
    # the AVX2 objects are the last: no other object's strong (non-inline) function follows
    after = sorted(n for a, _, b, n in syms if a > first and b == "T" and "::avx2::" not in n)
    assert after == [], after[:20]
    bad = sorted(n for a, size, b, n in syms
                 if b in "TWi" and a < first and not ISA_NAME.search(n) and _holds_wide(wide, a, size))
    assert bad == [], bad[:20]
    # the check can fail: the baseline's own wide code (the vector tables) lies before them
    assert wide and wide[0] < first
