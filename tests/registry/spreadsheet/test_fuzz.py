"""Random strings never crash the normaliser or the row validator: each value is either
accepted or reported as an error of its row and column."""

from hypothesis import given, settings
from hypothesis import strategies as st

from registry.spreadsheet.columns import COLUMNS, parse_row, unneutralise

cell = st.one_of(
    st.text(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({c.alias: cell for c in COLUMNS}))
def test_random_rows_are_parsed_or_reported_never_crash(values):
    headers = {c.alias: c.header for c in COLUMNS}
    parsed = parse_row(row=7, values=values, headers=headers)
    for error in parsed.errors:
        assert error.row == 7 and error.column in headers.values() and error.message


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(COLUMNS))
def test_each_column_normaliser_accepts_or_raises_validation_error(text, column):
    from django.core.exceptions import ValidationError

    try:
        value = column.clean(unneutralise(text))
    except ValidationError as error:
        assert error.messages
    else:
        # None: an empty cell of a column where empty changes nothing (the annual report's).
        assert isinstance(value, str | bool | int | None)
