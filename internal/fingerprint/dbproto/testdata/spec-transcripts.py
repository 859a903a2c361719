#!/usr/bin/env python3
"""Builds the transcripts of protocols whose servers Debian does not ship
(MongoDB, Kafka) from their specifications, independently of the Go code
under test. Run from this directory: python3 spec-transcripts.py

MongoDB: wire protocol OP_MSG (opcode 2013) and BSON 1.1 (bsonspec.org);
replies shaped like a MongoDB 7.0 standalone's isMaster and buildInfo.
Kafka: protocol guide, ApiVersions (key 18) v0 request and response;
API list shaped like a ZooKeeper-mode Kafka 3.x broker's.
"""
import struct

def cstr(s): return s.encode() + b"\0"

def bson(fields):
    body = b""
    for key, kind, value in fields:
        if kind == "double": body += b"\x01" + cstr(key) + struct.pack("<d", value)
        elif kind == "string": body += b"\x02" + cstr(key) + struct.pack("<i", len(value) + 1) + cstr(value)
        elif kind == "doc": body += b"\x03" + cstr(key) + value
        elif kind == "array": body += b"\x04" + cstr(key) + value
        elif kind == "objectid": body += b"\x07" + cstr(key) + value
        elif kind == "bool": body += b"\x08" + cstr(key) + (b"\x01" if value else b"\x00")
        elif kind == "datetime": body += b"\x09" + cstr(key) + struct.pack("<q", value)
        elif kind == "int32": body += b"\x10" + cstr(key) + struct.pack("<i", value)
        elif kind == "int64": body += b"\x12" + cstr(key) + struct.pack("<q", value)
        else: raise ValueError(kind)
    return struct.pack("<i", len(body) + 5) + body + b"\0"

def array(kind, values): return bson([(str(i), kind, v) for i, v in enumerate(values)])

def op_msg(request_id, response_to, doc):
    body = struct.pack("<I", 0) + b"\x00" + doc
    return struct.pack("<iiii", 16 + len(body), request_id, response_to, 2013) + body

def mongo_request(request_id, cmd):
    return op_msg(request_id, 0, bson([(cmd, "int32", 1), ("$db", "string", "admin")]))

HELLO_ID, BUILDINFO_ID = 0x70770001, 0x70770002

is_master = bson([
    ("topologyVersion", "doc", bson([("processId", "objectid", bytes(range(12))), ("counter", "int64", 0)])),
    ("ismaster", "bool", True),
    ("maxBsonObjectSize", "int32", 16777216),
    ("maxMessageSizeBytes", "int32", 48000000),
    ("maxWriteBatchSize", "int32", 100000),
    ("localTime", "datetime", 1767225600000),
    ("logicalSessionTimeoutMinutes", "int32", 30),
    ("connectionId", "int32", 7),
    ("minWireVersion", "int32", 0),
    ("maxWireVersion", "int32", 21),
    ("readOnly", "bool", False),
    ("ok", "double", 1.0),
])
build_info = bson([
    ("version", "string", "7.0.5"),
    ("gitVersion", "string", "0" * 40),
    ("modules", "array", array("string", [])),
    ("allocator", "string", "tcmalloc"),
    ("javascriptEngine", "string", "mozjs"),
    ("sysInfo", "string", "deprecated"),
    ("versionArray", "array", array("int32", [7, 0, 5, 0])),
    ("openssl", "doc", bson([("running", "string", "OpenSSL 3.0.2 15 Mar 2022"), ("compiled", "string", "OpenSSL 3.0.2 15 Mar 2022")])),
    ("buildEnvironment", "doc", bson([("distmod", "string", "ubuntu2204"), ("distarch", "string", "x86_64"), ("target_arch", "string", "x86_64")])),
    ("bits", "int32", 64),
    ("debug", "bool", False),
    ("maxBsonObjectSize", "int32", 16777216),
    ("storageEngines", "array", array("string", ["devnull", "wiredTiger"])),
    ("ok", "double", 1.0),
])
build_info_denied = bson([
    ("ok", "double", 0.0),
    ("errmsg", "string", "command buildInfo requires authentication"),
    ("code", "int32", 13),
    ("codeName", "string", "Unauthorized"),
])

def kafka_request():
    client = b"portwatch"
    body = struct.pack(">hhih", 18, 0, 0x70770018, len(client)) + client
    return struct.pack(">i", len(body)) + body

KAFKA_APIS = [(0, 9), (1, 15), (2, 8), (3, 12), (4, 7), (5, 4), (6, 8), (7, 3), (8, 8), (9, 8),
              (10, 4), (11, 9), (12, 4), (13, 5), (14, 5), (15, 5), (16, 4), (17, 1), (18, 3),
              (19, 7), (20, 6), (21, 2), (22, 4), (23, 4), (24, 4), (25, 3), (26, 3), (27, 1),
              (28, 3), (29, 3), (30, 3), (31, 3), (32, 4), (33, 2), (34, 2), (35, 4), (36, 2),
              (37, 3), (38, 3), (39, 2), (40, 2), (41, 3), (42, 2), (43, 2), (44, 1), (45, 0),
              (46, 0), (47, 0), (48, 1), (49, 1), (50, 0), (51, 0), (56, 3), (57, 1), (58, 0),
              (60, 0), (61, 0), (65, 0), (66, 0), (67, 0)]

def kafka_response():
    body = struct.pack(">ihi", 0x70770018, 0, len(KAFKA_APIS))
    for key, hi in KAFKA_APIS:
        body += struct.pack(">hhh", key, 0, hi)
    return struct.pack(">i", len(body)) + body

def write(name, notes, steps):
    with open(name, "w") as f:
        for n in notes:
            f.write("# " + n + "\n")
        f.write("# Built by spec-transcripts.py from the protocol specification, not recorded. C: client bytes, S: server bytes (hex).\n")
        for who, data in steps:
            f.write(who + " " + data.hex() + "\n")

write("mongodb-7.0.5-spec.transcript", ["MongoDB 7.0.5 standalone (constructed: no MongoDB server in Debian)"], [
    ("C", mongo_request(HELLO_ID, "isMaster")), ("S", op_msg(0x1001, HELLO_ID, is_master)),
    ("C", mongo_request(BUILDINFO_ID, "buildInfo")), ("S", op_msg(0x1002, BUILDINFO_ID, build_info)),
])
write("mongodb-7.0-buildinfo-denied-spec.transcript", ["MongoDB 7.0 that refuses buildInfo before login (constructed)"], [
    ("C", mongo_request(HELLO_ID, "isMaster")), ("S", op_msg(0x1001, HELLO_ID, is_master)),
    ("C", mongo_request(BUILDINFO_ID, "buildInfo")), ("S", op_msg(0x1002, BUILDINFO_ID, build_info_denied)),
])
write("kafka-3-spec.transcript", ["Apache Kafka 3.x broker in ZooKeeper mode (constructed: no Kafka in Debian)"], [
    ("C", kafka_request()), ("S", kafka_response()),
])
