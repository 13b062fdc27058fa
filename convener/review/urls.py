from django.urls import path

from . import views

app_name = "review"
urlpatterns = [
    path("me/self-identification/", views.self_identification, name="self_id"),
    path("me/self-identification/erase/", views.erase, name="erase"),
    path("review/", views.officer_review, name="officer"),
    path("review/published/", views.published_review, name="published"),
]
