"""Validators for the identifiers the registry keeps."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.iso7064 import mod_11_2, mod_97_10

_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_ROR = re.compile(r"^0[0-9a-hjkmnp-tv-z]{6}\d{2}$")
_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def normalize_orcid(value: str) -> str:
    value = (value or "").strip().upper()
    for prefix in ("HTTPS://ORCID.ORG/", "HTTP://ORCID.ORG/"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value


def validate_orcid(value: str) -> None:
    """An ORCID iD: 16 characters in four groups, the last an ISO 7064 MOD 11-2 check digit."""
    value = normalize_orcid(value)
    if not _ORCID.match(value):
        raise ValidationError(
            _("%(value)s is not an ORCID iD: expected the form 0000-0002-1825-0097."),
            code="invalid_orcid",
            params={"value": value},
        )
    if not mod_11_2.is_valid(value.replace("-", "")):
        raise ValidationError(
            _("%(value)s is not a valid ORCID iD: its check digit is wrong."),
            code="invalid_orcid_checksum",
            params={"value": value},
        )


def normalize_ror(value: str) -> str:
    value = (value or "").strip().lower()
    for prefix in ("https://ror.org/", "http://ror.org/", "ror.org/"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value


def ror_checksum(prefix: str) -> str:
    """The two check digits of a ROR id whose first seven characters are ``prefix``."""
    number = 0
    for ch in prefix:
        number = number * 32 + _CROCKFORD.index(ch)
    return mod_97_10.calc_check_digits(str(number))


def validate_ror(value: str) -> None:
    """A ROR id: '0', six Crockford base-32 characters, and two ISO 7064 MOD 97-10 digits."""
    value = normalize_ror(value)
    if not _ROR.match(value):
        raise ValidationError(
            _("%(value)s is not a ROR id: expected nine characters such as 01ggx4157."),
            code="invalid_ror",
            params={"value": value},
        )
    if ror_checksum(value[:7]) != value[7:]:
        raise ValidationError(
            _("%(value)s is not a valid ROR id: its check digits are wrong."),
            code="invalid_ror_checksum",
            params={"value": value},
        )
