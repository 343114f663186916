"""Roles and the one permission table (role × action) that every service checks."""

from __future__ import annotations

from enum import StrEnum

from mottagning.errors import PermissionDenied


class Role(StrEnum):
    WORKER = "worker"
    SENIOR = "senior"
    ASSISTANT = "assistant"
    ADMIN = "admin"
    MONITOR = "monitor"
    """A service account for monitoring (`alarms --check`): sees how many alarms are
    open, nothing else, and signs in by its OS account alone."""


ROLE_LABELS_SV = {
    Role.WORKER: "Socialsekreterare, mottagning",
    Role.SENIOR: "Förste socialsekreterare / enhetschef",
    Role.ASSISTANT: "Administratör / assistent",
    Role.ADMIN: "Systemförvaltare",
    Role.MONITOR: "Övervakning (tjänstekonto)",
}


class Action(StrEnum):
    REGISTER_REPORT = "register_report"
    VIEW_QUEUE = "view_queue"
    READ_CASE = "read_case"
    ASSESS = "assess"
    REASSIGN_ITEMS = "reassign_items"
    PROPOSE_DECISION = "propose_decision"
    SIGN_DECISION = "sign_decision"
    SECOND_SIGN_ASSESSMENT = "second_sign_assessment"
    WRITE_LETTER = "write_letter"
    PRINT_LETTER = "print_letter"
    HANDLE_ALARMS = "handle_alarms"
    MANAGE_USERS = "manage_users"
    MANAGE_SETTINGS = "manage_settings"
    REVIEW_AUDIT = "review_audit"
    IMPORT = "import"
    WEED_RECORDS = "weed_records"
    BACKUP = "backup"
    READ_ALARM_COUNTS = "read_alarm_counts"
    VIEW_STATISTICS = "view_statistics"
    CALIBRATE = "calibrate"
    LEAD_CALIBRATION = "lead_calibration"


ACTION_LABELS_SV = {
    Action.REGISTER_REPORT: "registrera anmälningar",
    Action.VIEW_QUEUE: "se kön",
    Action.READ_CASE: "läsa ärenden",
    Action.ASSESS: "göra skyddsbedömningar",
    Action.REASSIGN_ITEMS: "fördela om ärenden som någon annan har",
    Action.PROPOSE_DECISION: "föreslå beslut",
    Action.SIGN_DECISION: "signera beslut",
    Action.SECOND_SIGN_ASSESSMENT: "signera skyddsbedömningar som andra bedömare",
    Action.WRITE_LETTER: "skriva brev",
    Action.PRINT_LETTER: "skriva ut brev",
    Action.HANDLE_ALARMS: "hantera larm",
    Action.MANAGE_USERS: "hantera användare",
    Action.MANAGE_SETTINGS: "ändra inställningar",
    Action.REVIEW_AUDIT: "göra loggkontroll",
    Action.IMPORT: "importera anmälningar",
    Action.WEED_RECORDS: "gallra handlingar",
    Action.BACKUP: "säkerhetskopiera databasen",
    Action.READ_ALARM_COUNTS: "se antalet öppna larm",
    Action.VIEW_STATISTICS: "se statistik och uppföljning",
    Action.CALIBRATE: "svara på övningsfall i kalibreringsomgångar",
    Action.LEAD_CALIBRATION: "öppna kalibreringsomgångar och se gruppens resultat",
}

_WORKER = {
    Action.REGISTER_REPORT, Action.VIEW_QUEUE, Action.READ_CASE, Action.ASSESS,
    Action.PROPOSE_DECISION, Action.WRITE_LETTER, Action.PRINT_LETTER, Action.HANDLE_ALARMS,
    Action.IMPORT, Action.READ_ALARM_COUNTS, Action.CALIBRATE,
}

PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.WORKER: frozenset(_WORKER),
    Role.SENIOR: frozenset(_WORKER | {Action.SIGN_DECISION, Action.SECOND_SIGN_ASSESSMENT,
                                     Action.REASSIGN_ITEMS,
                                     Action.REVIEW_AUDIT, Action.WEED_RECORDS,
                                     Action.VIEW_STATISTICS, Action.LEAD_CALIBRATION}),
    Role.ASSISTANT: frozenset(
        {Action.REGISTER_REPORT, Action.VIEW_QUEUE, Action.PRINT_LETTER, Action.HANDLE_ALARMS,
         Action.IMPORT, Action.READ_ALARM_COUNTS}
    ),
    Role.ADMIN: frozenset(
        {Action.MANAGE_USERS, Action.MANAGE_SETTINGS, Action.REVIEW_AUDIT,
         Action.HANDLE_ALARMS, Action.IMPORT, Action.BACKUP, Action.WEED_RECORDS,
         Action.READ_ALARM_COUNTS, Action.VIEW_STATISTICS}
    ),
    Role.MONITOR: frozenset({Action.READ_ALARM_COUNTS}),
}


ROLE_VALUES = frozenset(r.value for r in Role)


def allowed(roles: frozenset[str] | set[str], action: Action) -> bool:
    """A user's permissions are the union of their roles'."""
    return any(action in PERMISSIONS[Role(r)] for r in roles if r in ROLE_VALUES)


def monitor_only(roles: frozenset[str] | set[str]) -> bool:
    """The roles are the monitoring service account's alone (no case data, no changes)."""
    return bool(roles) and set(roles) == {Role.MONITOR.value}


def require(roles: frozenset[str] | set[str], action: Action) -> None:
    if not allowed(roles, action):
        raise PermissionDenied(
            f"Du har inte behörighet att {ACTION_LABELS_SV[action]}. "
            "Be en systemförvaltare om rätt roll om arbetet kräver det."
        )
