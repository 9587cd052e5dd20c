"""What every app shares: users and roles, the taxonomy, the audit trail and the e-mail outbox."""

from bridges.models.api import ApiToken
from bridges.models.audit import AuditEvent
from bridges.models.notifications import Notification
from bridges.models.taxonomy import (
    CEFRLevel,
    IscoGroup,
    Language,
    Occupation,
    OccupationLabel,
    OccupationSkill,
    Place,
    Region,
    Skill,
    SkillLabel,
)
from bridges.models.users import START_PAGES, Role, User, UserManager

__all__ = [
    "START_PAGES",
    "ApiToken",
    "AuditEvent",
    "CEFRLevel",
    "IscoGroup",
    "Language",
    "Notification",
    "Occupation",
    "OccupationLabel",
    "OccupationSkill",
    "Place",
    "Region",
    "Role",
    "Skill",
    "SkillLabel",
    "User",
    "UserManager",
]
