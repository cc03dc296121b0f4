"""A randomuser-compatible API that answers with the 200 real users recorded from randomuser.me
(../shared/data/randomuser-recorded/responses.json, read where it lies): each request gets the
next `results` users in recorded order, so `produce --count 200` publishes each of them once."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

RECORDED = Path(__file__).resolve().parents[2] / "shared" / "data" / "randomuser-recorded" / "responses.json"


def recorded_users() -> list:
    assert RECORDED.exists(), f"{RECORDED} is missing — the recorded users live next to the repository"
    return json.loads(RECORDED.read_text())["users"]


def answer(handler: BaseHTTPRequestHandler, status: int, body: bytes):
    """Sends `body` as a JSON answer with `status`."""
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class RecordedAPI:
    """Serves recorded_users() on a free loopback port; `url` is its address."""

    def __init__(self):
        users, lock, cursor = recorded_users(), threading.Lock(), [0]

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                query = parse_qs(urlparse(self.path).query)
                count = int(query.get("results", ["1"])[0])
                with lock:
                    start = cursor[0]
                    cursor[0] += count
                page = [users[(start + n) % len(users)] for n in range(count)]
                body = json.dumps({"results": page, "info": {"seed": "recorded", "results": count,
                                                             "page": 1, "version": "1.4"}}).encode()
                answer(self, 200, body)

            def log_message(self, *args):
                pass

        self.users = users
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class OneAnswerAPI:
    """Answers every GET with one status and body (bytes): an API that misbehaves or serves odd data."""

    def __init__(self, status: int, body: bytes):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                answer(self, status, body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/api/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
