"""The product's one name, in the language being spoken: the page titles and header, the
Django admin, the authenticator app's issuer (OTP_TOTP_ISSUER's default), staff's SMS
reminders, the API's title and the start-up banner all read it here, so it is written once.

The park itself (the certificates, the SMS signature, the e-mails' sender) is named by
PARK_NAME, SMS_SIGNATURE and DEFAULT_FROM_EMAIL: those are the park's, not the product's."""

from django.utils.functional import lazy
from django.utils.translation import get_language

# Chinese first (the interface's first language), then its English. A plain constant: the
# settings and the start-up script read it before Django is set up.
PRODUCT_NAME = {"zh-hans": "企业联络员管理门户", "en": "Liaison portal"}


def product_name(language: str | None = None) -> str:
    language = (language or get_language() or "zh-hans").lower()
    return (
        PRODUCT_NAME.get(language)
        or PRODUCT_NAME.get(language.split("-")[0])
        or PRODUCT_NAME["zh-hans"]
    )


# For what is set once at import and read in many languages (the Django admin's header).
product_name_lazy = lazy(product_name, str)


def context(request) -> dict:
    """Template context processor: ``PRODUCT_NAME`` in the request's language, and
    ``LANGUAGE_NAMES``, settings.LANGUAGES as written (each language in its own words, 中文 /
    English) for the language switch: Django's ``get_available_languages`` would translate
    them into the current language ("英语")."""
    from django.conf import settings

    return {"PRODUCT_NAME": product_name_lazy(), "LANGUAGE_NAMES": settings.LANGUAGES}
