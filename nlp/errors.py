"""The few named errors newstag raises; the CLI turns each into one line on stderr."""


class NewstagError(Exception):
    """Base class: anything the user can fix, reported as one line."""


class ConfigError(NewstagError):
    """A configuration file or option is wrong (feeds.yaml, a flag, an environment variable)."""


class InputError(NewstagError):
    """An input file or record cannot be read."""


class ModelError(NewstagError):
    """A spaCy pipeline or a data file under models/ cannot be loaded."""


class FetchError(NewstagError):
    """A feed or page could not be downloaded."""


class StoreError(NewstagError):
    """The database cannot be opened or has an unknown schema."""
