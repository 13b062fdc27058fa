from django.urls import path

from . import views

# names as mozilla-django-oidc expects them (it reverses the callback by this name)
urlpatterns = [
    path("authenticate/", views.sign_in, name="oidc_authentication_init"),
    path("callback/", views.callback, name="oidc_authentication_callback"),
]
