"""Build the static assets OneStop serves from the installed npm packages.

Copies GOV.UK Frontend, MOJ Frontend and htmx out of ``node_modules`` into ``var/assets`` and
makes the GOV.UK stylesheet's absolute ``/assets/`` links relative, so that the files work under
``STATIC_URL`` and survive hashing by ``collectstatic``.  Run by ``make``; needs no Django.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
OUT = ROOT / "var" / "assets"


def _copy(source: Path, target: Path) -> None:
    if not source.exists():
        sys.exit(f"build_assets: {source.relative_to(ROOT)} is missing; run 'npm ci' first.")
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def _relative_urls(stylesheet: Path) -> None:
    text = stylesheet.read_text(encoding="utf-8")
    stylesheet.write_text(text.replace("url(/assets/", "url(assets/"), encoding="utf-8")


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    govuk = MODULES / "govuk-frontend" / "dist" / "govuk"
    for name in ("govuk-frontend.min.css", "govuk-frontend.min.js"):
        _copy(govuk / name, OUT / "govuk" / name)
    _copy(govuk / "assets", OUT / "govuk" / "assets")
    _relative_urls(OUT / "govuk" / "govuk-frontend.min.css")
    moj = MODULES / "@ministryofjustice" / "frontend" / "moj"
    for name in ("moj-frontend.min.css", "moj-frontend.min.js"):
        _copy(moj / name, OUT / "moj" / name)
    if (moj / "assets").exists():
        _copy(moj / "assets", OUT / "moj" / "assets")
    _relative_urls(OUT / "moj" / "moj-frontend.min.css")
    _copy(MODULES / "htmx.org" / "dist" / "htmx.min.js", OUT / "htmx" / "htmx.min.js")
    print(f"build_assets: wrote {sum(1 for p in OUT.rglob('*') if p.is_file())} files")  # noqa: T201


if __name__ == "__main__":
    main()
