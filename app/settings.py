"""All configuration, read from the environment (prefix ``KG_``) in one object.

Nothing else reads ``os.environ``: commands receive a ``Settings``, so tests build
variants without touching the process environment.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_data_file() -> Path:
    return Path.home() / ".local" / "share" / "kg" / "graph.json"


class Settings(BaseSettings):
    """Where the graph lives and where the seeds are."""

    model_config = SettingsConfigDict(env_prefix="KG_", extra="ignore")

    data_file: Path = Field(default_factory=_default_data_file,
                            description="The embedded store's data file (written atomically).")
    seeds_dir: Path = Field(PROJECT_ROOT / "seeds", description="What `kg load` reads when given no path.")
