"""Cut-off texts and the flag chips say in a tooltip what they mean for this item."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from mottagning.assessment.service import STATUS_LABELS
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.intake.reports import ChildInput
from tests.core.factories import register_simple
from tests.ui.conftest import WAIT_MS
from ui.queue.model import Column

TOOLTIP = Qt.ItemDataRole.ToolTipRole


def test_the_data_quality_chip_says_what_is_wrong(
    database: Database, worker: Actor, make_window, qtbot: QtBot, now
) -> None:
    child = ChildInput(name="Vera Nilsson", personnummer="20200228-3908")  # bad check digit
    item_id = register_simple(database, worker, now=now, children=(child,),
                              concerns=("vald_mot_barn",)).item_ids[0]
    window = make_window(worker)
    model = window.model
    flags_tip = model.data(model.index(0, Column.FLAGS), TOOLTIP)
    assert "Kontrollsiffran" in flags_tip
    assert "Våld mot barn" in flags_tip and "utan dröjsmål" in flags_tip
    window.select_item(item_id)
    qtbot.waitUntil(lambda: window.detail.detail is not None, timeout=WAIT_MS)
    chip = window.detail.findChild(QLabel, "flag_data_quality")
    assert chip.text() == "Datakvalitet"
    assert "Kontrollsiffran" in chip.toolTip()
    assert "utan dröjsmål" in window.detail.findChild(QLabel, "flag_violence").toolTip()


def test_names_and_statuses_are_whole_in_a_tooltip_and_the_status_column_fits(
    database: Database, worker: Actor, make_window, now
) -> None:
    name = "Alexandra Charlotte Johansson-Vilhelmsdotter"
    register_simple(database, worker, now=now, children=(ChildInput(name=name),))
    window = make_window(worker)
    model = window.model
    assert model.data(model.index(0, Column.CHILD), TOOLTIP) == name
    assert model.data(model.index(0, Column.STATUS), TOOLTIP) == "Inkommen"
    waiting = STATUS_LABELS["awaiting_second_signature"]
    needed = window.table.fontMetrics().horizontalAdvance(waiting)
    assert window.table.columnWidth(Column.STATUS) > needed


def test_the_assessment_history_is_whole_in_tooltips(database, worker, ops, qtbot, now) -> None:
    from PySide6.QtWidgets import QTreeWidget

    from ui.assessment.screen import AssessmentScreen

    item_id = register_simple(database, worker, now=now,
                              concerns=("missbruk_vardnadshavare", "psykisk_ohalsa_vardnadshavare")
                              ).item_ids[0]
    screen = AssessmentScreen(ops, worker, item_id, clock=lambda: now)
    qtbot.addWidget(screen)
    screen.show()
    with qtbot.waitSignal(screen.sig_loaded, timeout=WAIT_MS):
        screen.load()
    tree = screen.findChild(QTreeWidget, "history")
    item = tree.topLevelItem(0)
    assert item.toolTip(1) == item.text(1) and "," in item.toolTip(1)
