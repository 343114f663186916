"""The case-file PDF of a finished skyddsbedömning, read back with pypdf."""

from __future__ import annotations

import io

from pypdf import PdfReader

from mottagning.assessment import NO_IMMEDIATE_NEED
from mottagning.assessment import service as svc
from mottagning.assessment.printing import assessment_pdf
from tests.core.assessment.test_assessment_service import FREE_NOTES, NO_DANGER
from tests.core.factories import register_simple


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_holds_every_shown_question_answer_note_and_both_signatures(
        database, worker, senior, now) -> None:
    item_id = register_simple(database, worker, now=now).item_ids[0]
    with database.transaction() as session:
        state = svc.start_or_resume(session, worker, item_id, now=now)
        for question, answer in {**NO_DANGER, "hot": "ja", "utovare_hemma": "nej"}.items():
            svc.save_answer(session, worker, state.id, question, answer, now=now)
        for question, note in {**FREE_NOTES, "hot": "Hot via sms från en före detta pojkvän."}.items():
            state = svc.save_note(session, worker, state.id, question, note, now=now)
        state = svc.finish(session, worker, state.id, outcome=NO_IMMEDIATE_NEED,
                           override_reason="Den som hotade är häktad sedan i går.",
                           expected_version=state.version, now=now)
        svc.second_sign(session, senior, state.id, secret=svc.SECOND_SIGNATURE_PHRASE, now=now)
    with database.transaction() as session:
        pdf = assessment_pdf(session, worker, state.id, now=now)
    with database.transaction() as session:
        again = assessment_pdf(session, worker, state.id, now=now)
    assert pdf == again
    text = " ".join(_text(pdf).split())
    for expected in (
        "Skyddsbedömning – Ella Andersson, 20150312-2382",
        "Finns det uppgifter om att barnet hotas",
        "Anteckning: Hot via sms från en före detta pojkvän.",
        "Anteckning: I skolan med sin mentor.",
        "Svar: Ja", "Svar: Nej",
        "Det finns uppgifter om att barnet hotas.",
        "Utfall Inget omedelbart skyddsbehov",
        "Rekommendation Omedelbart skyddsbehov",
        "Den som hotade är häktad sedan i går.",
        f"av {worker.full_name}", f"av {senior.full_name}",
        "24 november 2026",
        f"SHA-256 {state.form.sha256}",
        "skyddsbedomning version 1",
    ):
        assert expected in text, expected
    assert "Kan de andra barnen vara utsatta" not in text  # not shown, not printed
