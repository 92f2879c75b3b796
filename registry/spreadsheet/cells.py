"""What a single cell can hold that is not a value: an Excel error (a formula that failed,
kept by Excel as ``#N/A``, ``#REF!`` ...) and characters a spreadsheet cannot keep (NUL and
the other control characters XML 1.0 forbids). Neither may be read as empty or quietly
dropped: the row is invalid and the message says what the cell holds. Pure: no database.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The error values Excel writes (and shows) in a cell; the first seven are in every version,
# the others in Microsoft 365.
EXCEL_ERRORS = frozenset(
    {
        "#N/A",
        "#REF!",
        "#VALUE!",
        "#DIV/0!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)


class ExcelError(str):
    """An error cell as the reader found it (its text is the error, e.g. ``#N/A``); a str so
    it is shown and written back (the invalid-rows download) as Excel showed it."""

    __slots__ = ()


# Tab, line feed and carriage return are text (Alt+Enter in a cell); the other C0 controls,
# DEL and the two non-characters are not, and a reader of XML or a database would drop them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def excel_error(value: object) -> str | None:
    """The Excel error a cell holds (an error cell, or text that is exactly an error value as
    a CSV saved by Excel carries it), else None."""
    if isinstance(value, ExcelError):
        return str(value).strip() or "#N/A"
    if isinstance(value, str) and value[:1] in "# \u3000" and value:
        text = value.strip().upper()
        if text in EXCEL_ERRORS:
            return text
    return None


def control_character(value: object) -> str | None:
    """The first character a spreadsheet cannot keep, as ``U+0000``, else None."""
    if isinstance(value, str) and not value.isprintable():
        found = _CONTROL.search(value)
        if found:
            return f"U+{ord(found.group()):04X}"
    return None


def check_cell(value: object) -> None:
    """Raise ValidationError when a cell holds an Excel error or a character that would be
    dropped; called before a column's own cleaning."""
    error = excel_error(value)
    if error is not None:
        raise ValidationError(
            _(
                "This cell holds the Excel error %(error)s (a formula that failed), not a "
                "value. Correct the formula or type the value itself."
            ),
            code="excel_error",
            params={"error": error},
        )
    if isinstance(value, str) and "\ufffd" in value:
        raise ValidationError(
            _(
                "This cell holds bytes that are not valid text in the file's encoding (shown "
                "as %(mark)s). Type the value again, or save the file from Excel as .xlsx."
            ),
            code="undecodable",
            params={"mark": "\ufffd"},
        )
    character = control_character(value)
    if character is not None:
        raise ValidationError(
            _(
                "This cell holds a control character (%(character)s) that cannot be stored; "
                "it usually comes from copying out of another program. Clear the cell and "
                "type the value again."
            ),
            code="control_character",
            params={"character": character},
        )


def displayable(value: object) -> object:
    """A value as it can be written back into a workbook: characters no workbook can hold
    are shown as U+FFFD (the invalid-rows download)."""
    if isinstance(value, str) and not isinstance(value, ExcelError) and _CONTROL.search(value):
        return _CONTROL.sub("\ufffd", value)
    return value
