import pytest
from django.contrib.auth.models import Group

from convener.core.roles import Role, has_role
from tests.factories import UserFactory


@pytest.mark.django_db
def test_every_role_exists_as_a_group_after_migrating():
    # the four roles the README names, written out here: a role dropped from the code fails
    expected = {"member", "committee_member", "manager", "diversity_officer"}
    assert set(Group.objects.values_list("name", flat=True)) >= expected


@pytest.mark.django_db
def test_a_user_has_exactly_the_roles_given():
    user = UserFactory(roles=[Role.MANAGER])
    assert has_role(user, Role.MANAGER)
    assert not has_role(user, Role.DIVERSITY_OFFICER)
