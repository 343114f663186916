"""The shipped vignettes and their validation by `mottagning forms check`."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import pytest

from mottagning.assessment import cli, load_forms, recommend
from mottagning.calibration.vignettes import load_vignettes, vignettes_directory


def run(*argv: str | Path) -> int:
    parser = argparse.ArgumentParser(prog="mottagning")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args([str(arg) for arg in argv])
    return args.func(args)


@pytest.fixture
def vignettes_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "vignettes"
    shutil.copytree(vignettes_directory(), directory)
    return directory


def test_at_least_twelve_valid_vignettes_cover_every_red_flag_borderline_and_clear_cases() -> None:
    forms = load_forms()
    form = forms.current("skyddsbedomning")
    shipped = load_vignettes(forms)
    assert shipped.problems == ()
    assert len(shipped.vignettes) >= 12
    assert all((v.form_id, v.form_version) == (form.id, form.version)
               for v in shipped.vignettes.values())
    kinds = {v.kind for v in shipped.vignettes.values()}
    assert kinds == {"red_flag", "borderline", "no_immediate_need"}
    fired = {rule.split(":")[0] for v in shipped.vignettes.values() if v.reference
             for rule in recommend(form, v.reference.answers).rules_fired}
    assert {flag.id for flag in form.red_flags} <= fired
    assert all(v.reference.why.strip() for v in shipped.vignettes.values() if v.reference)


def test_forms_check_passes_and_counts_the_vignettes(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("forms", "check") == 0
    assert "Vinjetterna är i ordning" in capsys.readouterr().out


def test_forms_check_names_the_vignette_file_whose_reference_answers_an_unknown_question(
    vignettes_copy: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    path = vignettes_copy / "v10_skolfranvaro.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'ny_handelse = "nej"', 'ny_handelse = "nej"\nfinns_inte = "ja"'), encoding="utf-8")
    assert run("forms", "check", "--vignettes-dir", vignettes_copy) == 1
    err = capsys.readouterr().err
    assert "v10_skolfranvaro.toml" in err
    assert "finns_inte" in err


def test_a_reference_outcome_below_the_red_flag_floor_is_refused(vignettes_copy: Path) -> None:
    path = vignettes_copy / "v02_berusad_vid_hamtning.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        'outcome = "immediate_protection"', 'outcome = "no_immediate_need"'), encoding="utf-8")
    shipped = load_vignettes(load_forms(), vignettes_copy)
    assert "v02_berusad_vid_hamtning" not in shipped.vignettes
    assert any("lägsta nivån" in problem.message for problem in shipped.problems)


def test_a_vignette_for_a_form_version_that_does_not_exist_is_refused(vignettes_copy: Path) -> None:
    path = vignettes_copy / "v13_cannabis.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("form_version = 1",
                                                             "form_version = 9"),
                    encoding="utf-8")
    shipped = load_vignettes(load_forms(), vignettes_copy)
    assert "v13_cannabis" not in shipped.vignettes
    assert [p.file.name for p in shipped.problems] == ["v13_cannabis.toml"]
