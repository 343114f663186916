"""The detail pane: one queue item as the worker reads it before acting.

Opening an item is an audited read, so it runs through the operations worker; a result
that arrives after the worker has selected another item is dropped. Every text that
comes from a report is shown as plain text (never interpreted as HTML), the reporter's
words verbatim in a read-only, selectable editor.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mottagning.access.drafts import discard_draft
from mottagning.assessment.service import STATUS_LABELS as ASSESSMENT_STATUS_LABELS
from mottagning.context import Actor
from mottagning.errors import ConcurrentEdit
from mottagning.i18n import ngettext
from mottagning.models.assessment import AWAITING_SECOND_SIGNATURE
from mottagning.queue.listing import GuardianView, HistoryEntry, ItemDetail, history_page, open_item
from mottagning.rules import deadlines
from mottagning.rules.codes import channel_label, concern_label, reporter_label
from mottagning.rules.deadlines import applicable_decision_due
from mottagning.rules.permissions import Action, allowed
from mottagning.rules.status import DECIDED_STATUSES, Status, label
from mottagning.timeutil import format_date_sv, format_datetime_sv, to_local, utc_now
from ui.operations import Operations
from ui.queue.model import age_text, time_left_text
from ui.widgets.accessibility import name_widgets
from ui.widgets.flag_texts import flag_explanation
from ui.widgets.style import FLAG_COLOURS, WARNING_BOX

if TYPE_CHECKING:  # what a worker does from the pane loads when first done, after the start
    from mottagning.intake.child_address import AddressChange
    from mottagning.intake.child_links import LinkSuggestion
    from mottagning.intake.concern_flags import ConcernCodes
    from ui.widgets.conflict_dialog import ConflictDialog


def _text(value: str, *, bold: bool = False, size: float | None = None) -> QLabel:
    widget = QLabel(value)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(True)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if bold or size:
        font = QFont(widget.font())
        font.setBold(bold)
        if size:
            font.setPointSizeF(font.pointSizeF() * size)
        widget.setFont(font)
    return widget


class DetailPane(QScrollArea):
    sig_open_item = Signal(int)  # a sibling was chosen
    sig_loaded = Signal(int)  # item id whose detail is shown
    sig_suggestions_shown = Signal(int)  # item id: possible same-child records are shown

    def __init__(self, ops: Operations, actor: Actor, *,
                 clock: Callable[[], datetime] = utc_now, parent: QWidget | None = None):
        super().__init__(parent)
        self._ops = ops
        self._actor = actor
        self._clock = clock
        self._wanted: int | None = None
        self.detail: ItemDetail | None = None
        self.setWidgetResizable(True)
        self.setMinimumWidth(380)
        self.outcome_labels = {
            "inleda_utredning": self.tr("Utredning inleds"),
            "inte_inleda_utredning": self.tr("Utredning inleds inte"),
            "tillfors_pagaende_utredning": self.tr("Tillförs pågående utredning"),
            "vidarebefordras": self.tr("Vidarebefordrad"),
        }
        self.flag_labels = {
            "immediate_danger": self.tr("Akut fara"), "violence": self.tr("Våld"),
            "repeat": self.tr("Upprepad"), "data_quality": self.tr("Datakvalitet"),
        }
        # Other areas add a section about the shown item (the letters area: its letters and
        # återkoppling owed); called on every redraw, so a builder shows data it already has.
        self.section_builders: list[Callable[[ItemDetail], QWidget | None]] = []
        self.link_suggestions: list[LinkSuggestion] = []
        self.address_proposals: list[AddressChange] = []
        self.show_placeholder()
        self.assessment_window: QWidget | None = None
        self.concern_dialog: QDialog | None = None
        self.concern_conflict: ConflictDialog | None = None
        QShortcut(QKeySequence("Ctrl+1"), self, activated=self.open_assessment,
                  context=Qt.ShortcutContext.WindowShortcut)

    def open_assessment(self) -> None:
        """Open the shown item's skyddsbedömning in its own window (Ctrl+1)."""
        if self.detail is None or not allowed(self._actor.roles, Action.ASSESS):
            return
        from ui.assessment.screen import open_assessment

        self.assessment_window = open_assessment(self.window(), self._ops, self._actor,
                                                 self.detail.row.id, clock=self._clock)

    # -- loading -----------------------------------------------------------------

    def show_item(self, item_id: int | None) -> None:
        """Open `item_id` (audited) and show it; None shows the placeholder."""
        self._wanted = item_id
        if item_id is None:
            self.detail = None
            self.show_placeholder()
            return
        actor = self._actor
        self._ops.query(lambda session: open_item(session, actor, item_id),
                        success=self._loaded)

    @property
    def item_id(self) -> int | None:
        return self._wanted

    def _loaded(self, detail: ItemDetail) -> None:
        if detail.row.id != self._wanted:
            return
        self.detail = detail
        self.link_suggestions = []
        self.address_proposals = []
        self._render(detail)
        self.sig_loaded.emit(detail.row.id)
        if allowed(self._actor.roles, Action.ASSESS):
            from mottagning.intake.child_address import address_history
            from mottagning.intake.child_links import suggest_links

            actor, item_id, child_id = self._actor, detail.row.id, detail.row.child_id
            self._ops.query(lambda session: suggest_links(session, actor, child_id),
                            success=lambda found: self._show_suggestions(item_id, found))
            self._ops.query(lambda session: address_history(session, actor, child_id),
                            success=lambda found: self._show_addresses(item_id, found))

    def _show_addresses(self, item_id: int, history: list[AddressChange]) -> None:
        proposed = [change for change in history if change.status == "proposed"]
        if self.detail is None or self.detail.row.id != item_id or not proposed:
            return
        self.address_proposals = proposed
        self._render(self.detail)

    def _addresses(self) -> QVBoxLayout:
        """A report gave the child another address: the record changes when a worker confirms."""
        box = QVBoxLayout()
        for change in self.address_proposals:
            line = QHBoxLayout()
            line.addWidget(_text(self.tr("{address} (anmälan {when})").format(
                address=change.address, when=format_date_sv(change.proposed_at))))
            for text, confirm in ((self.tr("Bekräfta adressen"), True), (self.tr("Avvisa"), False)):
                button = QPushButton(text)
                button.setObjectName(f"{'confirm' if confirm else 'reject'}Address{change.id}")
                button.clicked.connect(
                    lambda _=False, i=change.id, c=confirm: self.decide_address(i, confirm=c))
                line.addWidget(button)
            line.addStretch()
            box.addLayout(line)
        return box

    def decide_address(self, change_id: int, *, confirm: bool) -> None:
        from mottagning.intake.child_address import decide_address

        actor = self._actor
        self._ops.mutate(lambda session: decide_address(session, actor, change_id, confirm=confirm),
                         success=lambda _changes: self.show_item(self.item_id))

    def _show_suggestions(self, item_id: int, found: list[LinkSuggestion]) -> None:
        if self.detail is None or self.detail.row.id != item_id or not found:
            return
        self.link_suggestions = found
        self._render(self.detail)
        self.sig_suggestions_shown.emit(item_id)

    def refresh_times(self) -> None:
        """Redraw the shown item so its time left is current (no new read, no audit)."""
        if self.detail is not None:
            position = self.verticalScrollBar().value()
            self._render(self.detail)
            self.verticalScrollBar().setValue(position)

    def show_placeholder(self) -> None:
        hint = _text(self.tr("Välj ett ärende i kön för att läsa anmälan."))
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setEnabled(False)
        self.setWidget(hint)

    # -- rendering ---------------------------------------------------------------

    def _render(self, detail: ItemDetail) -> None:
        row = detail.row
        now = self._clock()
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setAlignment(Qt.AlignmentFlag.AlignTop)

        layout.addWidget(_text(row.child_name, bold=True, size=1.4))
        if row.personnummer:
            identity = self.tr("Personnummer {pnr}").format(pnr=row.personnummer)
        else:
            identity = self.tr("Personnummer saknas")
        if row.birth_date:
            identity += self.tr(" · född {date} · {age}").format(
                date=format_date_sv(row.birth_date), age=age_text(row.birth_date, to_local(now).date()))
        layout.addWidget(_text(identity))
        if row.protected_identity:
            layout.addWidget(self._chip(self.tr("Skyddad identitet – adress visas inte"), "#37474f"))
        elif allowed(self._actor.roles, Action.READ_CASE):
            button = QPushButton(self.tr("Barnet har skyddad identitet…"))
            button.setObjectName("protectChild")
            button.clicked.connect(lambda: self.mark_protected(child_id=row.child_id))
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)

        warnings = [*detail.data_quality_warnings]
        if detail.late_delivery_note:
            warnings.append(detail.late_delivery_note)
        if warnings:
            box = _text(self.tr("Observera:") + "\n" + "\n".join(f"• {w}" for w in warnings))
            box.setStyleSheet(WARNING_BOX)
            layout.addWidget(box)

        if row.flags:
            chips = QHBoxLayout()
            for flag in row.flags:
                background, _ = FLAG_COLOURS.get(flag, ("#777777", "#ffffff"))
                chip = self._chip(self.flag_labels.get(flag, flag), background)
                chip.setObjectName(f"flag_{flag}")
                chip.setToolTip(flag_explanation(
                    flag, concern_codes=row.concern_codes,
                    data_quality_warnings=detail.data_quality_warnings,
                    reports_last_12_months=detail.history.count_last_12_months))
                chips.addWidget(chip)
            chips.addStretch()
            layout.addLayout(chips)

        layout.addLayout(self._deadlines(detail, now))
        if self.link_suggestions:
            layout.addWidget(self._heading(self.tr("Kanske samma barn")))
            layout.addLayout(self._suggestions())
        if self.address_proposals:
            layout.addWidget(self._heading(self.tr("Ny adress enligt en anmälan")))
            layout.addLayout(self._addresses())
        if allowed(self._actor.roles, Action.ASSESS):
            button = QPushButton(self.tr("Skyddsbedömning (Ctrl+1)"))
            button.setObjectName("openAssessment")
            button.clicked.connect(self.open_assessment)
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        for build in self.section_builders:
            section = build(detail)
            if section is not None:
                layout.addWidget(section)
        layout.addWidget(self._heading(self.tr("Anmälan")))
        layout.addLayout(self._report(detail))
        if allowed(self._actor.roles, Action.ASSESS):
            button = QPushButton(self.tr("Rätta orsaker till oro…"))
            button.setObjectName("correctConcerns")
            button.clicked.connect(lambda: self.correct_concerns())
            layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self._heading(self.tr("Anmälarens text (ordagrant)")))
        layout.addWidget(self._verbatim(detail.description))
        if detail.attachments:
            layout.addWidget(self._heading(self.tr("Bilagor")))
            for filename, media_type, _sha, size in detail.attachments:
                layout.addWidget(_text(f"{filename} ({media_type}, {max(1, size // 1024)} kB)"))
        layout.addWidget(self._heading(self.tr("Vårdnadshavare")))
        layout.addLayout(self._guardians(detail))
        if detail.siblings:
            layout.addWidget(self._heading(self.tr("Syskon i samma anmälan")))
            layout.addLayout(self._siblings(detail))
        others = [e for e in detail.history.open_entries if e.item_id != detail.row.id]
        if others:
            layout.addWidget(self._heading(
                self.tr("Andra öppna ärenden om barnet ({n})").format(n=len(others))))
            layout.addLayout(self._open_items(others, now))
        layout.addWidget(self._heading(self.tr("Barnets historik")))
        layout.addWidget(self._history(detail))
        self.setWidget(page)
        name_widgets(page)  # built after the window was shown

    def _open_items(self, entries: list[HistoryEntry], now: datetime) -> QVBoxLayout:
        """Each report keeps its own record and deadline, also in a burst of reports."""
        box = QVBoxLayout()
        for entry in entries:
            line = QHBoxLayout()
            left = deadlines.seconds_left(entry.next_due, now) if entry.next_due else None
            text = self.tr("{received} · {status} · {left}").format(
                received=format_datetime_sv(entry.received_at), status=label(entry.status),
                left=time_left_text(left) if left is not None else "")
            line.addWidget(_text(text))
            button = QPushButton(self.tr("Visa"))
            button.setFlat(True)
            button.clicked.connect(lambda _=False, i=entry.item_id: self.sig_open_item.emit(i))
            line.addWidget(button)
            line.addStretch()
            box.addLayout(line)
        return box

    def _heading(self, text: str) -> QLabel:
        heading = _text(text, bold=True, size=1.1)
        heading.setContentsMargins(0, 10, 0, 2)
        return heading

    def _chip(self, text: str, background: str) -> QLabel:
        chip = QLabel(text)
        chip.setTextFormat(Qt.TextFormat.PlainText)
        chip.setStyleSheet(f"background: {background}; color: white; border-radius: 4px; "
                           "padding: 2px 6px; font-weight: bold;")
        return chip

    def _deadlines(self, detail: ItemDetail, now: datetime) -> QFormLayout:
        row = detail.row
        form = QFormLayout()
        status = label(row.status)
        if detail.assessment_status in ASSESSMENT_STATUS_LABELS and row.status == Status.RECEIVED:
            status += " – " + ASSESSMENT_STATUS_LABELS[detail.assessment_status].lower()
        form.addRow(self.tr("Status:"), _text(status, bold=detail.assessment_status
                                              == AWAITING_SECOND_SIGNATURE))
        form.addRow(self.tr("Handläggare:"), _text(row.assigned_to or self.tr("Ej tilldelad")))
        protection = format_datetime_sv(row.protection_due)
        if row.status == Status.RECEIVED:
            protection += self._left(deadlines.seconds_left(row.protection_due, now))
        else:
            protection += self.tr(" (gjord)")
        form.addRow(self.tr("Skyddsbedömning senast:"), _text(protection))
        due = applicable_decision_due(row.decision_due, row.decision_due_extended)
        decision = format_datetime_sv(due)
        if row.decision_due_extended:
            decision += self.tr(" (förlängd från {original})").format(
                original=format_date_sv(row.decision_due))
        if row.status not in DECIDED_STATUSES:
            decision += self._left(deadlines.seconds_left(due, now))
        form.addRow(self.tr("Beslut senast:"), _text(decision))
        return form

    def _left(self, seconds: float) -> str:
        if seconds < 0:
            return f" ({time_left_text(seconds)})"
        return self.tr(" ({left} kvar)").format(left=time_left_text(seconds))

    def _report(self, detail: ItemDetail) -> QFormLayout:
        row = detail.row
        form = QFormLayout()
        form.addRow(self.tr("Inkom:"), _text(format_datetime_sv(row.received_at)))
        form.addRow(self.tr("Kanal:"), _text(channel_label(row.channel)))
        form.addRow(self.tr("Anmälare:"), _text(reporter_label(row.reporter_category)))
        if detail.reporter_anonymous:
            form.addRow("", _text(self.tr("Anonym anmälare"), bold=True))
        else:
            for caption, value in (
                (self.tr("Namn:"), detail.reporter_name),
                (self.tr("Organisation:"), detail.reporter_organisation),
                (self.tr("Roll:"), detail.reporter_role),
                (self.tr("Telefon:"), detail.reporter_phone),
                (self.tr("E-post:"), detail.reporter_email),
            ):
                if value:
                    form.addRow(caption, _text(value))
            form.addRow(self.tr("Vill ha återkoppling:"),
                        _text(self.tr("Ja") if detail.reporter_wants_feedback else self.tr("Nej")))
        form.addRow(self.tr("Oro:"), _text(", ".join(concern_label(c) for c in row.concern_codes)))
        if detail.immediate_danger:
            form.addRow(self.tr("Akut fara:"), _text(self.tr("Ja, enligt anmälaren"), bold=True))
        if detail.source:
            form.addRow(self.tr("E-tjänst:"), _text(f"{detail.source} ({detail.submission_id})"))
        return form

    def _verbatim(self, description: str) -> QPlainTextEdit:
        editor = QPlainTextEdit()
        editor.setObjectName("verbatim")
        editor.setAccessibleName(self.tr("Anmälarens text (ordagrant)"))
        editor.setReadOnly(True)
        editor.setPlainText(description)
        editor.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                       | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        lines = max(3, min(14, description.count("\n") + len(description) // 60 + 2))
        editor.setFixedHeight(editor.fontMetrics().lineSpacing() * lines + 12)
        return editor

    def _guardians(self, detail: ItemDetail) -> QVBoxLayout:
        box = QVBoxLayout()
        current = [g for g in detail.guardians if g.named_in_this_report]
        earlier = [g for g in detail.guardians if not g.named_in_this_report]
        if not current:
            box.addWidget(_text(self.tr("Inga vårdnadshavare angivna i den här anmälan")))
        for guardian in current:
            box.addLayout(self._guardian_row(guardian))
        if earlier:
            box.addWidget(_text(self.tr("Från tidigare anmälningar:"), bold=True))
            for guardian in earlier:
                box.addLayout(self._guardian_row(guardian))
        return box

    def _guardian_row(self, guardian: GuardianView) -> QHBoxLayout:
        line = QHBoxLayout()
        line.addWidget(_text(self._guardian_line(guardian)))
        if not guardian.protected_identity and allowed(self._actor.roles, Action.READ_CASE):
            button = QPushButton(self.tr("Skyddad identitet…"))
            button.setFlat(True)
            button.setObjectName(f"protectGuardian{guardian.id}")
            button.clicked.connect(lambda _=False, g=guardian.id: self.mark_protected(guardian_id=g))
            line.addWidget(button)
        line.addStretch()
        return line

    def _suggestions(self) -> QVBoxLayout:
        """Records with the same name and birth date: linked only when a worker confirms."""
        box = QVBoxLayout()
        for suggestion in self.link_suggestions:
            line = QHBoxLayout()
            line.addWidget(_text(self.tr("{name}, född {born}, {pnr} – {n} anmälningar").format(
                name=suggestion.name, born=format_date_sv(suggestion.birth_date),
                pnr=suggestion.personnummer or self.tr("utan personnummer"), n=suggestion.reports)))
            button = QPushButton(self.tr("Samma barn…"))
            button.setObjectName(f"linkChild{suggestion.child_id}")
            button.clicked.connect(lambda _=False, c=suggestion.child_id: self.link_child(c))
            line.addWidget(button)
            line.addStretch()
            box.addLayout(line)
        return box

    def link_child(self, other_child_id: int, *, reason: str | None = None) -> None:
        """Confirm that another record is the same child: both histories become one (the
        reason is asked for unless given; undone from the audit trail if wrong)."""
        if self.detail is None:
            return
        if reason is None:
            reason, ok = QInputDialog.getText(
                self, self.tr("Samma barn"),
                self.tr("Vad visar att det är samma barn? (sparas i loggen)"))
            if not ok:
                return
        from mottagning.intake.child_links import merge_children

        actor, child_id = self._actor, self.detail.row.child_id
        self._ops.mutate(
            lambda session: merge_children(session, actor, kept_child_id=child_id,
                                           merged_child_id=other_child_id, reason=reason),
            success=lambda _result: self.show_item(self.item_id))

    # -- corrections -------------------------------------------------------------

    def correct_concerns(self, *, codes: list[str] | None = None, reason: str | None = None) -> None:
        """Correct the shown report's concern codes with a reason (a dialog asks for both
        unless given)."""
        if self.detail is None:
            return
        from mottagning.intake.concern_flags import concern_codes_to_correct

        actor, report_id = self._actor, self.detail.row.report_id
        self._ops.query(lambda session: concern_codes_to_correct(session, actor, report_id),
                        success=lambda current: self._correct_concerns(current, codes, reason))

    def _correct_concerns(self, current: ConcernCodes, codes: list[str] | None, reason: str | None) -> None:
        if codes is not None and reason is not None:
            self._save_concerns(current.report_id, codes, reason, current.version)
            return
        from ui.queue.detail_corrections import ConcernCodesDialog

        dialog = ConcernCodesDialog(self._ops, self._actor, current.report_id,
                                    current.concern_codes, self)
        self.concern_dialog = dialog

        def answered(result: int) -> None:
            self.concern_dialog = None
            dialog.deleteLater()
            if result == QDialog.DialogCode.Accepted:
                self._save_concerns(current.report_id, dialog.checked(), dialog.reason.toPlainText(),
                                    current.version)

        dialog.finished.connect(answered)
        dialog.open()

    def _save_concerns(self, report_id: int, codes: list[str], reason: str, version: int) -> None:
        from mottagning.intake.concern_flags import correct_concern_codes

        actor = self._actor
        self._ops.mutate(
            lambda session: correct_concern_codes(session, actor, report_id, concern_codes=codes,
                                                  reason=reason, expected_version=version),
            success=lambda _result: self.show_item(self.item_id),
            failure=lambda error: self._concerns_refused(error, report_id, codes, reason))

    def _concerns_refused(self, error: BaseException, report_id: int, codes: list[str], reason: str) -> None:
        if not (isinstance(error, ConcurrentEdit) and error.has_newer):
            self._ops.errors.show_error(error)
            return
        from ui.queue.detail_corrections import concern_conflict_dialog
        from ui.widgets.conflict_dialog import Choice

        dialog = concern_conflict_dialog(codes, error, self)
        self.concern_conflict = dialog
        newer = int(error.version or 0)

        def chosen(result: int) -> None:
            self.concern_conflict = None
            dialog.deleteLater()
            if result == QDialog.DialogCode.Accepted and dialog.choice is Choice.MINE:
                self._save_concerns(report_id, codes, reason, newer)
                return
            if dialog.choice is Choice.THEIRS:  # the newer codes stand: the draft goes
                from mottagning.intake.concern_flags import (
                    CORRECTION_DRAFT_KIND,
                    correction_draft_key,
                )

                actor = self._actor
                self._ops.mutate(lambda session: discard_draft(
                    session, actor, kind=CORRECTION_DRAFT_KIND,
                    key=correction_draft_key(report_id)))
            self.show_item(self.item_id)  # show the newer codes

        dialog.finished.connect(chosen)
        dialog.open()

    def mark_protected(self, *, child_id: int | None = None, guardian_id: int | None = None,
                       ask: bool = True) -> None:
        """Mark the child or a guardian as having protected identity: every report and
        letter about the person follows, and the stored address is removed."""
        if ask and QMessageBox.question(
            self, self.tr("Skyddad identitet"),
            self.tr("Markera personen med skyddad identitet? Det gäller alla anmälningar och brev "
                    "om personen, och den sparade adressen tas bort. Det går inte att ångra här."),
        ) != QMessageBox.StandardButton.Yes:
            return
        from mottagning.intake.protected_identity import mark_protected_identity

        actor = self._actor
        self._ops.mutate(
            lambda session: mark_protected_identity(session, actor, child_id=child_id,
                                                    guardian_id=guardian_id),
            success=lambda _result: self.show_item(self.item_id))

    def _guardian_line(self, guardian: GuardianView) -> str:
        parts = [guardian.name + (f" ({guardian.relation})" if guardian.relation else "")]
        if guardian.phone:
            parts.append(self.tr("tel. {phone}").format(phone=guardian.phone))
        if guardian.protected_identity:
            parts.append(self.tr("Skyddad identitet"))
        elif guardian.address:
            parts.append(guardian.address)
        return " · ".join(parts)

    def _siblings(self, detail: ItemDetail) -> QVBoxLayout:
        box = QVBoxLayout()
        for sibling in detail.siblings:
            line = QHBoxLayout()
            line.addWidget(_text(f"{sibling.child_name} {sibling.personnummer or ''}".strip()))
            button = QPushButton(self.tr("Visa"))
            button.setFlat(True)
            button.clicked.connect(lambda _=False, i=sibling.item_id: self.sig_open_item.emit(i))
            line.addWidget(button)
            line.addStretch()
            box.addLayout(line)
        return box

    def _add_history_entries(self, tree: QTreeWidget, this_item: int,
                             entries: tuple[HistoryEntry, ...]) -> None:
        for entry in entries:
            outcome = self.outcome_labels.get(entry.outcome or "", entry.outcome or "")
            status = label(entry.status) + (f" – {outcome}" if outcome else "")
            when = format_date_sv(entry.received_at)
            if entry.item_id == this_item:
                when += self.tr(" (denna)")
            tree.addTopLevelItem(QTreeWidgetItem([
                when,
                ", ".join(concern_label(c) for c in entry.concern_codes),
                status,
                ", ".join(self.flag_labels.get(f, f) for f in entry.flags),
            ]))

    def _history(self, detail: ItemDetail) -> QWidget:
        history = detail.history
        frame = QFrame()
        layout = QVBoxLayout(frame)
        layout.setContentsMargins(0, 0, 0, 0)
        count = history.count_last_12_months
        summary = ngettext(self.tr("{n} anmälan senaste 12 månaderna"),
                           self.tr("{n} anmälningar senaste 12 månaderna"), count).format(n=count)
        layout.addWidget(_text(summary, bold=count > 1))
        tree = QTreeWidget()
        tree.setObjectName("history")
        tree.setRootIsDecorated(False)
        tree.setHeaderLabels([self.tr("Inkom"), self.tr("Oro"), self.tr("Status / utfall"),
                              self.tr("Flaggor")])
        self._add_history_entries(tree, detail.row.id, history.entries)
        for column in range(4):
            tree.resizeColumnToContents(column)
        tree.setMinimumHeight(min(10, history.total + 2) * 22)
        layout.addWidget(tree)
        if not history.complete:
            more = QPushButton()
            more.setObjectName("moreHistory")
            more.setFlat(True)
            shown = [len(history.entries)]

            def label_more() -> None:
                more.setText(self.tr("Visa fler ({shown} av {total} visas)").format(
                    shown=shown[0], total=history.total))

            cursor = [history.next_cursor]

            def appended(entries: tuple[HistoryEntry, ...]) -> None:
                if self.detail is not detail:
                    return  # another item was opened meanwhile
                self._add_history_entries(tree, detail.row.id, entries)
                shown[0] += len(entries)
                if entries and shown[0] < history.total:
                    cursor[0] = (entries[-1].received_at, entries[-1].item_id)
                    label_more()
                    more.setEnabled(True)
                else:
                    more.hide()

            def read_more() -> None:
                actor, child_id, after = self._actor, detail.row.child_id, cursor[0]
                if after is None:
                    return
                more.setEnabled(False)
                self._ops.query(lambda session: history_page(session, actor, child_id, after=after),
                                success=appended)

            label_more()
            more.clicked.connect(read_more)
            layout.addWidget(more, 0, Qt.AlignmentFlag.AlignLeft)
        return frame
