"""`innoreform` console script: the management commands under one name.

`innoreform demo` is `manage.py demo`, `innoreform ledger verify` is `manage.py ledger verify`.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["innoreform", *sys.argv[1:]])


if __name__ == "__main__":
    main()
