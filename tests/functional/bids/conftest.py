"""The `world` the bid tests share: people of every role and a framework to bid on, built through the API."""
import pytest

from tests.functional.frameworks_support import World


@pytest.fixture
def world(client, make_user):
    return World(client, make_user)
