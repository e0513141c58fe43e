"""The one error type the package raises for bad input.

Every message is a single line a person can act on: the app shows it in a red box,
the CLI prints it on stderr and exits with status 2. Anything else escaping the package
is a bug.
"""


class BigramError(ValueError):
    """Bad input or a bad setting, explained in one line."""

    def __init__(self, message: str):
        # Keep the message on one line whatever the caller passed in.
        super().__init__(" ".join(str(message).split()))


class TrainingDiverged(BigramError):
    """The loss became NaN or infinite: the learning rate is too large for this list."""
