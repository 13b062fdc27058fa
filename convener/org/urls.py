from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("succession/", views.dashboard, name="succession"),
    path("succession/timeline/", views.timeline, name="timeline"),
    path("succession/junior/", views.junior, name="junior"),
    path("leaders/", views.leaders, name="leaders"),
    path("registry/to-complete/", views.to_complete, name="to_complete"),
    path("me/contact/", views.contact_preference, name="contact"),
    path("positions/<slug:slug>/ask/<slug:person_slug>/", views.ask_previous_holder, name="ask"),
]
