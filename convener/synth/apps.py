from django.apps import AppConfig


class SynthConfig(AppConfig):
    name = "convener.synth"
    verbose_name = "Synthetic collaboration"
