"""tapegrad.accelerator and tapegrad.backends against torch.accelerator / torch.backends: the
device-selection idioms of torch's tutorials, availability queries, and the errors torch raises
when no accelerator is usable. With a GPU, the accelerator calls are checked against
tapegrad.cuda (and torch's CUDA build where there is one)."""
import pytest

torch = pytest.importorskip("torch")
import tapegrad  # noqa: E402
from tapegrad import _C  # noqa: E402

HAS_GPU = tapegrad.cuda.is_available()
gpu = pytest.mark.skipif(not HAS_GPU, reason="no usable GPU: tapegrad.cuda.is_available() is False")
no_gpu = pytest.mark.skipif(HAS_GPU, reason="checks the no-accelerator errors")
NONE_MSG = "Cannot access accelerator device when none is available."


def _quickstart_device(lib):
    # PyTorch's Quickstart tutorial, verbatim but for the module
    return lib.accelerator.current_accelerator().type if lib.accelerator.is_available() else "cpu"


def test_quickstart_device_selection():
    dev = _quickstart_device(tapegrad)
    assert dev == ("cuda" if HAS_GPU else "cpu")
    x = tapegrad.ones(3, device=dev)
    assert x.device.type == dev
    if not (HAS_GPU or torch.accelerator.is_available()):
        assert dev == _quickstart_device(torch)


def test_availability_matches_build():
    assert tapegrad.accelerator.is_available() == HAS_GPU
    assert tapegrad.accelerator.device_count() == tapegrad.cuda.device_count()
    cur = tapegrad.accelerator.current_accelerator()
    if _C._cuda_built:
        # a CUDA build names CUDA even without a GPU, as torch's CUDA build does
        assert cur == tapegrad.device("cuda")
        assert (tapegrad.accelerator.current_accelerator(check_available=True) is None) == (not HAS_GPU)
    else:
        assert cur is None
        assert tapegrad.accelerator.current_accelerator(True) is None
        assert cur == torch.accelerator.current_accelerator()


CALLS = [
    "current_device_index()", "current_device_idx()", "set_device_index(0)", "set_device_idx(0)",
    "current_stream()",
    "synchronize()", "synchronize(0)", "empty_cache()", "memory_allocated()",
    "max_memory_allocated()", "memory_reserved()", "max_memory_reserved()", "memory_stats()",
    "reset_peak_memory_stats()", "reset_accumulated_memory_stats()", "get_memory_info()",
    "get_device_capability()", "device_index(0).__enter__()",
]


@no_gpu
@pytest.mark.parametrize("call", CALLS)
def test_no_accelerator_errors_like_torch(call):
    if torch.accelerator.is_available():
        pytest.skip("torch has an accelerator here: its errors differ")
    import warnings
    with warnings.catch_warnings(record=True) as wt, pytest.raises(RuntimeError) as et:
        warnings.simplefilter("always")
        eval("torch.accelerator." + call)
    with warnings.catch_warnings(record=True) as wg, pytest.raises(RuntimeError) as eg:
        warnings.simplefilter("always")
        eval("tapegrad.accelerator." + call)
    assert str(eg.value) == str(et.value) == NONE_MSG
    # the deprecated *_idx names warn as torch's do
    assert [(w.category, str(w.message)) for w in wg] == [(w.category, str(w.message)) for w in wt]


def test_device_index_none_is_noop():
    with tapegrad.accelerator.device_index(None) as r:
        assert r is None
    with torch.accelerator.device_index(None) as r:
        assert r is None


@gpu
def test_accelerator_on_gpu():
    A = tapegrad.accelerator
    assert A.current_device_index() == tapegrad.cuda.current_device()
    A.set_device_index(0)
    A.set_device_index("cuda:0")
    assert A.current_device_index() == 0
    with A.device_index(0):
        assert A.current_device_index() == 0
    x = tapegrad.ones(1 << 20, device="cuda")
    A.synchronize()
    assert A.memory_allocated() >= x.numel() * 4
    assert A.max_memory_allocated() >= A.memory_allocated()
    assert A.memory_allocated("cuda:0") == tapegrad.cuda.memory_allocated(0)
    free, total = A.get_memory_info()
    assert 0 < free <= total
    assert tapegrad.float32 in A.get_device_capability()["supported_dtypes"]
    s = A.current_stream()
    A.set_stream(s)
    with pytest.raises(ValueError, match="doesn't match the current accelerator"):
        A.memory_allocated("cpu")
    del x
    A.empty_cache()


def test_backends_queries_like_torch():
    B, T = tapegrad.backends, torch.backends
    assert B.mps.is_available() == T.mps.is_available() is False
    assert B.mps.is_built() is False
    assert B.cudnn.is_available() is False and B.cudnn.version() is None
    assert B.openmp.is_available() is True  # the CI and wheel builds have OpenMP
    assert B.cuda.is_built() == bool(_C._cuda_built)
    assert B.mkl.is_available() is False and B.mkldnn.is_available() is False
    # torch's defaults for the flags scripts set
    assert (B.cudnn.enabled, B.cudnn.benchmark, B.cudnn.deterministic) == \
        (T.cudnn.enabled, T.cudnn.benchmark, T.cudnn.deterministic)
    assert B.cuda.matmul.allow_tf32 == T.cuda.matmul.allow_tf32
    B.cudnn.benchmark = True  # accepted, as in torch scripts
    B.cudnn.benchmark = False
    B.cuda.matmul.allow_tf32 = False
    with pytest.raises(AttributeError, match="Unknown attribute allow_tf33"):
        B.cuda.matmul.allow_tf33 = True
    with pytest.raises(AttributeError, match="Unknown attribute allow_tf33"):
        T.cuda.matmul.allow_tf33 = True


def test_cpu_capability_follows_vmath_table():
    """get_cpu_capability names the kernel table in use; each TAPEGRAD_VMATH choice in a fresh
    process (the table is picked once), checked against the CPU's own flags."""
    import subprocess
    import sys
    flags = open("/proc/cpuinfo").read() if sys.platform.startswith("linux") else ""
    has512 = " avx512f" in flags and " avx512bw" in flags
    has2 = " avx2" in flags and " fma" in flags
    want = {"": "AVX512" if has512 else "AVX2" if has2 else "DEFAULT",
            "avx2": "AVX2" if has2 else ("AVX512" if has512 else "DEFAULT"),
            "generic": "DEFAULT"}
    if not flags or sys.maxsize < 2**32:
        pytest.skip("needs Linux x86-64 flags to predict the table")
    import os
    for env, expect in want.items():
        e = dict(os.environ, TAPEGRAD_VMATH=env)
        out = subprocess.run([sys.executable, "-c", "import tapegrad; print("
                              "tapegrad.backends.cpu.get_cpu_capability())"], env=e,
                             capture_output=True, text=True, check=True).stdout.strip()
        assert out == expect, env
    if has512:
        # torch picks AVX512 here too (its own dispatch, same flags)
        assert torch.backends.cpu.get_cpu_capability() in ("AVX512", "AVX2")
