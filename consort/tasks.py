"""The task consumer's entry: `huey_consumer consort.tasks.huey` builds the app (which points the queue at its store,
from REDIS_URL or HUEY_SQLITE_PATH) with every capability's tasks declared."""
from app.tasking import huey
from consort import create_app

app = create_app()

__all__ = ["app", "huey"]
