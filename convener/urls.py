from django.contrib import admin
from django.urls import include, path

from convener.accounts import views as accounts

admin.site.site_header = "Convener administration"
admin.site.site_title = "Convener"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include(("convener.api.urls", "api"))),
    path("accounts/login/", accounts.login, name="login"),
    path("accounts/password_reset/", accounts.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("oidc/", include("convener.accounts.urls")),
    path("", include("convener.nominations.urls")),
    path("", include("convener.org.urls")),
    path("", include("convener.people.urls")),
    path("", include("convener.training.urls")),
    path("", include("convener.exchange.urls")),
    path("", include("convener.review.urls")),
    path("", include("convener.mail.urls")),
    path("", include("convener.site.urls")),
]
