"""Parts of the sign-off pane: its reading boxes and what they show — the case (report,
skyddsbedömning, history), a proposal or correction, a request for more time."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from mottagning.decisions.delegation import outcome_label
from mottagning.decisions.views import ExtensionRow, ProposalDetail
from mottagning.queue.listing import ItemDetail
from mottagning.rules.codes import concern_label
from mottagning.rules.status import label
from mottagning.timeutil import format_date_sv, format_datetime_sv


def tr(text: str) -> str:
    return QCoreApplication.translate("SignoffPane", text)


def box(title: str, widget: QWidget) -> QWidget:
    frame = QWidget()
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(4, 0, 4, 0)
    heading = QLabel(f"<b>{title}</b>")
    layout.addWidget(heading)
    layout.addWidget(widget)
    return frame


def reader(object_name: str) -> QPlainTextEdit:
    text = QPlainTextEdit(readOnly=True)
    text.setObjectName(object_name)
    text.setTabChangesFocus(True)
    return text


def case_text(item: ItemDetail, assessment: str | None) -> str:
    """The report verbatim, then the skyddsbedömning."""
    return tr("{child}, inkom {when}\n\n{text}\n\n— Skyddsbedömning —\n{assessment}").format(
        child=item.row.child_name, when=format_datetime_sv(item.row.received_at), text=item.description,
        assessment=assessment or tr("Ingen skyddsbedömning registrerad."))


def history_rows(item: ItemDetail) -> list[list[str]]:
    """The child's reports: received, concerns, status (with the outcome once decided)."""
    return [[format_date_sv(entry.received_at), ", ".join(concern_label(c) for c in entry.concern_codes),
             label(entry.status) + (f" – {outcome_label(entry.outcome)}" if entry.outcome else "")]
            for entry in item.history.entries]


def proposal_text(detail: ProposalDetail) -> str:
    """The proposal as the reviewer reads it before signing; a correction names what it corrects."""
    d, row = detail.decision, detail.row
    lines = [outcome_label(d.outcome).upper() + (tr("  (AKUT)") if d.urgent else ""),
             tr("Föreslaget av {who}, {when}").format(who=row.proposed_by,
                                                          when=format_datetime_sv(d.proposed_at))]
    due = tr("Beslut senast {date}").format(date=format_date_sv(row.decision_due))
    if row.decision_due_extended:
        due += tr(" – förlängt till {date}").format(date=format_date_sv(row.decision_due_extended))
    lines.append(due)
    if detail.corrects is not None:
        lines += ["", tr("RÄTTELSE av beslut {id} ({outcome}, signerat {when} av {who})").format(
            id=detail.corrects.id, outcome=outcome_label(detail.corrects.outcome).lower(),
            when=format_date_sv(detail.corrects.signed_at), who=detail.corrects.signed_by),
            tr("Skäl till rättelsen: {reason}").format(reason=d.correction_reason)]
    if d.open_support_offered is not None:
        lines.append(tr("Öppna insatser utan behovsprövning erbjuds: {v}").format(
            v=tr("ja") if d.open_support_offered else tr("nej")))
    if d.guardians_to_be_informed is not None:
        lines.append(tr("Vårdnadshavarna underrättas: {v}").format(
            v=tr("ja") if d.guardians_to_be_informed else tr("nej")))
    if d.ongoing_investigation:
        lines.append(tr("Pågående utredning: {v}").format(v=d.ongoing_investigation))
    if d.forward_municipality:
        lines.append(tr("Vidarebefordras till: {v}").format(v=d.forward_municipality))
    lines += ["", tr("Motivering:"), d.motivation]
    if d.violence_reason:
        lines += ["", tr("Skäl trots våldsuppgifter:"), d.violence_reason]
    if d.overrun_reason:
        lines += ["", tr("Orsak till att fristen överskridits:"), d.overrun_reason]
    if d.notes or d.contacts:
        lines += ["", tr("Förhandsbedömningen:")]
        lines += [f"• {c['when']} {c['with']}: {c.get('note', '')}".rstrip(": ") for c in d.contacts]
        if d.notes:
            lines.append(d.notes)
    return "\n".join(lines)


def extension_text(row: ExtensionRow, current_due: datetime | None = None) -> str:
    """What the reviewer reads before signing a request (Swedish)."""
    lines = [
        tr("BEGÄRAN OM FÖRLÄNGD TID FÖR BESLUT (synnerliga skäl)"),
        tr("Begärd av {who}, {when}").format(who=row.requested_by, when=format_datetime_sv(row.requested_at)),
        "",
        tr("Ursprunglig tidsfrist: {date}").format(date=format_date_sv(row.original_due)),
    ]
    if current_due is not None and current_due != row.original_due:
        lines.append(tr("Redan förlängd till: {date}").format(date=format_date_sv(current_due)))
    lines += [tr("Begärt nytt datum: {date}").format(date=format_date_sv(row.new_due)),
              "", tr("Synnerliga skäl:"), row.reason]
    return "\n".join(lines)


class ChoiceList(QListWidget):
    """A list whose current row is only ever what the user chose.

    Qt makes the first row current when a list gets the focus (by Tab, say); here a current
    row opens a child's case, an audited read, so getting the focus must not choose one.
    The arrow keys, a click or Enter do."""

    def focusInEvent(self, event: QFocusEvent) -> None:  # Qt override
        QAbstractScrollArea.focusInEvent(self, event)
        self.viewport().update()
