"""YAML from files people write, read so that no file can stop a night.

Configs and expectation suites are small: a file over ``MAX_BYTES`` is refused before it is
parsed (a 50 MB config took minutes and gigabytes), and so is one whose aliases could
expand without bound (a "billion laughs" document is a few lines that become gigabytes once
anything walks it). Every refusal is a one-line ConfigError naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from auditor.errors import ConfigError

MAX_BYTES = 1_000_000
MAX_ALIASES = 50


def load_yaml(path: Path) -> Any:
    """The document in ``path``; ConfigError in one line for anything that is not a small,
    readable, UTF-8 YAML file."""
    import yaml

    try:
        if path.is_dir():
            raise ConfigError(f"{path}: is a folder, not a file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ConfigError(f"{path}: {size / 1e6:.1f} MB is too large for a config (at most "
                              f"{MAX_BYTES / 1e6:.0f} MB)")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        aliases = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise ConfigError(f"{path}: more than {MAX_ALIASES} YAML aliases (*name): refused, a document "
                                      "like this can expand without bound")
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark is not None else ""
        raise ConfigError(f"{path}:{where} invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
