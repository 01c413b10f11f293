"""The `world` of the clarification questions' API tests."""
import pytest

from tests.functional.frameworks_support import World


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)
