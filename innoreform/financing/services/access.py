"""What every financing write checks first: may the actor do it (the app's table, audited on denial)."""

from ..permissions import require as require
