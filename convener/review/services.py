"""Self-identification: save, read (by the person only), erase, rotate keys. Answers are
validated against the configured questions, encrypted, and never logged.

Answers are bound to the account that gave them: the account's id is sealed inside the
encrypted record, with the address the person had when they first answered. Only that
account, while it is the person's account, reads, changes or erases them. Linking the person
to another account (in the admin, or any other way) hands nothing over: the new account sees
that answers exist and may ask for a confirmation link, which goes to the sealed address;
following it, signed in, binds the answers to it. The same holds when staff change an
account's password, e-mail address or single sign-on link (``seal_for_account``)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from convener.core.inputs import text_problem
from convener.mail.services import queue_mail
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
    self_describe = {
        q.key: {o.key for o in q.options.all() if o.self_describe} for q in questions()
    }
    for key, text in described.items():
        text = (text or "").strip()
        if text:
            if not self_describe.get(key):
                errors[key] = "This question takes no self-described term."
            elif not self_describe[key] & set(clean.get(key, [])):
                errors[key] = (
                    "A self-described term needs the self-describe answer ticked: tick it, "
                    "or leave the term empty."
                )
            elif len(text) > 100:
                errors[key] = "Keep the self-described term under 100 characters."
            elif text_problem(text):
                errors[key] = f"The self-described term {text_problem(text)}"
            texts[key] = text
    if errors:
        raise ValidationError(errors)
    return {"answers": clean, "described": texts}


class Binding:
    """Whose answers a person's record holds, seen from one account."""

    NONE = "none"  # no answers
    MINE = "mine"  # given from this account, which is still the person's
    OTHER = "other"  # given from another account, or sealed: not readable from this one


def _account_id(person: Person, account) -> int | None:
    """The account acting: the one given, or (for data loading) the person's own."""
    return account.pk if account is not None else person.user_id


def _payload(row: SelfIdentification) -> dict:
    return crypto.decrypt(row.ciphertext)


def _bound_to(person: Person, account_id: int | None, data: dict) -> bool:
    return account_id is not None and data.get("account") == account_id == person.user_id


@sensitive_variables("row")
def binding(person: Person, account=None) -> str:
    """``Binding.NONE``, ``MINE`` or ``OTHER`` for ``person``'s answers seen from ``account``."""
    row = SelfIdentification.objects.filter(person=person).first()
    if row is None:
        return Binding.NONE
    mine = _bound_to(person, _account_id(person, account), _payload(row))
    return Binding.MINE if mine else Binding.OTHER


@sensitive_variables("answers", "described", "data", "previous")
@transaction.atomic
def save(
    person: Person,
    answers: dict[str, list[str]],
    described: dict[str, str],
    *,
    consent_version: int,
    account=None,
) -> SelfIdentification:
    """Store the person's answers, encrypted, with the consent they gave, bound to ``account``
    (the signed-in account, which must be the person's; when loading data without one, the
    person's own account, or none). Answers bound to another account are never overwritten:
    they must be confirmed first."""
    consent = current_consent()
    if consent is None or consent_version != consent.version:
        raise ValidationError({"consent": "Read and accept the current consent text."})
    account_id = _account_id(person, account)
    if account is not None and person.user_id != account_id:
        raise ValidationError("Only the account linked to this member record may answer.")
    data = validate_answers(answers, described)
    existing = SelfIdentification.objects.select_for_update().filter(person=person).first()
    if existing is not None:
        previous = _payload(existing)
        loading = account is None and previous.get("account") == person.user_id
        if not loading and not _bound_to(person, account_id, previous):
            raise ValidationError(
                "Answers for you were given from another account: confirm them first "
                "(with the link sent to the address you had when you answered)."
            )
        data["contact"] = previous.get("contact", "")
    else:
        user = account if account is not None else person.user
        data["contact"] = (getattr(user, "email", "") or person.email or "").strip()
    data["account"] = account_id
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


@sensitive_variables("row", "data")
@transaction.atomic
def bind_demo_answers(person: Person) -> bool:
    """Demo data only: bind answers that were generated (given from no account at all, not
    even none: the synthetic collaboration's) to the account the demo links to the person,
    as if that account had given them. Answers given from an account, or loaded for
    someone without one, are never touched. Returns whether it bound anything."""
    row = SelfIdentification.objects.select_for_update().filter(person=person).first()
    if row is None or person.user_id is None:
        return False
    data = _payload(row)
    if "account" in data:
        return False
    data["account"] = person.user_id
    data["contact"] = (getattr(person.user, "email", "") or person.email or "").strip()
    row.ciphertext = crypto.encrypt(data)
    row.save(update_fields=["ciphertext"])
    return True


@sensitive_variables("row", "data")
def read(person: Person, account=None) -> dict | None:
    """The person's own answers, for the account that gave them (None for any other)."""
    rows = SelfIdentification.objects
    if account is not None:  # a person's account reads only that person's record
        rows = rows.visible_to(account)
    row = rows.filter(person=person).first()
    if row is None:
        return None
    data = _payload(row)
    if not _bound_to(person, _account_id(person, account), data):
        return None
    return {"answers": data["answers"], "described": data.get("described", {})}


@sensitive_variables("row")
@transaction.atomic
def erase(person: Person, account=None) -> bool:
    """Withdraw consent: the answers are deleted for good; only the fact is recorded. Only
    the account that gave them may erase them."""
    row = SelfIdentification.objects.select_for_update().filter(person=person).first()
    if row is None or not _bound_to(person, _account_id(person, account), _payload(row)):
        return False
    row.delete()
    SelfIdEvent.objects.create(person=person, kind=SelfIdEvent.Kind.ERASED)
    return True


def _notify(kind: str, addresses, context: dict) -> None:
    for address in sorted({a.strip().lower() for a in addresses if a and a.strip()}):
        queue_mail(kind, address, context)


@sensitive_variables("row", "data")
def account_relinked(person: Person, previous_user_id: int | None) -> None:
    """After ``person`` was linked to another account (or unlinked): record it with the
    answers' events, and tell the person by mail at every address known for them, the one
    sealed with their answers first. Nothing is handed over: answers stay bound to the
    account that gave them. (The change itself is in the person's history.)"""
    from django.contrib.auth import get_user_model

    row = SelfIdentification.objects.filter(person=person).first()
    if previous_user_id is None and row is None:
        return  # a first link of someone with no answers: nothing to protect or tell
    data = _payload(row) if row is not None else {}
    if row is not None:
        SelfIdEvent.objects.create(person=person, kind=SelfIdEvent.Kind.RELINKED)
    previous = get_user_model().objects.filter(pk=previous_user_id).first()
    _notify(
        "account_relinked",
        [data.get("contact", ""), person.email, getattr(previous, "email", "")],
        {"person": person, "has_answers": row is not None},
    )


@sensitive_variables("row", "data")
@transaction.atomic
def seal_for_account(user, why: str) -> bool:
    """Staff changed how ``user`` signs in (password, e-mail address, single sign-on link):
    the answers bound to it become unreadable until the person confirms them through the
    address sealed with them, and the person is told. Returns whether anything was sealed."""
    person = Person.objects.filter(user=user).first()
    row = (
        SelfIdentification.objects.select_for_update().filter(person=person).first()
        if person is not None
        else None
    )
    if row is None:
        return False
    data = _payload(row)
    if data.get("account") != user.pk:
        return False
    data["account"] = None
    row.ciphertext = crypto.encrypt(data)
    row.save(update_fields=["ciphertext", "updated_at"])
    SelfIdEvent.objects.create(person=person, kind=SelfIdEvent.Kind.SEALED)
    _notify(
        "answers_sealed", [data.get("contact", ""), person.email], {"person": person, "why": why}
    )
    return True


_CONFIRM_SALT = "convener.review.confirm-answers"
CONFIRM_DAYS = 3  # how long a confirmation link stays valid


def _fingerprint(row: SelfIdentification) -> str:
    # a link works once: confirming re-encrypts the record, which changes this
    return hashlib.sha256(row.ciphertext.encode()).hexdigest()[:32]


@sensitive_variables("row", "data")
def request_confirmation(person: Person, account, link_for: Callable[[str], str]) -> bool:
    """Mail a link to the address sealed with ``person``'s answers, by which ``account`` (the
    person's account now) may take them over. False when there is nothing to confirm or no
    address was kept; ``ValidationError`` when the mail server refuses it."""
    row = SelfIdentification.objects.filter(person=person).first()
    if row is None or person.user_id != account.pk:
        return False
    data = _payload(row)
    if _bound_to(person, account.pk, data) or not data.get("contact"):
        return False
    token = signing.dumps(
        {"person": person.pk, "account": account.pk, "record": _fingerprint(row)},
        salt=_CONFIRM_SALT,
    )
    text = render_to_string(
        "emails/confirm_answers.txt",
        {"person": person, "account": account, "link": link_for(token), "days": CONFIRM_DAYS},
    ).strip()
    subject, _, body = text.partition("\n")
    # sent now, never queued: the outbox is readable in the admin, and the link must reach
    # the person's mailbox alone (as Django's password-reset mail does)
    try:
        send_mail(
            subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [data["contact"]]
        )
    except Exception:  # any transport error: say so, keep nothing
        raise ValidationError("The mail could not be sent just now; try again later.") from None
    return True


@sensitive_variables("row", "data")
@transaction.atomic
def confirm(token: str, account) -> Person:
    """Bind the answers named by a confirmation link to ``account``, the signed-in account the
    link was made for; ``ValidationError`` for a link that is expired, used, or another's."""
    try:
        claim = signing.loads(token, salt=_CONFIRM_SALT, max_age=CONFIRM_DAYS * 24 * 3600)
    except signing.SignatureExpired:
        raise ValidationError("This confirmation link has expired: ask for a new one.") from None
    except signing.BadSignature:
        raise ValidationError("This is not a valid confirmation link.") from None
    person = Person.objects.filter(pk=claim.get("person"), user=account).first()
    row = None
    if person is not None and claim.get("account") == account.pk:
        row = SelfIdentification.objects.select_for_update().filter(person=person).first()
    if row is None or _fingerprint(row) != claim.get("record"):
        raise ValidationError("This link was made for another account, or was used already.")
    data = _payload(row)
    data["account"] = account.pk
    row.ciphertext = crypto.encrypt(data)
    row.save(update_fields=["ciphertext", "updated_at"])
    SelfIdEvent.objects.create(person=person, kind=SelfIdEvent.Kind.CONFIRMED)
    return person


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
