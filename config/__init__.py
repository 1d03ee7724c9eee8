"""Configuration: the default YAML, its typed schema and the layered loader.

Owns every tunable of the product (model, decoding, sabs, cycles, tools,
memory) and the root of the project's exception hierarchy (``UserError``).
"""

from config.errors import ConfigError, UsageError, UserError
from config.loader import load_settings
from config.settings import Settings

__all__ = ["ConfigError", "Settings", "UsageError", "UserError", "load_settings"]
