"""Free text that may name people never enters the audit log, which outlives weeding."""

from __future__ import annotations

import json

from sqlalchemy import select

from mottagning.audit import chain as audit
from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.decisions.proposals import return_decision
from mottagning.models import AuditEvent
from tests.core.decision_helpers import item_in_assessment, propose, version_of


def test_a_return_comment_naming_a_person_is_kept_as_a_digest_only(
    database: Database, worker: Actor, senior: Actor, now
) -> None:
    item_id = item_in_assessment(database, worker, now=now)
    decision_id = propose(database, worker, item_id, now=now)
    comment = "Ring mormor Gunborg Pettersson först."
    with database.transaction() as session:
        return_decision(session, senior, decision_id, comment=comment,
                        expected_version=version_of(database, decision_id), now=now)
    with database.transaction() as session:
        details = [json.dumps(e.details, ensure_ascii=False)
                   for e in session.execute(select(AuditEvent)).scalars()]
        verified = audit.verify_chain(session)
    assert not any("Gunborg" in d for d in details)
    assert any(audit.text_digest(comment)["sha256"] in d for d in details)
    assert verified.ok
