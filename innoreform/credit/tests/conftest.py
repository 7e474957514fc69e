import pytest


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Uploaded training data and score files go to a per-test media directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
