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
