"""The database model, one module per area, in SQLAlchemy 2.0 typed style.

Importing this package loads every table, so Alembic and `Base.metadata` see the whole
schema; the classes are re-exported here, so `from mottagning.models import Report` works.
Datetimes are stored in UTC and come back timezone-aware (`base.UTCDateTime`).
"""

from mottagning.models.access import Draft, EditingPresence, User, UserRole
from mottagning.models.assessment import Assessment
from mottagning.models.audit import AuditEvent, AuditHead
from mottagning.models.base import NAMING_CONVENTION, Base, UTCDateTime
from mottagning.models.calibration import (
    CalibrationParticipant,
    CalibrationRound,
    CalibrationRoundVignette,
    TrainingAnswer,
    VignetteReference,
)
from mottagning.models.decisions import DeadlineExtension, Decision, FeedbackTask
from mottagning.models.intake import (
    Alarm,
    Attachment,
    Child,
    ChildAddressChange,
    ChildMerge,
    Guardian,
    ImportSource,
    Report,
    ReportCorrection,
)
from mottagning.models.letters import IssuedLetter, LetterTemplateVersion
from mottagning.models.queue import QueueItem
from mottagning.models.records import AuditAnchor, WeedingProtocol
from mottagning.models.security import SignInState
from mottagning.models.settings import Setting
from mottagning.models.stats import (
    FeedbackGiven,
    ReportCompleteness,
    ReportMeeting,
    StatsItem,
    StatsReportConcern,
)

__all__ = [
    "NAMING_CONVENTION", "Alarm", "Assessment", "Attachment", "AuditAnchor", "AuditEvent",
    "AuditHead", "Base", "Child", "ChildAddressChange", "ChildMerge", "DeadlineExtension",
    "Decision", "Draft", "EditingPresence", "FeedbackTask", "Guardian", "ImportSource", "IssuedLetter",
    "LetterTemplateVersion", "QueueItem", "Report", "ReportCorrection", "ReportCompleteness",
    "ReportMeeting", "FeedbackGiven", "StatsItem", "StatsReportConcern",
    "SignInState", "Setting", "User", "UserRole", "UTCDateTime", "WeedingProtocol",
    "CalibrationParticipant", "CalibrationRound", "CalibrationRoundVignette", "TrainingAnswer",
    "VignetteReference",
]
