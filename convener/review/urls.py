from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("me/self-identification/", views.self_identification, name="self_id"),
    path("me/self-identification/erase/", views.erase, name="erase"),
    path("me/self-identification/confirm/", views.ask_confirmation, name="ask_confirmation"),
    path("me/self-identification/confirm/<str:token>/", views.confirm, name="confirm"),
    path("review/", views.officer_review, name="officer"),
    path("review/published/", views.published_review, name="published"),
]
