"""A finished skyddsbedömning as a PDF for the case file.

Database-free: `mottagning.assessment.service.assessment_print` gathers the record (an
audited read) and this module lays it out with the letters' embedded DejaVu fonts.
Deterministic (reportlab's invariant mode, no clock): the same record gives the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from mottagning.assessment.form import ANSWER_LABELS, OUTCOME_LABELS
from mottagning.letters.render import FONT, FONT_BOLD, register_fonts
from mottagning.timeutil import format_datetime_sv

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm


@dataclass(frozen=True)
class PrintedQuestion:
    section: str
    text: str
    answer: str | None  # "ja" / "nej" / "vet_ej"; None for a note-only question
    note: str


@dataclass(frozen=True)
class AssessmentPrint:
    """Everything the case file keeps of one finished assessment."""

    municipality: str
    unit: str
    child_name: str
    personnummer: str | None
    item_id: int
    received_at: datetime
    form_title: str
    form_id: str
    form_version: int
    form_sha256: str
    questions: tuple[PrintedQuestion, ...]
    rules_fired: tuple[str, ...]  # Swedish explanations
    recommended_outcome: str
    floor: str | None
    outcome: str
    override_reason: str | None
    started_by: str
    started_at: datetime
    finished_by: str
    finished_at: datetime
    second_signer: str | None
    second_signed_at: datetime | None
    checklist: tuple[tuple[str, bool], ...]
    violence_flag: bool
    demo: bool


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=13.5, spaceAfter=4)
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=FONT_BOLD, fontSize=15,
                                leading=19, spaceAfter=6),
        "heading": ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, fontSize=11.5,
                                  leading=15, spaceBefore=8, spaceAfter=3, keepWithNext=1),
        "question": ParagraphStyle("question", parent=body, fontName=FONT_BOLD, spaceAfter=1),
        "note": ParagraphStyle("note", parent=body, leftIndent=6 * mm),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10,
                                textColor=colors.grey),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _facts(rows: list[tuple[str, str]], styles: dict[str, ParagraphStyle]) -> Table:
    table = Table([[_p(label, styles["question"]), _p(value, styles["body"])]
                   for label, value in rows],
                  colWidths=[45 * mm, PAGE_WIDTH - 2 * MARGIN - 45 * mm], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 1),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    return table


def _story(record: AssessmentPrint, styles: dict[str, ParagraphStyle]) -> list:
    identity = record.child_name + (f", {record.personnummer}" if record.personnummer else "")
    story: list = [
        _p(f"{record.form_title} – {identity}", styles["title"]),
        _facts([
            ("Ärende", f"{record.item_id}, anmälan inkom {format_datetime_sv(record.received_at)}"),
            ("Påbörjad", f"{format_datetime_sv(record.started_at)} av {record.started_by}"),
            ("Avslutad", f"{format_datetime_sv(record.finished_at)} av {record.finished_by}"),
            ("Andra signatur", f"{format_datetime_sv(record.second_signed_at)} av "
                               f"{record.second_signer}" if record.second_signer
             and record.second_signed_at else "Behövdes inte"),
        ], styles),
        _p("Bedömning", styles["heading"]),
        _facts([
            ("Utfall", OUTCOME_LABELS[record.outcome]),
            ("Rekommendation", OUTCOME_LABELS[record.recommended_outcome]),
            ("Lägsta nivå (röda flaggor)",
             OUTCOME_LABELS[record.floor] if record.floor else "Ingen röd flagga"),
            *([("Skäl för annat utfall", record.override_reason)] if record.override_reason
              else []),
        ], styles),
    ]
    if record.violence_flag:
        story.append(_p("Anmälan gäller våld: en utredning ska inledas utan dröjsmål.",
                        styles["question"]))
    story.append(_p("Regler och röda flaggor som slog till", styles["heading"]))
    for text in record.rules_fired or ("Inga",):
        story.append(_p(f"• {text}", styles["body"]))
    if record.checklist:
        story.append(_p("Checklista vid omedelbart skyddsbehov", styles["heading"]))
        for label, done in record.checklist:
            story.append(_p(f"{'☒' if done else '☐'} {label}", styles["body"]))
    section = None
    for question in record.questions:
        if question.section != section:
            section = question.section
            story.append(_p(section, styles["heading"]))
        block = [_p(question.text, styles["question"])]
        if question.answer is not None:
            block.append(_p(f"Svar: {ANSWER_LABELS[question.answer]}", styles["note"]))
        if question.note:
            block.append(_p(f"Anteckning: {question.note}", styles["note"]))
        story.append(KeepTogether(block))
    story += [Spacer(0, 8), _p(
        f"Formulär {record.form_id} version {record.form_version}, "
        f"SHA-256 {record.form_sha256}", styles["small"])]
    return story


def render_assessment_pdf(record: AssessmentPrint) -> bytes:
    """The assessment as PDF bytes (A4, Swedish, page numbers, DEMO marked)."""
    register_fonts()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, invariant=1, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=32 * mm, bottomMargin=20 * mm, title=f"{record.form_title} – ärende {record.item_id}",
        author=record.unit, creator="Mottagning",
    )

    def header(canvas: Canvas, document) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(FONT_BOLD, 12)
        canvas.drawString(MARGIN, PAGE_HEIGHT - 16 * mm, record.municipality)
        canvas.setFont(FONT, 9)
        canvas.drawString(MARGIN, PAGE_HEIGHT - 21 * mm, record.unit)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 16 * mm,
                               record.form_title.upper())
        canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 21 * mm,
                               f"Ärende {record.item_id} · sida {document.page}")
        if record.demo:
            canvas.setFillColor(colors.Color(0.75, 0.1, 0.1))
            canvas.drawString(MARGIN, PAGE_HEIGHT - 9 * mm,
                              "DEMO – påhittade uppgifter från en demodatabas")
        canvas.setStrokeColor(colors.grey)
        canvas.line(MARGIN, PAGE_HEIGHT - 24 * mm, PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 24 * mm)
        canvas.restoreState()

    doc.build(_story(record, _styles()), onFirstPage=header, onLaterPages=header)
    return buffer.getvalue()
