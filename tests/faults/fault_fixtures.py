"""What the fault tests add to tests/processes.py: moto's S3 server (for a Tansu whose records
survive a restart), a recording front for the stand-in API (so the history checker knows every
user the API served), a fresh topic and sink per run, and `userstream verify` beside the checker."""
from __future__ import annotations

import http.client
import http.server
import json
import sqlite3
import subprocess
import tempfile
import threading
import uuid
from pathlib import Path

from pipeline_fixtures import names, summary
from processes import ROOT, Userstream, give_to_run_as


# ---- S3 ----

class S3Server:
    """moto's S3 server, started by scripts/s3.sh."""

    def __init__(self):
        out = subprocess.run([str(ROOT / "scripts" / "s3.sh"), "start"], check=True, capture_output=True, text=True).stdout.split()
        self.endpoint, self.pid = out[0], out[1]
        self.env = {"AWS_ENDPOINT": self.endpoint, "AWS_ALLOW_HTTP": "true", "AWS_ACCESS_KEY_ID": "userstream",
                    "AWS_SECRET_ACCESS_KEY": "userstream-test", "AWS_DEFAULT_REGION": "us-east-1"}

    def bucket(self) -> str:
        import boto3
        name = f"tansu-{uuid.uuid4().hex[:12]}"
        boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id="userstream",
                     aws_secret_access_key="userstream-test").create_bucket(Bucket=name)
        return name

    def stop(self):
        subprocess.run([str(ROOT / "scripts" / "s3.sh"), "stop", self.pid], check=False)


# ---- the API, recorded ----

class RecordingAPI:
    """A front for the stand-in API that forwards every request and records the ids of the users
    in each answer that reached the client whole: what the API served, for the history checker."""

    def __init__(self, upstream: str):
        self.upstream = upstream.split("//", 1)[1].split("/", 1)[0]
        self.served: set[str] = set()
        self.lock = threading.Lock()
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                connection = http.client.HTTPConnection(front.upstream, timeout=60)
                try:
                    connection.request("GET", self.path)
                    response = connection.getresponse()
                    body = response.read()
                finally:
                    connection.close()
                self.send_response(response.status)
                for name, value in response.getheaders():
                    if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                    self.wfile.flush()
                except OSError:
                    return
                try:
                    ids = [r["login"]["uuid"] for r in json.loads(body).get("results", [])]
                except (ValueError, KeyError, TypeError, AttributeError):
                    ids = []
                with front.lock:
                    front.served.update(ids)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/api/"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# ---- userstream runs ----

def set_up_run(us: Userstream, tmp_path):
    """A new 3-partition topic and a SQLite sink under tmp_path, made by `userstream setup`:
    (topic, dlq, group, db, sink)."""
    topic, dlq, group = names()
    db = tmp_path / "users.db"
    sink = f"sqlite:{db}"
    us.run("setup", "--topic", topic, "--partitions", "3", "--sink", sink)
    return topic, dlq, group, db, sink


def assert_verified(us: Userstream, topic: str, dlq: str, db, also=()) -> dict:
    """`userstream verify`, beside the history checker: every id's latest valid record is in the
    sink as the topic holds it, or dead-lettered — missing=0, different=0, exit 0. With `also`,
    the sink is the union of several databases (replicas that each wrote their own), copied into one."""
    if also:
        db = union_of(db, *also)
    result = us.run("verify", "--topic", topic, "--dlq-topic", dlq, "--sink", f"sqlite:{db}", check=False)
    figures = summary(result)
    said = result.stdout.decode(errors="replace")[-3000:] + result.stderr.decode(errors="replace")[-2000:]
    assert (figures.get("missing"), figures.get("different"), result.returncode) == ("0", "0", 0), said
    return figures


def union_of(*dbs) -> Path:
    """A new SQLite sink holding the rows of every database in `dbs` (the first one's row wins)."""
    directory = Path(tempfile.mkdtemp(prefix="userstream-union-"))
    give_to_run_as(directory)
    union = directory / "users.db"
    with sqlite3.connect(f"file:{dbs[0]}?mode=ro", uri=True) as first, sqlite3.connect(union) as target:
        first.backup(target)
    with sqlite3.connect(union) as target:
        for other in dbs[1:]:
            target.execute("ATTACH DATABASE ? AS other", (f"file:{other}?mode=ro",))
            target.execute("INSERT OR IGNORE INTO created_users SELECT * FROM other.created_users")
            target.commit()
            target.execute("DETACH DATABASE other")
    give_to_run_as(union)
    return union
