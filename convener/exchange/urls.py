from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("import/", views.upload, name="upload"),
    path("import/templates/<slug:kind>.csv", views.template, name="template"),
]
