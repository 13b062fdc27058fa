from django.urls import path

from . import views

app_name = "exchange"
urlpatterns = [
    path("import/", views.upload, name="upload"),
    path("import/templates/<slug:kind>.csv", views.template, name="template"),
    path("import/jobs/<int:pk>/", views.job, name="job"),
    path("import/jobs/<int:pk>/progress.json", views.job_progress, name="job_progress"),
]
