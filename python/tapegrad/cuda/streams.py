"""tapegrad.cuda.Stream / Event / stream(): torch.cuda's stream and event API.

tapegrad launches every kernel on the legacy default stream of its device, and the streams made
here are *blocking* ones (Note [tapegrad streams] in include/tapegrad/core/cuda_streams.h): work
inside `with tapegrad.cuda.stream(s):` stays correctly ordered with everything else, and events
time the work queued before them, but streams do not overlap. The current stream is tracked per
thread and device, so current_stream(), Event.record() and the DLPack handshake see what torch
code expects. Without a CUDA build the constructors raise torch's errors.
"""
import threading

from .. import _C

__all__ = ["Stream", "ExternalStream", "Event", "StreamContext", "stream", "current_stream",
           "default_stream", "set_stream"]

_local = threading.local()


def _current_map():
    m = getattr(_local, "streams", None)
    if m is None:
        m = _local.streams = {}
    return m


def _device_index(device):
    from . import _index, _lazy_init
    _lazy_init()
    return _index(device)


class Stream:
    """A CUDA stream on `device` (the current device by default); priority as in CUDA (lower
    numbers run first, 0 the default)."""

    def __init__(self, device=None, priority=0, **kwargs):
        if not _C._cuda_built:
            raise RuntimeError("torch.cuda.Stream requires CUDA support")
        self._device = _device_index(device)
        self._owned = False
        if "stream_id" in kwargs or "stream_ptr" in kwargs:  # internal: wrap a handle
            self.cuda_stream = int(kwargs.get("stream_ptr", kwargs.get("stream_id")))
            self.priority = 0
            return
        self.priority = int(priority)
        self.cuda_stream = _C._cuda_streamCreate(self._device, self.priority)
        self._owned = True

    @property
    def device(self):
        from .._tensor import device
        return device("cuda", self._device)

    def wait_event(self, event):
        """Make later work on this stream wait for `event`."""
        if event._handle:
            _C._cuda_streamWaitEvent(self.cuda_stream, event._handle, self._device)

    def wait_stream(self, stream):
        """Make later work on this stream wait for the work queued on `stream` so far."""
        self.wait_event(stream.record_event())

    def record_event(self, event=None):
        if event is None:
            event = Event()
        event.record(self)
        return event

    def query(self):
        """True when all the work queued on this stream has finished."""
        return _C._cuda_streamQuery(self.cuda_stream, self._device)

    def synchronize(self):
        """Wait for all the work queued on this stream."""
        _C._cuda_streamSynchronize(self.cuda_stream, self._device)

    @property
    def _as_parameter_(self):
        import ctypes
        return ctypes.c_void_p(self.cuda_stream)

    def __eq__(self, other):
        return (isinstance(other, Stream) and self.cuda_stream == other.cuda_stream
                and self._device == other._device)

    def __hash__(self):
        return hash((self.cuda_stream, self._device))

    def __repr__(self):
        return f"<torch.cuda.Stream device={self.device} cuda_stream={self.cuda_stream:#x}>"

    def __del__(self):
        if getattr(self, "_owned", False):
            try:
                _C._cuda_streamDestroy(self.cuda_stream, self._device)
            except Exception:  # noqa: BLE001 - interpreter teardown
                pass


class ExternalStream(Stream):
    """Wraps a stream made elsewhere (a cudaStream_t as an integer); never destroyed here."""

    def __init__(self, stream_ptr, device=None, **kwargs):
        super().__init__(device, stream_ptr=stream_ptr)


def _wrap(handle, index):
    return Stream(index, stream_id=handle)


class Event:
    """A CUDA event, created on first record() on the recording stream's device."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False, external=False):
        if not _C._cuda_built:
            raise RuntimeError("Tried to instantiate dummy base class Event")
        self.enable_timing = bool(enable_timing)
        self.blocking = bool(blocking)
        self.interprocess = bool(interprocess)
        self._handle = 0
        self._device = -1

    @property
    def cuda_event(self):
        return self._handle

    @property
    def device(self):
        from .._tensor import device
        return None if self._device < 0 else device("cuda", self._device)

    def record(self, stream=None):
        """Record the event on `stream` (the current stream by default)."""
        if stream is None:
            stream = current_stream()
        if not self._handle:
            self._device = stream._device
            self._handle = _C._cuda_eventCreate(self._device, self.enable_timing, self.blocking,
                                                self.interprocess)
        elif self._device != stream._device:
            raise RuntimeError(f"Event device {self._device} does not match recording stream's "
                               f"device {stream._device}.")
        _C._cuda_eventRecord(self._handle, stream.cuda_stream, self._device)

    def wait(self, stream=None):
        """Make later work on `stream` (the current one by default) wait for this event."""
        if stream is None:
            stream = current_stream()
        stream.wait_event(self)

    def query(self):
        """True when the work recorded before this event has finished (or it was never recorded)."""
        return True if not self._handle else _C._cuda_eventQuery(self._handle, self._device)

    def elapsed_time(self, end_event):
        """Milliseconds between this event and `end_event` (both recorded, timing enabled)."""
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError("Both events must be created with argument 'enable_timing=True'.")
        if not (self._handle and end_event._handle):
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        return _C._cuda_eventElapsedTime(self._handle, end_event._handle, self._device)

    def synchronize(self):
        """Wait until the work recorded before this event has finished."""
        if self._handle:
            _C._cuda_eventSynchronize(self._handle, self._device)

    def ipc_handle(self):
        raise NotImplementedError("tapegrad.cuda.Event.ipc_handle: interprocess events are not "
                                  "supported")

    @property
    def _as_parameter_(self):
        import ctypes
        return ctypes.c_void_p(self._handle)

    def __repr__(self):
        return (f"<torch.cuda.Event {self._handle:#x}>" if self._handle
                else "<torch.cuda.Event uninitialized>")

    def __del__(self):
        if getattr(self, "_handle", 0):
            try:
                _C._cuda_eventDestroy(self._handle, self._device)
            except Exception:  # noqa: BLE001 - interpreter teardown
                pass


def default_stream(device=None):
    """The legacy default stream of `device`: where tapegrad's kernels run."""
    return _wrap(0, _device_index(device))


def current_stream(device=None):
    """The stream selected for `device` on this thread (the default stream unless set)."""
    index = _device_index(device)
    s = _current_map().get(index)
    return s if s is not None else _wrap(0, index)


def set_stream(stream):
    """Select `stream` as the current stream of its device on this thread (None: no-op)."""
    if stream is None:
        return
    _current_map()[stream._device] = stream


class StreamContext:
    """`with tapegrad.cuda.stream(s):` selects `s` as the current stream of its device, and
    restores the previous one on exit. A None stream, or no usable GPU, makes it a no-op."""

    def __init__(self, stream):
        self.stream = stream
        self._prev = None

    def __enter__(self):
        from . import is_available
        s = self.stream
        if s is None or not is_available():
            return
        self._prev = _current_map().get(s._device)
        set_stream(s)
        return s

    def __exit__(self, *exc):
        from . import is_available
        s = self.stream
        if s is None or not is_available():
            return
        if self._prev is None:
            _current_map().pop(s._device, None)
        else:
            _current_map()[s._device] = self._prev


def stream(stream):
    """Context manager selecting `stream` (see StreamContext)."""
    return StreamContext(stream)
