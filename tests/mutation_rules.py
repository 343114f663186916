"""Mutation run over the domain's rules: each rule is broken on purpose, in a copy of the
source tree, and the tests that defend it must fail. Not collected by pytest.

    python tests/mutation_rules.py            # every mutation, SQLite only
    python tests/mutation_rules.py -k flag    # mutations whose name contains "flag"
    python tests/mutation_rules.py --list

Exit status 0 when every rule is defended (every mutation makes a test fail), 1 when a
mutation survives, 2 when a mutation no longer applies (the code it changes has moved:
update its `before` text). The table names each rule, the file changed and the verdict;
docs/rules.md lists the same rules with the tests that defend them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("mottagning", "ui", "tests", "pyproject.toml")


@dataclass(frozen=True)
class Mutation:
    rule: str
    file: str
    before: str
    after: str
    tests: tuple[str, ...]


M = Mutation
MUTATIONS: tuple[Mutation, ...] = (
    # -- registration and flags ----------------------------------------------------------
    M("violence codes flag the item at registration", "mottagning/intake/reports.py",
      "violence = bool(set(report.concern_codes) & codes().violence_concerns)", "violence = False",
      ("tests/core/rules/test_rules_defended.py",)),
    M("hedersrelaterat is a violence code", "mottagning/resources/codes.toml",
      'label = "Hedersrelaterat våld"\nviolence = true\n', 'label = "Hedersrelaterat våld"\n',
      ("tests/core/rules/test_rules_defended.py",)),
    M("psykisk misshandel is a violence code", "mottagning/resources/codes.toml",
      'label = "Psykisk misshandel"\nviolence = true\n', 'label = "Psykisk misshandel"\n',
      ("tests/core/rules/test_rules_defended.py",)),
    M("violence found in the skyddsbedömning flags the item", "mottagning/intake/concern_flags.py",
      "violence = violence or bool(violence_in_answers(assessment.answers))", "violence = violence",
      ("tests/core/intake/test_concern_flags.py",)),
    M("immediate danger found in the skyddsbedömning flags the item",
      "mottagning/intake/concern_flags.py",
      "danger = danger or IMMEDIATE_PROTECTION in (assessment.recommended_outcome,",
      "danger = danger or None in (assessment.recommended_outcome,",
      ("tests/core/intake/test_concern_flags.py",)),
    M("corrected concern codes set the flags", "mottagning/intake/concern_flags.py",
      "    for item in report.items:\n        refresh_item_flags(", "    for item in ():\n        refresh_item_flags(",
      ("tests/core/intake/test_concern_flags.py",)),
    M("repeat reports within 12 months are flagged", "mottagning/intake/reports.py",
      "flag_repeat=earlier is not None,", "flag_repeat=False,",
      ("tests/core/intake/test_services_reports.py",)),
    M("an anonymous reporter's identity is never stored", "mottagning/intake/reports.py",
      "reporter_name=None if anonymous else report.reporter_name,", "reporter_name=report.reporter_name,",
      ("tests/core/intake/test_services_reports.py", "tests/core/rules/test_rules_defended.py")),
    M("category 'anonym' implies anonymity", "mottagning/intake/reports.py",
      'anonymous = report.reporter_anonymous or report.reporter_category == "anonym"',
      "anonymous = report.reporter_anonymous", ("tests/core/rules/test_rules_defended.py",)),
    # -- personnummer and deadlines --------------------------------------------------------
    M("'+' puts the birth 100 years back", "mottagning/rules/personnummer.py",
      "    if plus:\n        year -= 100", "    if False:\n        year -= 100",
      ("tests/core/rules/test_rules_defended.py",)),
    M("a '+' under 100 years is a warning", "mottagning/rules/personnummer.py",
      'if sep == "+" and birth is not None and birth > _years_before(today, 100):',
      "if False:", ("tests/core/rules/test_rules_defended.py",)),
    M("the check digit is computed over 10 digits", "mottagning/rules/personnummer.py",
      'check_ok = luhn.is_valid(f"{yy}{mm}{dd}{tail}")',
      'check_ok = luhn.is_valid(f"{year:04d}{mm}{dd}{tail}")',
      ("tests/core/intake/test_services_reports.py", "tests/core/rules/test_rules_defended.py",
       "tests/core/intake/test_intake_parse.py")),
    M("the skyddsbedömning is due 24 hours after receipt", "mottagning/rules/deadlines.py",
      "PROTECTION_HOURS = 24", "PROTECTION_HOURS = 48", ("tests/core/rules/test_deadlines.py",)),
    M("the decision is due at the end of the 14th day", "mottagning/rules/deadlines.py",
      "DECISION_DAYS = 14", "DECISION_DAYS = 15",
      ("tests/core/rules/test_deadlines.py", "tests/core/decisions/test_decisions_deadlines.py")),
    # -- skyddsbedömning -------------------------------------------------------------------
    M("below the red-flag floor needs a second signature", "mottagning/assessment/service.py",
      "assessment.status = AWAITING_SECOND_SIGNATURE if below_floor else FINISHED",
      "assessment.status = FINISHED", ("tests/core/assessment/test_assessment_service.py",)),
    M("nobody second-signs an assessment they finished", "mottagning/assessment/service.py",
      "    if assessment.finished_by_id == actor.user_id:", "    if False:",
      ("tests/core/assessment/test_assessment_service.py",)),
    M("guardians are not contacted before the skyddsbedömning counts",
      "mottagning/assessment/service.py",
      "    if item.status != Status.RECEIVED:\n        return\n    status = assessment_statuses",
      "    return\n    status = assessment_statuses",
      ("tests/core/assessment/test_assessment_service.py", "tests/core/letters/test_letters_service.py")),
    M("a shared assessment: only reports received before it finished",
      "mottagning/assessment/sharing.py",
      "if assessment.finished_at is None or item.received_at > assessment.finished_at:",
      "if assessment.finished_at is None:", ("tests/core/assessment/test_assessment_sharing.py",)),
    M("a shared assessment: no flag it did not consider", "mottagning/assessment/sharing.py",
      'new_flags = {"violence", "immediate_danger"} & set(item.flags) - set(source.flags)',
      "new_flags: set[str] = set()", ("tests/core/assessment/test_assessment_sharing.py",)),
    M("a shared assessment: no concern it did not consider",
      "mottagning/assessment/sharing.py",
      "new_concerns = set(item.report.concern_codes) - considered_concerns(session, assessment)",
      "new_concerns: set[str] = set()", ("tests/core/assessment/test_assessment_sharing.py",)),
    # -- decisions -------------------------------------------------------------------------
    M("not opening on a violence flag needs a written reason", "mottagning/decisions/proposals.py",
      "if item.flag_violence and _blank(proposal.violence_reason):", "if False:",
      ("tests/core/decisions/test_decisions.py", "tests/core/intake/test_concern_flags.py")),
    M("a violence flag raised after the proposal stops the signature",
      "mottagning/decisions/proposals.py",
      "if (item.flag_violence and decision.outcome == Outcome.INTE_INLEDA_UTREDNING",
      "if (False and decision.outcome == Outcome.INTE_INLEDA_UTREDNING",
      ("tests/core/intake/test_concern_flags.py",)),
    M("the signer acknowledges the violence flag", "mottagning/decisions/proposals.py",
      "if item.flag_violence and not violence_acknowledged:", "if False:",
      ("tests/core/decisions/test_decisions.py",)),
    M("nobody signs their own proposal", "mottagning/decisions/proposals.py",
      "    if decision.proposed_by_id == actor.user_id:\n        raise PermissionDenied(\n"
      "            \"Du kan inte signera",
      "    if False:\n        raise PermissionDenied(\n            \"Du kan inte signera",
      ("tests/core/decisions/test_decisions.py",)),
    M("the signer holds the delegation", "mottagning/decisions/proposals.py",
      "    if role is None:", "    if False:", ("tests/core/decisions/test_decisions.py",)),
    M("a late proposal records the overrun's reason", "mottagning/decisions/proposals.py",
      "if now > due and _blank(proposal.overrun_reason):", "if False:",
      ("tests/core/decisions/test_decisions_deadlines.py",)),
    M("a late signature records the signer's reason", "mottagning/decisions/proposals.py",
      "if late_unexplained and _blank(overrun_reason):", "if False:",
      ("tests/core/decisions/test_decisions_deadlines.py",)),
    M("an extension only before the deadline passes", "mottagning/decisions/extensions.py",
      "    if now > due:\n        raise InvalidTransition(", "    if False:\n        raise InvalidTransition(",
      ("tests/core/decisions/test_decisions_deadlines.py",)),
    M("återkoppling only for a mandatory reporter", "mottagning/decisions/proposals.py",
      "if content and mandatory and report.reporter_wants_feedback and not report.reporter_anonymous:",
      "if content and report.reporter_wants_feedback and not report.reporter_anonymous:",
      ("tests/core/rules/test_rules_defended.py",)),
    M("återkoppling only when the reporter asked", "mottagning/decisions/proposals.py",
      "if content and mandatory and report.reporter_wants_feedback and not report.reporter_anonymous:",
      "if content and mandatory and not report.reporter_anonymous:",
      ("tests/core/rules/test_rules_defended.py",)),
    M("återkoppling never to an anonymous reporter", "mottagning/decisions/proposals.py",
      "if content and mandatory and report.reporter_wants_feedback and not report.reporter_anonymous:",
      "if content and mandatory and report.reporter_wants_feedback:",
      ("tests/core/rules/test_rules_defended.py",)),
    M("'tillförs' is reported back as already under way", "mottagning/decisions/delegation.py",
      'Outcome.TILLFORS_PAGAENDE_UTREDNING: "already_under_way",',
      'Outcome.TILLFORS_PAGAENDE_UTREDNING: "opened",', ("tests/core/rules/test_rules_defended.py",)),
    # -- protected identity and letters ----------------------------------------------------
    M("a protected recipient's address is never printed", "mottagning/letters/rules.py",
      "    if recipient.protected_identity:\n        lines += [",
      "    if False:\n        lines += [", ("tests/core/letters/test_letters_rules.py",)),
    M("protection said in a new report covers the person's earlier rows",
      "mottagning/intake/reports.py",
      "            if guardian.protected_identity:\n                protect_guardian_rows(",
      "            if False:\n                protect_guardian_rows(",
      ("tests/core/intake/test_protected_identity.py",)),
    M("a person known to be protected is protected in a new report",
      "mottagning/intake/reports.py",
      "if guardian.protected_identity or already_protected(session, guardian_row):",
      "if guardian.protected_identity:", ("tests/core/intake/test_protected_identity.py",)),
    M("the e-service's protected_identity field is read", "mottagning/intake/fields.py",
      "            protected_identity=self._protected(data, label),\n        )\n        if as_received",
      "        )\n        if as_received", ("tests/core/intake/test_protected_identity.py",)),
    # -- intake and quarantine -------------------------------------------------------------
    M("only a case reader dismisses a quarantined file", "mottagning/intake/quarantine.py",
      "    actor.require(Action.HANDLE_ALARMS)\n    actor.require(Action.READ_CASE)\n",
      "    actor.require(Action.HANDLE_ALARMS)\n", ("tests/core/intake/test_quarantine.py",)),
    M("a report from quarantine is received when its file arrived",
      "mottagning/intake/quarantine.py",
      "changed = abs(received - recorded) >= RECEIPT_PRECISION", "changed = False",
      ("tests/core/intake/test_quarantine.py",)),
    # -- children --------------------------------------------------------------------------
    M("children with different personnummer are never merged", "mottagning/intake/child_links.py",
      "if kept.personnummer and merged.personnummer and kept.personnummer != merged.personnummer:",
      "if False:", ("tests/core/intake/test_child_links.py",)),
    M("a merge is undone", "mottagning/intake/child_links.py",
      "            item.child_id = merge.merged_child_id", "            item.child_id = item.child_id",
      ("tests/core/intake/test_child_links.py",)),
    # -- weeding ---------------------------------------------------------------------------
    M("children born on exempt days are never weeded", "mottagning/records/gallring.py",
      "if birth is not None and birth.day in exempt_days:", "if False:",
      ("tests/core/records/test_gallring.py",)),
    M("a child without personnummer or birth date is held back", "mottagning/records/gallring.py",
      "if birth is None and exempt_days:", "if False:", ("tests/core/records/test_gallring.py",)),
    M("the 5-year period ends at its boundary", "mottagning/records/gallring.py",
      "if today < expires:", "if today <= expires:", ("tests/core/records/test_gallring.py",)),
    M("keep everything switches weeding off", "mottagning/records/gallring.py",
      '    if rules["keep_everything"]:\n        return due, kept, held', "",
      ("tests/core/records/test_gallring.py",)),
    # -- roles -----------------------------------------------------------------------------
    M("an assistant reads no case content", "mottagning/rules/permissions.py",
      "        {Action.REGISTER_REPORT, Action.VIEW_QUEUE, Action.PRINT_LETTER, Action.HANDLE_ALARMS,\n"
      "         Action.IMPORT}",
      "        {Action.REGISTER_REPORT, Action.VIEW_QUEUE, Action.PRINT_LETTER, Action.HANDLE_ALARMS,\n"
      "         Action.IMPORT, Action.READ_CASE, Action.ASSESS}",
      ("tests/core/access/test_permissions_matrix.py",)),
)


def _copy_tree(target: Path) -> None:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, target / name)


def _run_tests(tree: Path, tests: tuple[str, ...]) -> int:
    env = {**os.environ, "PYTHONPATH": str(tree), "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
               "-k", "not postgresql", *tests]
    return subprocess.run(command, cwd=tree, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", dest="only", default="", help="only mutations whose rule contains this")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if args.only.casefold() in m.rule.casefold()]
    if args.list:
        for mutation in chosen:
            print(f"{mutation.rule}  [{mutation.file}]  {' '.join(mutation.tests)}")
        return 0
    survived, stale = [], []
    with tempfile.TemporaryDirectory(prefix="mutation-rules-") as workdir:
        tree = Path(workdir) / ROOT.name
        tree.mkdir()
        _copy_tree(tree)
        for mutation in chosen:
            path = tree / mutation.file
            original = path.read_text(encoding="utf-8")
            if original.count(mutation.before) != 1:
                stale.append(mutation)
                print(f"STALE     {mutation.rule} ({mutation.file}: the text to change is not there once)")
                continue
            path.write_text(original.replace(mutation.before, mutation.after), encoding="utf-8")
            started = time.monotonic()
            try:
                status = _run_tests(tree, mutation.tests)
            finally:
                path.write_text(original, encoding="utf-8")
            verdict = "defended" if status == 1 else ("SURVIVED" if status == 0 else f"ERROR {status}")
            if status != 1:
                survived.append(mutation)
            print(f"{verdict:<9} {mutation.rule}  [{time.monotonic() - started:.0f} s]", flush=True)
    print(f"\n{len(chosen) - len(survived) - len(stale)} of {len(chosen)} rules defended"
          + (f"; {len(survived)} survived" if survived else "")
          + (f"; {len(stale)} stale" if stale else ""))
    if stale:
        return 2
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
