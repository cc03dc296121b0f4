"""A scripted schema registry peer: answers the part of Confluent Schema Registry's documented
REST API that `userstream setup --schema-registry` and `status` use, from an in-memory table. It
is not a registry: whether a new schema is compatible is scripted by the test (`compatible`), and
every request is recorded (`requests`). No real registry runs on the development machines.

Endpoints (as documented by Confluent): POST /subjects/{s} (look a schema up), GET
/subjects/{s}/versions/latest, POST /compatibility/subjects/{s}/versions/latest, POST
/subjects/{s}/versions (register; the same schema again returns its id), GET /subjects. Errors are
`{"error_code": N, "message": ...}` with 40401 subject not found, 40403 schema not found, 409
incompatible, 42201 invalid schema."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlparse

CONTENT_TYPE = "application/vnd.schemaregistry.v1+json"


class ScriptedSchemaRegistry:
    def __init__(self):
        self.subjects = {}        # subject → [(id, schema text, schemaType)], version n at index n-1
        self.next_id = 1
        self.compatible = True    # the verdict for a schema that differs from the latest version
        self.requests = []        # (method, path) in arrival order
        lock = threading.Lock()
        peer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self.answer(*peer.handle("GET", self.path, None))

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if self.headers.get("Content-Type", "").split(";")[0] not in (CONTENT_TYPE, "application/json"):
                    return self.answer(415, {"error_code": 415, "message": "Unsupported Media Type"})
                with lock:
                    self.answer(*peer.handle("POST", self.path, json.loads(body)))

            def answer(self, status, document):
                data = json.dumps(document).encode()
                self.send_response(status)
                self.send_header("Content-Type", CONTENT_TYPE)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def preload(self, subject, schema: str, schema_type="JSON"):
        """Puts a version under `subject` as if another client had registered it."""
        self.subjects.setdefault(subject, []).append((self.next_id, schema, schema_type))
        self.next_id += 1

    # The documented endpoints.

    def handle(self, method, raw_path, body):
        self.requests.append((method, urlparse(raw_path).path))
        parts = [unquote(p) for p in urlparse(raw_path).path.strip("/").split("/")]
        if method == "GET" and parts == ["subjects"]:
            return 200, sorted(self.subjects)
        if parts[:1] == ["subjects"] and len(parts) == 2 and method == "POST":
            return self.look_up(parts[1], body)
        if parts[:1] == ["subjects"] and parts[2:] == ["versions", "latest"] and method == "GET":
            return self.latest(parts[1])
        if parts[:2] == ["compatibility", "subjects"] and parts[3:] == ["versions", "latest"] and method == "POST":
            return self.check(parts[2], body)
        if parts[:1] == ["subjects"] and parts[2:] == ["versions"] and method == "POST":
            return self.register(parts[1], body)
        return 404, {"error_code": 404, "message": "HTTP 404 Not Found"}

    @staticmethod
    def same(a: str, b: str) -> bool:
        return json.loads(a) == json.loads(b)

    def invalid(self, body):
        if body.get("schemaType") != "JSON":
            return 422, {"error_code": 42201, "message": "Either the input schema or one of its references is invalid"}
        try:
            json.loads(body["schema"])
        except (KeyError, ValueError):
            return 422, {"error_code": 42201, "message": "Invalid schema"}
        return None

    def look_up(self, subject, body):
        if subject not in self.subjects:
            return 404, {"error_code": 40401, "message": f"Subject '{subject}' not found."}
        for version, (schema_id, schema, schema_type) in enumerate(self.subjects[subject], start=1):
            if schema_type == body.get("schemaType", "AVRO") and self.same(schema, body["schema"]):
                return 200, {"subject": subject, "id": schema_id, "version": version, "schema": schema,
                             "schemaType": schema_type}
        return 404, {"error_code": 40403, "message": "Schema not found"}

    def latest(self, subject):
        if not self.subjects.get(subject):
            return 404, {"error_code": 40401, "message": f"Subject '{subject}' not found."}
        schema_id, schema, schema_type = self.subjects[subject][-1]
        return 200, {"subject": subject, "id": schema_id, "version": len(self.subjects[subject]),
                     "schema": schema, "schemaType": schema_type}

    def check(self, subject, body):
        if error := self.invalid(body):
            return error
        if not self.subjects.get(subject):
            return 404, {"error_code": 40401, "message": f"Subject '{subject}' not found."}
        if self.same(self.subjects[subject][-1][1], body["schema"]) or self.compatible:
            return 200, {"is_compatible": True, "messages": []}
        return 200, {"is_compatible": False, "messages": [
            "{errorType:'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL', description:'scripted incompatibility'}"]}

    def register(self, subject, body):
        if error := self.invalid(body):
            return error
        found, existing = self.look_up(subject, body)
        if found == 200:
            return 200, {"id": existing["id"]}
        if self.subjects.get(subject) and not self.compatible:
            return 409, {"error_code": 409, "message": "Schema being registered is incompatible with an earlier schema "
                                                       f"for subject \"{subject}\""}
        self.preload(subject, body["schema"], body["schemaType"])
        return 200, {"id": self.next_id - 1}
