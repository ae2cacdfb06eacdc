"""The one exception type for mistakes a user can make."""


class DlvizError(Exception):
    """An error the user caused (bad file, impossible network...). The message says what to fix."""
