"""`mottagning letter …` (issue one letter) and `mottagning letters …` (the print queue)."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import datetime

from mottagning.cli_support import current_actor, emit_json, iso, open_db, run_as_user
from mottagning.errors import ValidationError
from mottagning.letters.model import Address, LetterKind, Meeting
from mottagning.letters.service import (
    LetterInfo,
    issue_letter,
    letter_pdf,
    list_recipients,
    mark_printed,
    mark_sent,
    pending_letters,
)
from mottagning.output_files import check_output, protected_paths, write_output
from mottagning.timeutil import STOCKHOLM, format_datetime_sv

_KIND_HELP = {
    LetterKind.KALLELSE: "kallelse till samtal (vårdnadshavare, eller barnet från 15 år)",
    LetterKind.UNDERRATTELSE: "underrättelse om beslut (vårdnadshavare)",
    LetterKind.ATERKOPPLING: "återkoppling till en anmälningsskyldig anmälare som begärt det",
    LetterKind.BEKRAFTELSE: "mottagningsbekräftelse till en namngiven anmälare",
}
_POSTAL = re.compile(r"^(?P<street>.+?),\s*(?P<code>\d{3}\s?\d{2})\s+(?P<city>.+)$")


def parse_meeting_time(text: str) -> datetime:
    """'2026-12-01 10:00' (or with T) in Swedish local time."""
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H.%M"):
        try:
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=STOCKHOLM)
        except ValueError:
            continue
    raise ValidationError([f"Mötestiden ”{text}” kan inte läsas. Skriv till exempel \"2026-12-01 10:00\"."])


def parse_address(text: str) -> Address:
    """'Skolvägen 3, 123 60 Exempelby' -> Address."""
    match = _POSTAL.match(text.strip())
    if match is None:
        raise ValidationError([
            f"Adressen ”{text}” kan inte läsas. Skriv gatuadress, postnummer och ort, till exempel "
            "\"Skolvägen 3, 123 60 Exempelby\"."
        ])
    code = match["code"].replace(" ", "")
    return Address(match["street"].strip(), f"{code[:3]} {code[3:]}", match["city"].strip())


def _meeting(args: argparse.Namespace) -> Meeting | None:
    if args.kind != LetterKind.KALLELSE:
        return None
    missing = [name for name, value in (("--meeting", args.meeting), ("--place", args.place)) if not value]
    if missing:
        raise ValidationError([
            "En kallelse behöver mötets tid och plats. Saknas: " + ", ".join(missing) + "."
        ])
    # without --with the family meets the case's handläggare, who signs the letter
    return Meeting(start=parse_meeting_time(args.meeting), place=args.place.strip(),
                   meeting_with=(args.meeting_with or "").strip(), rebooking=(args.rebooking or "").strip(),
                   interpreter_language=(args.interpreter or "").strip() or None)


def _cmd_letter(args: argparse.Namespace) -> int:
    database = open_db(args)
    actor = current_actor(database)
    kind = LetterKind(args.kind)
    if args.list_recipients:
        with database.transaction() as session:
            choices = list_recipients(session, actor, args.item, kind)
        if not choices:
            print("Det finns ingen möjlig mottagare för det här brevet.")
        for choice in choices:
            print(f"{choice.index + 1}  {choice.name}  ({choice.description})")
        return 0
    if args.out is None:
        raise ValidationError(["Ange filen som brevet sparas i med --out FIL.pdf."])
    # Before the letter is issued: a refused file name must not leave a letter in the queue.
    check_output(args.out, force=args.force, protected=protected_paths(database.file))
    meeting = _meeting(args)
    address = parse_address(args.address) if args.address else None
    with database.transaction() as session:
        result = issue_letter(session, actor, args.item, kind, recipient_index=args.recipient - 1,
                              meeting=meeting, reporter_address=address)
        pdf = letter_pdf(session, actor, result.letter.id)
    write_output(args.out, pdf, force=args.force, protected=protected_paths(database.file))
    letter = result.letter
    pages = "1 sida" if letter.page_count == 1 else f"{letter.page_count} sidor"
    print(f"Brev {letter.id} ({kind.value} till {letter.recipient_name}, {pages}, mall version "
          f"{letter.template_version}) är godkänt och ligger i utskriftskön. Sparat som {args.out}.")
    print(f"SHA-256: {letter.sha256}")
    for warning in result.warnings:
        print(f"OBS: {warning}", file=sys.stderr)
    return 0


def pending_json_row(letter: LetterInfo) -> dict[str, object]:
    return {
        "id": letter.id,
        "item_id": letter.item_id,
        "child_name": letter.child_name,
        "kind": letter.kind.value,
        "recipient": letter.recipient_name,
        "recipient_role": letter.recipient_role,
        "issued_at": iso(letter.issued_at),
        "issued_by": letter.issued_by,
        "template_version": letter.template_version,
        "sha256": letter.sha256,
        "pages": letter.page_count,
        "demo": letter.demo,
    }


def _cmd_pending(args: argparse.Namespace) -> int:
    letters = run_as_user(args, pending_letters)
    if args.json:
        emit_json([pending_json_row(letter) for letter in letters])
        return 0
    if not letters:
        print("Utskriftskön är tom.")
    for letter in letters:
        print(f"{letter.id:>6}  ärende {letter.item_id:<6} {letter.kind.value:<14} {letter.recipient_name:<28} "
              f"{format_datetime_sv(letter.issued_at)}  {letter.issued_by}")
    return 0


def _cmd_reprint(args: argparse.Namespace) -> int:
    database = open_db(args)
    actor = current_actor(database)
    with database.transaction() as session:
        pdf = letter_pdf(session, actor, args.letter)
    write_output(args.out, pdf, force=args.force, protected=protected_paths(database.file))
    print(f"Brev {args.letter} sparat som {args.out} (samma innehåll som när det godkändes).")
    return 0


def _cmd_mark(args: argparse.Namespace) -> int:
    database = open_db(args)
    actor = current_actor(database)
    with database.transaction() as session:
        if args.letters_command == "printed":
            result = mark_printed(session, actor, args.letters)
            for message in result.skipped:
                print(message, file=sys.stderr)
            print(f"{len(result.printed)} brev markerade som utskrivna"
                  + (f", {len(result.reprinted)} var redan utskrivna." if result.reprinted else "."))
        else:
            mark_sent(session, actor, args.letters)
            print(f"{len(args.letters)} brev markerade som skickade.")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    letter = subparsers.add_parser(
        "letter", help="skapa ett brev i ett ärende (godkänns och läggs i utskriftskön)",
        description="Skapar ett brev från ärendets uppgifter, sparar det som godkänt (PDF och SHA-256) "
                    "och skriver det till en fil. Kallelse och underrättelse kan inte skapas innan "
                    "skyddsbedömningen är klar; underrättelse och återkoppling först när beslutet är signerat.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Typer:\n" + "\n".join(f"  {kind.value:<14} {text}" for kind, text in _KIND_HELP.items())
               + '\n\nExempel:\n  mottagning letter kallelse --item 12 --out kallelse.pdf '
                 '--meeting "2026-12-01 10:00" \\\n    --place "Storgatan 12, plan 3" '
                 '--interpreter arabiska',
    )
    letter.add_argument("kind", choices=[kind.value for kind in LetterKind], metavar="TYP",
                        help="brevets typ: " + ", ".join(kind.value for kind in LetterKind))
    letter.add_argument("--item", type=int, required=True, metavar="ID", help="ärendets nummer i kön")
    letter.add_argument("--out", metavar="FIL.pdf", help="filen som brevet sparas i")
    letter.add_argument("--force", action="store_true", help="skriv över filen om den redan finns")
    letter.add_argument("--recipient", type=int, default=1, metavar="N",
                        help="vilken mottagare (1 = den första; se --list-recipients). Varje vårdnadshavare "
                             "får ett eget brev till sin egen adress")
    letter.add_argument("--list-recipients", action="store_true", help="visa möjliga mottagare och avsluta")
    meeting = letter.add_argument_group("kallelse")
    meeting.add_argument("--meeting", metavar='"ÅÅÅÅ-MM-DD TT:MM"', help="mötets datum och tid (svensk tid)")
    meeting.add_argument("--place", metavar="TEXT", help="mötets plats, till exempel adress och våning")
    meeting.add_argument("--with", dest="meeting_with", metavar="TEXT",
                         help="vem mottagaren träffar (namn och titel); annars ärendets handläggare, "
                              "som också undertecknar brevet")
    meeting.add_argument("--rebooking", metavar="TEXT",
                         help="hur man bokar om tiden (annars enhetens telefon och telefontider)")
    meeting.add_argument("--interpreter", metavar="SPRÅK", help="erbjud tolk på detta språk")
    reporter = letter.add_argument_group("återkoppling och mottagningsbekräftelse")
    reporter.add_argument("--address", metavar='"GATA, POSTNR ORT"',
                          help="anmälarens postadress (anmälan innehåller ingen)")
    letter.set_defaults(func=_cmd_letter)

    letters = subparsers.add_parser("letters", help="utskriftskön: godkända brev som inte skrivits ut")
    sub = letters.add_subparsers(dest="letters_command", required=True, metavar="KOMMANDO")
    pending = sub.add_parser("pending", help="lista godkända brev som inte skrivits ut")
    pending.add_argument("--json", action="store_true", help="skriv ut som JSON")
    pending.set_defaults(func=_cmd_pending)
    reprint = sub.add_parser("reprint", help="spara ett utfärdat brev igen, byte för byte")
    reprint.add_argument("letter", type=int, metavar="BREV", help="brevets nummer")
    reprint.add_argument("--out", required=True, metavar="FIL.pdf")
    reprint.add_argument("--force", action="store_true", help="skriv över filen om den redan finns")
    reprint.set_defaults(func=_cmd_reprint)
    for name, text in (("printed", "markera brev som utskrivna"), ("sent", "markera utskrivna brev som skickade")):
        mark = sub.add_parser(name, help=text)
        mark.add_argument("letters", type=int, nargs="+", metavar="BREV", help="brevens nummer")
        mark.set_defaults(func=_cmd_mark)
