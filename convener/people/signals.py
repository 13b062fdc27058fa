"""What the people app tells the apps that build on it, without importing them."""

from django.dispatch import Signal

# Sent by ``Person.save()`` inside the transaction that saved a person linked to another
# account (or unlinked), with ``person`` and ``previous_user_id``. A receiver that raises
# undoes the change. (The review app keeps self-identification bound to the account that
# gave it and tells the person.)
person_relinked = Signal()
