import pytest
from django.utils import translation

from innoreform.ledger import keys, tasks


@pytest.fixture(autouse=True)
def ledger_settings(settings, tmp_path, monkeypatch):
    """Each test gets its own log key under tmp_path, no witnesses, quorum 0."""
    monkeypatch.delenv("LEDGER_KEY", raising=False)
    settings.LEDGER_KEY_FILE = str(tmp_path / "ledger.key")
    settings.LEDGER_ORIGIN = "test.innoreform.example/ledger"
    settings.LEDGER_WITNESSES = []
    settings.LEDGER_QUORUM = 0
    settings.MEDIA_ROOT = str(tmp_path / "media")
    keys.clear_cache()
    monkeypatch.setattr(tasks, "_last_scheduled", -1e9)  # no checkpoint throttling carried across tests
    with translation.override("en"):  # assertions below read English step titles
        yield settings
    keys.clear_cache()
