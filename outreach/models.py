# Models of the outreach app. Django discovers models in this module only; each part of the
# app defines its own in its package and they are gathered here.
from outreach.messaging.models import *  # noqa: F403
from outreach.messaging.models import __all__ as _messaging_models

__all__ = [*_messaging_models]
