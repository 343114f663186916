"""`mottagning forms …`: check, try and release assessment forms (for system administrators)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mottagning.assessment.engine import AnswerError, recommend
from mottagning.assessment.form import OUTCOME_LABELS, FormError
from mottagning.assessment.registry import FormUnavailable, load_forms, release_form
from mottagning.calibration.vignettes import load_vignettes
from mottagning.i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `forms` command and its subcommands to the main CLI."""
    forms = subparsers.add_parser("forms", help=_("kontrollera och prova bedömningsformulär"))
    commands = forms.add_subparsers(dest="forms_command", required=True)

    check = commands.add_parser(
        "check", help=_("kontrollera alla formulär och kör deras testfall")
    )
    _add_directory(check)
    check.add_argument("--vignettes-dir", type=Path, default=None,
                       help=_("katalog med vinjetter (standard: programmets egna)"))
    check.set_defaults(func=run_check)

    try_form = commands.add_parser(
        "recommend", help=_("visa formulärets rekommendation för svar i en JSON-fil")
    )
    try_form.add_argument("form_id", metavar="FORM_ID")
    try_form.add_argument("answers", metavar="ANSWERS.json", type=Path,
                          help=_('svaren som {"fråge-id": "ja" | "nej" | "vet_ej"}'))
    try_form.add_argument("--version", type=int,
                          help=_("formulärversion (standard: den senaste giltiga)"))
    try_form.add_argument("--json", action="store_true", help=_("skriv ut resultatet som JSON"))
    _add_directory(try_form)
    try_form.set_defaults(func=run_recommend)

    release = commands.add_parser(
        "release", help=_("frisläpp en ny formulärversion genom att föra in den i låsfilen")
    )
    release.add_argument("file", metavar="FILE", type=Path)
    release.set_defaults(func=run_release)


def _add_directory(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--forms-dir", type=Path, default=None,
                        help=_("katalog med formulär (standard: programmets egna)"))


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def run_check(args: argparse.Namespace) -> int:
    form_set = load_forms(args.forms_dir)
    for problem in form_set.problems:
        print(problem, file=sys.stderr)
    if form_set.problems:
        return _fail(_("{count} fel i formulären.").format(count=len(form_set.problems)))
    # Checked against forms in order only, so a broken form is not reported once per vignette.
    vignette_set = load_vignettes(form_set, args.vignettes_dir)
    for problem in vignette_set.problems:
        print(problem, file=sys.stderr)
    if vignette_set.problems:
        return _fail(_("{count} fel i vinjetterna.").format(count=len(vignette_set.problems)))
    listed = ", ".join(
        _("{id} version {version} ({cases} testfall)").format(
            id=form.id, version=form.version, cases=len(form.cases)
        )
        for form in form_set.forms.values()
    )
    print(_("Formulären är i ordning: {listed}.").format(listed=listed or _("inga formulär")))
    references = sum(1 for v in vignette_set.vignettes.values() if v.reference is not None)
    print(_("Vinjetterna är i ordning: {count} vinjetter, {references} med referenssvar.").format(
        count=len(vignette_set.vignettes), references=references))
    return 0


def run_recommend(args: argparse.Namespace) -> int:
    try:
        answers = json.loads(args.answers.read_text(encoding="utf-8"))
    except OSError as error:
        return _fail(_("Kan inte läsa {path}: {error}").format(
            path=args.answers, error=error.strerror
        ))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return _fail(_("{path} är inte giltig JSON: {error}").format(
            path=args.answers, error=error
        ))
    if not isinstance(answers, dict):
        return _fail(_('{path} ska innehålla ett JSON-objekt {{"fråga": "svar"}}.').format(
            path=args.answers
        ))
    form_set = load_forms(args.forms_dir)
    try:
        if args.version is None:
            form = form_set.current(args.form_id)
        else:
            form = form_set.version(args.form_id, args.version)
        result = recommend(form, answers)
    except (FormUnavailable, AnswerError) as error:
        return _fail(str(error))
    if args.json:
        print(json.dumps(
            {"outcome": result.outcome, "floor": result.floor, "rules_fired": result.rules_fired},
            ensure_ascii=False,
        ))
        return 0
    line = _("Rekommendation: {outcome}.").format(outcome=OUTCOME_LABELS[result.outcome])
    if result.floor:
        line += " " + _("Lägsta nivå enligt röda flaggor: {floor}.").format(
            floor=OUTCOME_LABELS[result.floor]
        )
    print(line)
    for fired_id in result.rules_fired:
        print(f"  – {form.explain(fired_id)} ({fired_id})")
    if result.notes_required:
        print(_("Anteckning krävs för: {ids}.").format(ids=", ".join(result.notes_required)))
    return 0


def run_release(args: argparse.Namespace) -> int:
    try:
        form = release_form(args.file)
    except OSError as error:
        return _fail(_("Kan inte läsa {path}: {error}").format(
            path=args.file, error=error.strerror
        ))
    except FormError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return _fail(_("Formuläret frisläpptes inte."))
    print(_("Frisläppt: {id} version {version} (SHA-256 {sha256}).").format(
        id=form.id, version=form.version, sha256=form.sha256
    ))
    return 0

