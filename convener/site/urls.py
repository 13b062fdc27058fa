from django.urls import path, re_path

from . import views

app_name = "site"
urlpatterns = [
    path("", views.home, name="home"),
    path("org/", views.org_chart, name="org"),
    re_path(r"^org/chart\.(?P<fmt>svg|png|pdf)$", views.org_chart_download, name="org_download"),
    path("positions/<slug:slug>/", views.position_detail, name="position"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("institutions/<slug:slug>/", views.institution_detail, name="institution"),
    path("search/", views.search, name="search"),
    path("search/people.json", views.person_search, name="person_search"),
]
