"""While the server cannot be reached, the queue and the shown case say how old they are."""

from __future__ import annotations

from datetime import timedelta

from pytestqt.qtbot import QtBot

from tests.conftest import FIXED_NOW
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS


def test_queue_and_detail_show_when_they_were_last_fetched_while_the_server_is_gone(
        database, worker, make_window, qtbot: QtBot) -> None:
    item_id = register_simple(database, worker, now=FIXED_NOW).item_ids[0]
    window = make_window(worker)
    with qtbot.waitSignal(window.detail.sig_loaded, timeout=WAIT_MS):
        window.select_item(item_id)
    assert not window.queue_age.isVisible() and not window.detail_age.isVisible()

    window.change_feed.sig_connection.emit(False)
    assert window.queue_age.isVisible() and window.detail_age.isVisible()
    # the window's clock: 09.30 UTC is 10.30 in Stockholm
    assert window.queue_age.text() == "Senast hämtad kl. 10.30 (nyss)"
    assert window.detail_age.text() == "Senast hämtad kl. 10.30 (nyss)"
    later = FIXED_NOW + timedelta(minutes=12)
    assert window.queue_age.text_at(later) == "Senast hämtad kl. 10.30 (för 12 minuter sedan)"
    assert window.queue_age.text_at(FIXED_NOW + timedelta(minutes=1)).endswith(
        "(för 1 minut sedan)")
    assert window.queue_age.text_at(FIXED_NOW + timedelta(days=1)).startswith(
        "Senast hämtad 24 november 2026 kl. 10.30")

    window.change_feed.sig_connection.emit(True)
    assert not window.queue_age.isVisible() and not window.detail_age.isVisible()
