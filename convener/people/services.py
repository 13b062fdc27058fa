"""Operations on people: likely duplicates, and merging a duplicate record into the one kept."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from convener.core.models import RegistryVersion

from .models import MergedPerson, NoOverlapMixin, Person


def likely_duplicate_pairs(limit: int = 200) -> list[tuple[Person, Person]]:
    """Pairs of people who are likely the same (``Person.is_likely_duplicate_of``: same or
    near-same name), compared only within blocks of near-same names; one query whatever the
    registry's size."""
    shared = (
        Person.objects.exclude(match_block="")
        .values("match_block")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values("match_block")
    )
    people = Person.objects.filter(match_block__in=shared).order_by("match_block", "id")
    groups: dict[str, list[Person]] = {}
    for person in people:
        groups.setdefault(person.match_block, []).append(person)
    pairs = []
    for group in groups.values():
        for i, a in enumerate(group):
            pairs.extend((a, b) for b in group[i + 1 :] if a.is_likely_duplicate_of(b))
            if len(pairs) >= limit:
                return pairs[:limit]
    return pairs[:limit]


def merge_preview(keep: Person, duplicate: Person) -> dict[str, int]:
    """How many records of each kind would move from ``duplicate`` to ``keep``."""
    counts = {}
    for relation in _relations():
        accessor = relation.get_accessor_name()
        if relation.one_to_one:
            counts[relation.related_model._meta.verbose_name] = int(
                relation.related_model.objects.filter(**{relation.field.name: duplicate}).exists()
            )
        else:
            counts[relation.related_model._meta.verbose_name_plural] = getattr(
                duplicate, accessor
            ).count()
    return {k: v for k, v in counts.items() if v}


def _relations():
    """Every relation of another model to a person, the audit history and merges aside: a
    model added later is moved too, without this module knowing it."""
    for relation in Person._meta.related_objects:
        model = relation.related_model
        if model is MergedPerson or model.__name__.startswith("Historical"):
            continue
        if relation.many_to_many:
            continue
        yield relation


def _fold(row, keep: Person, name: str) -> bool:
    """When ``keep`` already has the fact ``row`` tells (the same affiliation, overlapping or
    with the same dates), widen ``keep``'s period to the union of both and delete ``row``:
    the same affiliation told by two records of one person is one affiliation."""
    peers = type(row).objects.filter(**{name: keep})
    same = next((p for p in peers if p.same_fact(row)), None)
    if same is None:
        return False
    same.fold(row)
    same._change_reason = f"merged with {row} of a duplicate record"
    row.delete()
    same.full_clean()
    same.save()
    return True


@transaction.atomic
def merge_people(keep: Person, duplicate: Person, *, by: str = "") -> MergedPerson:
    """Move every record of ``duplicate`` (appointments, affiliations, memberships, career
    stages, nominations, reviews, training, account, ORCID iD) to ``keep``, each through its
    own model's rules, then delete ``duplicate``, remembering its name, slug and ids (its page
    redirects, an old file's rows find ``keep``). Both records' change histories stay. Refused,
    with nothing changed, when a moved record would break a rule (e.g. the two records hold the
    same seat at once) or both records have what a person can have only once."""
    if keep.pk == duplicate.pk:
        raise ValidationError({"duplicate": "A person cannot be merged into themselves."})
    locked = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk])
    }
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    errors = []
    if keep.user_id and duplicate.user_id:
        errors.append("Both records are linked to an account: unlink one first.")
    if keep.orcid and duplicate.orcid and keep.orcid != duplicate.orcid:
        errors.append(
            f"The records have different ORCID iDs ({keep.orcid}, {duplicate.orcid}): "
            "they may be two people."
        )
    for relation in _relations():
        if relation.one_to_one:
            both = relation.related_model.objects.filter(
                **{f"{relation.field.name}__in": [keep, duplicate]}
            ).count()
            if both > 1:
                errors.append(
                    f"Both records have a {relation.related_model._meta.verbose_name}, which a "
                    "person has only once: the person must remove one first."
                )
    if errors:
        raise ValidationError({"duplicate": errors})
    record = MergedPerson(
        into=keep,
        name=duplicate.name,
        slug=duplicate.slug,
        external_id=duplicate.external_id or "",
        orcid=duplicate.orcid or "",
        merged_by=by,
    )
    user, orcid = duplicate.user, duplicate.orcid
    MergedPerson.objects.filter(into=duplicate).update(into=keep)
    problems = []
    for relation in _relations():
        name = relation.field.name
        for row in relation.related_model.objects.filter(**{name: duplicate}):
            setattr(row, name, keep)
            if isinstance(row, NoOverlapMixin) and _fold(row, keep, name):
                continue
            try:
                with transaction.atomic():
                    row.full_clean()
                    row.save()  # an appointment's save() also renumbers the kept person's terms
            except ValidationError as error:
                problems.append(
                    f"{relation.related_model._meta.verbose_name} “{row}”: "
                    f"{'; '.join(error.messages)}"
                )
    if problems:
        raise ValidationError({"duplicate": problems})
    duplicate._change_reason = f"merged into {keep.name} ({keep.slug})"
    duplicate.delete()
    changed = False
    if user is not None and keep.user_id is None:
        keep.user, changed = user, True
    if orcid and not keep.orcid:
        keep.orcid, changed = orcid, True
    if changed:
        keep._change_reason = f"merged {record.name} ({record.slug}) into this record"
        keep.full_clean()
        keep.save()
    record.save()
    RegistryVersion.bump()
    return record
