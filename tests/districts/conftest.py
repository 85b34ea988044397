from tests.console.conftest import console_as

__all__ = ["console_as"]
