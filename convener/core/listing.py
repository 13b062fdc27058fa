"""Filters, sorting and pages for the long management lists (succession, training): one
reading of the query string, one form, the same words everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Paginator

PAGE_SIZE = 50


class BadFilter(ValueError):
    def __init__(self, param: str, message: str):
        super().__init__(message)
        self.param = param
        self.message = message


@dataclass
class Filters:
    """What the reader asked for. ``areas`` are the L1 areas offered, ``levels`` and
    ``statuses`` (value, label) pairs, ``sorts`` (value, label) with the default first."""

    areas: list
    levels: list[tuple[str, str]]
    statuses: list[tuple[str, str]]
    sorts: list[tuple[str, str]]
    area: object | None = None
    level: str = ""
    status: str = ""
    sort: str = ""
    page: str = "1"
    counts: dict[str, int] = field(default_factory=dict)

    def read(self, params) -> Filters:
        """Fill from the query string; a value that is not offered raises ``BadFilter``
        naming the parameter."""
        slug = params.get("area", "").strip()
        if slug:
            self.area = next((a for a in self.areas if a.slug == slug), None)
            if self.area is None:
                raise BadFilter("area", f"“{slug[:60]}” is not an L1 area.")
        for name, choices in (("level", self.levels), ("status", self.statuses)):
            value = params.get(name, "").strip()
            if value and value not in dict(choices):
                raise BadFilter(
                    name, f"“{value[:40]}” is not one of {', '.join(v for v, _ in choices)}."
                )
            setattr(self, name, value)
        sort = params.get("sort", "").strip() or self.sorts[0][0]
        if sort not in dict(self.sorts):
            raise BadFilter("sort", f"“{sort[:40]}” is not one of {', '.join(dict(self.sorts))}.")
        self.sort = sort
        self.page = params.get("page", "1")
        return self

    def keeps(self, area, level: str) -> bool:
        """Whether a row of this L1 area and level passes the filters."""
        return (self.area is None or (area is not None and area.pk == self.area.pk)) and (
            not self.level or level == self.level
        )

    def keeps_status(self, status: str) -> bool:
        return not self.status or status == self.status

    def paginate(self, rows: list, size: int = PAGE_SIZE):
        return Paginator(rows, size).get_page(self.page)

    def query(self, **overrides) -> str:
        """The query string of these filters, e.g. for the pager's links."""
        from django.http import QueryDict

        q = QueryDict(mutable=True)
        values = {
            "area": self.area.slug if self.area else "",
            "level": self.level,
            "status": self.status,
            "sort": self.sort if self.sort != self.sorts[0][0] else "",
            **overrides,
        }
        for k, v in values.items():
            if v:
                q[k] = v
        return q.urlencode()
