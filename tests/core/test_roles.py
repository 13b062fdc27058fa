import pytest
from django.contrib.auth.models import Group

from convener.core.roles import Role, has_role
from tests.factories import UserFactory


@pytest.mark.django_db
def test_every_role_exists_as_a_group_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


@pytest.mark.django_db
def test_a_user_has_exactly_the_roles_given():
    user = UserFactory(roles=[Role.MANAGER])
    assert has_role(user, Role.MANAGER)
    assert not has_role(user, Role.DIVERSITY_OFFICER)
