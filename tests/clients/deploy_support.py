"""What the deployment test (test_deploy_nginx.py) runs: a fresh schema in
PostgreSQL, numis instances on it, and Debian's nginx with the deploy/
configuration in front, each in a temporary directory of its own and
stopped again by the test.

Plain HTTP from a client address of the test's choosing: every request
leaves from an address in 127.77.0.0/16 (Linux answers the whole of
127.0.0.0/8 on the loopback device), so that the limits numis keeps per
client can be told apart behind nginx, and so that the test can search
every file for those addresses afterwards. The machine's own 127.0.0.1
appears in configuration and logs anyway and proves nothing.
"""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DEPLOY = os.path.join(REPO, "deploy")

# Where the PostgreSQL of the test suite listens (trust authentication for
# `postgres` on this machine). The test makes a schema of its own in it.
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test"

# The ports of numis-upstream.conf, which the test replaces with its own.
UPSTREAM_PORTS = (8081, 8082)

# Client addresses start with this; nothing else in the run does.
CLIENT_PREFIX = "127.77."


def client_address(group, n):
    """A client address of the test: 127.77.GROUP.N."""
    return f"{CLIENT_PREFIX}{group}.{n}"


def numis_binary():
    """The numis that tests/clients/run.sh built (NUMIS_TEST_NUMIS names
    another)."""
    named = os.environ.get("NUMIS_TEST_NUMIS")
    if named:
        return named
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target")
    return os.path.join(target, "debug", "numis")


def nginx_binary():
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_url():
    return os.environ.get("NUMIS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def psql(url, sql):
    """Runs SQL with psql and returns its output (tuples only)."""
    result = subprocess.run(
        ["psql", url, "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        raise RuntimeError(f"psql failed: {sql}\n{result.stderr}")
    return result.stdout


def store_url(url, schema):
    """The store URL that puts numis into `schema` (libpq's options)."""
    options = urllib.parse.quote(f"-c search_path={schema}")
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options={options}"


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def upstream(self):
        """The instance's address that answered (the last one nginx tried),
        from the X-Upstream header only the test's nginx adds."""
        value = self.headers.get("x-upstream", "")
        return value.split(",")[-1].strip() if value else ""

    def json(self):
        return json.loads(self.body)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


def request(port, method, path, body=None, headers=None, source=None, timeout=30):
    """One HTTP/1.1 request on a connection of its own to 127.0.0.1:port,
    from the client address `source`."""
    connection = http.client.HTTPConnection(
        "127.0.0.1",
        port,
        timeout=timeout,
        source_address=(source, 0) if source else None,
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        answer = connection.getresponse()
        data = answer.read()
        headers = {}
        for name, value in answer.getheaders():
            name = name.lower()
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        # Set-Cookie is never folded: keep every one.
        headers["set-cookie-list"] = answer.headers.get_all("Set-Cookie") or []
        return Response(answer.status, headers, data)
    finally:
        connection.close()


@dataclass
class Instance:
    """One numis process: its port, data directory, environment and log."""

    name: str
    port: int
    data_dir: str
    site_dir: str
    env: dict
    log_path: str
    process: subprocess.Popen = None
    logs: list = field(default_factory=list)

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def start(self, wait=60):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [
                numis_binary(),
                "serve",
                "--bind",
                self.address,
                "--data-dir",
                self.data_dir,
                "--site-dir",
                self.site_dir,
            ],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"numis {self.name} exited at start:\n{self.log()}")
            try:
                if request(self.port, "GET", "/healthz", timeout=2).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"numis {self.name} not healthy within {wait} s:\n{self.log()}")

    def kill(self):
        """SIGKILL: no request in flight finishes, nothing is flushed."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""


def server_env(store, extra=None):
    """The environment of a numis under test: none of the caller's NUMIS_…
    variables, the store, statistics written every second, and the
    deployment's settings behind nginx."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NUMIS_")}
    env.update(
        {
            "RUST_LOG": "info",
            "NUMIS_STORE__URL": store,
            "NUMIS_STATS__FLUSH_SECONDS": "1",
            "NUMIS_DRAWINGS__CLIENT_ADDRESS_HEADER": "X-Real-IP",
        }
    )
    env.update(extra or {})
    return env


def upstream_conf(ports):
    """deploy/nginx/numis-upstream.conf with its two example instances
    replaced by `ports` (everything else as shipped)."""
    with open(os.path.join(DEPLOY, "nginx", "numis-upstream.conf"), encoding="utf-8") as f:
        text = f.read()
    for shipped, port in zip(UPSTREAM_PORTS, ports):
        pattern = rf"server 127\.0\.0\.1:{shipped}\b"
        if not re.search(pattern, text):
            raise RuntimeError(f"numis-upstream.conf has no `server 127.0.0.1:{shipped}` line")
        text = re.sub(pattern, f"server 127.0.0.1:{port}", text)
    return text


class Nginx:
    """Debian's nginx in a prefix of its own, not as a daemon: one worker
    (so that round robin alternates strictly between the instances), the
    deploy/ upstream and proxy configuration, a plain-HTTP server on `port`
    that adds X-Upstream (test only) and writes its error log as the TLS
    site does (`emerg`)."""

    def __init__(self, prefix, port, instance_ports):
        self.prefix = prefix
        self.port = port
        self.instance_ports = instance_ports
        self.process = None
        os.makedirs(prefix, exist_ok=True)
        # Workers run as an unprivileged user when nginx starts as root;
        # they create the temporary directories below and must reach them.
        os.chmod(prefix, 0o755)
        self.conf = os.path.join(prefix, "nginx.conf")

    def write_conf(self):
        upstream = os.path.join(self.prefix, "numis-upstream.conf")
        with open(upstream, "w", encoding="utf-8") as f:
            f.write(upstream_conf(self.instance_ports))
        proxy = os.path.join(DEPLOY, "nginx", "numis-proxy.conf")
        p = self.prefix
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write(
                f"""# Written by tests/clients/deploy_support.py
worker_processes 1;
pid {p}/nginx.pid;
error_log {p}/error.log emerg;
events {{ worker_connections 1024; }}
http {{
    client_body_temp_path {p}/client_body;
    proxy_temp_path {p}/proxy;
    fastcgi_temp_path {p}/fastcgi;
    uwsgi_temp_path {p}/uwsgi;
    scgi_temp_path {p}/scgi;
    default_type application/octet-stream;
    include {upstream};
    server {{
        listen 127.0.0.1:{self.port};
        server_name localhost;
        error_log {p}/numis-error.log emerg;
        # Test only: which instance answered.
        add_header X-Upstream $upstream_addr always;
        include {proxy};
    }}
}}
"""
            )

    def start(self):
        self.write_conf()
        nginx = nginx_binary()
        check = subprocess.run(
            [nginx, "-t", "-q", "-p", self.prefix, "-c", self.conf, "-g", "daemon off;"],
            capture_output=True,
            text=True,
        )
        if check.returncode != 0:
            raise RuntimeError(f"nginx -t refused the configuration:\n{check.stderr}")
        self.process = subprocess.Popen(
            [nginx, "-p", self.prefix, "-c", self.conf, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(self.prefix, "stderr.log"), "ab"),
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("nginx exited at start")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not listen within 20 s")

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGQUIT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def create_account(env, data_dir, pseudonym, password, role=None):
    """An account made with `numis account create` in the store of `env`."""
    command = [numis_binary(), "account", "create", pseudonym, "--password-stdin"]
    if role:
        command += ["--role", role]
    command += ["--data-dir", data_dir]
    result = subprocess.run(
        command, input=password + "\n", env=env, capture_output=True, text=True, timeout=60
    )
    if result.returncode != 0:
        raise RuntimeError(f"numis account create failed:\n{result.stdout}{result.stderr}")


def new_password():
    return "Deich-und-Geest-" + secrets.token_hex(8)


def files_containing(roots, needle):
    """Every file under `roots` whose bytes contain `needle`."""
    needle = needle.encode()
    found = []
    for root in roots:
        for folder, _, names in os.walk(root):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    with open(path, "rb") as f:
                        if needle in f.read():
                            found.append(path)
                except OSError:
                    pass
    return found
