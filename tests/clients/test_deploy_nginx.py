"""The deployment of deploy/, tested rather than described: a fresh schema
in PostgreSQL, two numis instances on it, and Debian's nginx in front with
deploy/nginx/numis-proxy.conf and numis-upstream.conf (plain HTTP on a free
port instead of the TLS site; nginx adds X-Upstream so the test knows which
instance answered). Through nginx:

- a drawing created on one instance is read, changed and deleted through
  the other;
- a login on one instance is valid on the other, and a logout on one ends
  it on the other;
- the statistics after N requests, spread over both instances, are N;
- request bodies are limited as numis limits them;
- one instance killed with SIGKILL during a burst of saves: nginx fails
  over, every acknowledged save is intact, and the instance restarts and
  rejoins;
- the client's address reaches numis's per-client limits through the
  header and reaches no file: nginx's prefix, the data directories, the
  servers' logs and the database's schema are searched for it.

Needs PostgreSQL at NUMIS_TEST_POSTGRES_URL (default
postgres://postgres@127.0.0.1:5432/test, trust authentication), psql and
nginx (tests/clients/setup.sh installs nginx).
"""

import csv
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
import urllib.parse

import pytest

import deploy_support as d

# One operator account, made on the command line before the instances start.
OPERATOR = "Betrieb Nord"

# The burst of saves: each client creates drawings and changes each one
# VERSIONS times. 16 clients of their own address stay below numis's
# creation burst (20 per client and instance) even if every create of one
# client ends on the surviving instance.
BURST_CLIENTS = 16
BURST_DRAWINGS = 4
VERSIONS = 2
# Acknowledged saves before the kill (of 16 * 4 * 3 = 192).
KILL_AFTER = 60


@pytest.fixture(scope="module")
def deployment():
    binary = d.numis_binary()
    if not os.access(binary, os.X_OK):
        pytest.fail(f"no numis at {binary}: run this with tests/clients/run.sh")
    if not d.nginx_binary():
        pytest.fail("nginx is not installed: run tests/clients/setup.sh")
    if not shutil.which("psql"):
        pytest.fail("psql is not installed (Debian postgresql-client)")
    root = tempfile.mkdtemp(prefix="numis-deploy-")
    # nginx's workers run as an unprivileged user when the test runs as
    # root, and buffer large bodies below root/nginx.
    os.chmod(root, 0o755)
    schema = "deploy_" + secrets.token_hex(6)
    url = d.postgres_url()
    d.psql(url, f"CREATE SCHEMA {schema}")
    store = d.store_url(url, schema)
    env = d.server_env(store)
    password = d.new_password()
    instances = []
    nginx = None
    try:
        d.create_account(env, os.path.join(root, "cli"), OPERATOR, password, role="operator")
        for name in ("a", "b"):
            instance = d.Instance(
                name=name,
                port=d.free_port(),
                data_dir=os.path.join(root, f"data-{name}"),
                site_dir=os.path.join(d.REPO, "site"),
                env=env,
                log_path=os.path.join(root, f"numis-{name}.log"),
            )
            instances.append(instance)
        # Both at once: migrations run under PostgreSQL's advisory lock.
        errors = []
        starters = [threading.Thread(target=_catching(i.start, errors)) for i in instances]
        for starter in starters:
            starter.start()
        for starter in starters:
            starter.join()
        if errors:
            raise errors[0]
        for instance in instances:
            if "NUMIS_STORE__URL is not a numis setting" in instance.log():
                pytest.fail(
                    "this numis has no `[store] url`: the instances ran on SQLite files of "
                    "their own, not on PostgreSQL, and a multi-instance deployment cannot work"
                )
        nginx = d.Nginx(
            os.path.join(root, "nginx"), d.free_port(), [i.port for i in instances]
        )
        nginx.start()
        yield Deployment(root, schema, url, env, instances, nginx, password)
    finally:
        if nginx:
            nginx.stop()
        for instance in instances:
            instance.stop()
        d.psql(url, f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        shutil.rmtree(root, ignore_errors=True)


def _catching(function, errors):
    def run():
        try:
            function()
        except Exception as e:  # handed to the fixture, which raises it
            errors.append(e)

    return run


class Deployment:
    def __init__(self, root, schema, url, env, instances, nginx, password):
        self.root = root
        self.schema = schema
        self.url = url
        self.env = env
        self.instances = instances
        self.nginx = nginx
        self.password = password

    @property
    def port(self):
        return self.nginx.port

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None, headers=None, source=None, timeout=30):
        """Through nginx, from a client address of the test (127.77.0.1 unless
        another is given)."""
        return d.request(
            self.port,
            method,
            path,
            body=body,
            headers=headers,
            source=source or d.client_address(0, 1),
            timeout=timeout,
        )

    def toward(self, instance, method, path, **kwargs):
        """A request through nginx that lands on `instance`. nginx's one
        worker alternates strictly between the instances, so a health
        check that lands on the other one makes the next request land on
        this one."""
        for _ in range(4):
            probe = self.request("GET", "/healthz")
            if probe.upstream != instance.address:
                break
        response = self.request(method, path, **kwargs)
        assert response.upstream == instance.address, (
            f"{method} {path} was meant for {instance.address}, nginx sent it to "
            f"{response.headers.get('x-upstream')}"
        )
        return response

    def login(self, source):
        """Logs the operator in through nginx; the session cookie."""
        response = self.request(
            "POST",
            "/konto/anmelden",
            body=urllib.parse.urlencode({"pseudonym": OPERATOR, "password": self.password}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
            },
            source=source,
        )
        assert response.status == 303, f"login: {response.status} {response.text[:300]}"
        cookies = [c.split(";")[0] for c in response.headers["set-cookie-list"]]
        session = [c for c in cookies if c.startswith("numis_session=")]
        assert session, f"no session cookie in {response.headers['set-cookie-list']}"
        return session[0], response.upstream


def drawing(name, x=9.7386, y=52.3745):
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"name": name},
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[x, y], [round(x + 0.005, 7), round(y + 0.005, 7)]],
                    },
                }
            ],
        }
    )


def names_of(body):
    return [f["properties"].get("name") for f in json.loads(body)["features"]]


GEOJSON = {"Content-Type": "application/geo+json"}


def test_a_drawing_made_on_one_instance_is_read_changed_and_deleted_through_the_other(deployment):
    a, b = deployment.instances
    source = d.client_address(1, 1)
    created = deployment.toward(
        a, "POST", "/api/drawings?title=Deich", body=drawing("erste Fassung"), headers=GEOJSON,
        source=source,
    )
    assert created.status == 201, created.text
    answer = created.json()
    path = f"/api/drawings/{answer['id']}"
    key = {"Authorization": f"Bearer {answer['edit_key']}"}

    read = deployment.toward(b, "GET", path, source=source)
    assert read.status == 200, read.text
    assert names_of(read.body) == ["erste Fassung"]

    changed = deployment.toward(
        b, "PUT", path, body=drawing("zweite Fassung"), headers={**GEOJSON, **key}, source=source
    )
    assert changed.status == 200, changed.text
    read = deployment.toward(a, "GET", path, source=source)
    assert names_of(read.body) == ["zweite Fassung"], "the change made on b is read on a"

    refused = deployment.toward(a, "DELETE", path, source=source)
    assert refused.status == 403, "without the key nothing is deleted"
    deleted = deployment.toward(b, "DELETE", path, headers=key, source=source)
    assert deleted.status in (200, 204), deleted.text
    for instance in (a, b):
        gone = deployment.toward(instance, "GET", path, source=source)
        assert gone.status == 404, f"{instance.name}: {gone.status}"


def test_a_login_on_one_instance_is_valid_on_the_other(deployment):
    a, b = deployment.instances
    source = d.client_address(2, 1)
    # Land the login on a.
    for _ in range(4):
        if deployment.request("GET", "/healthz", source=source).upstream != a.address:
            break
    cookie, where = deployment.login(source)
    assert where == a.address
    home = deployment.toward(b, "GET", "/konto", headers={"Cookie": cookie}, source=source)
    assert home.status == 200, f"the session made on a is unknown to b: {home.status}"
    assert OPERATOR in home.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', home.text)
    assert csrf, "the account page has its form token"

    # a has looked the session up too (and keeps it in its session cache).
    assert deployment.toward(a, "GET", "/konto", headers={"Cookie": cookie}, source=source).status == 200

    # Logout through b ends the session on a too: at once on b, on a
    # within numis's session cache time (5 s, session_cache.rs).
    out = deployment.toward(
        b,
        "POST",
        "/konto/abmelden",
        body=f"csrf={csrf.group(1)}",
        headers={
            "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": deployment.origin,
        },
        source=source,
    )
    assert out.status == 303, out.text[:300]
    gone = deployment.toward(b, "GET", "/konto", headers={"Cookie": cookie}, source=source)
    assert gone.status == 303, "b, where the logout happened, refuses the session at once"
    started = time.monotonic()
    while True:
        home = deployment.toward(a, "GET", "/konto", headers={"Cookie": cookie}, source=source)
        if home.status == 303:
            break
        assert home.status == 200
        assert time.monotonic() - started < 7, "a still accepts the session 7 s after the logout"
        time.sleep(0.5)


def _csv(deployment, cookie, table):
    response = deployment.request(
        "GET", f"/verwaltung?zeitraum=7&csv={table}", headers={"Cookie": cookie}
    )
    assert response.status == 200, f"{table}: {response.status} {response.text[:300]}"
    return list(csv.reader(io.StringIO(response.body.decode("utf-8-sig"))))


def _count(rows, name):
    """The first number of the row named `name` (0 when there is none)."""
    for row in rows[1:]:
        if row and row[0] == name:
            return int(row[1])
    return 0


def test_statistics_after_n_requests_are_n(deployment):
    n = 40
    cookie, _ = deployment.login(d.client_address(3, 1))

    def counts():
        return (
            _count(_csv(deployment, cookie, "wms"), "GetCapabilities"),
            _count(_csv(deployment, cookie, "routen"), "/ows"),
        )

    before = counts()
    served = set()
    for i in range(n):
        response = deployment.request(
            "GET",
            "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities",
            source=d.client_address(3, 2 + i % 10),
        )
        assert response.status == 200
        served.add(response.upstream)
    assert served == {i.address for i in deployment.instances}, "both instances served"

    # Each instance writes its counts every second (NUMIS_STATS__FLUSH_SECONDS=1).
    expected = (before[0] + n, before[1] + n)
    deadline = time.monotonic() + 15
    while (now := counts()) != expected and time.monotonic() < deadline:
        time.sleep(0.5)
    assert now == expected, f"before {before}, after {n} requests {now}"
    time.sleep(2.5)
    assert counts() == expected, "nothing is counted twice"


def test_bodies_are_limited_as_numis_limits_them(deployment):
    source = d.client_address(4, 1)
    # Above numis's 5 MiB, below nginx's 6 MiB: numis answers, naming its limit.
    big = b"x" * (5 * 1024 * 1024 + 1000)
    response = deployment.request("POST", "/api/drawings", body=big, headers=GEOJSON, source=source)
    assert response.status == 413
    assert response.upstream, "numis answered, not nginx"
    assert "5242880" in response.text, response.text[:300]
    # Far beyond: nginx stops it before any instance sees it.
    huge = b"x" * (7 * 1024 * 1024)
    response = deployment.request(
        "POST", "/api/drawings", body=huge, headers=GEOJSON, source=source
    )
    assert response.status == 413
    assert not response.upstream, "nginx answered without asking an instance"


def test_an_instance_killed_during_a_burst_of_saves_loses_nothing_acknowledged_and_rejoins(
    deployment,
):
    a, b = deployment.instances
    lock = threading.Lock()
    # id -> {"key", "client", "acknowledged": version, "in_flight": version or None}
    known = {}
    acknowledged = [0]
    failures = []
    answered_by = {a.address: 0, b.address: 0}
    killed = threading.Event()
    after_kill = {a.address: 0, b.address: 0}

    def name(client, number, version):
        return f"client {client} drawing {number} version {version}"

    def save(client, number, version, method, path, headers):
        x = 9.7 + client * 0.01
        y = 52.3 + number * 0.01 + version * 0.001
        response = deployment.request(
            method,
            path,
            body=drawing(name(client, number, version), x, y),
            headers={**GEOJSON, **headers},
            source=d.client_address(5, client + 1),
        )
        with lock:
            if response.upstream in answered_by and response.status in (200, 201):
                answered_by[response.upstream] += 1
                if killed.is_set():
                    after_kill[response.upstream] += 1
        return response

    def client(c):
        for number in range(BURST_DRAWINGS):
            try:
                created = save(c, number, 0, "POST", "/api/drawings?title=Burst", {})
            except OSError as e:
                failures.append(f"create: {e}")
                continue
            if created.status != 201:
                failures.append(f"create: {created.status}")
                continue
            answer = created.json()
            with lock:
                known[answer["id"]] = {
                    "key": answer["edit_key"],
                    "client": c,
                    "number": number,
                    "acknowledged": 0,
                    "in_flight": None,
                }
                acknowledged[0] += 1
            path = f"/api/drawings/{answer['id']}"
            for version in range(1, VERSIONS + 1):
                with lock:
                    known[answer["id"]]["in_flight"] = version
                try:
                    changed = save(
                        c, number, version, "PUT", path,
                        {"Authorization": f"Bearer {answer['edit_key']}"},
                    )
                except OSError as e:
                    failures.append(f"change: {e}")
                    break
                if changed.status != 200:
                    failures.append(f"change: {changed.status}")
                    break
                with lock:
                    known[answer["id"]]["acknowledged"] = version
                    known[answer["id"]]["in_flight"] = None
                    acknowledged[0] += 1

    threads = [threading.Thread(target=client, args=(c,)) for c in range(BURST_CLIENTS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    while acknowledged[0] < KILL_AFTER and time.monotonic() < deadline:
        time.sleep(0.002)
    assert acknowledged[0] >= KILL_AFTER, f"the burst stalled at {acknowledged[0]} saves"
    a.kill()
    killed.set()
    for thread in threads:
        thread.join(timeout=180)
    total = BURST_CLIENTS * BURST_DRAWINGS * (VERSIONS + 1)
    # Shown with -s or when the test fails.
    print(
        f"burst: {acknowledged[0]} of {total} saves acknowledged, failed: {failures}, "
        f"answered by {answered_by}, after the kill {after_kill}"
    )

    # Failover: what was in flight on a may fail (at most one request per
    # client); everything after went to b.
    assert len(failures) <= BURST_CLIENTS, f"{len(failures)} failures: {failures[:5]}"
    assert answered_by[a.address] > 0, "a took part before the kill"
    assert after_kill[b.address] > 0, "b took over"
    assert after_kill[a.address] <= BURST_CLIENTS, (
        f"a answered {after_kill[a.address]} saves after its kill"
    )
    assert acknowledged[0] >= total - BURST_CLIENTS * (VERSIONS + 1), acknowledged[0]

    # Every acknowledged save is there: the acknowledged version, or the one
    # in flight when a died (it may have been committed before the answer
    # was lost).
    def check_all(read):
        for drawing_id, k in known.items():
            response = read(f"/api/drawings/{drawing_id}")
            assert response.status == 200, f"{drawing_id}: {response.status}"
            allowed = {name(k["client"], k["number"], k["acknowledged"])}
            if k["in_flight"] is not None:
                allowed.add(name(k["client"], k["number"], k["in_flight"]))
            assert names_of(response.body)[0] in allowed, (drawing_id, names_of(response.body), k)

    check_all(lambda path: deployment.request("GET", path))

    # a comes back on the same port and nginx sends it requests again
    # within fail_timeout (10 s in numis-upstream.conf).
    a.start()
    deadline = time.monotonic() + 20
    rejoined = False
    while time.monotonic() < deadline and not rejoined:
        rejoined = deployment.request("GET", "/healthz").upstream == a.address
        time.sleep(0.2)
    assert rejoined, "nginx sent nothing to the restarted instance within 20 s"
    # It reads what b saved while it was away.
    check_all(lambda path: deployment.toward(a, "GET", path))


def test_the_client_address_reaches_the_limits_and_no_file(deployment):
    # With the creation limit on (20 at once per client and instance),
    # one client behind nginx exhausts its own allowance, not another's:
    # numis tells them apart by nginx's X-Real-IP.
    greedy, other = d.client_address(6, 1), d.client_address(6, 2)
    statuses = []
    for i in range(2 * 20 + 2):
        response = deployment.request(
            "POST", "/api/drawings?title=Viel", body=drawing(f"viel {i}"), headers=GEOJSON,
            source=greedy,
        )
        statuses.append(response.status)
        if response.status == 429:
            assert response.headers.get("retry-after"), "429 says when to come back"
            break
    assert statuses[-1] == 429, f"no limit for one client: {statuses}"
    response = deployment.request(
        "POST", "/api/drawings?title=Andere", body=drawing("andere"), headers=GEOJSON,
        source=other,
    )
    assert response.status == 201, "another client behind the same nginx is not limited"

    # Every request of this module came from 127.77.x.y. None of these
    # addresses is in any file: nginx's prefix (configuration, error logs,
    # buffered bodies), the instances' data directories and logs, or the
    # database's schema.
    dump = os.path.join(deployment.root, "schema.sql")
    with open(dump, "wb") as f:
        subprocess.run(
            ["pg_dump", "--no-owner", "--schema", deployment.schema, deployment.url],
            stdout=f,
            check=True,
            timeout=120,
        )
    assert os.path.getsize(dump) > 0
    found = d.files_containing([deployment.root], d.CLIENT_PREFIX)
    assert not found, f"a client address reached {found}"
