"""People and institutions: who the collaboration's members are and where they work."""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from convener.core.links import slug_url
from convener.core.models import Interval, RegistryVersion, overlaps_surely, strip_text_fields
from convener.core.text import unique_slug
from convener.core.validators import (
    normalize_orcid,
    normalize_ror,
    validate_orcid,
    validate_ror,
)

from . import names

# Addresses shown as links or images on public pages: web addresses only (no ftp:, no data:).
validate_public_url = URLValidator(schemes=["http", "https"])


class Institution(models.Model):
    """A university or laboratory whose people are members of the collaboration."""

    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    slug = models.SlugField(max_length=80, unique=True, blank=True)
    country = CountryField(_("country"))
    city = models.CharField(_("city"), max_length=100, blank=True)
    ror = models.CharField(
        _("ROR id"),
        max_length=9,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_ror],
        help_text=_("Research Organization Registry id, e.g. 01ggx4157"),
    )
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("site:institution", self.slug)

    def clean(self):
        strip_text_fields(self)
        self.ror = normalize_ror(self.ror) or None

    def set_derived_fields(self) -> None:
        """What every save derives: the normalized ROR id, a slug when there is none."""
        self.ror = normalize_ror(self.ror) or None
        if not self.slug:
            self.slug = unique_slug(Institution, self.short_name or self.name, exclude_pk=self.pk)

    def save(self, *args, **kwargs):
        self.set_derived_fields()
        super().save(*args, **kwargs)
        RegistryVersion.bump()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        RegistryVersion.bump()
        return result


_UNKNOWN = object()  # the account link was not loaded


class Person(models.Model):
    """Someone who is or was a member of the collaboration. Only name, pronouns, ORCID iD,
    leadership roles and the public profile links (photo, website) are public; e-mail and
    self-identified data never are."""

    name = models.CharField(_("name"), max_length=200)
    sort_name = models.CharField(
        _("sort name"),
        max_length=200,
        blank=True,
        help_text=_("e.g. “Della Valle, Maria”; filled in from the name when left empty"),
    )
    slug = models.SlugField(max_length=80, unique=True, blank=True)
    # every list of people is ordered by this (names.sort_key): case and accents folded
    sort_key = models.CharField(max_length=200, editable=False, default="")
    match_key = models.CharField(max_length=200, editable=False, db_index=True, default="")
    # near-same names are compared within a block (names.match_block)
    match_block = models.CharField(max_length=40, editable=False, db_index=True, default="")
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    orcid = models.CharField(
        _("ORCID iD"),
        max_length=19,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_orcid],
        help_text=_("e.g. 0000-0002-1825-0097"),
    )
    email = models.EmailField(_("e-mail (private)"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    contact_opt_in = models.BooleanField(
        _("willing to be contacted by successors"),
        default=False,
        help_text=_("Listed under “ask a previous holder” on positions they held"),
    )
    # Public profile for the collaboration's website: links the person gave for publication,
    # published only when the site's configuration asks for them (see exchange/jekyll.py).
    photo_url = models.URLField(
        _("photo (public URL)"),
        max_length=500,
        blank=True,
        validators=[validate_public_url],
        help_text=_("An https:// address of a portrait the collaboration may show"),
    )
    website = models.URLField(
        _("website (public)"), max_length=500, blank=True, validators=[validate_public_url]
    )
    external_id = models.CharField(max_length=64, unique=True, null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["email"])

    class Meta:
        ordering = ["sort_key", "name"]
        verbose_name_plural = "people"
        # the API and the lists page through tens of thousands of people in this order
        indexes = [models.Index(fields=["sort_key", "id"], name="person_sort_key_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return slug_url("site:person", self.slug)

    @staticmethod
    def default_sort_name(name: str) -> str:
        """ "Ada Lovelace" sorts as "Lovelace, Ada", "Maria Della Valle" as "Della Valle,
        Maria" (nameparser keeps particles with the surname)."""
        return names.sort_name(name)

    def duplicate_keys(self) -> dict[str, str]:
        """Where another record that is likely the same person is looked for: the block of
        near-same names (``match_block``; ``names.near_same`` decides within it), or the same
        ORCID iD."""
        keys = {}
        block = names.match_block(self.name)
        if block:
            keys["match_block"] = block
        if self.orcid:
            keys["orcid"] = normalize_orcid(self.orcid)
        return keys

    def is_likely_duplicate_of(self, other: Person) -> bool:
        """The one rule: the same ORCID iD, or the same or a near-same name
        (``names.near_same``: same folded surname and initial, or surnames one letter apart)."""
        if self.orcid and other.orcid and normalize_orcid(self.orcid) == other.orcid:
            return True
        return names.near_same(self.name, other.name)

    def likely_duplicates(self):
        """Other people who are likely this person (``is_likely_duplicate_of``): the few
        candidates of the same block or ORCID iD are read, the rule applied to them."""
        found = Person.likely_duplicates_of([self])[self.pk]
        return Person.objects.filter(pk__in=[o.pk for o in found])

    @classmethod
    def likely_duplicates_of(cls, people) -> dict[int, list[Person]]:
        """``likely_duplicates`` of many saved people at once (in the same order), by id: one
        query per few hundred keys instead of one per person."""
        from convener.core.batch import chunked

        wanted: dict[str, set] = {}
        for person in people:
            for name, value in person.duplicate_keys().items():
                wanted.setdefault(name, set()).add(value)
        by_key: dict[tuple[str, str], dict[int, Person]] = {}
        for name, values in wanted.items():
            for chunk in chunked(sorted(values)):
                for other in cls.objects.filter(**{f"{name}__in": chunk}):
                    by_key.setdefault((name, getattr(other, name)), {})[other.pk] = other
        result = {}
        for person in people:
            found = {}
            for key in person.duplicate_keys().items():
                found.update(by_key.get(key, {}))
            found.pop(person.pk, None)
            likely = [o for o in found.values() if person.is_likely_duplicate_of(o)]
            result[person.pk] = sorted(likely, key=lambda p: (p.sort_key, p.name, p.pk))
        return result

    def clean(self):
        strip_text_fields(self)
        self.orcid = normalize_orcid(self.orcid) or None

    def set_public_profile(self, *, photo_url: str | None = None, website: str | None = None):
        """Set the public profile links given (``None`` leaves one as it is), checked as the
        admin and the API check them; raises ``ValidationError`` naming the field and saves
        nothing when one is not a web address. Returns whether anything changed."""
        given = {
            k: v for k, v in {"photo_url": photo_url, "website": website}.items() if v is not None
        }
        changed = {k: v for k, v in given.items() if getattr(self, k) != v}
        if not changed:
            return False
        for name, value in changed.items():
            setattr(self, name, value)
        self.clean_fields(exclude=[f.name for f in self._meta.fields if f.name not in changed])
        self.save()
        return True

    @classmethod
    def from_db(cls, db, field_names, values):
        person = super().from_db(db, field_names, values)
        # the account link as loaded, to notice a relink on save (whatever path saves it)
        person._loaded_user_id = person.__dict__.get("user_id", _UNKNOWN)
        # a sort name that was only ever derived from the name follows a renaming (derived
        # when saved, not for every person read)
        person._loaded_name = person.name if "name" in field_names else None
        return person

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None or "user" in fields or "user_id" in fields:
            self._loaded_user_id = self.user_id

    def set_derived_fields(self) -> None:
        """What every save derives: the normalized ORCID iD, the sort name when none was given
        (and again after a renaming when it was only ever derived), the key that finds likely
        duplicates, a slug when there is none."""
        self.orcid = normalize_orcid(self.orcid) or None
        loaded = getattr(self, "_loaded_name", None)
        if loaded is not None and self.sort_name == names.sort_name(loaded):
            self.sort_name = ""
        self.sort_name = self.sort_name or self.default_sort_name(self.name)
        self.sort_key = names.sort_key(self.sort_name)
        self.match_key = names.match_key(self.name)
        self.match_block = names.match_block(self.name)
        if not self.slug:
            self.slug = unique_slug(Person, self.name, exclude_pk=self.pk)

    @property
    def relinked(self) -> bool:
        """Whether the account link differs from the one loaded (see ``save``)."""
        previous = getattr(self, "_loaded_user_id", _UNKNOWN)
        return previous is not _UNKNOWN and previous != self.user_id

    def save(self, *args, **kwargs):
        self.set_derived_fields()
        previous = getattr(self, "_loaded_user_id", _UNKNOWN)
        relinked = self.relinked
        if relinked:  # recorded in the history with the change
            self._change_reason = f"account link changed (account {previous} to {self.user_id})"
        with transaction.atomic() if relinked else contextlib.nullcontext():
            super().save(*args, **kwargs)
            RegistryVersion.bump()
            if relinked:
                from .signals import person_relinked

                # the apps holding data bound to the account hear of it (self-identification
                # stays with the account that gave it; the person is told)
                person_relinked.send(sender=Person, person=self, previous_user_id=previous)
                del self._change_reason
        self._loaded_user_id = self.user_id

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        RegistryVersion.bump()
        return result


class MergedPerson(models.Model):
    """A duplicate record merged into ``into``: its slug, ids and name stay known, so its old
    page redirects and a re-import of an old file finds the kept person."""

    into = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="merged")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    external_id = models.CharField(max_length=64, blank=True, db_index=True)
    orcid = models.CharField(max_length=19, blank=True)
    merged_at = models.DateTimeField(auto_now_add=True)
    merged_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self):
        return f"{self.name} (merged into {self.into})"


class NoOverlapMixin:
    """For a person's own history (stages, memberships): periods may not surely overlap."""

    overlap_scope: tuple[str, ...] = ("person",)
    overlap_label = "period"

    def scope_key(self) -> tuple:
        return tuple(getattr(self, f + "_id") for f in self.overlap_scope)

    def overlap_peers(self) -> list:
        """The other periods in this one's scope (the person's, or the person's at the
        institution), by start: those a batch holds (``_peers``, the stored ones and those
        accepted before this one), or else read from the database."""
        peers = getattr(self, "_peers", None)
        if peers is None:
            others = type(self).objects.filter(**{f: getattr(self, f) for f in self.overlap_scope})
            peers = others.exclude(pk=self.pk) if self.pk else others
        mine = [p for p in peers if p is not self and (self.pk is None or p.pk != self.pk)]
        # stored rows in the order the database gives them; rows not yet saved come after
        return sorted(mine, key=lambda p: (p.start, p.pk is None, p.pk or 0))

    def fold_key(self) -> tuple:
        """What two periods must share to be one fact told twice (the same person's affiliation
        with the same institution, the same career stage): a merge folds them."""
        return self.scope_key()

    def same_fact(self, other) -> bool:
        """Whether ``other`` tells the same fact over days that surely meet this one's, or
        exactly the same dates (a merge then keeps one period, their union)."""
        if self.fold_key() != other.fold_key():
            return False
        dates = ("start", "start_precision", "end", "end_precision")
        same = all(getattr(self, f) == getattr(other, f) for f in dates)
        return same or overlaps_surely(self, other)

    def fold(self, other) -> None:
        """Make this period the union of itself and ``other`` (the same fact): the earlier
        start and the later end, each at the precision it was recorded with; open when
        either is still open. A date nobody recorded gives way to a recorded one."""
        mine, theirs = self.start_date, other.start_date
        if mine is None or (theirs is not None and theirs.earliest < mine.earliest):
            self.start, self.start_precision = other.start, other.start_precision
        if self.is_open:
            return
        if other.is_open:
            self.end, self.end_precision = None, "day"
            return
        mine, theirs = self.end_date, other.end_date
        if mine is None or (theirs is not None and theirs.latest > mine.latest):
            self.end, self.end_precision = other.end, other.end_precision

    def clean(self):
        super().clean()
        if self.start is None or any(getattr(self, f + "_id") is None for f in self.overlap_scope):
            return
        clash = next((o for o in self.overlap_peers() if overlaps_surely(self, o)), None)
        if clash is not None:
            raise ValidationError(
                {
                    "start": _("This %(what)s overlaps another (%(other)s).")
                    % {"what": self.overlap_label, "other": clash.period_display()}
                }
            )


class CareerStage(NoOverlapMixin, Interval):
    """A period of a person's career, e.g. postdoc from 2015 to 2018."""

    class Stage(models.TextChoices):
        STUDENT = "student", _("Student")
        POSTDOC = "postdoc", _("Postdoc")
        SCIENTIST = "scientist", _("Scientist")
        ENGINEER = "engineer", _("Engineer")
        TECHNICIAN = "technician", _("Technician")
        FACULTY_EARLY = "faculty_early", _("Faculty, early career")
        FACULTY_SENIOR = "faculty_senior", _("Faculty, senior")
        EMERITUS = "emeritus", _("Emeritus")

    JUNIOR = {Stage.STUDENT, Stage.POSTDOC, Stage.FACULTY_EARLY}

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="career_stages")
    stage = models.CharField(_("career stage"), max_length=20, choices=Stage.choices)

    overlap_label = "career stage"
    history = HistoricalRecords()

    def fold_key(self) -> tuple:
        return (*self.scope_key(), self.stage)

    class Meta:
        ordering = ["person", "start"]

    def __str__(self):
        return f"{self.person}: {self.get_stage_display()} {self.period_display()}"


class Membership(NoOverlapMixin, Interval):
    """A period during which the person was a member of the collaboration."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")

    overlap_label = "membership"
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "start"]

    def __str__(self):
        return f"{self.person}: member {self.period_display()}"


class Affiliation(NoOverlapMixin, Interval):
    """A person's home institution over a period (one at a time per institution)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="affiliations"
    )

    overlap_scope = ("person", "institution")
    overlap_label = "affiliation with this institution"
    history = HistoricalRecords()

    class Meta:
        ordering = ["person", "start"]

    def __str__(self):
        return f"{self.person} at {self.institution} {self.period_display()}"


class Batch:
    """Many new or changed rows of one model of this app (institutions, people, memberships,
    affiliations, career stages), checked one at a time, in order, by the model's own
    ``full_clean`` exactly as if every row accepted before had been saved: ``check`` answers
    as saving would, ``save`` then writes the rows given in a few statements with their
    history (by ``user``) and bumps the registry version once. What the checks read (the
    values of unique fields in use; each person's other periods) is loaded once, a chunk at a
    time, or given as ``stored`` (every stored row of the persons the rows are about)."""

    def __init__(self, model, rows=(), *, user=None, stored=None):
        from convener.core.batch import References, UniqueValues, chunked

        self.model, self.user = model, user
        rows = list(rows)
        self.unique = UniqueValues(model, rows)
        self.refs = References(model)
        for name in self.refs.names:
            self.refs.expect(name, [getattr(r, name + "_id") for r in rows])
        self.peers = None
        if issubclass(model, NoOverlapMixin):
            if stored is None:
                ids = sorted({r.person_id for r in rows if r.person_id is not None})
                stored = [
                    p for chunk in chunked(ids) for p in model.objects.filter(person_id__in=chunk)
                ]
            self.peers = {}
            for period in stored:
                self.peers.setdefault(period.scope_key(), []).append(period)

    def check(self, row) -> ValidationError | None:
        """The error saving ``row`` now would raise, or None: then it counts as saved for
        the rows checked after it."""
        from convener.core.batch import full_clean_in_batch

        if self.peers is not None:
            row._peers = self.peers.setdefault(row.scope_key(), [])
        try:
            full_clean_in_batch(row, self.unique, self.refs)
        except ValidationError as error:
            return error
        finally:
            row.__dict__.pop("_peers", None)
        self.unique.claim(row)
        if self.peers is not None:
            group = self.peers[row.scope_key()]
            group[:] = [p for p in group if p is not row and (row.pk is None or p.pk != row.pk)]
            group.append(row)
        return None

    def expect(self, **values) -> None:
        """Read at once what the rows to come will need: the rows holding these values of
        unique fields, the records these foreign keys (``person=ids``) refer to."""
        for name, given in values.items():
            if name in self.refs.names:
                self.refs.expect(name, given)
            else:
                self.unique.expect(name, given)

    def save(self, rows) -> None:
        """Write ``rows`` (checked by ``check``) with what every save derives."""
        from convener.core.batch import write

        rows = list(rows)
        if not rows:
            return
        alone = []
        for row in rows:
            if isinstance(row, Interval):
                row.set_derived_dates()
            else:
                row.set_derived_fields()
            if getattr(row, "relinked", False):
                alone.append(row)  # a relink is recorded and told by ``Person.save``
        for row in alone:
            row.save()
        rest = [r for r in rows if r not in alone]
        write(self.model, rest, user=self.user, one_by_one=self.unique.passed_on)
        RegistryVersion.bump()
