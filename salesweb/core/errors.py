"""The errors a service raises when it writes nothing: input it refuses (Invalid), and a record that moved on
since the person loaded it (Stale)."""


class Invalid(Exception):
    def __init__(self, errors):
        """errors: {field name or None: message}; None is for the form as a whole."""
        if not isinstance(errors, dict):
            errors = {None: errors}
        self.errors = errors
        super().__init__("; ".join(str(m) for m in errors.values()))


class Stale(Exception):
    """The record changed since the person loaded it (a version conflict); nothing was written.

    current: the record as it is now, where the service read it (None where it did not)."""

    def __init__(self, message="", current=None):
        self.current = current
        super().__init__(message)
