"""Subscribable deadlines: an iCalendar feed (RFC 5545) and an Atom feed of public calls.
Only what the call page shows in public goes in: never nominees or nominators."""

from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event

from convener.core.permissions import public

from .models import Call


def _feed_calls():
    return Call.objects.public().select_related("position").order_by("-closes_at")[:200]


@public
@require_safe
def ics_feed(request):
    calendar = Calendar()
    calendar.add("prodid", "-//Convener//Calls for nominations//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Calls for nominations")
    host = request.get_host()
    for call in _feed_calls():
        event = Event()
        event.add("uid", f"call-{call.pk}-deadline@{host}")
        event.add("summary", f"Nominations close: {call.title}")
        event.add("dtstart", call.closes_at)
        event.add("dtend", call.closes_at)
        event.add("dtstamp", timezone.now())
        event.add("url", request.build_absolute_uri(call.get_absolute_url()))
        event.add(
            "description", f"{call.get_state_display()}. Opens {call.opens_at:%Y-%m-%d %H:%M %Z}."
        )
        calendar.add_component(event)
    return HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")


class CallAtomFeed(Feed):
    feed_type = Atom1Feed
    title = "Calls for nominations"
    link = "/calls/"
    subtitle = "Leadership positions open for nominations, with their deadlines."

    def items(self):
        return _feed_calls()

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return (
            f"{item.get_state_display()}. Nominations close "
            f"{timezone.localtime(item.closes_at):%Y-%m-%d %H:%M %Z}."
        )

    def item_pubdate(self, item):
        return item.opens_at

    def item_updateddate(self, item):
        return item.decided_at or item.opens_at


atom_feed = public(require_safe(CallAtomFeed()))
