"""{% load masking %}: ``{{ note|masked_text }}`` masks every phone and ID number in free
text (registry.masking.mask_free_text)."""

from django import template

from registry.masking import mask_address, mask_free_text

register = template.Library()


@register.filter
def masked_text(value) -> str:
    return mask_free_text("" if value is None else str(value))


@register.filter
def masked_address(value) -> str:
    return mask_address("" if value is None else str(value))
