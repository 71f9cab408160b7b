"""Find the theme's static files and give stylesheets and scripts fingerprinted names."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..config import SiteConfig

FINGERPRINTED = (".css", ".js")


@dataclass(frozen=True, slots=True)
class Assets:
    files: Mapping[str, Path]  # output path ("static/style.1a2b3c4d.css") -> source file
    names: Mapping[str, str]  # name used in templates ("style.css") -> output path


def collect_assets(config: SiteConfig, content_files: Iterable[str] = ()) -> Assets:
    """List static files, the site's own overriding the theme's, with CSS and JS named by content hash.

    Other files of the content folder (images, PDFs) keep their path, so relative links to them still work.
    """
    sources: dict[str, Path] = {}
    for folder in reversed(config.theme_paths):
        static = folder / "static"
        if static.is_dir():
            for file in sorted(static.rglob("*")):
                if file.is_file() and not any(p.startswith(".") for p in file.relative_to(static).parts):
                    sources[file.relative_to(static).as_posix()] = file
    files: dict[str, Path] = {}
    names: dict[str, str] = {}
    for name, file in sorted(sources.items()):
        out = f"static/{name}"
        if file.suffix in FINGERPRINTED:
            digest = hashlib.sha256(file.read_bytes()).hexdigest()[:10]
            out = f"static/{name[: -len(file.suffix)]}.{digest}{file.suffix}"
        files[out] = file
        names[name] = out
    for name in sorted(content_files):
        files[name] = config.content_path / name
    return Assets(files=files, names=names)
