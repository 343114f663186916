"""Time a kallelse against bare one-page reportlab documents, in one run.

Issue 18 asks that a kallelse take at most 3 times a bare one-page reportlab document with
the same embedded fonts (issue 7 allowed 5).
Two baselines are measured, interleaved with the kallelse so that machine load hits all
three alike:

- bare, standard font: one page drawn on a canvas in Helvetica, nothing embedded;
- bare, letter fonts: one page with one line in each of the letter's embedded fonts
  (DejaVu Sans and Sans Bold). A letter must embed a font with å ä ö, and subsetting
  and embedding a TrueType font alone costs several times the first baseline, so this
  is the baseline the target is checked against.

Run with `.venv/bin/python benchmarks/bench_letters.py [repetitions]`; both ratios are
recorded in benchmarks/results.json (the standard-font one for orientation); exit status 1
when the kallelse exceeds the target.
"""

from __future__ import annotations

import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).parent))

from _results import record  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from mottagning.letters.model import LetterKind  # noqa: E402
from mottagning.letters.render import FONT, FONT_BOLD, register_fonts, render_letter  # noqa: E402
from mottagning.letters.samples import sample_profile, sample_request  # noqa: E402

TARGET_RATIO = 3.0


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
    kallelse = medians["kallelse"] * 1000
    record("letters: one kallelse PDF vs bare page, standard font", target=None,
           small_ms=medians["bare, standard font"] * 1000, large_ms=kallelse,
           note="orientation: a bare page embeds no font")
    entry = record("letters: one kallelse PDF vs bare page, same embedded fonts", target=TARGET_RATIO,
                   small_ms=medians["bare, letter fonts"] * 1000, large_ms=kallelse,
                   note=f"medians of {repetitions}, interleaved")
    return 0 if entry["met"] else 1

if __name__ == "__main__":
    raise SystemExit(main())
