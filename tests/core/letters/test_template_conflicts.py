"""No lost update on letter templates: a template saved over a newer version than the one
the editor was opened on is refused with the newer text, its version and who saved it."""

from __future__ import annotations

import pytest

from mottagning.context import Actor
from mottagning.db.database import Database
from mottagning.errors import ConcurrentEdit
from mottagning.letters.model import LetterKind
from mottagning.letters.profile import current_template, save_template
from mottagning.rules.permissions import Role
from tests.conftest import make_user

KIND = LetterKind.KALLELSE


def opened(database: Database) -> tuple[int, str]:
    with database.transaction() as session:
        _template, info = current_template(session, KIND)
        return info.version, info.text


def test_the_second_of_two_editors_is_refused_with_both_texts_available(
    database: Database, admin: Actor, now
) -> None:
    other = make_user(database, "olle", [Role.ADMIN])
    version, text = opened(database)  # both open the same version
    theirs = text.replace("Med vänliga hälsningar", "Hälsningar")
    mine = text.replace("Med vänliga hälsningar", "Vänliga hälsningar")
    assert theirs != text and mine != text
    with database.transaction() as session:
        saved = save_template(session, other, KIND, theirs, expected_version=version, now=now)

    with pytest.raises(ConcurrentEdit) as refused, database.transaction() as session:
        save_template(session, admin, KIND, mine, expected_version=version, now=now)
    error = refused.value
    assert error.version == saved.version == version + 1
    assert error.theirs == saved.text and 'closing = "Hälsningar"' in error.theirs
    assert error.saved_by == other.full_name and other.full_name in str(error)
    assert opened(database) == (saved.version, saved.text)  # nothing of the refused save

    with database.transaction() as session:
        kept = save_template(session, admin, KIND, mine, expected_version=error.version, now=now)
    assert kept.version == version + 2 and 'closing = "Vänliga hälsningar"' in kept.text
