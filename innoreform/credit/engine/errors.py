"""Errors the engine raises for bad input. Each carries a message fit to show a user as is."""


class CreditDataError(ValueError):
    """The data or the request cannot be used (missing target, one class, empty file, ...)."""

    def __init__(self, message: str, *, code: str = "bad_data"):
        self.code = code
        super().__init__(message)
