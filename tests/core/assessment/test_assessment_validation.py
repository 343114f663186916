"""`check_forms` catches each kind of form error and names the file and the entry."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mottagning.assessment import (
    FormError,
    Problem,
    check_forms,
    form_sha256,
    load_form,
    load_forms,
    release_form,
)
from mottagning.assessment.checks import form_problems
from mottagning.assessment.parsing import parse_form
from mottagning.assessment.registry import LOCK_FILE

VALID = """\
id = "prov"
version = 1
title = "Provformulär"

[[sections]]
id = "fara"
title = "Fara"

[[sections.questions]]
id = "slag"
text = "Slås barnet?"
help = "Hjälptext."

[[sections.questions]]
id = "skador"
text = "Har barnet skador?"
help = "Hjälptext."
show_if = 'slag != "nej"'
note_required_when = ["ja"]

[[red_flags]]
id = "flagga_slag"
question = "slag"
answers = ["ja"]
floor = "immediate_protection"
text = "Barnet slås."

[[rules]]
id = "skadat"
when = 'skador == "ja"'
outcome = "immediate_protection"
text = "Barnet har skador."

[[cases]]
name = "Inga slag"
answers = { slag = "nej" }
outcome = "no_immediate_need"
floor = "none"
rules_fired = []
"""


def write_form(directory: Path, text: str, name: str = "prov-1.toml") -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(tmp_path: Path, text: str) -> list[Problem]:
    """The problems check_forms finds in a form that is released as written."""
    directory = tmp_path / "forms"
    path = write_form(directory, text)
    # Released by hand so the check reports the content, not that the form is unreleased.
    (directory / LOCK_FILE).write_text(
        f'[[released]]\nid = "prov"\nversion = 1\nsha256 = "{form_sha256(path)}"\n',
        encoding="utf-8",
    )
    return check_forms(directory)


def test_the_valid_sample_form_has_no_problems(tmp_path: Path) -> None:
    assert problems_of(tmp_path, VALID) == []


BROKEN = [
    pytest.param("okand = 1\n" + VALID, "formuläret", "okänd nyckel 'okand'",
                 id="unknown-top-level-key"),
    pytest.param(VALID.replace('help = "Hjälptext."\n\n[[sections.questions]]\nid = "skador"',
                               'hjalp = "x"\nhelp = "Hjälptext."\n\n[[sections.questions]]\n'
                               'id = "skador"'),
                 "fråga 'slag'", "okänd nyckel 'hjalp'", id="unknown-question-key"),
    pytest.param(VALID.replace('text = "Slås barnet?"\n', ""), "fråga 'slag'",
                 "nyckeln 'text' saknas", id="missing-key"),
    pytest.param(VALID.replace('id = "skador"', 'id = "slag"'), "fråga 'slag'",
                 "används redan", id="duplicate-question-id"),
    pytest.param(VALID.replace('id = "skadat"', 'id = "flagga_slag"'), "regel 'flagga_slag'",
                 "används redan", id="rule-id-duplicates-red-flag-id"),
    pytest.param(VALID.replace('when = \'skador == "ja"\'', 'when = \'skadr == "ja"\''),
                 "regel 'skadat'", "'skadr', som inte är en tidigare fråga",
                 id="dangling-question-in-rule"),
    pytest.param(VALID.replace('question = "slag"', 'question = "slg"'),
                 "röd flagga 'flagga_slag'", "'slg' är ingen ja/nej-fråga",
                 id="dangling-question-in-red-flag"),
    pytest.param(VALID.replace("show_if = 'slag != \"nej\"'", "show_if = 'skador == \"ja\"'"),
                 "fråga 'skador'", "'skador', som inte är en tidigare fråga",
                 id="condition-reads-itself-or-a-later-question"),
    pytest.param(VALID.replace('when = \'skador == "ja"\'', 'when = \'skador = "ja"\''),
                 "regel 'skadat'", "går inte att tolka", id="condition-cannot-parse"),
    pytest.param(VALID.replace('when = \'skador == "ja"\'', 'when = \'skador == "yes"\''),
                 "regel 'skadat'", "'yes', som aldrig är ett svar",
                 id="rule-compares-with-a-value-that-is-never-an-answer"),
    pytest.param(VALID.replace('when = \'skador == "ja"\'',
                               'when = \'skador == "ja" and skador == "nej"\''),
                 "regel 'skadat'", "regeln slår aldrig till", id="contradictory-rule"),
    pytest.param(VALID.replace('when = \'skador == "ja"\'',
                               'when = \'skador == "ja" and slag == "nej"\''),
                 "regel 'skadat'", "regeln slår aldrig till",
                 id="rule-needs-a-question-its-own-condition-hides"),
    pytest.param(VALID.replace("show_if = 'slag != \"nej\"'",
                               "show_if = 'slag == \"ja\" and not slag in [\"ja\"]'"),
                 "fråga 'skador'", "frågan visas aldrig", id="question-never-shown"),
    pytest.param(VALID.replace('outcome = "no_immediate_need"', 'outcome = "immediate_protection"'),
                 "testfall 'Inga slag'", "rekommendationen blev Inget omedelbart skyddsbehov",
                 id="failing-test-case"),
    pytest.param(VALID.replace("rules_fired = []", 'rules_fired = ["skadat"]'),
                 "testfall 'Inga slag'", "reglerna som slog till", id="case-expects-other-rules"),
    pytest.param(VALID.replace('answers = { slag = "nej" }', 'answers = { slg = "nej" }'),
                 "testfall 'Inga slag'", "'slg' är ingen ja/nej-fråga",
                 id="case-answers-unknown-question"),
    pytest.param(VALID.replace('outcome = "immediate_protection"', 'outcome = "akut"'),
                 "regel 'skadat'", "okänt utfall 'akut'", id="unknown-outcome"),
    pytest.param(VALID.replace('floor = "immediate_protection"', 'floor = "no_immediate_need"'),
                 "röd flagga 'flagga_slag'", "måste höja lägsta nivån", id="floor-raises-nothing"),
    pytest.param(VALID.replace('answers = ["ja"]', 'answers = ["vet_ej"]'),
                 "röd flagga 'flagga_slag'", "ogiltigt svar 'vet_ej'",
                 id="red-flag-lists-unknown-which-is-implied"),
    pytest.param(VALID.replace('note_required_when = ["ja"]', 'note_required_when = ["yes"]'),
                 "fråga 'skador'", "ogiltigt svar 'yes'", id="note-required-for-invalid-answer"),
    pytest.param(VALID.replace('id = "slag"', 'id = "Slag"', 1), "fråga 'Slag'",
                 "ogiltigt id", id="invalid-id"),
    pytest.param(VALID.replace('help = "Hjälptext."\n\n[[sections.questions]]\nid = "skador"',
                               'help = "Hjälptext."\nkind = "fritext"\n\n'
                               '[[sections.questions]]\nid = "skador"'),
                 "fråga 'skador'", "fritextfrågan 'slag'", id="condition-reads-free-text"),
    pytest.param(VALID.replace("version = 1", 'version = "1"'), "formuläret",
                 "'version' ska vara ett heltal", id="version-not-an-integer"),
]


@pytest.mark.parametrize(("text", "entry", "fragment"), BROKEN)
def test_check_forms_names_the_file_and_the_entry_of_each_kind_of_error(
    tmp_path: Path, text: str, entry: str, fragment: str
) -> None:
    problems = problems_of(tmp_path, text)
    assert any(
        p.entry == entry and fragment in p.message and p.file.name == "prov-1.toml"
        for p in problems
    ), problems


def test_a_file_that_is_not_toml_is_reported_with_its_name(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, VALID + "\n[[[\n")
    assert problem.file.name == "prov-1.toml"
    assert "inte giltig TOML" in problem.message


def test_a_file_named_other_than_its_id_and_version_is_refused(tmp_path: Path) -> None:
    path = write_form(tmp_path, VALID, name="prov.toml")
    with pytest.raises(FormError, match="filen ska heta prov-1.toml"):
        load_form(path)


def test_a_broken_form_does_not_stop_the_others_loading(tmp_path: Path) -> None:
    directory = tmp_path / "forms"
    good = write_form(directory, VALID)
    release_form(good)
    other = VALID.replace('id = "prov"', 'id = "annat"').replace("Provformulär", "Annat")
    broken = write_form(directory, other + "\nokand = 1\n", name="annat-1.toml")
    form_set = load_forms(directory)
    assert form_set.current("prov").id == "prov"
    assert {p.file for p in form_set.problems} == {broken}


def test_problem_text_names_the_file_and_the_entry(tmp_path: Path) -> None:
    [problem] = problems_of(tmp_path, "okand = 1\n" + VALID)
    assert str(problem) == f"{problem.file}: formuläret: okänd nyckel 'okand'"


def test_a_broken_lock_file_is_reported(tmp_path: Path) -> None:
    directory = tmp_path / "forms"
    write_form(directory, VALID)
    (directory / LOCK_FILE).write_text('[[released]]\nid = "prov"\n', encoding="utf-8")
    problems = check_forms(directory)
    assert any(p.file.name == LOCK_FILE and "exakt nycklarna" in p.message for p in problems)


def test_a_missing_forms_directory_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    [problem] = check_forms(tmp_path / "saknas")
    assert "finns inte" in problem.message


def _paths(value: object, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


_SAMPLE = tomllib.loads(VALID)
_ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=8),
    st.sampled_from(["ja", "vet_ej", "none", "immediate_protection", 'slag == "ja"', "slag"]),
    st.lists(st.one_of(st.integers(), st.text(max_size=4), st.just({})), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)


@given(path=st.sampled_from(_paths(_SAMPLE)), value=_ODD_VALUES)
def test_a_malformed_form_is_refused_with_problems_never_a_crash(path: tuple, value: object) -> None:
    data = copy.deepcopy(_SAMPLE)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if value is None:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    try:
        form = parse_form(data, path=Path("prov-1.toml"), sha256="0" * 64)
    except FormError as error:
        assert error.problems
    else:
        form_problems(form)
