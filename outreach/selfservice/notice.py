"""The data-use notice the liaison accepts (PIPL art. 17: what for, who sees it, how long),
written from what the portal does: the retention period is ``LIAISON_RETENTION_YEARS`` (the
nightly run erases after it, registry.retention) and the readers are the roles that hold the
permissions to see a liaison at all, in full, or only masked (registry.roles). Change a
setting or a role and the notice — and its version, which the liaison accepts — follow.
"""

import hashlib
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from registry.retention import liaison_retention_years
from registry.roles import ROLE_PERMISSIONS, Role

# Bump when the wording changes; the digest below follows the settings and roles.
REVISION = "2027-01"


def _reader(role: Role) -> str:
    # How the liaison knows each role: the grid worker is theirs, not every grid's.
    return {
        Role.ADMIN: _("the park's admins"),
        Role.STAFF: _("the park's enterprise service staff"),
        Role.GRID_WORKER: _("the grid worker for your enterprise"),
        Role.AUDITOR: _("the park's auditors"),
    }[role]


def _readers(*, holding: str, lacking: str | None = None) -> str:
    roles = [
        role
        for role in Role
        if {"registry.view_liaison", holding} <= ROLE_PERMISSIONS.get(role, set())
        and (lacking is None or lacking not in ROLE_PERMISSIONS.get(role, set()))
    ]
    return pgettext("list separator", ", ").join(_reader(role) for role in roles)


@dataclass(frozen=True)
class Notice:
    paragraphs: tuple[str, ...]
    version: str


def _paragraphs() -> tuple[str, ...]:
    years = liaison_retention_years()
    full = _readers(holding="registry.view_full_phone")
    masked = _readers(holding="registry.view_liaison", lacking="registry.view_full_phone")
    id_numbers = _readers(holding="registry.view_sensitive")
    who = _("Who can see them: %(full)s.") % {"full": full}
    if masked:
        who += " " + _("%(masked)s see them only masked (such as 138****5678).") % {
            "masked": masked
        }
    who += " " + _("Your ID number, if you give it, can be seen only by %(readers)s.") % {
        "readers": id_numbers
    }
    return (
        _(
            "The park keeps the name and contact details of each enterprise's liaison so that "
            "it can reach the enterprise with notices, reminders and in emergencies."
        ),
        who,
        ngettext(
            "They are kept while you are the liaison and for %(years)d year after you leave, "
            "then deleted.",
            "They are kept while you are the liaison and for %(years)d years after you leave, "
            "then deleted.",
            years,
        )
        % {"years": years},
    )


def data_use_notice() -> Notice:
    """The notice in the current language, with the version of its Chinese text."""
    with translation.override("zh-hans"):
        chinese = "\n".join(_paragraphs())
    digest = hashlib.sha256(chinese.encode()).hexdigest()[:6]
    return Notice(paragraphs=_paragraphs(), version=f"{REVISION}-{digest}")
