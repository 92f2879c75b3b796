"""Staff corrected a liaison's entry (容错): the liaison is told what was changed, by SMS to
the mobile now on file (a corrected mobile may have been someone else's: never the old one).
Only the names of the fields are sent, never their values."""

from django.utils import translation

from outreach.messaging.defaults import STAFF_CORRECTION_TEMPLATE
from outreach.messaging.services import message_enqueue
from registry.models import Door, Liaison


def tell_liaison_of_staff_correction(sender, *, liaison, changed, door, by, **_kwargs) -> None:
    if door != Door.STAFF or not liaison.mobile:
        return
    with translation.override("zh-hans"):  # SMS texts are Chinese, whoever made the edit
        what = "、".join(str(Liaison._meta.get_field(name).verbose_name) for name in changed)
    message_enqueue(
        enterprise=liaison.enterprise,
        liaison=liaison,
        template=STAFF_CORRECTION_TEMPLATE,
        context={"fields": what},
        purpose="staff-correction-notice",
        by=by,
    )
