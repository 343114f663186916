"""`mottagning forms check | recommend | release`, called through a parser built by register()."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest

from mottagning.assessment import cli, load_forms
from mottagning.paths import resource

FORMS = resource("forms")


def run(*argv: str | Path) -> int:
    parser = argparse.ArgumentParser(prog="mottagning")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args([str(arg) for arg in argv])
    return args.func(args)


def write_answers(tmp_path: Path, answers: object) -> Path:
    path = tmp_path / "svar.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    return path


@pytest.fixture
def forms_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "forms"
    shutil.copytree(FORMS, directory)
    return directory


def test_check_passes_for_the_shipped_forms_with_a_swedish_ok_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run("forms", "check") == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "Formulären är i ordning: skyddsbedomning version 1 (12 testfall)."
    assert out.splitlines()[1].startswith("Vinjetterna är i ordning:")
    assert err == ""


def test_check_fails_naming_the_file_and_entry_of_a_changed_released_form(
    forms_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = forms_copy / "skyddsbedomning-1.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'outcome = "immediate_protection"\ntext = "Barnet är rädd för att gå hem och har skador."',
        'outcome = "no_immediate_need"\ntext = "Barnet är rädd för att gå hem och har skador."',
    ), encoding="utf-8")
    assert run("forms", "check", "--forms-dir", forms_copy) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert str(path) in err
    assert "har ändrats efter att det frisläpptes" in err
    assert err.strip().endswith("1 fel i formulären.")


def test_check_reports_a_failing_test_case_of_an_unreleased_draft(
    forms_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = (forms_copy / "skyddsbedomning-1.toml").read_text(encoding="utf-8")
    draft = forms_copy / "skyddsbedomning-2.toml"
    draft.write_text(original.replace("version = 1", "version = 2").replace(
        "when = 'radd_ga_hem == \"ja\" and synliga_skador == \"ja\"'",
        "when = 'radd_ga_hem == \"ja\" and synliga_skador == \"nej\"'",
    ), encoding="utf-8")
    assert run("forms", "check", "--forms-dir", forms_copy) == 1
    err = capsys.readouterr().err
    assert f"{draft}: testfall 'Barnet är rädd för att gå hem och har skador': " in err


def test_recommend_json_for_a_child_afraid_to_go_home_with_injuries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = write_answers(tmp_path, {"radd_ga_hem": "ja", "synliga_skador": "ja"})
    assert run("forms", "recommend", "skyddsbedomning", answers, "--json") == 0
    assert json.loads(capsys.readouterr().out) == {
        "outcome": "immediate_protection",
        "floor": None,
        "rules_fired": ["radd_och_skadad"],
    }


def test_recommend_json_when_every_danger_question_is_answered_no(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    form = load_forms(FORMS).current("skyddsbedomning")
    all_no = next(case for case in form.cases if case.outcome == "no_immediate_need"
                  and len(case.answers) > 10).answers
    answers = write_answers(tmp_path, dict(all_no))
    assert run("forms", "recommend", "skyddsbedomning", answers, "--json") == 0
    assert json.loads(capsys.readouterr().out) == {
        "outcome": "no_immediate_need", "floor": None, "rules_fired": [],
    }


def test_recommend_json_shows_the_floor_of_an_unknown_red_flag_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = write_answers(tmp_path, {"hot": "vet_ej"})
    assert run("forms", "recommend", "skyddsbedomning", answers, "--json", "--version", "1") == 0
    assert json.loads(capsys.readouterr().out) == {
        "outcome": "immediate_protection",
        "floor": "immediate_protection",
        "rules_fired": ["flagga_hot:vet_ej"],
    }


def test_recommend_without_json_prints_a_readable_swedish_recommendation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = write_answers(tmp_path, {"radd_ga_hem": "ja", "synliga_skador": "ja"})
    assert run("forms", "recommend", "skyddsbedomning", answers) == 0
    out = capsys.readouterr().out
    assert out.startswith("Rekommendation: Omedelbart skyddsbehov.\n")
    assert "Barnet är rädd för att gå hem och har skador. (radd_och_skadad)" in out
    assert "Anteckning krävs för: synliga_skador, radd_ga_hem" in out


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('{"vald": "yes"}', "Ogiltigt svar 'yes' på frågan 'vald'"),
        ('{"okand": "ja"}', "har ingen fråga 'okand'"),
        ('["vald"]', "ska innehålla ett JSON-objekt"),
        ("{vald: ja}", "är inte giltig JSON"),
    ],
)
def test_recommend_refuses_bad_answers_in_swedish_with_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, fragment: str
) -> None:
    path = tmp_path / "svar.json"
    path.write_text(content, encoding="utf-8")
    assert run("forms", "recommend", "skyddsbedomning", path, "--json") == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert fragment in err


def test_recommend_refuses_a_missing_answers_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run("forms", "recommend", "skyddsbedomning", tmp_path / "saknas.json") == 1
    assert "Kan inte läsa" in capsys.readouterr().err


def test_recommend_refuses_an_unknown_form(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = write_answers(tmp_path, {})
    assert run("forms", "recommend", "finns_inte", answers) == 1
    assert "Det finns inget giltigt formulär 'finns_inte'" in capsys.readouterr().err


def test_recommend_refuses_a_changed_released_form(
    forms_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = forms_copy / "skyddsbedomning-1.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    answers = write_answers(tmp_path, {})
    assert run("forms", "recommend", "skyddsbedomning", answers, "--forms-dir", forms_copy) == 1
    assert "kan inte startas" in capsys.readouterr().err


def test_missing_arguments_are_a_usage_error_with_exit_2() -> None:
    with pytest.raises(SystemExit) as exit_info:
        run("forms", "recommend", "skyddsbedomning")
    assert exit_info.value.code == 2


def test_release_records_a_new_version_in_the_lock_file(
    forms_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = (forms_copy / "skyddsbedomning-1.toml").read_text(encoding="utf-8")
    draft = forms_copy / "skyddsbedomning-2.toml"
    draft.write_text(original.replace("version = 1", "version = 2"), encoding="utf-8")
    assert run("forms", "release", draft) == 0
    assert capsys.readouterr().out.startswith("Frisläppt: skyddsbedomning version 2")
    assert run("forms", "check", "--forms-dir", forms_copy) == 0
    assert load_forms(forms_copy).current("skyddsbedomning").version == 2


def test_release_refuses_an_invalid_form_and_leaves_the_lock_file_alone(
    forms_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lock = (forms_copy / "forms.lock.toml").read_text(encoding="utf-8")
    draft = forms_copy / "skyddsbedomning-2.toml"
    draft.write_text("okand = 1\n" + (forms_copy / "skyddsbedomning-1.toml").read_text(
        encoding="utf-8").replace("version = 1", "version = 2"), encoding="utf-8")
    assert run("forms", "release", draft) == 1
    err = capsys.readouterr().err
    assert f"{draft}: formuläret: okänd nyckel 'okand'" in err
    assert "Formuläret frisläpptes inte." in err
    assert (forms_copy / "forms.lock.toml").read_text(encoding="utf-8") == lock
