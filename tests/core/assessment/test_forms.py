"""The shipped skyddsbedömning form: red flags, rules, notes, visibility and the registry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mottagning.assessment import (
    ANSWERS,
    IMMEDIATE_PROTECTION,
    NO_IMMEDIATE_NEED,
    OUTCOME_LABELS,
    OUTCOMES,
    UNKNOWN,
    AnswerError,
    Form,
    FormError,
    FormUnavailable,
    check_forms,
    form_sha256,
    gaps,
    load_forms,
    recommend,
    release_form,
    visible_questions,
)
from mottagning.assessment.engine import counted_answers
from mottagning.assessment.registry import LOCK_FILE
from mottagning.paths import resource

FORMS = resource("forms")


@pytest.fixture(scope="module")
def form() -> Form:
    return load_forms(FORMS).current("skyddsbedomning")


def test_shipped_forms_pass_every_check_and_case() -> None:
    assert check_forms(FORMS) == []


def test_shipped_form_is_version_1_with_its_recorded_hash(form: Form) -> None:
    assert (form.id, form.version) == ("skyddsbedomning", 1)
    assert form.sha256 == form_sha256(FORMS / "skyddsbedomning-1.toml")


def test_shipped_form_has_enough_questions_in_the_required_sections(form: Form) -> None:
    assert len(form.questions) >= 12
    assert {s.id for s in form.sections} >= {
        "anledning", "akut_fara", "barnet_nu", "andra_barn", "vardnadshavarna", "fore_kontakt",
    }


def test_outcomes_have_swedish_labels() -> None:
    assert OUTCOMES == (NO_IMMEDIATE_NEED, IMMEDIATE_PROTECTION)
    assert OUTCOME_LABELS[IMMEDIATE_PROTECTION] == "Omedelbart skyddsbehov"
    assert OUTCOME_LABELS[NO_IMMEDIATE_NEED] == "Inget omedelbart skyddsbehov"


def test_child_afraid_to_go_home_with_injuries_needs_immediate_protection(form: Form) -> None:
    result = recommend(form, {"radd_ga_hem": "ja", "synliga_skador": "ja"})
    assert result.outcome == IMMEDIATE_PROTECTION
    assert result.rules_fired == ["radd_och_skadad"]


def test_every_danger_question_answered_no_gives_no_immediate_need(form: Form) -> None:
    flagged = {flag.question: flag for flag in form.red_flags}
    answers = {
        q.id: ("ja" if q.id in flagged and "nej" in flagged[q.id].answers else "nej")
        for q in visible_questions(form, {})
        if q.kind == "ja_nej_vet_ej"
    }
    result = recommend(form, answers)
    assert (result.outcome, result.floor, result.rules_fired) == (NO_IMMEDIATE_NEED, None, [])


def test_no_answers_recommend_no_immediate_need_without_floor(form: Form) -> None:
    result = recommend(form, {})
    assert (result.outcome, result.floor, result.rules_fired) == (NO_IMMEDIATE_NEED, None, [])


RED_FLAGS = [
    ("flagga_risk_i_dag", "risk_om_inget_gors", "ja"),
    ("flagga_vald", "vald", "ja"),
    ("flagga_hot", "hot", "ja"),
    ("flagga_overgrepp", "overgrepp", "ja"),
    ("flagga_heder", "heder", "ja"),
    ("flagga_paverkad", "vardnadshavare_paverkad", "ja"),
    ("flagga_sjuk", "vardnadshavare_sjuk", "ja"),
    ("flagga_utan_skydd", "skyddande_vuxen", "nej"),
]


def test_every_red_flag_of_the_form_is_tested(form: Form) -> None:
    assert sorted(flag.id for flag in form.red_flags) == sorted(f[0] for f in RED_FLAGS)


@pytest.mark.parametrize(("flag_id", "question", "answer"), RED_FLAGS)
def test_red_flag_answer_sets_the_floor_to_immediate_protection(
    form: Form, flag_id: str, question: str, answer: str
) -> None:
    result = recommend(form, {question: answer})
    assert result.floor == IMMEDIATE_PROTECTION
    assert result.outcome == IMMEDIATE_PROTECTION
    assert result.rules_fired == [flag_id]


@pytest.mark.parametrize(("flag_id", "question", "answer"), RED_FLAGS)
def test_unknown_on_a_red_flag_question_raises_the_floor_and_requires_a_note(
    form: Form, flag_id: str, question: str, answer: str
) -> None:
    result = recommend(form, {question: UNKNOWN})
    assert result.floor == IMMEDIATE_PROTECTION
    assert result.rules_fired == [f"{flag_id}:vet_ej"]
    assert question in result.notes_required
    assert question in {gap.question_id for gap in gaps(form, {question: UNKNOWN}, {})}
    assert question not in {
        gap.question_id for gap in gaps(form, {question: UNKNOWN}, {question: "Oklart."})
    }


@pytest.mark.parametrize(("flag_id", "question", "answer"), RED_FLAGS)
def test_the_safe_answer_on_a_red_flag_question_raises_nothing(
    form: Form, flag_id: str, question: str, answer: str
) -> None:
    safe = "nej" if answer == "ja" else "ja"
    assert recommend(form, {question: safe}).floor is None


RULES = [
    ("radd_och_skadad", {"radd_ga_hem": "ja", "synliga_skador": "ja"}),
    ("radd_och_ska_hem", {"radd_ga_hem": "ja", "ska_hem_till_oro": "ja"}),
    ("skadad_utan_skydd_hemma", {"synliga_skador": "ja", "vardnadshavare_skyddar": "nej"}),
    ("utovaren_hemma", {"bevittnat_vald": "ja", "utovare_hemma": "ja"}),
]


def test_every_rule_of_the_form_is_tested(form: Form) -> None:
    assert sorted(rule.id for rule in form.rules) == sorted(r[0] for r in RULES)


@pytest.mark.parametrize(("rule_id", "answers"), RULES)
def test_rule_recommends_immediate_protection_without_a_floor(
    form: Form, rule_id: str, answers: dict[str, str]
) -> None:
    result = recommend(form, answers)
    assert (result.outcome, result.floor, result.rules_fired) == (
        IMMEDIATE_PROTECTION, None, [rule_id]
    )


@pytest.mark.parametrize(("rule_id", "answers"), RULES)
def test_rule_does_not_fire_when_one_of_its_answers_is_no(
    form: Form, rule_id: str, answers: dict[str, str]
) -> None:
    for question in answers:
        result = recommend(form, {**answers, question: "nej" if answers[question] == "ja" else "ja"})
        assert rule_id not in result.rules_fired


def test_a_fired_rule_and_a_red_flag_are_both_listed_in_form_order(form: Form) -> None:
    result = recommend(form, {"vald": "vet_ej", "radd_ga_hem": "ja", "synliga_skador": "ja"})
    assert result.rules_fired == ["flagga_vald:vet_ej", "radd_och_skadad"]
    assert form.explain("radd_och_skadad") == "Barnet är rädd för att gå hem och har skador."
    assert "räknas som en röd flagga" in form.explain("flagga_vald:vet_ej")


def test_follow_up_question_is_shown_only_after_violence_or_threat(form: Form) -> None:
    assert "utovare_hemma" not in {q.id for q in visible_questions(form, {})}
    assert "utovare_hemma" in {q.id for q in visible_questions(form, {"hot": "ja"})}


def test_answer_to_a_hidden_question_neither_fires_rules_nor_needs_a_note(form: Form) -> None:
    result = recommend(form, {"bevittnat_vald": "nej", "utovare_hemma": "ja"})
    assert result.rules_fired == []
    assert "utovare_hemma" not in result.notes_required


def test_answer_that_needs_a_note_requires_one(form: Form) -> None:
    assert "synliga_skador" in recommend(form, {"synliga_skador": "ja"}).notes_required
    assert "synliga_skador" not in recommend(form, {"synliga_skador": "nej"}).notes_required


def test_free_text_questions_always_need_their_note(form: Form) -> None:
    required = recommend(form, {}).notes_required
    assert {"var_barnet_ar", "fungerar_bra"} <= set(required)


def test_gaps_list_unanswered_shown_questions_and_missing_notes(form: Form) -> None:
    shown = [q for q in visible_questions(form, {}) if q.kind == "ja_nej_vet_ej"]
    all_no = {q.id: "nej" for q in shown} | {"skyddande_vuxen": "ja", "vardnadshavare_skyddar": "ja"}
    notes = {"var_barnet_ar": "I skolan med mentorn.", "fungerar_bra": "Skolgången fungerar."}
    assert gaps(form, all_no, notes) == []
    missing = gaps(form, {}, {})
    assert {gap.question_id for gap in missing} == {q.id for q in shown} | set(notes)


@pytest.mark.parametrize(
    ("answers", "fragment"),
    [
        ({"finns_inte": "ja"}, "ingen fråga 'finns_inte'"),
        ({"vald": "yes"}, "Ogiltigt svar 'yes'"),
        ({"var_barnet_ar": "ja"}, "besvaras med en anteckning"),
    ],
)
def test_answers_that_do_not_fit_the_form_are_refused(
    form: Form, answers: dict[str, str], fragment: str
) -> None:
    with pytest.raises(AnswerError, match=fragment):
        recommend(form, answers)


@given(st.data())
def test_outcome_is_never_below_the_floor_and_hidden_answers_never_matter(
    form: Form, data: st.DataObject
) -> None:
    questions = [q.id for q in form.questions if q.kind == "ja_nej_vet_ej"]
    answers = data.draw(st.dictionaries(st.sampled_from(questions), st.sampled_from(ANSWERS)))
    result = recommend(form, answers)
    if result.floor is not None:
        assert OUTCOMES.index(result.outcome) >= OUTCOMES.index(result.floor)
    assert recommend(form, counted_answers(form, answers)) == result


# The registry and immutability


@pytest.fixture
def forms_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "forms"
    shutil.copytree(FORMS, directory)
    return directory


def test_a_released_form_changed_under_the_same_version_is_refused(forms_copy: Path) -> None:
    path = forms_copy / "skyddsbedomning-1.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Har oron pågått under en längre tid", "Har oron pågått länge"
    ), encoding="utf-8")
    form_set = load_forms(forms_copy)
    assert form_set.forms == {}
    [problem] = form_set.problems
    assert problem.file == path
    assert "har ändrats efter att det frisläpptes" in problem.message
    assert "skyddsbedomning-2.toml" in problem.message
    with pytest.raises(FormUnavailable, match="kan inte startas"):
        form_set.current("skyddsbedomning")


def test_a_broken_new_version_leaves_the_last_valid_version_in_use(forms_copy: Path) -> None:
    original = (forms_copy / "skyddsbedomning-1.toml").read_text(encoding="utf-8")
    version_2 = forms_copy / "skyddsbedomning-2.toml"
    version_2.write_text(original.replace("version = 1", "version = 2"), encoding="utf-8")
    release_form(version_2)
    version_2.write_text(original.replace("version = 1", "version = 2") + "\nokand = 1\n",
                         encoding="utf-8")
    form_set = load_forms(forms_copy)
    assert form_set.current("skyddsbedomning").version == 1
    assert [p.file for p in form_set.problems] == [version_2]


def test_a_released_new_version_becomes_current_and_the_old_stays_available(
    forms_copy: Path,
) -> None:
    original = (forms_copy / "skyddsbedomning-1.toml").read_text(encoding="utf-8")
    version_2 = forms_copy / "skyddsbedomning-2.toml"
    version_2.write_text(original.replace("version = 1", "version = 2"), encoding="utf-8")
    release_form(version_2)
    form_set = load_forms(forms_copy)
    assert form_set.problems == ()
    assert form_set.current("skyddsbedomning").version == 2
    assert form_set.version("skyddsbedomning", 1).version == 1


def test_an_unreleased_form_is_not_used(forms_copy: Path) -> None:
    original = (forms_copy / "skyddsbedomning-1.toml").read_text(encoding="utf-8")
    (forms_copy / "skyddsbedomning-2.toml").write_text(
        original.replace("version = 1", "version = 2"), encoding="utf-8"
    )
    form_set = load_forms(forms_copy)
    assert form_set.current("skyddsbedomning").version == 1
    [problem] = form_set.problems
    assert "inte frisläppt" in problem.message


def test_a_missing_released_form_file_is_reported(forms_copy: Path) -> None:
    (forms_copy / "skyddsbedomning-1.toml").unlink()
    [problem] = load_forms(forms_copy).problems
    assert "saknas" in problem.message


def test_releasing_a_version_again_with_other_content_is_refused(forms_copy: Path) -> None:
    path = forms_copy / "skyddsbedomning-1.toml"
    lock_before = (forms_copy / LOCK_FILE).read_text(encoding="utf-8")
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(FormError, match="redan frisläppt med annat innehåll"):
        release_form(path)
    assert (forms_copy / LOCK_FILE).read_text(encoding="utf-8") == lock_before


def test_an_unknown_version_is_unavailable_with_a_swedish_message(forms_copy: Path) -> None:
    with pytest.raises(FormUnavailable, match="version 7 finns inte"):
        load_forms(forms_copy).version("skyddsbedomning", 7)


def test_explaining_an_id_the_form_does_not_have_is_a_key_error(form: Form) -> None:
    with pytest.raises(KeyError):
        form.explain("finns_inte")
    with pytest.raises(KeyError):
        form.question("finns_inte")
