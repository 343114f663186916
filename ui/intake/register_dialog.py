"""Manual registration of a report (phone, letter, fax, e-mail, in person), keyboard only.

Built for a phone call: Tab walks the form top to bottom, Ctrl+Enter registers. Everything
typed is autosaved as a draft a second after typing pauses (at the latest two seconds after
a change, even while typing goes on) and on close, and offered back when the dialog opens
again and at start-up. Registering is one service call in one transaction, which
also removes the draft. Validation lists every problem in one message and keeps the form
as it is; a personnummer with a bad check digit is a warning, never a refusal.
"""

from __future__ import annotations

import mimetypes
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from mottagning.access.drafts import SavedDraft, discard_draft
from mottagning.context import Actor
from mottagning.errors import ValidationError
from mottagning.i18n import ngettext
from mottagning.intake.quarantine import register_quarantined
from mottagning.intake.reports import (
    AttachmentInput,
    NewReport,
    RegisterResult,
    register_report,
    suggest_child_matches,
    validate_manual,
)
from mottagning.rules.codes import codes
from mottagning.rules.permissions import Action, allowed
from mottagning.stats.completeness import ELEMENT_LABELS_SV, missing_elements, record_observation
from mottagning.timeutil import format_datetime_sv
from ui.intake.drafts import DRAFT_KEY, DRAFT_KIND
from ui.intake.register_people import PeopleSection
from ui.intake.register_reporter import ReporterFields
from ui.intake.register_rows import ChildRow, GuardianRow
from ui.operations import Operations
from ui.widgets.autosave import DraftAutosaver, DraftOffer
from ui.widgets.style import ERROR_BOX, WARNING_BOX
from ui.widgets.window_geometry import fit_window


class RegisterDialog(QDialog):
    sig_registered = Signal(str)  # a Swedish summary for the status bar

    def __init__(self, ops: Operations, actor: Actor, *, parent: QWidget | None = None,
                 quarantine_alarm_id: int | None = None, prefill: dict[str, Any] | None = None,
                 recorded_receipt: datetime | None = None):
        super().__init__(parent)
        self._ops = ops
        self._actor = actor
        self._registered = False
        # Registering a quarantined file by hand: its own draft, prefilled from the file,
        # and the alarm closed in the same transaction as the registration.
        self._quarantine_alarm_id = quarantine_alarm_id
        self._prefill = prefill
        self._draft_key = DRAFT_KEY if quarantine_alarm_id is None else f"quarantine:{quarantine_alarm_id}"
        self.attachments: list[tuple[str, AttachmentInput]] = []  # (path, content)
        self.autosave = DraftAutosaver(ops, actor, kind=DRAFT_KIND, key=self._draft_key,
                                       collect=self.collect_draft, parent=self)
        self.setWindowTitle(self.tr("Ny anmälan") if quarantine_alarm_id is None
                            else self.tr("Registrera fil i karantän för hand"))
        fit_window(self, "register" if quarantine_alarm_id is None else "register_quarantine",
                   QSize(1050, 900))

        self.offer = DraftOffer(discard_text=self.tr("&Börja om (kasta utkastet)"))
        self.offer.sig_resume.connect(self._resume)
        self.offer.sig_discard.connect(self._discard)
        self._offered: SavedDraft | None = None
        # the bar's parts, as tests and the tab order know them
        self.offer_label = self.offer.label
        self.resume_button, self.discard_button = self.offer.resume_button, self.offer.discard_button
        self.problems = QLabel()
        self.problems.setObjectName("problems")
        self.problems.setTextFormat(Qt.TextFormat.PlainText)
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(ERROR_BOX)
        self.problems.hide()
        self.form = QWidget()
        form_layout = QVBoxLayout(self.form)
        self.header = ReporterFields(self.form, clock=ops.clock)
        self.header.sig_changed.connect(self._changed)
        # the fields the rest of the dialog (and its tests) work with
        self.channel, self.category = self.header.channel, self.header.category
        self.anonymous, self.reporter = self.header.anonymous, self.header.reporter
        self.wants_feedback = self.header.wants_feedback
        form_layout.addWidget(self.header)
        # A quarantined file's receipt time is recorded; another time needs a reason.
        self.recorded_receipt = recorded_receipt
        self.receipt_reason = QLineEdit()
        self.receipt_reason.setObjectName("receipt_reason")
        if recorded_receipt is not None:
            receipt_row = QFormLayout()
            receipt_row.addRow(self.tr("Filen kom in:"), QLabel(format_datetime_sv(recorded_receipt)))
            receipt_row.addRow(self.tr("Skäl om mottagningstiden ändras:"), self.receipt_reason)
            form_layout.addLayout(receipt_row)
        self.children_section = PeopleSection(self.tr("Barn"), ChildRow,
                                              self.tr("Lägg till &barn"), self.form)
        self.guardians_section = PeopleSection(self.tr("Vårdnadshavare"), GuardianRow,
                                               self.tr("Lägg till &vårdnadshavare"), self.form)
        form_layout.addWidget(self.children_section)
        form_layout.addWidget(self.guardians_section)
        form_layout.addWidget(self._build_concern_section())
        form_layout.addWidget(self._build_attachment_section())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)

        self.saved_label = QLabel()
        self.saved_label.setEnabled(False)
        self.register_button = QPushButton(self.tr("&Registrera (Ctrl+Enter)"))
        self.register_button.setObjectName("register")
        self.register_button.clicked.connect(self.register)
        self.close_button = QPushButton(self.tr("&Stäng"))
        self.close_button.setToolTip(self.tr("Utkastet sparas och erbjuds nästa gång."))
        self.close_button.clicked.connect(self.reject)
        for button in (self.register_button, self.close_button):
            button.setAutoDefault(False)  # Enter in a field must never register by accident
        buttons = QHBoxLayout()
        buttons.addWidget(self.saved_label, 1)
        buttons.addWidget(self.register_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.offer)
        layout.addWidget(self.problems)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.register)

        self.children_section.sig_rows_changed.connect(self._on_rows_changed)
        self.guardians_section.sig_rows_changed.connect(self._on_rows_changed)
        self.children_section.sig_changed.connect(self._changed)
        self.guardians_section.sig_changed.connect(self._changed)
        self.children_section.add_row()
        self.guardians_section.add_row()
        self.autosave.sig_draft_found.connect(self._offer_draft)
        self.autosave.sig_ready.connect(self._ready)
        self.autosave.sig_saved.connect(self._saved)
        self._set_form_enabled(False)
        self.autosave.check()

    # -- building ----------------------------------------------------------------

    def _build_concern_section(self) -> QWidget:
        section = QWidget()
        layout = QVBoxLayout(section)
        layout.addWidget(QLabel(self.tr("Oro (markera med mellanslag)")))
        self.concerns = QListWidget()
        self.concerns.setObjectName("concerns")
        self.concerns.setFlow(QListWidget.Flow.LeftToRight)
        self.concerns.setWrapping(True)
        self.concerns.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.concerns.setFixedHeight(64)
        for code, entry in codes().concern_categories.items():
            item = QListWidgetItem(entry.label)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.concerns.addItem(item)
        self.concerns.setCurrentRow(0)
        self.concerns.itemChanged.connect(self._changed)
        self.immediate_danger = QCheckBox(self.tr("&Akut fara – barnet kan behöva skydd nu"))
        self.immediate_danger.setObjectName("immediate_danger")
        self.immediate_danger.toggled.connect(self._changed)
        self.description = QPlainTextEdit()
        self.description.setObjectName("description")
        self.description.setTabChangesFocus(True)
        self.description.setMinimumHeight(160)
        self.description.setPlaceholderText(self.tr("Anmälarens egna ord, så ordagrant som möjligt."))
        self.description.textChanged.connect(self._changed)
        words = QLabel(self.tr("Anmälarens &ord"))
        words.setBuddy(self.description)
        layout.addWidget(self.concerns)
        layout.addWidget(self.immediate_danger)
        layout.addWidget(words)
        layout.addWidget(self.description)
        layout.addLayout(self._build_completeness())
        return section

    def _build_completeness(self) -> QFormLayout:
        """What a complete report contains: the worker answers what only a reader can tell;
        the rest is derived from the form as it is filled in."""
        self.guardians_informed = QComboBox()
        self.guardians_informed.setObjectName("guardians_informed")
        for caption, value in ((self.tr("Framgår inte"), None), (self.tr("Ja"), True),
                               (self.tr("Nej"), False)):
            self.guardians_informed.addItem(caption, value)
        self.observation = QComboBox()
        self.observation.setObjectName("observation")
        # data: whether the element is missing (None: not judged yet)
        for caption, missing in ((self.tr("Inte bedömt"), None), (self.tr("Ja"), False),
                                 (self.tr("Nej, det saknas"), True)):
            self.observation.addItem(caption, missing)
        # Only someone who may read case text judges it (an assistant registers, no more).
        self._judges_text = allowed(self._actor.roles, Action.READ_CASE)
        self.observation.setVisible(self._judges_text)
        self.completeness = QLabel()
        self.completeness.setObjectName("completeness")
        self.completeness.setWordWrap(True)
        self.completeness.setToolTip(self.tr(
            "Det en fullständig anmälan innehåller: barnets identitet, vad som iakttagits och när, "
            "om vårdnadshavarna vet om anmälan och anmälarens kontaktuppgifter. Statistiken visar "
            "per anmälande organisation hur ofta något saknas."))
        for combo in (self.guardians_informed, self.observation):
            combo.currentIndexChanged.connect(self._changed)
        form = QFormLayout()
        form.addRow(self.tr("Känner vårdnadshavarna till anmälan?"), self.guardians_informed)
        observation_label = QLabel(self.tr("Framgår vad som iakttagits och när?"))
        observation_label.setVisible(self._judges_text)
        form.addRow(observation_label, self.observation)
        form.addRow(self.completeness)
        return form

    def observation_missing(self) -> bool | None:
        return self.observation.currentData() if self._judges_text else None

    def _show_completeness(self) -> None:
        if not hasattr(self, "completeness"):
            return  # a change while the dialog is still being built
        missing = missing_elements(self.build_report(), observation_missing=self.observation_missing())
        if missing:
            self.completeness.setText(self.tr("Saknas i anmälan: {elements}.").format(
                elements="; ".join(ELEMENT_LABELS_SV[e].lower() for e in missing)))
            self.completeness.setStyleSheet(WARNING_BOX)
        else:
            self.completeness.setStyleSheet("")
            self.completeness.setText(self.tr("Anmälan innehåller det en fullständig anmälan ska innehålla."))

    def _build_attachment_section(self) -> QWidget:
        section = QWidget()
        layout = QHBoxLayout(section)
        self.attachment_list = QListWidget()
        self.attachment_list.setObjectName("attachments")
        self.attachment_list.setFixedHeight(70)
        add = QPushButton(self.tr("Lägg till b&ilaga…"))
        add.clicked.connect(self._choose_attachments)
        self.remove_attachment_button = QPushButton(self.tr("Ta bort bilaga"))
        self.remove_attachment_button.clicked.connect(self._remove_attachment)
        for button in (add, self.remove_attachment_button):
            button.setAutoDefault(False)
        self.add_attachment_button = add
        column = QVBoxLayout()
        column.addWidget(add)
        column.addWidget(self.remove_attachment_button)
        column.addStretch()
        layout.addWidget(QLabel(self.tr("Inskannade bilagor")))
        layout.addWidget(self.attachment_list, 1)
        layout.addLayout(column)
        return section

    # -- state -------------------------------------------------------------------

    @property
    def is_ready(self) -> bool:
        """The form can be typed in (a possible earlier draft has been dealt with)."""
        return self.form.isEnabled()

    def _set_form_enabled(self, enabled: bool) -> None:
        self.form.setEnabled(enabled)
        self.register_button.setEnabled(enabled)

    def _ready(self) -> None:
        if self._prefill is not None:
            self.load_draft(self._prefill)
            self._prefill = None
        self.offer.hide()
        self._set_form_enabled(True)
        self._update_tab_order()
        self.channel.setFocus()

    def _offer_draft(self, draft: SavedDraft) -> None:
        self._offered = draft
        self.offer.offer(self.tr(
            "Det finns ett osparat utkast från {when}. Vill du fortsätta med det?").format(
            when=format_datetime_sv(draft.saved_at)))

    def _resume(self) -> None:
        assert self._offered is not None
        self._prefill = None  # the worker's own draft wins over the file's content
        self.load_draft(self._offered.content)
        self.autosave.start()

    def _discard(self) -> None:
        self.autosave.discard()
        self.autosave.start()

    def _saved(self, draft: SavedDraft) -> None:
        self.saved_label.setText(self.tr("Utkast sparat {when}").format(
            when=format_datetime_sv(draft.saved_at)))

    def _changed(self) -> None:
        self._show_completeness()
        self.autosave.schedule()

    def _on_rows_changed(self) -> None:
        for row in self.children_section.rows:
            if isinstance(row, ChildRow) and not row.property("wired"):
                row.setProperty("wired", True)
                row.sig_match_wanted.connect(self._suggest_matches)
        self._update_tab_order()
        self._changed()

    def _update_tab_order(self) -> None:
        chain: list[QWidget] = [
            *self.header.focus_chain(),
            *self.children_section.focus_chain(), *self.guardians_section.focus_chain(),
            self.concerns, self.immediate_danger, self.description,
            self.guardians_informed, self.observation,
            self.add_attachment_button, self.remove_attachment_button,
            self.register_button, self.close_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _suggest_matches(self, row: ChildRow) -> None:
        actor, name = self._actor, row.text("name")
        born = row.to_input().birth_date
        self._ops.query(
            lambda session: suggest_child_matches(session, actor, name=name, birth_date=born),
            success=lambda matches: row.set_matches(matches)
            if row in self.children_section.rows else None)

    # -- attachments ---------------------------------------------------------------

    def _choose_attachments(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("Välj inskannade bilagor"))
        self.add_attachment_files(paths)

    def add_attachment_files(self, paths: list[str]) -> list[str]:
        """Read the files now (they may be moved later); returns the ones that failed."""
        failed = []
        for path in paths:
            try:
                content = Path(path).read_bytes()
            except OSError:
                failed.append(path)
                continue
            media_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            attachment = AttachmentInput(Path(path).name, media_type, content)
            self.attachments.append((path, attachment))
            self.attachment_list.addItem(f"{attachment.filename} ({max(1, len(content) // 1024)} kB)")
        if failed:
            self._show_problems([self.tr("Filen {path} kunde inte läsas.").format(path=p)
                                 for p in failed])
        self._changed()
        return failed

    def _remove_attachment(self) -> None:
        position = self.attachment_list.currentRow()
        if 0 <= position < len(self.attachments):
            del self.attachments[position]
            self.attachment_list.takeItem(position)
            self._changed()

    # -- draft ---------------------------------------------------------------------

    def collect_draft(self) -> dict[str, Any]:
        return {
            **self.header.to_dict(),
            "children": [r.to_dict() for r in self.children_section.rows],
            "guardians": [r.to_dict() for r in self.guardians_section.rows],
            "concern_codes": self.checked_concerns(),
            "immediate_danger": self.immediate_danger.isChecked(),
            "description": self.description.toPlainText(),
            "guardians_informed": self.guardians_informed.currentData(),
            "observation_missing": self.observation.currentData(),
            "attachments": [path for path, _ in self.attachments],
        }

    def load_draft(self, content: dict[str, Any]) -> None:
        self.header.load(content)
        for section, rows in ((self.children_section, content.get("children") or [{}]),
                              (self.guardians_section, content.get("guardians") or [])):
            section.set_row_count(len(rows))
            for row, row_content in zip(section.rows, rows, strict=True):
                row.load(row_content)
        wanted = set(content.get("concern_codes") or ())
        for position in range(self.concerns.count()):
            item = self.concerns.item(position)
            checked = item.data(Qt.ItemDataRole.UserRole) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.immediate_danger.setChecked(bool(content.get("immediate_danger")))
        self.description.setPlainText(content.get("description") or "")
        self.guardians_informed.setCurrentIndex(
            max(0, self.guardians_informed.findData(content.get("guardians_informed"))))
        self.observation.setCurrentIndex(max(0, self.observation.findData(content.get("observation_missing"))))
        self.attachments.clear()
        self.attachment_list.clear()
        self.add_attachment_files(content.get("attachments") or [])

    def checked_concerns(self) -> list[str]:
        return [self.concerns.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.concerns.count())
                if self.concerns.item(i).checkState() == Qt.CheckState.Checked]

    # -- registering ---------------------------------------------------------------

    def build_report(self) -> NewReport:
        identity = self.header.identity
        children = self.children_section.filled_rows() or self.children_section.rows[:1]
        return NewReport(
            channel=self.channel.currentData(),
            received_at=self.header.received_moment(),
            reporter_category=self.category.currentData() or "",
            reporter_anonymous=self.anonymous.isChecked(),
            reporter_name=identity("name"),
            reporter_organisation=identity("organisation"),
            reporter_role=identity("role"),
            reporter_phone=identity("phone"),
            reporter_email=identity("email"),
            reporter_wants_feedback=self.wants_feedback.isChecked(),
            concern_codes=tuple(self.checked_concerns()),
            description=self.description.toPlainText(),
            immediate_danger=self.immediate_danger.isChecked(),
            guardians_informed=self.guardians_informed.currentData(),
            children=tuple(row.to_input() for row in children if isinstance(row, ChildRow)),
            guardians=tuple(row.to_input() for row in self.guardians_section.filled_rows()
                            if isinstance(row, GuardianRow)),
            attachments=tuple(a for _, a in self.attachments),
        )

    def _show_problems(self, problems: list[str]) -> None:
        self.problems.setText(self.tr("Anmälan kan inte registreras ännu:") + "\n"
                              + "\n".join(f"• {p}" for p in problems))
        self.problems.setVisible(bool(problems))

    def register(self) -> None:
        if not self.is_ready or self._registered:
            return
        report = self.build_report()
        problems = validate_manual(report)
        problems += [p for row in self.children_section.rows if isinstance(row, ChildRow)
                     for p in [row.birth_date_problem()] if p]
        if problems:
            self._show_problems(problems)
            return
        self.problems.hide()
        self.autosave.stop()
        self.register_button.setEnabled(False)
        actor = self._actor

        alarm_id, draft_key = self._quarantine_alarm_id, self._draft_key
        receipt_reason = self.receipt_reason.text()
        observation_missing = self.observation_missing()

        def register_and_drop_draft(session: Any) -> RegisterResult:
            if alarm_id is None:
                result = register_report(session, actor, report)
            else:
                result = register_quarantined(session, actor, alarm_id, report,
                                              receipt_reason=receipt_reason)
            if observation_missing is not None:
                record_observation(session, actor, result.report_id, missing=observation_missing)
            discard_draft(session, actor, kind=DRAFT_KIND, key=draft_key)
            return result

        self._ops.mutate(register_and_drop_draft, success=self._on_registered,
                         failure=self._on_register_failed)

    def _on_registered(self, result: RegisterResult) -> None:
        self._registered = True
        count = len(result.item_ids)
        message = (self.tr("Anmälan registrerad: 1 ärende i kön.") if count == 1 else
                   ngettext(self.tr("Anmälan registrerad: {n} ärende i kön."),
                            self.tr("Anmälan registrerad: {n} ärenden i kön."), count).format(n=count))
        if result.warnings:
            message += " " + self.tr("Observera: {w}.").format(w="; ".join(result.warnings))
        self.sig_registered.emit(message)
        self.accept()

    def _on_register_failed(self, error: BaseException) -> None:
        self.register_button.setEnabled(True)
        self.autosave.start()
        self.autosave.save_now()
        if isinstance(error, ValidationError):
            self._show_problems(error.problems)
        else:
            self._ops.errors.show_error(error)

    def done(self, result: int) -> None:  # Qt override: Stäng, Esc and the window's close
        if not self._registered:
            self.autosave.save_now()
        self.autosave.stop()
        super().done(result)
