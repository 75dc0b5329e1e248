"""The one exception that stops a run, carrying a plain Chinese sentence for the user."""


class StopRun(Exception):
    """Stop the whole run; `message` is what the clerk reads."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
