"""salesweb served by gunicorn on loopback for the sweeps that need real processes (workers to kill, two of them
to share counts, a backup taken while others write), and browsers of its own talking to it."""
import http.cookiejar
import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import PASSWORD

SALESWEB = str(Path(sys.executable).parent / "salesweb")
USER_AGENT = "salesweb-hardening"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def environment(database_url, upload_dir, **more):
    return {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "UPLOAD_DIR": str(upload_dir),
            "SWEEP_SECONDS": "0", **{k: str(v) for k, v in more.items()}}


def wait_until_up(base, server, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.1)
    pytest.fail("the server did not start: " + (server.stderr.read1().decode(errors="replace") if server.stderr else ""))


@contextmanager
def served(database_url, upload_dir, workers=2, **more):
    """`salesweb serve` on a free loopback port; yields (base URL, the master process)."""
    port = free_port()
    server = subprocess.Popen([SALESWEB, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
                              env=environment(database_url, upload_dir, **more), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        yield base, server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def workers_of(server):
    """The pids of the master's worker processes."""
    found = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
    return sorted(int(pid) for pid in found)


class Browser:
    """Cookies, and a fresh connection per request (as gunicorn spreads them over its workers)."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("User-Agent", USER_AGENT)]  # a session is bound to its browser

    def get(self, path, timeout=30):
        try:
            response = self.opener.open(self.base + path, timeout=timeout)
            return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def token(self, path):
        page = self.get(path)[1].decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    def post(self, path, fields, files=None, token_from=None, timeout=30):
        """A form post (multipart when there are files); the status, redirects not followed."""
        fields = {"csrf_token": self.token(token_from or path), **fields}
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = urllib.parse.urlencode(fields, doseq=True).encode(), "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=body, headers={"Content-Type": content_type})
        opener = urllib.request.build_opener(*[h for h in self.opener.handlers
                                               if not isinstance(h, urllib.request.HTTPRedirectHandler)],
                                             NoRedirect())
        opener.addheaders = self.opener.addheaders
        try:
            response = opener.open(request, timeout=timeout)
            return response.status, response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location", "")

    def headers(self):
        """What this browser sends with every request, for one sent by hand on a socket."""
        return f"User-Agent: {USER_AGENT}\r\nCookie: {'; '.join(f'{c.name}={c.value}' for c in self.jar)}\r\n"

    def send(self, path, fields, token_from=None):
        """Send a form post on a socket of its own and return the socket without reading the answer (for a
        worker to be killed while it works on it)."""
        body = urllib.parse.urlencode({"csrf_token": self.token(token_from or path), **fields}).encode()
        parts = urllib.parse.urlsplit(self.base)
        raw = socket.create_connection((parts.hostname, parts.port))
        raw.sendall((f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                     "Content-Type: application/x-www-form-urlencoded\r\n"
                     f"Content-Length: {len(body)}\r\n{self.headers()}\r\n").encode() + body)
        return raw

    def sign_in(self, email, password=PASSWORD):
        status, _location = self.post("/login", {"email": email, "password": password})
        assert status == 302, f"{email} could not sign in ({status})"
        return self


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def multipart(fields, files):
    """A multipart/form-data body: `files` maps a field to (file name, bytes)."""
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, value in fields.items():
        for one in (value if isinstance(value, (list, tuple)) else [value]):
            out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{one}\r\n'.encode())
    for name, (filename, data) in files.items():
        out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                  f"Content-Type: application/octet-stream\r\n\r\n".encode())
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"
