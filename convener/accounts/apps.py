from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "convener.accounts"
    verbose_name = "Accounts and single sign-on"
