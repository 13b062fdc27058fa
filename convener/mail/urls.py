from django.urls import path

from . import views

app_name = "mail"
urlpatterns = [
    path("me/mail/", views.preferences, name="preferences"),
]
