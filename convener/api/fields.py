"""Serializer fields for Convener's partial dates."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from convener.core.dates import UNKNOWN_WORDS, PartialDate, Precision


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?|unknown)$",
        "example": "2013-09",
        "nullable": True,
    }
)
class PartialDateField(serializers.Field):
    """A date known to the year, month or day: "1998", "2013-09" or "2013-09-17"; "unknown"
    when the records do not give it (for an end: ended on a day nobody recorded; null is an
    end still open)."""

    def __init__(self, prefix: str, **kwargs):
        self.prefix = prefix
        kwargs.setdefault("source", "*")
        super().__init__(**kwargs)

    def to_representation(self, instance):
        if getattr(instance, f"{self.prefix}_precision", None) == Precision.UNKNOWN:
            return "unknown"
        value = getattr(instance, f"{self.prefix}_date")
        return str(value) if value is not None else None

    def to_internal_value(self, data):
        if data in (None, ""):
            if self.required:
                self.fail("required")
            return {self.prefix: None, f"{self.prefix}_precision": Precision.DAY}
        if isinstance(data, str) and data.strip().lower() in UNKNOWN_WORDS:
            return {self.prefix: None, f"{self.prefix}_precision": Precision.UNKNOWN}
        if not isinstance(data, str):
            raise serializers.ValidationError("Use a string: YYYY, YYYY-MM or YYYY-MM-DD.")
        try:
            parsed = PartialDate.parse(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None
        return {self.prefix: parsed.value, f"{self.prefix}_precision": parsed.precision}


PartialDateField.schema_type = OpenApiTypes.STR
