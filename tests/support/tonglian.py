"""What the Python tests of the real binary share: start `tonglian serve` on a free port and
wait for /healthz, log in through the login form, get an API token, and call the API.

TONGLIAN_BIN names the binary (default target/debug/tonglian).
"""

import http.client
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("TONGLIAN_BIN") or os.path.join(ROOT, "target", "debug", "tonglian")
USER, PASSWORD = "editor", "demo2007"  # crates/web/src/demo.rs, DEMO_PASSWORD
CSRF_RE = re.compile(r'name="csrf" value="([^"]+)"')


class Failure(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`tonglian --db URL serve` on a free port, its output appended to `logfile`."""

    def __init__(self, binary, db_url, logfile):
        self.binary, self.db_url, self.logfile = binary, db_url, logfile
        self.proc = None
        self.base = None

    def start(self, demo=False, timeout=120):
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        args = [self.binary, "--db", self.db_url, "serve", "--listen", f"127.0.0.1:{port}"]
        if demo:
            args.append("--demo")
        out = open(self.logfile, "ab")
        out.write(f"\n==== {' '.join(args)}\n".encode())
        out.flush()
        env = dict(os.environ, RUST_BACKTRACE="1")
        env.pop("TONGLIAN_DB", None)
        env.pop("TONGLIAN_LISTEN", None)
        self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd="/")
        out.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise Failure(f"the server exited with {self.proc.returncode} while starting (log: {self.logfile})")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=5) as r:
                    if r.status == 200:
                        return
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise Failure(f"the server did not answer /healthz within {timeout}s (log: {self.logfile})")
            time.sleep(0.02)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        if self.proc:
            self.proc.wait()

    def stop(self):
        """A graceful stop (SIGTERM), killing it if it takes too long."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def login_form(base, user=USER, password=PASSWORD, timeout=60):
    """Logs in through the form; returns (opener with the session cookie, the page's CSRF token)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login", timeout=timeout).read().decode()
    csrf = CSRF_RE.search(page).group(1)
    form = urllib.parse.urlencode({"username": user, "password": password, "csrf": csrf, "next": "/"}).encode()
    page = opener.open(base + "/login", form, timeout=timeout).read().decode()
    m = CSRF_RE.search(page)
    if not m or "/logout" not in page:
        raise Failure(f"could not log in as {user} (password {password})")
    return opener, m.group(1)


def token(base, user=USER, password=PASSWORD):
    """A bearer token, by the login form and POST /api/v1/tokens."""
    opener, csrf = login_form(base, user, password)
    req = urllib.request.Request(
        base + "/api/v1/tokens",
        data=json.dumps({"name": "test"}).encode(),
        headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
    )
    return json.loads(opener.open(req, timeout=30).read())["token"]


def request(base, method, path, token=None, body=None, content_type=None, timeout=300):
    """(status, body bytes) of one request; HTTP errors are answers, not exceptions."""
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if content_type:
        headers["Content-Type"] = content_type
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
