from django.urls import path, register_converter

from . import views


class Format:
    regex = "pdf|csv"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class Image(Format):
    regex = "svg|png"


register_converter(Format, "fmt")
register_converter(Image, "img")

app_name = "review"
urlpatterns = [
    path("me/self-identification/", views.self_identification, name="self_id"),
    path("me/self-identification/erase/", views.erase, name="erase"),
    path("me/self-identification/confirm/", views.ask_confirmation, name="ask_confirmation"),
    path("me/self-identification/confirm/<str:token>/", views.confirm, name="confirm"),
    path("review/", views.officer_review, name="officer"),
    path("review/prepare/", views.prepare, name="prepare"),
    path("review/<int:pk>/", views.edition, name="edition"),
    path("review/<int:pk>/commentary/", views.commentary, name="commentary"),
    path("review/<int:pk>/publish/", views.publish, name="publish"),
    path("review/<int:pk>/review.<fmt:fmt>", views.officer_download, name="officer_download"),
    path(
        "review/<int:pk>/charts/<slug:chart>.<img:fmt>", views.officer_chart, name="officer_chart"
    ),
    path("review/published/", views.published_review, name="published"),
    path("review/published/<int:year>/", views.published_review, name="published_year"),
    path(
        "review/published/<int:year>/v<int:version>/",
        views.published_review,
        name="published_version",
    ),
    path(
        "review/published/<int:year>/v<int:version>/review.<fmt:fmt>",
        views.published_download,
        name="published_download",
    ),
    path(
        "review/published/<int:year>/v<int:version>/charts/<slug:chart>.<img:fmt>",
        views.published_chart,
        name="published_chart",
    ),
    path("review/published/<int:year>/v<int:version>/goals/", views.goals, name="goals"),
]
