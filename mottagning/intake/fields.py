"""Reading the fields of a submission leniently: wrong data becomes a warning, not an error.

A concern report is never refused for bad data (intake-format.md, rule 3), so every reader
here returns what it could make of a value and records, in Swedish, what the worker should
check. Values are never echoed from the reporter's identity fields, so a warning cannot
leak an anonymous reporter.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import Any

from mottagning.intake.submission import Address, Attachment, Child, Guardian
from mottagning.rules import personnummer
from mottagning.rules.codes import Code
from mottagning.timeutil import STOCKHOLM

MAX_IDENTIFIER_LENGTH = 200
MAX_SEQUENCE = 2**31 - 1  # the largest value the INTEGER column `reports.sequence` holds
# Characters a database text column cannot hold: NUL (PostgreSQL) and lone surrogates
# (not encodable as UTF-8).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
EARLIEST_PLAUSIBLE_SUBMISSION = datetime(2000, 1, 1, tzinfo=UTC)
_FUTURE_TOLERANCE_SECONDS = 300  # clocks of the e-service and ours are never quite in step


def identifier(value: Any) -> str | None:
    """A usable `source` or `submission_id`, or None when it is missing or unusable."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_IDENTIFIER_LENGTH:
        return None
    if _UNSTORABLE.search(value) or _CONTROL.search(value):
        return None
    return value


def sequence_number(value: Any) -> int | None:
    """A valid `sequence`, or None. `true` is no number even though Python says it is."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEQUENCE:
        return None
    return value


class FieldReader:
    """Typed readers for one submission that collect its data-quality warnings."""

    def __init__(self, *, today: date) -> None:
        self.today = today
        self.warnings: list[str] = []

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def is_object(self, value: Any, label: str) -> bool:
        if isinstance(value, dict):
            return True
        self.warn(f"{label} kan inte läsas (inte ett objekt) och har hoppats över.")
        return False

    def items(self, data: Any, key: str, label: str) -> list[Any]:
        value = data.get(key) if isinstance(data, dict) else None
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.warn(f"{label} ({key}) har fel typ och har inte lästs.")
        return []

    def storable(self, text: str, label: str) -> str:
        """`text` unchanged unless it holds characters no database can store."""
        if not _UNSTORABLE.search(text):
            return text
        self.warn(f"{label} innehöll tecken som inte kan sparas; de har ersatts med \ufffd.")
        return _UNSTORABLE.sub("\ufffd", text)

    def text(self, data: Any, key: str, label: str) -> str | None:
        value = data.get(key) if isinstance(data, dict) else None
        if value is None or isinstance(value, str) and not value.strip():
            return None
        if isinstance(value, str):
            return self.storable(value, label)
        if isinstance(value, int | float) and not isinstance(value, bool):
            self.warn(f"{label} är ett tal i stället för text.")
            return str(value)
        self.warn(f"{label} har fel typ och har inte lästs.")
        return None

    def flag(self, data: Any, key: str, label: str, *, unclear: bool | None) -> bool | None:
        """A yes/no field; None when absent, `unclear` when it is not true or false."""
        value = data.get(key) if isinstance(data, dict) else None
        if value is None or isinstance(value, bool):
            return value
        self.warn(f"{label} ({key}) är varken sant eller falskt och har tolkats som {_yes_no(unclear)}.")
        return unclear

    def codes_list(self, data: Any, key: str, known: dict[str, Code], label: str) -> tuple[str, ...]:
        values = self.items(data, key, label.capitalize())
        result: list[str] = []
        for value in values:
            if isinstance(value, str) and value in known:
                if value not in result:
                    result.append(value)
            else:
                self.warn(f"Okänt {label}: {short_repr(value)}.")
        if not result:
            self.warn(f"Inget känt {label} angivet.")
        return tuple(result)

    def submitted_at(
        self, value: Any, received_at: datetime, now: datetime
    ) -> tuple[datetime, datetime | None]:
        """The moment deadlines count from, and the claimed one when it was in the future."""
        moment = self._moment(value)
        if moment is None:
            self.warn(
                "Inlämningstiden (submitted_at) saknas eller kan inte tolkas; "
                "tiden då filen kom in används."
            )
            return min(received_at, now), None
        if moment < EARLIEST_PLAUSIBLE_SUBMISSION:
            # Year 1 and the like: no e-service existed, and deadlines counted from it
            # overflow the calendar.
            self.warn(
                f"Inlämningstiden {moment.isoformat()} är orimligt tidig; "
                "tiden då filen kom in används."
            )
            return min(received_at, now), None
        if (moment - now).total_seconds() > _FUTURE_TOLERANCE_SECONDS:
            self.warn(
                f"Inlämningstiden {moment.isoformat()} ligger i framtiden; "
                "importens egen tid används i stället."
            )
            return now, moment
        return moment, None

    def _moment(self, value: Any) -> datetime | None:
        if not isinstance(value, str):
            return None
        try:
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                self.warn("Inlämningstiden saknar tidszon; svensk tid har antagits.")
                moment = moment.replace(tzinfo=STOCKHOLM)
            moment.astimezone(STOCKHOLM)  # raises for moments at the edge of the calendar
        except (ValueError, OverflowError):
            return None
        return moment

    def _date(self, data: dict[str, Any], key: str, label: str) -> date | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.warn(f"{label}: födelsedatumet kan inte tolkas ({short_repr(value)}).")
        return None

    def _personnummer(self, data: dict[str, Any], label: str) -> tuple[str | None, str | None]:
        """The normalised number (None when it does not parse) and the text as received."""
        as_received = self.text(data, "personnummer", f"{label}: personnumret")
        if as_received is None:
            return None, None
        parsed = personnummer.parse(as_received, today=self.today)
        if parsed is None:
            self.warn(f"{label}: personnumret har fel form ({short_repr(as_received)}).")
            return None, as_received
        for problem in parsed.warnings:
            self.warn(f"{label}: {problem} ({parsed.normalised}).")
        return parsed.normalised, as_received

    def _address(self, data: dict[str, Any], label: str) -> Address | None:
        value = data.get("address")
        if value is None:
            return None
        if isinstance(value, str):
            self.warn(f"{label}: adressen är en text i stället för gata, postnummer och ort.")
            return Address(self.storable(value, label), None, None) if value.strip() else None
        if not isinstance(value, dict):
            self.warn(f"{label}: adressen har fel typ och har inte lästs.")
            return None
        address = Address(
            street=self.text(value, "street", f"{label}: gatuadress"),
            postal_code=self.text(value, "postal_code", f"{label}: postnummer"),
            city=self.text(value, "city", f"{label}: ort"),
        )
        return None if address == Address(None, None, None) else address

    def child(self, data: dict[str, Any], label: str) -> Child:
        normalised, as_received = self._personnummer(data, label)
        child = Child(
            personnummer=normalised,
            personnummer_as_received=as_received,
            name=self.text(data, "name", f"{label}: namn"),
            birth_date=self._date(data, "birth_date", label),
            address=self._address(data, label),
            school=self.text(data, "school_or_preschool", f"{label}: skola/förskola"),
            protected_identity=self._protected(data, label),
        )
        if as_received is None and child.name is None and child.birth_date is None:
            self.warn(f"{label} saknar personnummer, namn och födelsedatum.")
        return child

    def guardian(self, data: dict[str, Any], label: str) -> Guardian:
        normalised, as_received = self._personnummer(data, label)
        return Guardian(
            name=self.text(data, "name", f"{label}: namn"),
            personnummer=normalised,
            personnummer_as_received=as_received,
            phone=self.text(data, "phone", f"{label}: telefon"),
            address=self._address(data, label),
            relation=self.text(data, "relation", f"{label}: relation"),
            protected_identity=self._protected(data, label),
        )

    def _protected(self, data: dict[str, Any], label: str) -> bool:
        # Optional (older files lack it); anything but true/false is read as protected,
        # since printing a protected address cannot be undone.
        return bool(self.flag(data, "protected_identity", f"{label}: skyddad identitet",
                              unclear=True))

    def attachment(self, data: dict[str, Any], number: int) -> Attachment:
        label = f"Bilaga {number}"
        name = self.text(data, "filename", f"{label}: filnamn") or ""
        # Only the last path component, without control characters: the name may be used
        # to write the file to disk later, and must not point outside its folder.
        name = _CONTROL.sub("", PurePosixPath(name.replace("\\", "/")).name)[:200]
        encoded = data.get("content_base64")
        content: bytes | None = None
        if isinstance(encoded, str):
            try:
                content = base64.b64decode("".join(encoded.split()), validate=True)
            except (binascii.Error, ValueError):
                self.warn(f"{label}: innehållet är inte giltig base64 och har inte kunnat läsas.")
        else:
            self.warn(f"{label}: innehåll (content_base64) saknas.")
        return Attachment(
            filename=name if name.strip(" .") else f"bilaga-{number}",
            media_type=self.text(data, "media_type", f"{label}: filtyp") or "application/octet-stream",
            content=content,
            sha256=hashlib.sha256(content).hexdigest() if content is not None else None,
        )


def _yes_no(value: bool | None) -> str:
    return {True: "ja", False: "nej", None: "okänt"}[value]


def short_repr(value: Any) -> str:
    """A value as shown in a message, cut short so one odd field cannot flood it."""
    shown = repr(value)
    return shown if len(shown) <= 40 else shown[:37] + "..."
