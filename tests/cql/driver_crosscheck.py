#!/usr/bin/env python3
"""Cross-check for the Swift CQL module against the DataStax Python driver (cassandra-driver).

This uses the driver's own protocol message classes, type serializers and frame/segment
codecs; it never talks to a server.

  driver_crosscheck.py encode   prints JSON {name: hex} for a fixed list of request frames,
                                serialized values and v5 segments.
  driver_crosscheck.py decode   reads JSON [{"name", "version", "hex"}] of whole response frames
                                on stdin and prints JSON {name: canonical decoded form}.

The Swift test CQLTests/PythonDriverCrossCheckTests builds the same requests and frames and
compares bytes and decoded values. Keep both lists in step.
"""
import calendar
import datetime
import decimal
import io
import json
import sys
import uuid

try:
    import cassandra  # noqa: F401
except ImportError:
    sys.exit("cassandra-driver is not installed for %s — run scripts/setup.sh (it installs tests/requirements.txt into .venv)"
             % sys.executable)

from cassandra import ConsistencyLevel, WriteType
from cassandra import cqltypes as t
from cassandra import util
from cassandra.protocol import (AuthResponseMessage, BatchMessage, ExecuteMessage, OptionsMessage,
                                PrepareMessage, ProtocolHandler, QueryMessage, StartupMessage,
                                _ProtocolHandler)
from cassandra.query import BatchType
from cassandra.segment import SegmentCodec

V4, V5 = 4, 5
USER_ID = uuid.UUID("3f2504e0-4f89-11d3-9a0c-0305e82c3301")


def frame(msg, stream, version):
    return ProtocolHandler.encode_message(msg, stream, version, None, False)


def ser(cqltype, value, version=V4):
    return cqltype.serialize(value, version)


def ts(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)


def values():
    """Serialized values, name -> (cql type, python value). Mirrored in the Swift test."""
    ListText = t.ListType.apply_parameters([t.UTF8Type])
    SetInt = t.SetType.apply_parameters([t.Int32Type])
    MapTextInt = t.MapType.apply_parameters([t.UTF8Type, t.Int32Type])
    TupleIntText = t.TupleType.apply_parameters([t.Int32Type, t.UTF8Type])
    return {
        "ascii": (t.AsciiType, "hello"),
        "text": (t.UTF8Type, "Zoë Ångström"),
        "uuid": (t.UUIDType, USER_ID),
        "timeuuid": (t.TimeUUIDType, uuid.UUID("d2177dd0-eaa2-11de-a572-001b779c76e3")),
        "int": (t.Int32Type, -123456),
        "bigint": (t.LongType, 9007199254740993),
        "smallint": (t.ShortType, -300),
        "tinyint": (t.ByteType, -7),
        "boolean_true": (t.BooleanType, True),
        "boolean_false": (t.BooleanType, False),
        "float": (t.FloatType, 1.5),
        "double": (t.DoubleType, -2.25),
        "timestamp": (t.DateType, ts("1990-05-01T12:00:00.000")),
        "timestamp_before_epoch": (t.DateType, ts("1969-12-31T23:59:59.999")),
        "date": (t.SimpleDateType, util.Date(datetime.date(1990, 5, 1))),
        "date_before_epoch": (t.SimpleDateType, util.Date(datetime.date(1900, 1, 1))),
        "time": (t.TimeType, util.Time(datetime.time(12, 30, 15, 250000))),
        "blob": (t.BytesType, b"\x00\x01\xfe\xff"),
        "inet4": (t.InetAddressType, "192.168.1.20"),
        "inet6": (t.InetAddressType, "2001:db8::1"),
        "varint_0": (t.IntegerType, 0),
        "varint_127": (t.IntegerType, 127),
        "varint_128": (t.IntegerType, 128),
        "varint_m1": (t.IntegerType, -1),
        "varint_m128": (t.IntegerType, -128),
        "varint_m129": (t.IntegerType, -129),
        "varint_big": (t.IntegerType, 123456789012345678901234567890),
        "varint_big_negative": (t.IntegerType, -98765432109876543210987654321),
        "decimal": (t.DecimalType, decimal.Decimal("123.45")),
        "decimal_negative_small": (t.DecimalType, decimal.Decimal("-0.001")),
        "decimal_big": (t.DecimalType, decimal.Decimal("12345678901234567890.123456789")),
        "list_text": (ListText, ["a", "bc", ""]),
        "set_int": (SetInt, util.SortedSet([1, 2, 3])),
        "map_text_int": (MapTextInt, util.OrderedMap([("one", 1), ("two", 2)])),
        "tuple_int_text": (TupleIntText, (7, "seven")),
    }


def requests():
    """Request frames, name -> bytes. Mirrored in the Swift test."""
    out = {}
    out["options_v4"] = frame(OptionsMessage(), 0, V4)
    out["startup_v4"] = frame(StartupMessage("3.0.0", {"CQL_VERSION": "3.0.0", "DRIVER_NAME": "userstream CQL"}), 0, V4)
    out["startup_v5"] = frame(StartupMessage("3.0.0", {"CQL_VERSION": "3.0.0", "DRIVER_NAME": "userstream CQL"}), 0, V5)
    out["auth_response_v4"] = frame(AuthResponseMessage(b"\x00cassandra\x00s3cret"), 0, V4)

    q = QueryMessage("SELECT * FROM spark_streams.created_users WHERE id = ?", ConsistencyLevel.LOCAL_ONE,
                     serial_consistency_level=ConsistencyLevel.LOCAL_SERIAL, fetch_size=100,
                     paging_state=b"\x01\x02\x03", timestamp=1700000000000000)
    q.query_params = [ser(t.UUIDType, USER_ID)]
    out["query_values_v4"] = frame(q, 7, V4)
    q5 = QueryMessage("SELECT * FROM spark_streams.created_users WHERE id = ?", ConsistencyLevel.LOCAL_ONE,
                      serial_consistency_level=ConsistencyLevel.LOCAL_SERIAL, fetch_size=100,
                      paging_state=b"\x01\x02\x03", timestamp=1700000000000000)
    q5.query_params = [ser(t.UUIDType, USER_ID)]
    out["query_values_v5"] = frame(q5, 7, V5)
    out["query_plain_v4"] = frame(QueryMessage("SELECT release_version FROM system.local", ConsistencyLevel.ONE), 1, V4)

    insert = "INSERT INTO spark_streams.created_users (id, first_name, dob) VALUES (?, ?, ?)"
    out["prepare_v4"] = frame(PrepareMessage(insert), 3, V4)
    out["prepare_v5"] = frame(PrepareMessage(insert), 3, V5)

    # ExecuteMessage ignores skip_meta (it never sets the Skip_metadata flag), so it is not used here.
    params = [ser(t.UUIDType, USER_ID), ser(t.UTF8Type, "Ada"), ser(t.DateType, ts("1990-05-01T12:00:00.000")), None]
    out["execute_v4"] = frame(ExecuteMessage(b"\xca\xfe\xba\xbe", params, ConsistencyLevel.QUORUM), 300, V4)
    out["execute_v5"] = frame(ExecuteMessage(b"\xca\xfe\xba\xbe", params, ConsistencyLevel.QUORUM,
                                             result_metadata_id=b"\x0b\x0c"), 300, V5)
    out["execute_paged_v4"] = frame(ExecuteMessage(b"\x01", [], ConsistencyLevel.LOCAL_QUORUM, fetch_size=2,
                                                   paging_state=b"\xaa\xbb"), 32767, V4)

    statements = [
        (False, "INSERT INTO ks.t (k, v) VALUES (?, ?)", [ser(t.Int32Type, 1), ser(t.UTF8Type, "one")]),
        (True, b"\xca\xfe", [ser(t.UUIDType, USER_ID), None]),
    ]
    out["batch_unlogged_v4"] = frame(BatchMessage(BatchType.UNLOGGED, statements, ConsistencyLevel.LOCAL_ONE), 9, V4)
    out["batch_logged_v4"] = frame(BatchMessage(BatchType.LOGGED, statements, ConsistencyLevel.QUORUM,
                                                serial_consistency_level=ConsistencyLevel.SERIAL,
                                                timestamp=1700000000000001), 10, V4)
    out["batch_counter_v5"] = frame(BatchMessage(BatchType.COUNTER,
                                                 [(False, "UPDATE ks.c SET n = n + 1 WHERE k = 1", [])],
                                                 ConsistencyLevel.ONE), 11, V5)
    return out


def segments():
    """v5 segments around given payloads, name -> bytes. Mirrored in the Swift test."""
    codec = SegmentCodec()
    out = {}
    for name, payload in [("segment_empty", b""),
                          ("segment_options", frame(OptionsMessage(), 0, V5)),
                          ("segment_large", bytes(i % 251 for i in range(200000)))]:
        buffer = io.BytesIO()
        codec.encode(buffer, payload)
        out[name] = buffer.getvalue()
    return out


def encode():
    out = {name: ser(cqltype, value).hex() for name, (cqltype, value) in values().items()}
    out = {"value_" + k: v for k, v in out.items()}
    out.update({k: v.hex() for k, v in requests().items()})
    out.update({k: v.hex() for k, v in segments().items()})
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


# ---- decoding ----

def canon(value):
    """A canonical text form of a decoded value; CQLTests computes the same from CQLValue."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime.datetime):
        return "ts:%d" % (calendar.timegm(value.utctimetuple()) * 1000 + value.microsecond // 1000)
    if isinstance(value, util.Date):
        return "date:%d" % value.days_from_epoch
    if isinstance(value, util.Time):
        return "time:%d" % value.nanosecond_time
    if isinstance(value, decimal.Decimal):
        sign, digits, exponent = value.as_tuple()
        unscaled = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
        return "dec:%d:%d" % (unscaled, -exponent)
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    if isinstance(value, (util.OrderedMap, util.OrderedMapSerializedKey, dict)):
        return "{" + ",".join("%s:%s" % (canon(k), canon(v)) for k, v in value.items()) + "}"
    if isinstance(value, tuple):
        return "(" + ",".join(canon(v) for v in value) + ")"
    if isinstance(value, (list, util.SortedSet, set)):
        return "[" + ",".join(canon(v) for v in value) + "]"
    return "?" + repr(value)


def type_name(cqltype):
    name = cqltype.cql_parameterized_type()
    name = name.replace("varchar", "text")
    if name.startswith("frozen<") and name.endswith(">"):
        name = name[len("frozen<"):-1]
    return name


def error_info(msg):
    info = msg.info
    if not isinstance(info, dict):
        return "" if info is None else canon(info)
    parts = []
    for key in sorted(info):
        value = info[key]
        if key == "write_type":
            value = WriteType.value_to_name[value]
        if key == "error_code_map":
            value = None if value is None else ",".join("%s=%d" % (k, v) for k, v in sorted(value.items()))
        if isinstance(value, list):
            value = ",".join(value)
        parts.append("%s=%s" % (key, canon(value)))
    return " ".join(parts)


def decode_one(version, data):
    header_len = 9
    flags, stream, opcode = data[1], int.from_bytes(data[2:4], "big", signed=True), data[4]
    body = data[header_len:]
    msg = _ProtocolHandler.decode_message(version, {}, stream, flags, opcode, body, None, None)
    out = {"stream": stream, "opcode": opcode}
    name = type(msg).__name__
    if opcode == 0x00:
        out.update(kind="error", code=msg.code, message=msg.message, info=error_info(msg))
    elif opcode == 0x08:
        out["kind"] = {1: "void", 2: "rows", 3: "set_keyspace", 4: "prepared", 5: "schema_change"}[msg.kind]
        if msg.kind == 2:
            out["columns"] = list(msg.column_names)
            out["types"] = [type_name(c) for c in msg.column_types]
            out["rows"] = [[canon(v) for v in row] for row in msg.parsed_rows]
            out["paging_state"] = None if msg.paging_state is None else msg.paging_state.hex()
        elif msg.kind == 3:
            out["keyspace"] = msg.new_keyspace
        elif msg.kind == 4:
            out["id"] = msg.query_id.hex()
            out["result_metadata_id"] = None if msg.result_metadata_id is None else msg.result_metadata_id.hex()
            out["bind_names"] = [c[2] for c in msg.bind_metadata]
            out["bind_types"] = [type_name(c[3]) for c in msg.bind_metadata]
            out["pk_indexes"] = list(msg.pk_indexes or [])
            out["result_columns"] = [c[2] for c in (msg.column_metadata or [])]
        elif msg.kind == 5:
            event = msg.schema_change_event
            out["schema_change"] = "%s %s %s %s" % (event["change_type"], event["target_type"], event["keyspace"],
                                                   event.get(event["target_type"].lower(), ""))
    else:
        out["kind"] = name
    return out


def decode():
    frames = json.load(sys.stdin)
    out = {f["name"]: decode_one(f["version"], bytes.fromhex(f["hex"])) for f in frames}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    {"encode": encode, "decode": decode}[sys.argv[1]]()
