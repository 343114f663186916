"""PySide6 6.12.0 takes a reference from True on every emit; the GUI must survive a day."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal

import ui  # noqa: F401 - importing the GUI package applies the fix


class _Sender(QObject):
    sig_plain = Signal()
    sig_value = Signal(object)


def test_emitting_and_disconnecting_leave_the_refcount_of_true_alone():
    sender = _Sender()
    before = sys.getrefcount(True)
    for _ in range(5_000):
        sender.sig_plain.emit()
        sender.sig_value.emit(1)
    for _ in range(100):
        connection = sender.sig_plain.connect(lambda: None)
        sender.sig_plain.disconnect(connection)
    # the bug would take 10,100 references; unrelated code may hold a few meanwhile
    assert abs(sys.getrefcount(True) - before) < 50
