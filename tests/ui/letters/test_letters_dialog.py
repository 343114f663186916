"""The letter dialog: preview as printed, approve (stored), print to a PDF file printer;
the utskriftskö prints everything waiting and marks it printed."""

from __future__ import annotations

import io

from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QComboBox, QLineEdit
from sqlalchemy import select

from mottagning.models import User
from mottagning.models.letters import IssuedLetter
from mottagning.queue.items import assign_items, get_item, move_item
from mottagning.rules.status import Status
from mottagning.settings import put_setting
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS
from ui.letters.dialog import LetterDialog
from ui.letters.print_queue import PrintQueuePage


def pdf_printer(path) -> QPrinter:  # type: ignore[no-untyped-def]
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def assessed_item(database, worker, now) -> int:  # type: ignore[no-untyped-def]
    with database.transaction() as session:
        put_setting(session, "demo", True)
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        move_item(session, worker, get_item(session, item_id), Status.PROTECTION_ASSESSED, now=now)
    return item_id


def test_kallelse_is_previewed_approved_and_printed(database, worker, now, ops, qtbot, tmp_path) -> None:
    item_id = assessed_item(database, worker, now)
    dialog = LetterDialog(ops, worker, item_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.recipient.count() == 1, timeout=WAIT_MS)
    assert "Maria Andersson" in dialog.recipient.currentText()
    qtbot.waitUntil(lambda: not dialog.problem.isHidden(), timeout=WAIT_MS)
    assert "mötets plats" in dialog.problem.text()  # the missing field is named, no half letter
    assert not dialog.approve_button.isEnabled()

    dialog.meeting_place.setText("Röda vägen 50, plan 2")
    qtbot.waitUntil(lambda: dialog.preview.page_count == 1 and dialog.approve_button.isEnabled(), timeout=WAIT_MS)
    previewed = dialog.preview_sha256

    out = tmp_path / "printed.pdf"
    with qtbot.waitSignal(dialog.sig_issued, timeout=WAIT_MS):
        dialog.approve(print_after=True, printer=pdf_printer(out))
    qtbot.waitUntil(lambda: ops.idle and dialog.pdf_work.idle and out.exists(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: ops.idle, timeout=WAIT_MS)
    assert len(PdfReader(out).pages) == 1
    with database.transaction() as session:
        letter = session.scalars(select(IssuedLetter)).one()
        assert (letter.sha256, letter.status, letter.kind) == (previewed, "printed", "kallelse")


def test_print_queue_prints_all_waiting_letters_and_empties(database, worker, assistant, now, ops, qtbot,
                                                            tmp_path) -> None:
    item_id = assessed_item(database, worker, now)
    dialog = LetterDialog(ops, worker, item_id)
    qtbot.addWidget(dialog)
    dialog.meeting_place.setText("Röda vägen 50")
    qtbot.waitUntil(lambda: dialog.approve_button.isEnabled(), timeout=WAIT_MS)
    with qtbot.waitSignal(dialog.sig_issued, timeout=WAIT_MS):
        dialog.approve(print_after=False)

    page = PrintQueuePage(ops, assistant)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT_MS)
    # the child's name and the kind of letter, not only numbers
    assert [page.table.item(0, c).text() for c in range(2)] == ["Ella Andersson", "Kallelse"]
    assert "Maria Andersson" in page.table.item(0, 2).text()
    out = tmp_path / "queue.pdf"
    with qtbot.waitSignal(page.sig_loaded, timeout=WAIT_MS):
        page.print_letters(all_letters=True, printer=pdf_printer(out))
    qtbot.waitUntil(lambda: page.table.rowCount() == 0 and ops.idle, timeout=WAIT_MS)
    assert len(PdfReader(out).pages) == 1
    assert "1 brev utskrivna" in page.summary.text()


def test_print_queue_prints_through_the_print_dialog_and_marks_printed(database, worker, assistant, now, ops,
                                                                       qtbot, tmp_path) -> None:
    """The whole path a user takes: "Skriv ut alla…", the print dialog, a PDF printer."""
    item_id = assessed_item(database, worker, now)
    dialog = LetterDialog(ops, worker, item_id)
    qtbot.addWidget(dialog)
    dialog.meeting_place.setText("Röda vägen 50")
    qtbot.waitUntil(lambda: dialog.approve_button.isEnabled(), timeout=WAIT_MS)
    with qtbot.waitSignal(dialog.sig_issued, timeout=WAIT_MS):
        dialog.approve(print_after=False)

    page = PrintQueuePage(ops, assistant)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=WAIT_MS)
    page.print_all_button.click()
    print_dialog = page.findChild(QPrintDialog)
    assert print_dialog is not None and print_dialog.isVisible()
    # as a user would: the PDF printer ("Print to File", listed last) and a file name
    printers = print_dialog.findChild(QComboBox, "printers")
    printers.setCurrentIndex(printers.count() - 1)
    out = tmp_path / "dialog.pdf"
    print_dialog.findChild(QLineEdit, "filename").setText(str(out))
    print_dialog.accept()

    qtbot.waitUntil(lambda: page.table.rowCount() == 0 and ops.idle and page.pdf_work.idle, timeout=WAIT_MS)
    assert len(PdfReader(out).pages) == 1
    assert "1 brev utskrivna" in page.summary.text()
    with database.transaction() as session:
        assert session.scalars(select(IssuedLetter.status)).one() == "printed"


def test_preview_names_and_signs_the_handlaggare_and_the_title_names_child_and_kind(
        database, worker, senior, now, ops, qtbot) -> None:
    item_id = assessed_item(database, worker, now)
    with database.transaction() as session:
        session.get(User, worker.user_id).title = "Socialsekreterare"
        session.get(User, senior.user_id).title = "Förste socialsekreterare"
        assign_items(session, worker, [item_id], worker.user_id, now=now)
    dialog = LetterDialog(ops, senior, item_id)  # the senior writes it; the handläggare signs
    qtbot.addWidget(dialog)
    dialog.meeting_place.setText("Röda vägen 50")
    qtbot.waitUntil(lambda: dialog.approve_button.isEnabled(), timeout=WAIT_MS)
    assert dialog.windowTitle() == "Kallelse – Ella Andersson"
    assert dialog.meeting_with.text() == f"{worker.full_name}, socialsekreterare"
    with qtbot.waitSignal(dialog.sig_issued, timeout=WAIT_MS):
        dialog.approve(print_after=False)
    with database.transaction() as session:
        pdf = session.scalars(select(IssuedLetter.pdf)).one()
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    assert f"{worker.full_name} Socialsekreterare" in text and senior.full_name not in text
