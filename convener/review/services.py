"""Self-identification: save, read (by the person only), erase, rotate keys. Answers are
validated against the configured questions, encrypted, and never logged."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from convener.people.models import Person

from . import crypto
from .models import ConsentText, Option, Question, SelfIdentification, SelfIdEvent


def current_consent() -> ConsentText:
    return ConsentText.objects.order_by("-version").first()


def questions() -> list[Question]:
    return list(Question.objects.filter(active=True).prefetch_related("options"))


@sensitive_variables("answers", "described", "clean", "data")
def validate_answers(answers: dict[str, list[str]], described: dict[str, str]) -> dict:
    """Check every answer against the questions; "prefer not to say" excludes other options."""
    clean: dict[str, list[str]] = {}
    errors = {}
    for q in questions():
        picked = [a for a in answers.get(q.key, []) if a]
        if not picked:
            continue
        options = {o.key: o for o in q.options.all()}
        unknown = [p for p in picked if p not in options]
        if unknown:
            errors[q.key] = "Choose among the listed answers."
            continue
        if q.kind == Question.Kind.SINGLE and len(picked) > 1:
            errors[q.key] = "Choose one answer."
            continue
        if any(options[p].prefer_not for p in picked) and len(picked) > 1:
            errors[q.key] = "“Prefer not to say” cannot be combined with other answers."
            continue
        clean[q.key] = sorted(picked)
    texts = {}
    for key, text in described.items():
        text = (text or "").strip()
        if text:
            if len(text) > 100:
                errors[key] = "Keep the self-described term under 100 characters."
            texts[key] = text
    if errors:
        raise ValidationError(errors)
    return {"answers": clean, "described": texts}


@sensitive_variables("answers", "described", "data")
@transaction.atomic
def save(
    person: Person,
    answers: dict[str, list[str]],
    described: dict[str, str],
    *,
    consent_version: int,
) -> SelfIdentification:
    """Store the person's answers, encrypted, with the consent they gave."""
    consent = current_consent()
    if consent is None or consent_version != consent.version:
        raise ValidationError({"consent": "Read and accept the current consent text."})
    data = validate_answers(answers, described)
    existing = SelfIdentification.objects.filter(person=person).first()
    row = existing or SelfIdentification(person=person)
    row.ciphertext = crypto.encrypt(data)
    row.consent = consent
    row.consented_at = timezone.now() if existing is None else row.consented_at
    row.save()
    SelfIdEvent.objects.create(
        person=person,
        consent_version=consent.version,
        kind=SelfIdEvent.Kind.UPDATED if existing else SelfIdEvent.Kind.CONSENTED,
    )
    return row


@sensitive_variables("row")
def read(person: Person) -> dict | None:
    """The person's own answers; call only on behalf of that person."""
    row = SelfIdentification.objects.filter(person=person).first()
    return crypto.decrypt(row.ciphertext) if row else None


@transaction.atomic
def erase(person: Person) -> bool:
    """Withdraw consent: the answers are deleted for good; only the fact is recorded."""
    deleted, _ = SelfIdentification.objects.filter(person=person).delete()
    if deleted:
        SelfIdEvent.objects.create(person=person, kind=SelfIdEvent.Kind.ERASED)
    return bool(deleted)


@sensitive_variables("row")
def all_answers() -> Iterator[tuple[int, dict[str, list[str]]]]:
    """(person id, answers) for everyone who answered; for aggregation in memory only."""
    for person_id, token in SelfIdentification.objects.values_list(
        "person_id", "ciphertext"
    ).iterator(chunk_size=2000):
        yield person_id, crypto.decrypt(token)["answers"]


@transaction.atomic
def rotate_keys() -> int:
    """Re-encrypt every row with the newest key (after adding it in front of the old ones):
    the answers, and the confidential part of every prepared review."""
    from .models import Review

    n = 0
    for row in SelfIdentification.objects.select_for_update().iterator(chunk_size=1000):
        row.ciphertext = crypto.rotate(row.ciphertext)
        row.save(update_fields=["ciphertext"])
        n += 1
    for review in Review.objects.select_for_update().exclude(confidential=""):
        review.confidential = crypto.rotate(review.confidential)
        review.pages = {
            audience: {part: crypto.rotate(token) for part, token in sealed.items()}
            for audience, sealed in review.pages.items()
        }
        review.save(update_fields=["confidential", "pages"])
        n += 1
    return n


def option_labels() -> dict[str, dict[str, Option]]:
    return {q.key: {o.key: o for o in q.options.all()} for q in questions()}
