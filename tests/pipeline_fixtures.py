"""Helpers shared by the pipeline and status tests (and the pipeline benchmark)."""
import sqlite3
import uuid

FIELDS = ["id", "first_name", "last_name", "gender", "address", "post_code", "email", "username",
          "dob", "registered_date", "phone", "picture"]


def names():
    """A fresh topic, its dead-letter topic and group, so tests share the broker but no data."""
    topic = f"users_{uuid.uuid4().hex[:8]}"
    return topic, topic + ".dlq", f"group_{topic}"


def summary(output) -> dict:
    """The key=value pairs of the last `userstream: …` summary line of a finished command
    (its stdout) or of captured text."""
    text = output if isinstance(output, str) else output.stdout.decode()
    line = [l for l in text.splitlines() if l.startswith("userstream: ")][-1]
    return dict(pair.split("=", 1) for pair in line.split() if "=" in pair)


def stored_count(db) -> int:
    """Rows in the SQLite sink at `db`; 0 before its table exists."""
    try:
        with sqlite3.connect(db) as connection:
            return connection.execute("SELECT COUNT(*) FROM created_users").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
