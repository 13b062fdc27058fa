"""Request body parsers of the API."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, answering a body nested too deeply for Python's decoder with a 400
    (the decoder raises ``RecursionError``, which DRF would let through as a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error: the body is nested too deeply.") from None
