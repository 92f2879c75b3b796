"""The API reads JSON only, and only JSON the database and the response can carry."""

import json

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing two kinds of valid JSON that would end in a server error:

    - nesting deep enough to exhaust the recursion limit (``[[[[…]]]]``);
    - lone surrogates (``"\\ud800"``): PostgreSQL cannot store them, and a UTF-8 response
      that echoes one in an error message cannot be encoded.

    (A body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused by Django while DRF reads it:
    registry.api.errors answers 413.)
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except (RecursionError, UnicodeEncodeError) as error:
            raise ParseError from error
        return data
