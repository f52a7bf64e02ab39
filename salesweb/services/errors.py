"""The one error a service raises for input it refuses: per field messages, nothing changed."""


class Invalid(Exception):
    def __init__(self, errors):
        """errors: {field name or None: message}; None is for the form as a whole."""
        if not isinstance(errors, dict):
            errors = {None: errors}
        self.errors = errors
        super().__init__("; ".join(str(m) for m in errors.values()))
