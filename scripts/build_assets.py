"""Build the static assets OneStop serves from the installed npm packages.

Copies GOV.UK Frontend, MOJ Frontend, htmx and Leaflet out of ``node_modules`` into
``var/assets`` (or the directory given as the first argument) and makes the stylesheets'
absolute ``/assets/`` links relative, so that the files work under ``STATIC_URL`` and survive
hashing by ``collectstatic``.
Every file a stylesheet or script refers to (``url(...)``, ``sourceMappingURL``) is copied with
it, and a reference to a file the package does not ship stops the build: the production storage
(``CompressedManifestStaticFilesStorage``) refuses to collect a stylesheet whose references are
missing, and a failed ``collectstatic`` means no page can be served.  Run by ``make``; needs no
Django.

It also compiles the translations: every ``onestop/locale/<language>/LC_MESSAGES/*.po`` into the
``.mo`` file beside it (what Django reads), with polib, so the build needs no system gettext.
The ``.mo`` files are build output and are not committed.  ``--messages-only`` does just that.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
OUT = ROOT / "var" / "assets"
LOCALE = ROOT / "onestop" / "locale"

# What collectstatic's manifest storage follows: url(...) in stylesheets (not data: URIs or
# fragments) and the source-map comment at the end of a stylesheet or script.
_CSS_URL = re.compile(r"""url\(\s*['"]?(?P<url>[^'")]+?)['"]?\s*\)""")
_SOURCE_MAP = re.compile(r"(?:/\*|//)# sourceMappingURL=(?P<url>[^\s*]+)")


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


def references(text: str, *, stylesheet: bool) -> set[str]:
    """The relative paths a stylesheet or script refers to (without query or fragment)."""
    found = {match["url"] for match in _SOURCE_MAP.finditer(text)}
    if stylesheet:
        found.update(match["url"] for match in _CSS_URL.finditer(text))
    paths = set()
    for url in found:
        path = re.split(r"[?#]", url, maxsplit=1)[0]
        if path and not url.startswith(("data:", "#", "/", "http:", "https:")):
            paths.add(path)
    return paths


def _copy_references(target: Path, source_dir: Path) -> None:
    """Copy beside ``target`` every file it refers to, from the package directory it came from."""
    text = target.read_text(encoding="utf-8")
    for path in sorted(references(text, stylesheet=target.suffix == ".css")):
        wanted = target.parent / path
        if not wanted.exists():
            _copy(source_dir / path, wanted)


def compile_messages(locale: Path = LOCALE) -> int:
    """Compile every catalogue under ``locale`` into its ``.mo`` file; the number compiled.

    Fuzzy entries are left out, as GNU msgfmt leaves them out, so a translation marked for
    review is never shown.  A catalogue polib cannot read stops the build with one line."""
    import polib  # type: ignore[import-untyped]  # no stubs published

    compiled = 0
    for po_path in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        try:
            catalogue = polib.pofile(str(po_path))
        except (OSError, ValueError) as error:
            sys.exit(f"build_assets: cannot read {po_path.relative_to(ROOT)}: {error}")
        for entry in catalogue.fuzzy_entries():
            catalogue.remove(entry)
        catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
        compiled += 1
    return compiled


def main() -> None:
    if sys.argv[1:] == ["--messages-only"]:
        print(f"build_assets: compiled {compile_messages()} message catalogues")  # noqa: T201
        return
    compiled = compile_messages()
    out = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else OUT
    if out.exists():
        shutil.rmtree(out)
    govuk = MODULES / "govuk-frontend" / "dist" / "govuk"
    moj = MODULES / "@ministryofjustice" / "frontend" / "moj"
    htmx = MODULES / "htmx.org" / "dist"
    leaflet = MODULES / "leaflet" / "dist"
    for source_dir, name, target_dir in (
        (govuk, "govuk-frontend.min.css", "govuk"),
        (govuk, "govuk-frontend.min.js", "govuk"),
        (moj, "moj-frontend.min.css", "moj"),
        (moj, "moj-frontend.min.js", "moj"),
        (htmx, "htmx.min.js", "htmx"),
        # The report forms' map (only on forms whose case type asks for a location).
        (leaflet, "leaflet.js", "leaflet"),
        (leaflet, "leaflet.css", "leaflet"),
    ):
        target = out / target_dir / name
        _copy(source_dir / name, target)
        if target.suffix == ".css":
            _relative_urls(target)
        _copy_references(target, source_dir)
    # The whole asset folders too: templates use the favicons and crest, the CSS the fonts.
    _copy(govuk / "assets", out / "govuk" / "assets")
    # Leaflet's pin (and its shadow and high-resolution copy, which its script asks for).
    _copy(leaflet / "images", out / "leaflet" / "images")
    if (moj / "assets").exists():
        _copy(moj / "assets", out / "moj" / "assets")
    print(f"build_assets: wrote {sum(1 for p in out.rglob('*') if p.is_file())} files")  # noqa: T201
    print(f"build_assets: compiled {compiled} message catalogues")  # noqa: T201


if __name__ == "__main__":
    main()
