"""`mottagning letter …` and `mottagning letters pending --json`."""

from __future__ import annotations

import hashlib
import json

from mottagning.cli import main
from mottagning.cli_support import current_actor
from mottagning.queue.items import get_item, move_item
from mottagning.rules.status import Status
from mottagning.settings import put_setting
from tests.core.factories import register_simple


def test_letter_command_issues_a_kallelse_and_pending_lists_it(database, now, tmp_path, capsys) -> None:
    actor = current_actor(database)
    with database.transaction() as session:
        put_setting(session, "demo", True)  # the sample letterhead stands in for a profile
    item_id = register_simple(database, actor, now=now).item_ids[0]
    out = tmp_path / "kallelse.pdf"
    base = ["--db", database.url, "letter", "kallelse", "--item", str(item_id), "--out", str(out),
            "--meeting", "2026-12-01 10:00", "--place", "Röda vägen 50", "--with", "Anna Ek"]

    assert main(base) == 1
    assert "Skyddsbedömningen" in capsys.readouterr().err and not out.exists()

    with database.transaction() as session:
        move_item(session, actor, get_item(session, item_id), Status.PROTECTION_ASSESSED, now=now)
    assert main(base + ["--interpreter", "somaliska"]) == 0
    assert "ligger i utskriftskön" in capsys.readouterr().out

    assert main(["--db", database.url, "letters", "pending", "--json"]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["item_id"] == item_id and row["kind"] == "kallelse" and row["template_version"] == 1
    assert row["child_name"] == "Ella Andersson"
    assert row["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert {"id", "recipient", "issued_at", "issued_by"} <= row.keys()


def test_kallelse_without_meeting_details_names_the_missing_options(database, now, tmp_path, capsys) -> None:
    actor = current_actor(database)
    item_id = register_simple(database, actor, now=now).item_ids[0]
    code = main(["--db", database.url, "letter", "kallelse", "--item", str(item_id),
                 "--out", str(tmp_path / "k.pdf"), "--place", "Röda vägen 50"])
    assert code == 1
    assert "Saknas: --meeting." in capsys.readouterr().err


def _issued_letter(database, now, tmp_path, capsys) -> tuple[int, bytes]:  # type: ignore[no-untyped-def]
    actor = current_actor(database)
    with database.transaction() as session:
        put_setting(session, "demo", True)
    item_id = register_simple(database, actor, now=now).item_ids[0]
    with database.transaction() as session:
        move_item(session, actor, get_item(session, item_id), Status.PROTECTION_ASSESSED, now=now)
    first = tmp_path / "forsta.pdf"
    assert main(["--db", database.url, "letter", "kallelse", "--item", str(item_id), "--out",
                 str(first), "--meeting", "2026-12-01 10:00", "--place", "Röda vägen 50",
                 "--with", "Anna Ek"]) == 0
    capsys.readouterr()
    assert oct(first.stat().st_mode & 0o777) == "0o600"
    return item_id, first.read_bytes()


def test_out_never_overwrites_without_force_and_never_the_database(
    database, now, tmp_path, capsys
) -> None:
    _item_id, pdf = _issued_letter(database, now, tmp_path, capsys)
    existing = tmp_path / "viktig.pdf"
    existing.write_bytes(b"inte ett brev")
    reprint = ["--db", database.url, "letters", "reprint", "1", "--out"]
    assert main([*reprint, str(existing)]) == 1
    assert "--force" in capsys.readouterr().err and existing.read_bytes() == b"inte ett brev"
    assert main([*reprint, str(existing), "--force"]) == 0
    assert existing.read_bytes() == pdf
    if database.embedded:
        db_file = database.file
        link = tmp_path / "lank.pdf"
        link.symlink_to(db_file)
        before = db_file.read_bytes()
        for target in (db_file, db_file.with_name(db_file.name + "-wal"), link):
            assert main([*reprint, str(target), "--force"]) == 1, target
            assert "skrivs aldrig över" in capsys.readouterr().err
        assert db_file.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".skrivs")]


def test_a_refused_out_file_issues_no_letter(database, now, tmp_path, capsys) -> None:
    item_id, _pdf = _issued_letter(database, now, tmp_path, capsys)
    taken = tmp_path / "upptagen.pdf"
    taken.write_bytes(b"x")
    assert main(["--db", database.url, "letter", "bekraftelse", "--item", str(item_id),
                 "--out", str(taken), "--address", "Storgatan 1, 784 33 Borlänge"]) == 1
    assert "finns redan" in capsys.readouterr().err
    assert main(["--db", database.url, "letters", "pending", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
