"""Pages for managers keeping the people of the registry clean: likely duplicates and merges."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_safe

from convener.core.permissions import role_required
from convener.core.roles import Role

from . import services
from .models import Person


@role_required(Role.MANAGER)
@require_safe
def duplicates(request):
    """People who may be recorded twice (same folded surname and initial, or ORCID iD)."""
    return render(request, "people/duplicates.html", {"pairs": services.likely_duplicate_pairs()})


class MergeForm(forms.Form):
    duplicate = forms.SlugField(
        label="The duplicate record (its id in the address /people/…/)",
        help_text="Its appointments, affiliations, nominations and training move to the "
        "record kept; then it is deleted, and its old address leads to the record kept.",
    )
    confirm = forms.BooleanField(
        required=False, label="I have checked that both records are the same person"
    )


@role_required(Role.MANAGER)
@require_http_methods(["GET", "POST"])
def merge(request, slug):
    """Merge another record into this person's (preview first, then confirm)."""
    keep = get_object_or_404(Person, slug=slug)
    form = MergeForm(request.POST or None, initial={"duplicate": request.GET.get("other", "")})
    duplicate = preview = None
    if form.is_bound and form.is_valid():
        duplicate = Person.objects.filter(slug=form.cleaned_data["duplicate"]).first()
        if duplicate is None:
            form.add_error("duplicate", "No person has this id.")
        elif duplicate.pk == keep.pk:
            form.add_error("duplicate", "Choose another person than the one kept.")
        else:
            preview = services.merge_preview(keep, duplicate)
            if form.cleaned_data["confirm"]:
                try:
                    record = services.merge_people(keep, duplicate, by=request.user.get_username())
                except ValidationError as error:
                    for message in error.messages:
                        form.add_error("duplicate", message)
                else:
                    messages.success(request, f"{record.name} was merged into {keep.name}.")
                    return redirect(keep.get_absolute_url())
    elif not form.is_bound and form.initial.get("duplicate"):
        duplicate = Person.objects.filter(slug=form.initial["duplicate"]).first()
        if duplicate is not None and duplicate.pk != keep.pk:
            preview = services.merge_preview(keep, duplicate)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "people/merge.html",
        {"keep": keep, "duplicate": duplicate, "preview": preview, "form": form},
        status=status,
    )
