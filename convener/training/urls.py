from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("training/", views.dashboard, name="dashboard"),
    path("training/completions/", views.add_completion, name="add"),
    path("training/import/", views.import_view, name="import"),
    path("training/template.csv", views.template_csv, name="template"),
]
