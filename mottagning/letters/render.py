"""Render a letter request to a PDF with reportlab.

Layout follows the Swedish window-envelope letter: an A4 sheet folded in three into a
C5/E65 window envelope shows the address field placed 20 mm from the left edge and
45 mm from the top, 90 × 40 mm (the left window, "V2", of the Swedish envelope
standard). Rendering is deterministic (reportlab's invariant mode, no clock, no
random ids), so the stored SHA-256 identifies the letter and a reprint is identical.
"""

from __future__ import annotations

import hashlib
import io
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from mottagning.letters import rules
from mottagning.letters.fields import letter_conditions, letter_values
from mottagning.letters.model import (
    LetterRequest,
    MunicipalityProfile,
    RenderedLetter,
)
from mottagning.letters.templates import FilledLetter, LetterTemplate, fill, load_template
from mottagning.paths import resource
from mottagning.terminal import one_line
from mottagning.timeutil import format_date_sv

FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"
PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT = 20 * mm
RIGHT = PAGE_WIDTH - 20 * mm
ADDRESS_TOP = 45 * mm
ADDRESS_WIDTH, ADDRESS_HEIGHT = 90 * mm, 40 * mm
INFO_LEFT = 120 * mm
# The body starts below the address field on page 1 and below the letterhead after that.
FIRST_BODY_TOP = 95 * mm
LATER_BODY_TOP = 42 * mm
FOOTER_RULE = 27 * mm
BODY_BOTTOM = 32 * mm
DEMO_COLOUR = colors.Color(0.75, 0.1, 0.1)


@cache
def register_fonts() -> None:
    """Make the embedded letter fonts known to reportlab (once per process)."""
    pdfmetrics.registerFont(TTFont(FONT, str(resource("fonts", "DejaVuSans.ttf"))))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(resource("fonts", "DejaVuSans-Bold.ttf"))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


@cache
def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=10.5, leading=14.5, spaceAfter=7)
    return {
        "body": body,
        "subject": ParagraphStyle("subject", parent=body, fontName=FONT_BOLD, fontSize=12.5,
                                  leading=16, spaceAfter=10),
        # keepWithNext: a heading is never left alone at the foot of a page.
        "heading": ParagraphStyle("heading", parent=body, fontName=FONT_BOLD, spaceBefore=4,
                                  spaceAfter=2, keepWithNext=1),
        "fact": ParagraphStyle("fact", parent=body, spaceAfter=0),
        "fact_label": ParagraphStyle("fact_label", parent=body, fontName=FONT_BOLD, spaceAfter=0),
    }


def render_letter(
    request: LetterRequest,
    profile: MunicipalityProfile,
    template: LetterTemplate | None = None,
) -> RenderedLetter:
    """Render one letter to one recipient.

    Raises LetterRefused when a hard rule forbids the letter and LetterIncomplete
    listing everything missing; never returns a partial letter. `template` defaults to
    the shipped template of the request's kind (pass an edited one for a preview).
    """
    template = template or load_template(request.kind)
    rules.check_allowed(request)
    values = letter_values(request, profile)
    filled, template_gaps = fill(template, values, letter_conditions(request))
    rules.raise_if_incomplete(rules.structural_gaps(request, values), template_gaps)
    assert filled is not None  # fill only returns None together with gaps
    address_lines, warnings = rules.address_block(request.recipient)
    # Names and addresses are case data: no control character reaches the page.
    address_lines = [one_line(line) for line in address_lines]
    printed = [filled.all_text(), *address_lines, request.case_reference, profile.unit]
    rules.check_secrecy(request, "\n".join(printed))
    if profile.logo_path is not None and not profile.logo_path.is_file():
        warnings.append(f"Logotypen {profile.logo_path} hittades inte; brevet skrivs ut utan logotyp.")
    if request.demo:
        warnings.append("Brevet kommer från en demodatabas och är märkt DEMO. Det får inte skickas.")
    pdf, page_count = _layout(request, profile, filled, address_lines)
    return RenderedLetter(
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        template_version=template.version,
        page_count=page_count,
        warnings=warnings,
    )


def _story(filled: FilledLetter, styles: dict[str, ParagraphStyle]) -> list:
    story: list = [Paragraph(escape(filled.subject), styles["subject"])]
    for paragraph in filled.paragraphs:
        if paragraph.heading:
            story.append(Paragraph(escape(paragraph.heading), styles["heading"]))
        if paragraph.text:
            story.append(Paragraph(escape(paragraph.text), styles["body"]))
        if paragraph.facts:
            rows = [
                [Paragraph(escape(label), styles["fact_label"]), Paragraph(escape(value), styles["fact"])]
                for label, value in paragraph.facts
            ]
            table = Table(rows, colWidths=[32 * mm, RIGHT - LEFT - 32 * mm], hAlign="LEFT")
            table.setStyle(TableStyle([
                # a table selects its cells' font (Helvetica by default, never embedded) even
                # when every cell is a paragraph: archived letters must embed every font they name
                ("FONTNAME", (0, 0), (-1, -1), FONT),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]))
            story += [Spacer(0, 2), table, Spacer(0, 8)]
    signature = [Spacer(0, 6), Paragraph(escape(filled.closing), styles["body"]), Spacer(0, 14)]
    signature += [Paragraph(escape(line), styles["fact"]) for line in filled.signature]
    story.append(KeepTogether(signature))
    return story


def _layout(
    request: LetterRequest,
    profile: MunicipalityProfile,
    filled: FilledLetter,
    address_lines: list[str],
) -> tuple[bytes, int]:
    register_fonts()
    styles = _styles()
    buffer = io.BytesIO()
    width = RIGHT - LEFT
    first = Frame(LEFT, BODY_BOTTOM, width, PAGE_HEIGHT - FIRST_BODY_TOP - BODY_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="first")
    later = Frame(LEFT, BODY_BOTTOM, width, PAGE_HEIGHT - LATER_BODY_TOP - BODY_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="later")

    def letterhead(canvas: Canvas, _doc) -> None:
        _draw_letterhead(canvas, request, profile, filled.title)

    def first_page(canvas: Canvas, doc) -> None:
        letterhead(canvas, doc)
        _draw_address(canvas, address_lines)

    doc = BaseDocTemplate(
        buffer, pagesize=A4, invariant=1, initialFontName=FONT, title=filled.subject, author=profile.unit,
        subject=filled.title, creator="Mottagning", leftMargin=LEFT, rightMargin=20 * mm,
    )
    doc.addPageTemplates([
        PageTemplate(id="first", frames=[first], onPage=first_page, autoNextPageTemplate="later"),
        PageTemplate(id="later", frames=[later], onPage=letterhead),
    ])
    page_labels = _PageLabels()
    doc.build(_story(filled, styles), canvasmaker=page_labels.canvas)
    return buffer.getvalue(), page_labels.count


class _PageLabels:
    """Canvas factory that writes "Sida N av M" once the number of pages is known."""

    def __init__(self) -> None:
        self.count = 0

    def canvas(self, *args, **kwargs) -> Canvas:
        labels = self

        class NumberedCanvas(Canvas):
            def __init__(self, *a, **kw) -> None:
                super().__init__(*a, **kw)
                self._pages: list[dict] = []

            def showPage(self) -> None:
                self._pages.append(dict(self.__dict__))
                self._startPage()

            def save(self) -> None:
                labels.count = len(self._pages)
                for number, state in enumerate(self._pages, 1):
                    self.__dict__.update(state)
                    self.setFont(FONT, 9)
                    self.drawString(INFO_LEFT, PAGE_HEIGHT - 30 * mm, f"Sida {number} av {labels.count}")
                    super().showPage()
                super().save()

        return NumberedCanvas(*args, **kwargs)


def _draw_letterhead(canvas: Canvas, request: LetterRequest, profile: MunicipalityProfile,
                     title: str) -> None:
    canvas.saveState()
    if request.demo:
        _draw_demo_mark(canvas)
    name_left = LEFT
    logo = profile.logo_path
    if logo is not None and logo.is_file():
        # An ImageReader names the image by its pixels; a file name would put the path
        # into the PDF's bytes, so the same letter would differ between machines.
        canvas.drawImage(ImageReader(str(logo)), LEFT, PAGE_HEIGHT - 30 * mm, width=30 * mm, height=18 * mm,
                         preserveAspectRatio=True, anchor="nw", mask="auto")
        name_left = LEFT + 34 * mm
    canvas.setFont(FONT_BOLD, 13)
    canvas.drawString(name_left, PAGE_HEIGHT - 17 * mm, profile.municipality)
    _draw_lines(canvas, name_left, PAGE_HEIGHT - 19.5 * mm, INFO_LEFT - name_left - 6 * mm,
                [profile.unit], size=9.5, leading=12)

    canvas.setFont(FONT_BOLD, 11)
    canvas.drawString(INFO_LEFT, PAGE_HEIGHT - 16 * mm, title.upper())
    canvas.setFont(FONT, 9)
    canvas.drawString(INFO_LEFT, PAGE_HEIGHT - 21 * mm, f"Datum: {format_date_sv(request.issued_on)}")
    canvas.drawString(INFO_LEFT, PAGE_HEIGHT - 25.5 * mm, f"Vår referens: {request.case_reference}")
    _draw_footer(canvas, profile)
    canvas.restoreState()


def _draw_demo_mark(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setFillColor(DEMO_COLOUR)
    canvas.setFillAlpha(0.13)
    canvas.setFont(FONT_BOLD, 130)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(50)
    canvas.drawCentredString(0, -45, "DEMO")
    canvas.restoreState()
    canvas.setFillColor(DEMO_COLOUR)
    canvas.setFont(FONT_BOLD, 8.5)
    canvas.drawString(LEFT, PAGE_HEIGHT - 8 * mm, "DEMO – övningsbrev från en demodatabas, får inte skickas")
    canvas.setFillColor(colors.black)


def _draw_address(canvas: Canvas, lines: list[str]) -> None:
    text = canvas.beginText(LEFT + 2 * mm, PAGE_HEIGHT - ADDRESS_TOP - 8 * mm)
    text.setFont(FONT, 11, leading=14)
    for line in lines:
        text.textLine(line)
    canvas.drawText(text)


def _draw_lines(canvas: Canvas, x: float, top: float, width: float, lines: list[str],
                *, size: float, leading: float, first_bold: bool = False) -> None:
    """Draw lines downwards from `top`, wrapping each to `width` (cheaper than a Paragraph
    on every page)."""
    y = top - size
    for number, line in enumerate(lines):
        font = FONT_BOLD if first_bold and number == 0 else FONT
        canvas.setFont(font, size)
        for part in simpleSplit(line, font, size, width):
            canvas.drawString(x, y, part)
            y -= leading


def _draw_footer(canvas: Canvas, profile: MunicipalityProfile) -> None:
    canvas.setStrokeColor(colors.grey)
    canvas.setLineWidth(0.5)
    canvas.line(LEFT, FOOTER_RULE, RIGHT, FOOTER_RULE)
    columns = [
        ("Postadress", [profile.municipality, *profile.postal_address_lines]),
        ("Besöksadress", [profile.visiting_address]),
        ("Telefon", [profile.phone, profile.phone_hours]),
        ("E-post", [profile.email]),
    ]
    widths = [40 * mm, 45 * mm, 40 * mm, 45 * mm]
    x = LEFT
    for (label, lines), width in zip(columns, widths, strict=True):
        _draw_lines(canvas, x, FOOTER_RULE - 2 * mm, width - 3 * mm,
                    [label, *(line for line in lines if line)], size=7.5, leading=9.5, first_bold=True)
        x += width
