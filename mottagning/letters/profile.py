"""What every letter is made from besides the case: the municipality profile and the templates.

The profile is a database setting (it travels with the data); the logo is kept in it as
base64. Templates ship in resources/letters/; an administrator's edits are stored as new
numbered versions in the database and the newest valid one is used.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

import platformdirs
from sqlalchemy import select
from sqlalchemy.orm import Session

from mottagning.audit import chain as audit
from mottagning.context import Actor, Changes
from mottagning.errors import ConcurrentEdit, ValidationError
from mottagning.letters.model import LetterKind, MunicipalityProfile
from mottagning.letters.samples import sample_profile
from mottagning.letters.templates import (
    LetterTemplate,
    TemplateError,
    load_template,
    validate_template,
)
from mottagning.models import User
from mottagning.models.letters import LetterTemplateVersion
from mottagning.paths import APP_NAME, resource
from mottagning.rules.permissions import Action
from mottagning.settings import is_demo, put_setting, setting_version, stored_setting
from mottagning.timeutil import utc_now

PROFILE_KEY = "municipality_profile"
MAX_LOGO_BYTES = 2_000_000
_LOGO_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")

# Field -> label used in messages and in the profile form.
PROFILE_LABELS = {
    "municipality": "kommunens namn",
    "unit": "enhetens namn",
    "visiting_address": "besöksadress",
    "postal_address": "postadress",
    "phone": "telefonnummer",
    "phone_hours": "telefontider",
    "email": "e-postadress",
}
REQUIRED_PROFILE_FIELDS = ("municipality", "unit", "postal_address", "phone", "phone_hours")


@dataclass(frozen=True)
class ProfileData:
    """The municipality profile as stored and edited; `postal_address` has one line per row."""

    municipality: str = ""
    unit: str = ""
    visiting_address: str = ""
    postal_address: str = ""
    phone: str = ""
    phone_hours: str = ""
    email: str = ""
    logo: bytes | None = field(default=None, repr=False)

    def missing(self) -> list[str]:
        return [PROFILE_LABELS[name] for name in REQUIRED_PROFILE_FIELDS if not getattr(self, name).strip()]


def _sample_data() -> ProfileData:
    sample = sample_profile()
    return ProfileData(
        municipality=sample.municipality, unit=sample.unit, visiting_address=sample.visiting_address,
        postal_address="\n".join(sample.postal_address_lines), phone=sample.phone,
        phone_hours=sample.phone_hours, email=sample.email,
    )


def get_profile(session: Session) -> ProfileData:
    """The stored profile; a demo database without one uses the fictitious sample."""
    stored = stored_setting(session, PROFILE_KEY)
    if stored is None:
        return _sample_data() if is_demo(session) else ProfileData()
    logo = stored.get("logo")
    return ProfileData(
        **{name: str(stored.get(name) or "") for name in PROFILE_LABELS},
        logo=base64.b64decode(logo) if logo else None,
    )


def profile_version(session: Session) -> int:
    """How many times the profile has been saved (0: never); the form saves over this one."""
    return setting_version(session, PROFILE_KEY)


def put_profile(session: Session, actor: Actor, profile: ProfileData, *,
                expected_version: int | None = None, now: datetime | None = None) -> Changes:
    """Save the profile (administrators); refuses an incomplete profile or an unusable logo.

    `expected_version` is the `profile_version` the form was opened on: if someone saved
    the profile since, nothing is stored and ConcurrentEdit carries the newer profile
    (`ProfileData`) and its version."""
    actor.require(Action.MANAGE_SETTINGS)
    current = profile_version(session)
    if expected_version is not None and current != expected_version:
        raise ConcurrentEdit(
            "Någon annan har sparat kommunprofilen sedan du öppnade den. Jämför dina "
            "uppgifter med de nya och välj; ingenting sparades.",
            theirs=get_profile(session), version=current)
    problems = [f"Fyll i {label}." for label in profile.missing()]
    if profile.logo is not None:
        if len(profile.logo) > MAX_LOGO_BYTES:
            problems.append("Logotypen är för stor (högst 2 MB).")
        elif not profile.logo.startswith(_LOGO_SIGNATURES):
            problems.append("Logotypen måste vara en PNG- eller JPEG-bild.")
    if problems:
        raise ValidationError(problems)
    value = {name: getattr(profile, name).strip() for name in PROFILE_LABELS}
    value["logo"] = base64.b64encode(profile.logo).decode("ascii") if profile.logo else None
    put_setting(session, PROFILE_KEY, value)
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="letter_profile_saved",
        entity_type="setting", details={"fields": sorted(PROFILE_LABELS), "logo": profile.logo is not None,
                                        "version": current + 1,
                                        **({"over_version": expected_version}
                                           if expected_version is not None else {})},
        now=now or utc_now(),
    )
    return Changes(letters=True)


def default_rebooking(profile: ProfileData) -> str:
    """How to rebook a meeting when the worker gives nothing else: the unit's phone hours."""
    return f"Ring oss på telefon {profile.phone.strip()}, {profile.phone_hours.strip()}, så bokar vi en ny tid."


def _logo_file(logo: bytes) -> Path:
    """The logo as a file named by its content, for reportlab (written once)."""
    digest = hashlib.sha256(logo).hexdigest()
    suffix = ".png" if logo.startswith(_LOGO_SIGNATURES[0]) else ".jpg"
    path = Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "logos" / f"{digest}{suffix}"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(logo)
        temporary.replace(path)
    return path


def engine_profile(profile: ProfileData) -> MunicipalityProfile:
    """The engine's profile record (the logo written to a cache file)."""
    return MunicipalityProfile(
        municipality=profile.municipality.strip(),
        unit=profile.unit.strip(),
        visiting_address=profile.visiting_address.strip(),
        postal_address_lines=tuple(line.strip() for line in profile.postal_address.splitlines() if line.strip()),
        phone=profile.phone.strip(),
        phone_hours=profile.phone_hours.strip(),
        email=profile.email.strip(),
        logo_path=_logo_file(profile.logo) if profile.logo else None,
    )


def profile_as_dict(profile: ProfileData) -> dict[str, object]:
    data = asdict(profile)
    data["logo"] = profile.logo is not None
    return data


# -- templates ---------------------------------------------------------------------

_VERSION_LINE = re.compile(r"^version\s*=\s*\d+\s*$", re.MULTILINE)


@dataclass(frozen=True)
class TemplateInfo:
    kind: LetterKind
    version: int
    text: str
    created_by: str | None
    created_at: datetime | None


def shipped_template_text(kind: LetterKind) -> str:
    return resource("letters", f"{LetterKind(kind).value}.toml").read_text(encoding="utf-8")


def current_template(session: Session, kind: LetterKind | str) -> tuple[LetterTemplate, TemplateInfo]:
    """The template letters of `kind` are made from now: the newest valid stored version,
    else the shipped file (a stored text the vocabulary no longer accepts is skipped)."""
    kind = LetterKind(kind)
    rows = session.execute(
        select(LetterTemplateVersion, User.full_name)
        .join(User, User.id == LetterTemplateVersion.created_by_id)
        .where(LetterTemplateVersion.kind == kind.value)
        .order_by(LetterTemplateVersion.version.desc())
    ).all()
    for row, author in rows:
        try:
            template = validate_template(row.text, source=f"mall {kind.value} version {row.version}")
        except TemplateError:
            continue
        if template.kind is kind and template.version == row.version:
            return template, TemplateInfo(kind, row.version, row.text, author, row.created_at)
    template = load_template(kind)
    return template, TemplateInfo(kind, template.version, shipped_template_text(kind), None, None)


def check_template_text(kind: LetterKind | str, text: str, *, version: int) -> tuple[LetterTemplate, str]:
    """Validate an edited text as version `version` of `kind`: returns the template and the
    text with its version line set. Raises TemplateError naming the problem."""
    kind = LetterKind(kind)
    if _VERSION_LINE.search(text):
        text = _VERSION_LINE.sub(f"version = {version}", text, count=1)
    else:
        text = f"version = {version}\n" + text
    template = validate_template(text, source=f"mallen för {kind.value}")
    if template.kind is not kind:
        raise TemplateError(f"mallen för {kind.value}: kind måste vara ”{kind.value}”, inte ”{template.kind}”")
    return template, text


def save_template(
    session: Session, actor: Actor, kind: LetterKind | str, text: str, *,
    expected_version: int | None = None, now: datetime | None = None,
) -> TemplateInfo:
    """Store an edited template as the next version (administrators).

    An invalid text (say, an unknown placeholder) is refused with ValidationError naming it;
    letters issued before keep the version they were made from. `expected_version` is the
    version the editor was opened on: if someone saved a newer one since, nothing is stored
    and ConcurrentEdit carries the newer text, its version and who saved it.
    """
    actor.require(Action.MANAGE_SETTINGS)
    kind = LetterKind(kind)
    now = now or utc_now()
    _template, info = current_template(session, kind)
    if expected_version is not None and info.version != expected_version:
        raise ConcurrentEdit(
            f"{info.created_by or 'Någon annan'} har sparat en nyare version av mallen "
            f"(version {info.version}) sedan du öppnade den. Jämför din text med den nya och "
            "välj; ingenting sparades.",
            theirs=info.text, version=info.version, saved_by=info.created_by)
    newest_stored = session.execute(
        select(LetterTemplateVersion.version).where(LetterTemplateVersion.kind == kind.value)
        .order_by(LetterTemplateVersion.version.desc()).limit(1)
    ).scalar_one_or_none() or 0
    version = max(info.version, newest_stored, load_template(kind).version) + 1
    try:
        _checked, text = check_template_text(kind, text, version=version)
    except TemplateError as error:
        raise ValidationError([f"Mallen sparades inte: {error}"]) from None
    session.add(LetterTemplateVersion(kind=kind.value, version=version, text=text,
                                      created_by_id=actor.user_id, created_at=now))
    session.flush()
    audit.record(
        session, actor=actor.username, user_id=actor.user_id, action="letter_template_saved",
        entity_type="letter_template", details={"kind": kind.value, "version": version}, now=now,
    )
    return TemplateInfo(kind, version, text, actor.full_name, now)
