import pytest

from innoreform.core.testing import make_actor


@pytest.mark.django_db
def test_actor_has_organisation():
    actor = make_actor()
    assert actor.organisation is not None
