"""One child and one guardian in the register dialog: fields, draft content, service input.

A personnummer with a bad check digit gets a visible warning next to the field but is kept
as typed (the report is never refused for it). A child without personnummer is matched on
name and birth date as a suggestion; the worker links it with one key press.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from mottagning.i18n import ngettext
from mottagning.intake.reports import ChildInput, ChildMatch, GuardianInput
from mottagning.rules import personnummer as pnr
from mottagning.timeutil import format_date_sv
from ui.widgets.style import WARNING_BOX


def parse_birth_date(text: str) -> date | None:
    """'2015-03-12' or '20150312'; None for empty or unreadable text."""
    digits = text.strip().replace("-", "")
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def _clean(text: str) -> str | None:
    return text.strip() or None


class _PersonRow(QFrame):
    """Fields shared by a child and a guardian; subclasses add their own."""

    sig_changed = Signal()
    sig_remove = Signal(object)

    FIELDS: tuple[str, ...] = ()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(6, 4, 6, 4)
        self.edits: dict[str, QLineEdit] = {}
        self.protected = QCheckBox(self.tr("Skyddad identitet"))
        self.protected.toggled.connect(self._on_protected)
        self.protected.toggled.connect(self.sig_changed)
        self.remove_button = QPushButton(self.tr("Ta bort"))
        self.remove_button.clicked.connect(lambda: self.sig_remove.emit(self))
        self.pnr_warning = QLabel()
        self.pnr_warning.setStyleSheet("color: #8a5a00; font-weight: bold;")
        self.pnr_warning.setWordWrap(True)
        self.pnr_warning.hide()

    def _edit(self, key: str, placeholder: str, row: int, column: int, span: int = 1) -> QLineEdit:
        edit = QLineEdit()
        edit.setObjectName(key)
        edit.setPlaceholderText(placeholder)
        edit.setAccessibleName(placeholder)
        edit.textChanged.connect(self.sig_changed)
        self.grid.addWidget(edit, row, column, 1, span)
        self.edits[key] = edit
        return edit

    def _on_protected(self, protected: bool) -> None:
        # a protected address must not be stored or shown anywhere, so it is not typed at all
        for key in ("street", "postal_code", "city"):
            if protected:
                self.edits[key].clear()
            self.edits[key].setEnabled(not protected)

    def _check_personnummer(self, text: str) -> None:
        warning = ""
        if text.strip():
            parsed = pnr.parse(text)
            if parsed is None:
                warning = self.tr("Går inte att läsa som personnummer (ÅÅÅÅMMDD-NNNN)")
            elif parsed.warnings:
                warning = "; ".join(parsed.warnings)
        self.pnr_warning.setText(("⚠ " + warning) if warning else "")
        self.pnr_warning.setVisible(bool(warning))

    def text(self, key: str) -> str:
        return self.edits[key].text()

    def is_empty(self) -> bool:
        return not any(e.text().strip() for e in self.edits.values())

    def focus_chain(self) -> list[QWidget]:
        return [*(self.edits[k] for k in self.FIELDS), self.protected, self.remove_button]

    def to_dict(self) -> dict[str, Any]:
        content: dict[str, Any] = {k: self.edits[k].text() for k in self.FIELDS}
        content["protected_identity"] = self.protected.isChecked()
        return content

    def load(self, content: dict[str, Any]) -> None:
        for key in self.FIELDS:
            self.edits[key].setText(str(content.get(key) or ""))
        self.protected.setChecked(bool(content.get("protected_identity")))


class ChildRow(_PersonRow):
    sig_match_wanted = Signal(object)  # the row, when name + birth date can be matched

    FIELDS = ("name", "personnummer", "birth_date", "street", "postal_code", "city", "school")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.existing_child_id: int | None = None
        self._matches: list[ChildMatch] = []
        name = self._edit("name", self.tr("Barnets namn"), 0, 0, 2)
        number = self._edit("personnummer", self.tr("Personnummer"), 0, 2)
        birth = self._edit("birth_date", self.tr("Född ÅÅÅÅ-MM-DD"), 0, 3)
        number.setToolTip(self.tr("ÅÅÅÅMMDD-NNNN; samordningsnummer går också bra"))
        birth.setToolTip(self.tr("Fyll i när personnummer saknas: då söks barnet på namn "
                                 "och födelsedatum"))
        self._edit("street", self.tr("Gatuadress"), 1, 0)
        self._edit("postal_code", self.tr("Postnummer"), 1, 1)
        self._edit("city", self.tr("Ort"), 1, 2)
        self._edit("school", self.tr("Skola / förskola"), 1, 3)
        self.grid.addWidget(self.protected, 0, 4)
        self.grid.addWidget(self.remove_button, 1, 4)
        self.grid.addWidget(self.pnr_warning, 2, 0, 1, 5)
        self.match_label = QLabel()
        self.match_label.setTextFormat(Qt.TextFormat.PlainText)
        self.match_label.setWordWrap(True)
        self.match_button = QPushButton()
        match_box = QHBoxLayout()
        match_box.addWidget(self.match_label, 1)
        match_box.addWidget(self.match_button)
        self.match_frame = QFrame()
        self.match_frame.setStyleSheet(WARNING_BOX)
        self.match_frame.setLayout(match_box)
        self.match_frame.hide()
        self.grid.addWidget(self.match_frame, 3, 0, 1, 5)
        self.match_button.clicked.connect(self._toggle_link)
        number.textChanged.connect(self._check_personnummer)
        for edit in (name, birth):
            edit.editingFinished.connect(self._want_match)
            edit.textChanged.connect(self._unlink_on_change)

    def _want_match(self) -> None:
        if (not self.text("personnummer").strip() and self.text("name").strip()
                and parse_birth_date(self.text("birth_date"))):
            self.sig_match_wanted.emit(self)

    def _unlink_on_change(self) -> None:
        if self.existing_child_id is not None:
            self.existing_child_id = None
            self.set_matches(self._matches)

    def set_matches(self, matches: list[ChildMatch]) -> None:
        """Offer the first match (a suggestion: nothing is linked until the worker says so)."""
        self._matches = matches
        if not matches:
            self.match_frame.hide()
            return
        match = matches[0]
        described = ngettext(self.tr("{name}, född {born}, {n} tidigare anmälan"),
                             self.tr("{name}, född {born}, {n} tidigare anmälningar"),
                             match.reports).format(
            name=match.name, born=format_date_sv(match.birth_date) if match.birth_date else "?",
            n=match.reports)
        if self.existing_child_id == match.child_id:
            self.match_label.setText(self.tr("Kopplad till befintligt barn: {who}").format(
                who=described))
            self.match_button.setText(self.tr("Ångra kopplingen"))
        else:
            self.match_label.setText(self.tr("Möjlig träff i registret: {who}. Samma barn?").format(
                who=described))
            self.match_button.setText(self.tr("&Koppla till barnet"))
        self.match_frame.show()
        self.sig_changed.emit()

    def _toggle_link(self) -> None:
        if not self._matches:
            return
        chosen = self._matches[0].child_id
        self.existing_child_id = None if self.existing_child_id == chosen else chosen
        self.set_matches(self._matches)

    def focus_chain(self) -> list[QWidget]:
        chain = super().focus_chain()
        return chain[:-1] + [self.match_button, chain[-1]]

    def to_dict(self) -> dict[str, Any]:
        content = super().to_dict()
        content["existing_child_id"] = self.existing_child_id
        return content

    def load(self, content: dict[str, Any]) -> None:
        super().load(content)
        self.existing_child_id = content.get("existing_child_id")

    def birth_date_problem(self) -> str | None:
        text = self.text("birth_date").strip()
        if text and parse_birth_date(text) is None:
            return self.tr("{name}: födelsedatumet ”{text}” går inte att läsa (skriv ÅÅÅÅ-MM-DD).").format(
                name=self.text("name").strip() or self.tr("barnet"), text=text)
        return None

    def to_input(self) -> ChildInput:
        protected = self.protected.isChecked()
        return ChildInput(
            name=self.text("name").strip(),
            personnummer=_clean(self.text("personnummer")),
            birth_date=parse_birth_date(self.text("birth_date")),
            street=None if protected else _clean(self.text("street")),
            postal_code=None if protected else _clean(self.text("postal_code")),
            city=None if protected else _clean(self.text("city")),
            school=_clean(self.text("school")),
            protected_identity=protected,
            existing_child_id=self.existing_child_id,
        )


class GuardianRow(_PersonRow):
    FIELDS = ("name", "relation", "personnummer", "phone", "street", "postal_code", "city")

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._edit("name", self.tr("Vårdnadshavarens namn"), 0, 0)
        self._edit("relation", self.tr("Relation (mamma, pappa…)"), 0, 1)
        number = self._edit("personnummer", self.tr("Personnummer"), 0, 2)
        self._edit("phone", self.tr("Telefon"), 0, 3)
        self._edit("street", self.tr("Gatuadress"), 1, 0)
        self._edit("postal_code", self.tr("Postnummer"), 1, 1)
        self._edit("city", self.tr("Ort"), 1, 2)
        self.grid.addWidget(self.protected, 0, 4)
        self.grid.addWidget(self.remove_button, 1, 4)
        self.grid.addWidget(self.pnr_warning, 2, 0, 1, 5)
        number.textChanged.connect(self._check_personnummer)

    def to_input(self) -> GuardianInput:
        protected = self.protected.isChecked()
        return GuardianInput(
            name=self.text("name").strip(),
            relation=_clean(self.text("relation")),
            personnummer=_clean(self.text("personnummer")),
            phone=_clean(self.text("phone")),
            street=None if protected else _clean(self.text("street")),
            postal_code=None if protected else _clean(self.text("postal_code")),
            city=None if protected else _clean(self.text("city")),
            protected_identity=protected,
        )
