import pytest
from django.core.exceptions import ValidationError

from convener.core.validators import ror_checksum, validate_orcid, validate_ror


@pytest.mark.parametrize(
    "orcid",
    [
        "0000-0002-1825-0097",
        "0000-0001-5109-3700",
        "0000-0002-1694-233X",
        "https://orcid.org/0000-0002-1825-0097",
    ],
)
def test_real_orcid_ids_are_accepted(orcid):
    validate_orcid(orcid)


@pytest.mark.parametrize(
    "orcid,code",
    [
        ("0000-0002-1825-0098", "invalid_orcid_checksum"),
        ("0000-0002-1825", "invalid_orcid"),
        ("abcd-0002-1825-0097", "invalid_orcid"),
    ],
)
def test_bad_orcid_ids_are_refused_with_the_reason(orcid, code):
    with pytest.raises(ValidationError) as info:
        validate_orcid(orcid)
    assert info.value.code == code


@pytest.mark.parametrize("ror", ["01ggx4157", "05gq02987", "https://ror.org/04xeg9z08"])
def test_real_ror_ids_are_accepted(ror):
    validate_ror(ror)


@pytest.mark.parametrize(
    "ror,code",
    [
        ("01ggx4158", "invalid_ror_checksum"),
        ("11ggx4157", "invalid_ror"),
        ("01ggx41", "invalid_ror"),
        ("01ggu4157", "invalid_ror"),  # 'u' is not in Crockford's alphabet
    ],
)
def test_bad_ror_ids_are_refused_with_the_reason(ror, code):
    with pytest.raises(ValidationError) as info:
        validate_ror(ror)
    assert info.value.code == code


def test_the_ror_checksum_matches_published_ids():
    assert ror_checksum("01ggx41") == "57"
    assert ror_checksum("05gq029") == "87"
