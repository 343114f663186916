"""A work-around for a reference-counting bug in PySide6 6.12.0.

`SignalInstance.emit()` and `SignalInstance.disconnect()` return a bool without owning a
reference to it, so every call from Python takes one reference away from `True`. After a
few thousand emits (a day of periodic refreshes) the interpreter aborts with
"Fatal Python error: bool_dealloc". A probe at import shows whether the installed PySide6
has the bug; only then are the two methods wrapped to give the reference back.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, SignalInstance

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    sig = Signal()


def _steals_true(call: Callable[[], Any]) -> bool:
    before = sys.getrefcount(True)
    result = call()
    del result
    stolen = sys.getrefcount(True) < before
    if stolen:
        _incref(True)  # give back what the probe itself took
    return stolen


def _owning(method: Callable[..., Any]) -> Callable[..., Any]:
    def call(self: SignalInstance, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        if isinstance(result, bool):
            _incref(result)
        return result

    call.__name__ = method.__name__
    call.__doc__ = method.__doc__
    return call


def apply() -> None:
    """Wrap the affected methods if (and only if) this PySide6 has the bug."""
    if getattr(SignalInstance, "_mottagning_fixed", False):
        return
    probe = _Probe()
    if _steals_true(probe.sig.emit):
        SignalInstance.emit = _owning(SignalInstance.emit)
    connection = probe.sig.connect(lambda: None)
    if _steals_true(lambda: probe.sig.disconnect(connection)):
        SignalInstance.disconnect = _owning(SignalInstance.disconnect)
    SignalInstance._mottagning_fixed = True
