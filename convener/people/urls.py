from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("registry/duplicates/", views.duplicates, name="duplicates"),
    path("registry/people/<slug:slug>/merge/", views.merge, name="merge"),
]
