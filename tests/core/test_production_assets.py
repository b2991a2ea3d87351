"""Following the operators' guide in production serves pages: the assets are built, collected
into the manifest storage and served by gunicorn with production settings (issue 11, item 5).

Everything runs as a deployment would: ``scripts/build_assets.py``, ``onestop collectstatic``
and gunicorn in subprocesses with DEBUG off, a secret key, secure cookies and the hashed
manifest storage, fetched over real HTTP from behind a (simulated) TLS-terminating proxy.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.migrated import copy_migrated_into

ROOT = Path(__file__).resolve().parents[2]
HOST = "onestop.example.gov.uk"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _production_environment(var_dir: Path, assets: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("ONESTOP_")
        and key not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "ONESTOP_SECRET_KEY": "p" * 30 + "production-assets-test-secret" + "q" * 30,
            "ONESTOP_ALLOWED_HOSTS": HOST,
            "ONESTOP_TRUSTED_PROXIES": "1",
            "ONESTOP_VAR_DIR": str(var_dir),
            "ONESTOP_ASSETS_DIR": str(assets),
        }
    )
    return env


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(  # noqa: S310 (a URL of our own server on loopback)
        url, headers={"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.1"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def production_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = tmp_path_factory.mktemp("production")
    assets = base / "assets"
    built = _run([sys.executable, "scripts/build_assets.py", str(assets)], dict(os.environ))
    assert built.returncode == 0, built.stderr
    env = _production_environment(base / "var", assets)
    # The run's migrated database; the operators' migrate below then has nothing left to apply.
    copy_migrated_into(base / "var", tmp_path_factory)
    migrated = _run([sys.executable, "-m", "onestop.cli", "migrate", "--no-input"], env)
    assert migrated.returncode == 0, migrated.stderr
    collected = _run(
        [sys.executable, "-m", "onestop.cli", "collectstatic", "--no-input", "--verbosity", "0"],
        env,
    )
    assert collected.returncode == 0, collected.stderr
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "onestop.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    _, errors = server.communicate(timeout=5)
                    pytest.fail(f"gunicorn did not start: {errors.decode()[-2000:]}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_page_and_its_hashed_assets_are_served_in_production(production_server: str) -> None:
    status, headers, body = _get(f"{production_server}/sign-in/")
    page = body.decode()
    assert status == 200, page[:500]
    assert "Strict-Transport-Security" in headers
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', page)
    scripts = re.findall(r'src="(/static/[^"]+\.js)"', page)
    assert any(re.search(r"moj-frontend\.min\.[0-9a-f]{12}\.css$", s) for s in stylesheets)
    assert any(re.search(r"govuk-frontend\.min\.[0-9a-f]{12}\.css$", s) for s in stylesheets)
    for asset in stylesheets + scripts:
        status, headers, body = _get(f"{production_server}{asset}")
        assert status == 200, asset
        assert "immutable" in headers.get("Cache-Control", ""), asset
    moj = next(s for s in stylesheets if "moj-frontend" in s)
    _, _, css = _get(f"{production_server}{moj}")
    # Every file the hashed stylesheet refers to is there, hashed too.
    referenced = re.findall(r"url\(([^)#?]+)", css.decode()) + re.findall(
        r"sourceMappingURL=(\S+?)\s*\*/", css.decode()
    )
    assert any(name.endswith(".map") for name in referenced)
    folder = moj.rsplit("/", 1)[0]
    for name in referenced:
        if name.startswith("data:"):
            continue
        status, _, _ = _get(f"{production_server}{folder}/{name.strip(chr(34) + chr(39))}")
        assert status == 200, name


def test_the_build_copies_every_file_a_stylesheet_refers_to(tmp_path: Path) -> None:
    built = _run([sys.executable, "scripts/build_assets.py", str(tmp_path)], dict(os.environ))
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "moj" / "moj-frontend.min.css.map").is_file()
    assert (tmp_path / "govuk" / "govuk-frontend.min.css.map").is_file()
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_assets
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    for stylesheet in tmp_path.rglob("*.css"):
        text = stylesheet.read_text(encoding="utf-8")
        for path in build_assets.references(text, stylesheet=True):
            assert (stylesheet.parent / path).is_file(), f"{stylesheet.name} refers to {path}"
