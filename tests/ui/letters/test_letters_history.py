"""The item's letters in the detail pane: listed with status, viewed as stored, reprinted
(audited as a reprint), cancelled with a reason; the återkoppling owed is shown with its date."""

from __future__ import annotations

from pypdf import PdfReader
from PySide6.QtWidgets import QLabel, QPushButton
from sqlalchemy import select

from mottagning.letters.model import LetterKind
from mottagning.letters.profile import put_profile
from mottagning.letters.service import LetterStatus, issue_letter, mark_printed
from mottagning.models import AuditEvent
from mottagning.models.letters import IssuedLetter
from tests.core.decision_helpers import OPENED, item_in_assessment, propose, sign
from tests.core.letters.test_letters_service import PROFILE, SCHOOL
from tests.ui.conftest import WAIT_MS
from tests.ui.letters.test_letters_dialog import pdf_printer


def decided_item_with_letters(database, worker, senior, admin, now) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """A signed decision owing återkoppling; a printed återkoppling and an approved bekräftelse."""
    with database.transaction() as session:
        put_profile(session, admin, PROFILE)
    item_id = item_in_assessment(database, worker, now=now)
    sign(database, senior, propose(database, worker, item_id, OPENED, now=now), now=now)
    with database.transaction() as session:
        printed = issue_letter(session, worker, item_id, LetterKind.ATERKOPPLING, recipient_index=0,
                               reporter_address=SCHOOL, now=now).letter.id
        mark_printed(session, worker, [printed], now=now)
        approved = issue_letter(session, worker, item_id, LetterKind.BEKRAFTELSE, recipient_index=0,
                                reporter_address=SCHOOL, now=now).letter.id
    return item_id, printed, approved


def section_texts(history) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(label.text() for label in history.section.findChildren(QLabel))


def open_history(make_window, qtbot, worker, item_id):  # type: ignore[no-untyped-def]
    window = make_window(worker, extensions=("ui.letters.install",))
    history = window.extensions["ui.letters.install"].history
    with qtbot.waitSignal(history.sig_loaded, timeout=WAIT_MS):
        window.show_item(item_id)
    qtbot.waitUntil(lambda: history.section is not None and history.section.isVisible(), timeout=WAIT_MS)
    return window, history


def test_detail_pane_lists_the_items_letters_and_the_aterkoppling_owed(
    database, worker, senior, admin, now, make_window, qtbot
) -> None:
    item_id, printed, approved = decided_item_with_letters(database, worker, senior, admin, now)
    _window, history = open_history(make_window, qtbot, worker, item_id)
    text = section_texts(history)
    assert "Återkoppling till anmälaren senast 8 december 2026 (utredning har inletts)" in text
    assert "Återkoppling till anmälaren till Karin Ek" in text and "Utskrivet 24 november 2026" in text
    assert "Godkänt, ej utskrivet" in text
    buttons = {button.objectName() for button in history.section.findChildren(QPushButton)}
    assert {f"view{printed}", f"reprint{printed}", f"cancel{printed}", f"view{approved}", f"cancel{approved}"} <= buttons
    assert f"reprint{approved}" not in buttons  # never printed: it waits in the utskriftskö


def test_visa_shows_the_stored_bytes_and_reprint_is_identical_and_audited(
    database, worker, senior, admin, now, make_window, qtbot, tmp_path
) -> None:
    item_id, printed, _approved = decided_item_with_letters(database, worker, senior, admin, now)
    window, history = open_history(make_window, qtbot, worker, item_id)
    with qtbot.waitSignal(history.sig_viewer_opened, timeout=WAIT_MS) as opened:
        history.section.findChild(QPushButton, f"view{printed}").click()
    viewer = opened.args[0]
    assert viewer.parent() is window and viewer.identical
    qtbot.waitUntil(lambda: viewer.preview.page_count == 1, timeout=WAIT_MS)
    viewer.reject()

    out = tmp_path / "again.pdf"
    history.reprint(printed, printer=pdf_printer(out))
    qtbot.waitUntil(lambda: window.ops.idle and history.pdf_work.idle and out.exists(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.ops.idle, timeout=WAIT_MS)
    assert len(PdfReader(out).pages) == 1
    with database.transaction() as session:
        assert session.scalars(select(AuditEvent.entity_id).where(AuditEvent.action == "letter_reprinted")).all() \
            == [printed]
        assert session.get(IssuedLetter, printed).status == LetterStatus.PRINTED.value


def test_makulera_asks_for_a_reason_and_the_list_shows_the_letter_cancelled(
    database, worker, senior, admin, now, make_window, qtbot
) -> None:
    item_id, _printed, approved = decided_item_with_letters(database, worker, senior, admin, now)
    window, history = open_history(make_window, qtbot, worker, item_id)
    dialog = history.ask_cancel(approved)
    assert dialog.parent() is window
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    dialog.setTextValue("Skickas redan med e-post av skolan.")
    with qtbot.waitSignal(history.sig_loaded, timeout=WAIT_MS):
        dialog.accept()
    qtbot.waitUntil(lambda: "Makulerat" in section_texts(history), timeout=WAIT_MS)
    assert history.section.findChild(QPushButton, f"cancel{approved}") is None
    with database.transaction() as session:
        letter = session.get(IssuedLetter, approved)
        assert (letter.status, letter.cancel_reason) == ("cancelled", "Skickas redan med e-post av skolan.")
