"""`mottagning calibration …`: rounds, results (a public JSON contract), review, form feedback."""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from mottagning.i18n import _


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `calibration` command and its subcommands to the main CLI."""
    calibration = subparsers.add_parser(
        "calibration", help=_("kalibrering: övningsfall, omgångar och samstämmighet"))
    commands = calibration.add_subparsers(dest="calibration_command", required=True)

    rounds = commands.add_parser("rounds", help=_("lista kalibreringsomgångarna"))
    rounds.add_argument("--json", action="store_true", help=_("skriv ut som JSON"))
    rounds.set_defaults(func=_cmd_rounds)

    open_cmd = commands.add_parser("open", help=_("öppna en kalibreringsomgång (seniorer)"))
    open_cmd.add_argument("--title", required=True, help=_("omgångens namn"))
    open_cmd.add_argument("--closes", required=True, type=date.fromisoformat,
                          metavar="ÅÅÅÅ-MM-DD", help=_("sista svarsdag"))
    open_cmd.add_argument("--vignette", action="append", default=None, metavar="ID",
                          help=_("en vinjett (upprepa; standard: alla för gällande formulär)"))
    open_cmd.set_defaults(func=_cmd_open)

    results = commands.add_parser("results", help=_("samstämmighet i en omgång (seniorer)"))
    results.add_argument("round_id", type=int, metavar="ROUND")
    results.add_argument("--json", action="store_true", help=_("skriv ut som JSON"))
    results.set_defaults(func=_cmd_results)

    review = commands.add_parser("review", help=_("alla svar på en vinjett sida vid sida"))
    review.add_argument("round_id", type=int, metavar="ROUND")
    review.add_argument("vignette_id", metavar="VINJETT")
    review.add_argument("--json", action="store_true", help=_("skriv ut som JSON"))
    review.set_defaults(func=_cmd_review)

    feedback = commands.add_parser(
        "feedback", help=_("frågor med låg samstämmighet över flera omgångar"))
    feedback.add_argument("--json", action="store_true", help=_("skriv ut som JSON"))
    feedback.set_defaults(func=_cmd_feedback)

    demo = commands.add_parser(
        "demo", help=_("två omgångar besvarade av tre handläggare, i en demodatabas"))
    demo.add_argument("--seed", type=int, default=1, help=_("slumpfrö"))
    demo.add_argument("--if-none", action="store_true",
                      help=_("gör ingenting (och lyckas) om databasen redan har omgångar"))
    demo.set_defaults(func=_cmd_demo)


def _number(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",")


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f} %"


def _cmd_rounds(args: argparse.Namespace) -> int:
    from mottagning.calibration.rounds import list_rounds
    from mottagning.cli_support import emit_json, iso, run_as_user

    rounds = run_as_user(args, lambda session, actor: list_rounds(session, actor))
    if args.json:
        emit_json([{"id": r.id, "title": r.title, "closes_on": r.closes_on.isoformat(),
                    "opened_at": iso(r.opened_at), "open": r.is_open,
                    "vignettes": list(r.vignette_ids), "participants": r.participants,
                    "finished_answers": r.finished_answers} for r in rounds])
        return 0
    for r in rounds:
        state = _("öppen") if r.is_open else _("stängd")
        print(f"{r.id:>4}  {r.title}  ({state}, sista svarsdag {r.closes_on.isoformat()}, "
              f"{len(r.vignette_ids)} vinjetter, {r.participants} deltagare)")
    return 0


def _cmd_open(args: argparse.Namespace) -> int:
    from mottagning.calibration.rounds import FORM_ID, material, open_round
    from mottagning.cli_support import run_as_user

    stuff = material()

    def work(session, actor):  # type: ignore[no-untyped-def]
        form = stuff.forms.current(FORM_ID)
        chosen = args.vignette or sorted(
            v.id for v in stuff.vignettes.vignettes.values()
            if (v.form_id, v.form_version) == (form.id, form.version))
        return open_round(session, actor, title=args.title, vignette_ids=chosen,
                          closes_on=args.closes, stuff=stuff)

    round_id = run_as_user(args, work)
    print(_("Kalibreringsomgång {id} är öppnad.").format(id=round_id))
    return 0


def _cmd_results(args: argparse.Namespace) -> int:
    from mottagning.calibration.results import round_results
    from mottagning.cli_support import emit_json, run_as_user

    results = run_as_user(args, lambda session, actor: round_results(session, actor, args.round_id))
    if args.json:
        emit_json(results.to_json())
        return 0
    print(_("{title}: {participants} deltagare, {answers} svar på {vignettes} vinjetter").format(
        title=results.title, participants=results.participants, answers=results.answers,
        vignettes=results.vignettes))
    print(_("Utfallet: α {alpha}, överens {agreement}; mot referenssvaren {reference}").format(
        alpha=_number(results.outcome.alpha), agreement=_share(results.outcome.agreement),
        reference=_share(results.reference_agreement)))
    print(_("Mest omstridda frågor först:"))
    for question in results.questions:
        ci = question.figures.alpha_ci
        interval = f"[{_number(ci[0])}; {_number(ci[1])}]" if ci else "–"
        print(f"  {question.id:<26} α {_number(question.figures.alpha):>5} {interval:<15} "
              f"{_share(question.figures.agreement):>6}  n={question.figures.n_raters}")
    return 0


def _review_json(review: Any) -> dict[str, Any]:
    return {
        "vignette": {"id": review.vignette.id, "version": review.vignette.version,
                     "newest_version": review.latest.version,
                     "title": review.vignette.title},
        "individual": review.individual,
        "answers": [{"participant": c.pseudonym, "answers": c.answers,
                     "recommended_outcome": c.recommended_outcome, "outcome": c.outcome,
                     "rules_fired": list(c.rules_fired)} for c in review.columns],
        "spread": review.spreads,
        "differing": list(review.differing),
        "turns": [{"question": t.question_id, "from": t.from_answer, "to": t.to_answer,
                   "participant": t.pseudonym, "from_outcome": t.from_outcome,
                   "to_outcome": t.to_outcome, "rules_added": list(t.rules_added),
                   "rules_removed": list(t.rules_removed)} for t in review.turns],
    }


def _cmd_review(args: argparse.Namespace) -> int:
    from mottagning.calibration.results import review
    from mottagning.cli_support import emit_json, run_as_user

    result = run_as_user(args, lambda session, actor: review(session, actor, args.round_id,
                                                             args.vignette_id))
    data = _review_json(result)
    if args.json:
        emit_json(data)
        return 0
    print(result.vignette.title)
    for column in result.columns:
        print(f"  {column.pseudonym}: {column.outcome} ({_('rekommenderat')} "
              f"{column.recommended_outcome})")
    for turn in result.turns:
        print(_("  {question}: {a} i stället för {b} gav {outcome}").format(
            question=turn.question_id, a=turn.to_answer, b=turn.from_answer,
            outcome=turn.to_outcome))
    return 0


def _cmd_feedback(args: argparse.Namespace) -> int:
    from mottagning.calibration.results import form_feedback
    from mottagning.cli_support import emit_json, run_as_user

    flagged = run_as_user(args, lambda session, actor: form_feedback(session, actor))
    if args.json:
        emit_json([{"id": f.id, "text": f.text,
                    "alphas": [{"round": title, "alpha": alpha} for title, alpha in f.alphas]}
                   for f in flagged])
        return 0
    if not flagged:
        print(_("Ingen fråga har haft låg samstämmighet i flera omgångar."))
    for f in flagged:
        series = ", ".join(f"{title}: {_number(alpha)}" for title, alpha in f.alphas)
        print(f"{f.id}: {f.text}\n  {series}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from mottagning.calibration.demo import fill_calibration_demo, has_rounds
    from mottagning.cli_support import run_as_user

    def work(session, actor):  # type: ignore[no-untyped-def]
        if args.if_none and has_rounds(session):
            return None
        return fill_calibration_demo(session, actor, seed=args.seed)

    result = run_as_user(args, work)
    if result is None:
        print(_("Databasen har redan kalibreringsomgångar; inga demodata lades till."))
        return 0
    print(_("Kalibreringsdemo: omgångarna {ids} med {answers} övningssvar.").format(
        ids=", ".join(str(i) for i in result.round_ids), answers=result.answers))
    return 0
