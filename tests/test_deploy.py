"""The README's "Deploying for real", followed on a fresh copy of the repository: install, a secret key in the
environment, migrate, create the admin, serve, sign in in Chinese, back up. The commands are read from the README
itself, so the two cannot drift apart."""
import http.cookiejar
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import sysconfig
import tarfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ON_POSTGRES

ROOT = Path(__file__).resolve().parent.parent
SALESWEB = ".venv/bin/salesweb"

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="the README's default path is SQLite; one run is enough")


def _deployment_commands():
    """Each `.venv/bin/salesweb ...` and `salesweb backup ...` command of the README's deployment section."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Deploying for real"):]
    section = section[:section.index("\n## ", 1)]
    section = re.sub(r"```.*?```", "", section, flags=re.S)  # the nginx site is configuration, not commands
    spans = [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", section)]
    assert "make install" in spans
    commands = {}
    for span in spans:
        if span.split()[0] in (SALESWEB, "salesweb") and len(span.split()) > 1:
            words = shlex.split(span)
            commands.setdefault(words[1], words)
    return commands


def _fresh_copy(target):
    """What a clone holds: the files git tracks, as they are in this tree."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _install(clone):
    """`make install`, without the network: a new .venv in the clone, the packages salesweb needs taken from the
    environment running the tests, and salesweb itself installed by pip from the clone as the Makefile does
    (`pip install -e .`)."""
    venv = clone / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    purelib = Path(subprocess.run([str(venv / "bin" / "python"), "-c",
                                   "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  capture_output=True, text=True, check=True).stdout.strip())
    (purelib / "salesweb_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-index", "--no-deps",
                    "--no-build-isolation", "--disable-pip-version-check", "-e", str(clone)],
                   check=True, capture_output=True)


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """Enough of a browser for a sign-in: cookies, a language, and no following of redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base, language):
        self.base, self.language = base, language
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  self._NoRedirect)

    def open(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers={"Accept-Language": self.language})
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as answer:
            return answer.code, answer.headers, answer.read().decode()


def _wait_until_serving(base, server, log):
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"salesweb serve exited with {server.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail("salesweb serve did not answer /healthz within 60 s:\n" + log.read_text())


def test_the_readme_deployment_steps_work_on_a_fresh_clone(tmp_path):
    commands = _deployment_commands()
    clone = tmp_path / "salesweb"
    _fresh_copy(clone)
    assert not (clone / "instance").exists()
    _install(clone)

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "SECRET_KEY": "a9" * 32}  # set in the environment, as step 2 says: nothing creates instance/ for it

    def run(words, stdin=""):
        done = subprocess.run(words, cwd=clone, env=env, input=stdin, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{shlex.join(words)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    assert "Applied" in run(commands["migrate"]) or (clone / "instance" / "salesweb.db").exists()
    assert (clone / "instance" / "salesweb.db").exists()
    create = commands["create-user"]
    email = create[2]
    password = "a long deployment passphrase"
    assert "Created admin" in run(create, stdin=f"{password}\n{password}\n")

    port = _free_port()
    serve = [word if not re.fullmatch(r"127\.0\.0\.1:\d+", word) else f"127.0.0.1:{port}"
             for word in commands["serve"]]
    assert f"127.0.0.1:{port}" in serve
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        server = subprocess.Popen(serve, cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_serving(base, server, log)
        browser = Browser(base, "zh-CN,zh;q=0.9")
        status, _headers, page = browser.open("/login")
        assert status == 200 and "登录" in page and "Sign in" not in page
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
            re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        status, headers, _page = browser.open("/login", {"csrf_token": token.group(1), "email": email,
                                                         "password": password})
        assert status == 302, "the sign-in was refused"
        status, headers, _page = browser.open(urllib.parse.urlsplit(headers["Location"]).path)
        assert status == 302 and headers["Location"].endswith("/admin/")  # `/` sends the admin home
        status, _headers, home = browser.open("/admin/")
        assert status == 200 and "用户" in home and "退出" in home

        backup = commands["backup"]
        archive = tmp_path / "backups" / "salesweb.tar.gz"
        archive.parent.mkdir()
        assert "Backed up" in run([SALESWEB, "backup", str(archive)] if backup[0] == "salesweb" else
                                  [backup[0], "backup", str(archive)])
    finally:
        server.terminate()
        server.wait(timeout=30)
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and any(name.endswith(".db") for name in names), names
