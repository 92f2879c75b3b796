"""The categories a new installation starts with (issue 18), each with its time limits.
Created after every migrate when missing (like the message templates); admins edit the tree
in the Django admin and their edits are kept."""

from outreach.matters.models import MatterCategory

# name, first response (hours), resolution (working days)
DEFAULT_CATEGORIES = [
    ("企业登记", 24, 5),
    ("年度报告", 24, 3),
    ("税务", 24, 5),
    ("社会保险", 24, 5),
    ("政策咨询", 24, 5),
    ("经营场所", 24, 10),
    ("投诉", 4, 5),
    ("其他", 24, 10),
]
# The category a liaison's own question through the personal link starts in (staff may
# reclassify it).
SELF_SERVICE_CATEGORY = "其他"


def categories_ensure_defaults(**_kwargs) -> None:
    if MatterCategory.objects.exists():
        return
    MatterCategory.objects.bulk_create(
        MatterCategory(
            name=name, first_response_hours=hours, resolution_workdays=days, position=position
        )
        for position, (name, hours, days) in enumerate(DEFAULT_CATEGORIES)
    )
