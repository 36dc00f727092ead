"""Errors that carry a message meant for the user (shown as is on stderr or in the status bar)."""


class UserError(Exception):
    """Bad input from the user or an unusable answer from the web, said in words."""


class StoreError(Exception):
    """A problem with the database the user can act on (message is shown as is)."""
