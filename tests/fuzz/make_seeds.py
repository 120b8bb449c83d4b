#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

The corpora are committed; run this again only to change them:

    python3 tests/fuzz/make_seeds.py

It rewrites the seeds it knows; files named found_* are inputs the fuzzers
found (kept as regression seeds) and are left alone.

Gob streams are built by a small gob writer checked against the bytes Go
1.19 sends (NETRPC.md); the JSON, HTTP and TOML seeds are written out.
"""
import os
import pathlib
import struct

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"


# ---- gob ----------------------------------------------------------------------

def uint(u):
    if u < 128:
        return bytes([u])
    b = u.to_bytes((u.bit_length() + 7) // 8, "big")
    return bytes([256 - len(b)]) + b


def sint(i):
    return uint(i << 1 if i >= 0 else ((~i) << 1) | 1)


def string(s):
    b = s.encode() if isinstance(s, str) else s
    return uint(len(b)) + b


def float64(f):
    bits = struct.unpack("<Q", struct.pack("<d", f))[0]
    return uint(int.from_bytes(bits.to_bytes(8, "little"), "big"))


def message(payload):
    return uint(len(payload)) + payload


def struct_fields(fields):
    """(field number, encoded value) pairs -> delta-encoded struct, ended by 00."""
    out, last = b"", -1
    for n, v in fields:
        out += uint(n - last) + v
        last = n
    return out + b"\x00"


def common(name, tid):
    return struct_fields(([(0, string(name))] if name else []) + [(1, sint(tid))])


def define_struct(tid, name, fields):
    """fields: (name, type id)."""
    body = uint(len(fields)) + b"".join(struct_fields([(0, string(f)), (1, sint(t))]) for f, t in fields)
    wire = struct_fields([(2, struct_fields([(0, common(name, tid)), (1, body)]))])
    return message(sint(-tid) + wire)


def define_slice(tid, name, elem):
    wire = struct_fields([(1, struct_fields([(0, common(name, tid)), (1, sint(elem))]))])
    return message(sint(-tid) + wire)


def define_map(tid, name, key, elem):
    wire = struct_fields([(3, struct_fields([(0, common(name, tid)), (1, sint(key)), (2, sint(elem))]))])
    return message(sint(-tid) + wire)


def value(tid, fields):
    return message(sint(tid) + struct_fields(fields))


BOOL, INT, UINT, FLOAT, BYTES, STRING = 1, 2, 3, 4, 5, 6
REQUEST_DEF = define_struct(65, "Request", [("ServiceMethod", STRING), ("Seq", UINT)])
ARGS_DEF = define_struct(66, "Args", [("A", INT), ("B", INT)])


def header(method, seq, define=False):
    fields = [(0, string(method))] + ([(1, uint(seq))] if seq else [])
    return (REQUEST_DEF if define else b"") + value(65, fields)


def args(a, b, define=False):
    fields = ([(0, sint(a))] if a else []) + ([(1, sint(b))] if b else [])
    return (ARGS_DEF if define else b"") + value(66, fields)


def hexbytes(text):
    """NETRPC.md notation: hex bytes and "quoted text"."""
    out, i = b"", 0
    while i < len(text):
        c = text[i]
        if c.isspace():
            i += 1
        elif c == '"':
            j = text.index('"', i + 1)
            out += text[i + 1:j].encode()
            i = j + 1
        else:
            out += bytes([int(text[i:i + 2], 16)])
            i += 2
    return out


GO_FIRST_CALL = hexbytes('''
2f ff81 03 01 01 07 "Request" 01 ff82 00 01 02 01 0d "ServiceMethod" 01 0c 00 01 03 "Seq" 01 06 00 00 00
13 ff82 01 0e "Arith.Multiply" 00
1e ff83 03 01 01 04 "Args" 01 ff84 00 01 02 01 01 "A" 01 04 00 01 01 "B" 01 04 00 00 00
07 ff84 01 0e 01 10 00''')
GO_SECOND_CALL = hexbytes('15 ff82 01 0e "Arith.Multiply" 01 01 00 07 ff84 01 0e 01 10 00')

assert header("Arith.Multiply", 0, True) + args(7, 8, True) == GO_FIRST_CALL, "the gob writer differs from Go"
assert header("Arith.Multiply", 1) + args(7, 8) == GO_SECOND_CALL


def kitchen_call(seq):
    """Kitchen.Echo with a struct of scalars, a slice, a map and a nested struct."""
    defs = (define_struct(67, "Everything", [("Flag", BOOL), ("I64", INT), ("U64", UINT), ("F64", FLOAT),
                                             ("Text", STRING), ("Bytes", BYTES), ("Ints", 68), ("Counts", 69),
                                             ("Origin", 70), ("Path", 71)])
            + define_slice(68, "[]int", INT)
            + define_map(69, "map[string]int", STRING, INT)
            + define_struct(70, "Point", [("X", INT), ("Y", INT), ("Label", STRING)])
            + define_slice(71, "[]main.Point", 70))
    point = struct_fields([(0, sint(3)), (1, sint(-4)), (2, string("p"))])
    v = value(67, [(0, uint(1)), (1, sint(-129)), (2, uint(1 << 40)), (3, float64(17.0)),
                   (4, string("h\u00e9llo")), (5, string(b"\x00\xff")),
                   (6, uint(3) + sint(1) + sint(-2) + sint(3)),
                   (7, uint(2) + string("a") + sint(1) + string("b") + sint(2)),
                   (8, point), (9, uint(2) + point + struct_fields([]))])
    return header("Kitchen.Echo", seq, True) + defs + v


GOB = {
    "go_first_call": GO_FIRST_CALL,
    "go_two_calls": GO_FIRST_CALL + GO_SECOND_CALL,
    "divide": header("Arith.Divide", 0, True) + args(17, 8, True) + header("Arith.Divide", 1) + args(1, 0),
    "unknown_method": header("Arith.Nope", 2, True) + args(7, 8, True),
    "ill_formed": header("NoDot", 0, True) + args(1, 1, True),
    "wrong_field_type": header("Arith.Multiply", 0, True)
    + define_struct(66, "Args", [("A", UINT), ("B", INT)]) + value(66, [(0, uint(7)), (1, sint(8))]),
    "kitchen": kitchen_call(0),
    "echo_int": header("Echo.Int", 3, True) + message(sint(2) + b"\x00" + sint(-5)),
    "echo_string": header("Echo.String", 4, True) + message(sint(6) + b"\x00" + string("gob")),
    "truncated": GO_FIRST_CALL[:40],
    "length_2_62": bytes.fromhex("f8 40 00 00 00 00 00 00 00"),
    # A Request header's payload alone, as the short way's check reads its
    # input (read_plain_request_header): field 0, the name, field 1, Seq, end.
    "plain_header": b"\x01" + string("Arith.Multiply") + b"\x01" + uint(300) + b"\x00",
}


# ---- JSON-RPC -----------------------------------------------------------------------

EVERYTHING = ('{"Flag":true,"I8":-8,"I16":300,"I32":-70000,"I64":-9000000000,"U8":255,"U16":65535,'
              '"U32":4000000000,"U64":18446744073709551615,"F32":1.5,"F64":-2.25e10,"Text":"h\\u00e9llo",'
              '"Bytes":"AP8=","Ints":[1,-2,3],"Uints":[0,1],"Strings":["a",""],"Floats32":[0.5],'
              '"Triple":[1,2,3],"Quad":[1,2,3,4],"Counts":{"a":1},"Names":{"-1":"minus"},"Flags":{"7":true},'
              '"Groups":{"g":["x","y"]},"Matrix":[[1],[2,3]],"Origin":{"X":1,"Y":2,"Label":"o"},'
              '"Path":[{"X":3}],"Places":{"home":{"X":0,"Y":0,"Label":"h"}}}')

JSON = {
    "go_multiply": '{"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":1}\n',
    "go_two_back_to_back": '{"method":"Arith.Multiply","params":[{"A":7,"B":8}],"id":1}'
    '{"method":"Arith.Divide","params":[{"A":17,"B":8}],"id":2}',
    "go_divide_by_zero": '{"method":"Arith.Divide","params":[{"A":1,"B":0}],"id":3}\n',
    "go_missing_params": '{"method":"Arith.Multiply","id":4}\n',
    "v2_named": '{"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":7,"B":8},"id":1}\n',
    "v2_positional": '{"jsonrpc":"2.0","method":"Arith.Multiply","params":[7,8],"id":"a"}\n',
    "v2_notification": '{"jsonrpc":"2.0","method":"Arith.Multiply","params":[1,2]}\n',
    "v2_batch": '[{"jsonrpc":"2.0","method":"Arith.Multiply","params":[2,3],"id":1},'
    '{"jsonrpc":"2.0","method":"Arith.Divide","params":{"A":1,"B":0},"id":2},'
    '{"jsonrpc":"2.0","method":"Arith.Nope","id":3},{"jsonrpc":"2.0","method":"Echo.Int","params":[5]},'
    '{"foo":1},1]\n',
    "v2_empty_batch": '[]\n',
    "v2_kitchen": '{"jsonrpc":"2.0","method":"Kitchen.Echo","params":' + EVERYTHING + ',"id":9}\n',
    "go_kitchen": '{"method":"Kitchen.Echo","params":[' + EVERYTHING + '],"id":10}\n',
    "v2_echo": '{"jsonrpc":"2.0","method":"Echo.String","params":["\\ud83d\\ude00 \\"q\\""],"id":null}'
    '{"jsonrpc":"2.0","method":"Echo.Bytes","params":["aGk="],"id":2}'
    '{"jsonrpc":"2.0","method":"Echo.Floats","params":[[1.5,-0.0,1e308]],"id":3}\n',
    "v2_discover": '{"jsonrpc":"2.0","method":"rpc.discover","id":1}\n',
    "v2_wrong_types": '{"jsonrpc":"2.0","method":"Arith.Multiply","params":{"A":"7","B":1.5},"id":1e400}\n',
    # Found by this fuzzer: 1e400 parses as infinity, which was echoed as
    # the invalid JSON text Infinity (tests/unit/jsonrpc_nonfinite_test.cpp).
    "v2_infinite_id": '{"jsonrpc":"2.0","method":"Arith.Multiply","params":[1,2],"id":1e400}'
    '{"method":"Arith.Multiply","params":[{"A":1,"B":2}],"id":-1e400}\n',
    "v2_infinite_param": '{"jsonrpc":"2.0","method":"Echo.Floats","params":[[1e400,-1e400]],"id":1}\n',
    "v2_huge_ids": '{"jsonrpc":"2.0","method":"Arith.Multiply","params":[1,2],"id":1180591620717411303424}'
    '{"jsonrpc":"2.0","method":"Arith.Multiply","params":[1,2],"id":-1.5e-300}\n',
    "v2_bad_version": '{"jsonrpc":"1.0","method":"Arith.Multiply","params":[1,2],"id":1}\n',
    "invalid_json": '{"jsonrpc":"2.0","method":"Arith.Multiply","params":[1,2,"id":1}\n',
    "whitespace_between": '  \r\n\t{"method":"Echo.Int","params":[1],"id":0}  \n\n{"method":"Echo.Int","params":[2],"id":1}',
    "invalid_utf8": b'{"jsonrpc":"2.0","method":"Echo.String","params":["\xc3\x28\xff"],"id":1}\n',
    # Read as Go reads them (U+FFFD), ids echoed with their bytes.
    "go_invalid_utf8": b'{"method":"Echo.String","params":["a\xe2\x82\\udc80\\ud800\\u0041"],"id":"\xff\\ud800"}\n'
                       b'{"method":"Kitchen.Echo","params":[{"Text":"\xed\xa0\x80","\xc0\x80":1}],"id":[ "<\xfe>" ]}\n'
                       b'[{"jsonrpc":"2.0","method":"Echo.\xff","id":"\\udc80"},{"jsonrpc":"2.0","method":"Echo.String","params":["\\ud800x"],"id":2}]\n',
    "nested": '{"jsonrpc":"2.0","method":"Echo.Int","params":' + '[' * 70 + ']' * 70 + ',"id":1}\n',
    # Arguments the short way reads (server/jsonrpc/plain_args.hpp), alone as the
    # check of it reads its input, and in calls with a field left out.
    "plain_args": ' { "B" : -8 , "A":7, "I8":-128,"U16":65535,"Flag":true,"Name":"n m" }\n',
    "plain_args_calls": '{"jsonrpc":"2.0","method":"Arith.Divide","params":{"B":3},"id":1}'
    '{"method":"Arith.Multiply","params":[ {"B":-2,"A":9} ],"id":2}\n',
}


# ---- HTTP and the sniffer -----------------------------------------------------------

def post(body, path="/_goRPC_", extra=""):
    return ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n%sContent-Length: %d\r\n\r\n%s"
            % (path, extra, len(body.encode()), body))


def get(path, accept="*/*", version="1.1"):
    return "GET %s HTTP/%s\r\nHost: 127.0.0.1\r\nAccept: %s\r\n\r\n" % (path, version, accept)


FRONT = {
    "post_v2": post(JSON["v2_named"]),
    "post_keep_alive": post(JSON["v2_named"]) + post(JSON["v2_batch"]) + post(JSON["v2_notification"]),
    "post_go": post(JSON["go_multiply"]),
    "post_chunked": "POST /_goRPC_ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    "10\r\n{\"jsonrpc\":\"2.0\"\r\n2c\r\n,\"method\":\"Arith.Multiply\",\"params\":[2,3],\"id\":7}\r\n0\r\n\r\n",
    "post_expect": post(JSON["v2_positional"], extra="Expect: 100-continue\r\nConnection: close\r\n"),
    "get_debug_text": get("/debug/rpc"),
    "get_debug_html": get("/debug/rpc", "text/html"),
    "get_debug_json": get("/debug/rpc?format=json", "*/*", "1.0"),
    "get_metrics_openrpc_healthz": get("/metrics") + get("/openrpc.json") + get("/healthz"),
    "head_healthz": "HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "put_rpc_path": "PUT /_goRPC_ HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}",
    "not_found": "DELETE /nope HTTP/1.1\r\n\r\n",
    "bad_request": "GET / HTTP/9.9\r\n\r\n",
    "huge_header": "GET /healthz HTTP/1.1\r\nX-Big: " + "a" * 3000 + "\r\n\r\n",
    "connect_go": b"CONNECT /_goRPC_ HTTP/1.0\n\n" + GO_FIRST_CALL + GO_SECOND_CALL,
    "connect_crlf": b"CONNECT /_goRPC_ HTTP/1.1\r\nHost: x\r\n\r\n" + GO_FIRST_CALL,
    "connect_wrong_path": "CONNECT /elsewhere HTTP/1.0\n\n",
    "connect_malformed": "CONNECT \n\n",
    "gob_stream": GO_FIRST_CALL + GO_SECOND_CALL,
    "json_stream": JSON["go_two_back_to_back"] + JSON["v2_batch"],
    "json_leading_space": " " + JSON["v2_named"],
    "method_prefix_then_gob": b"POS\x01\x02",
}


# ---- config -------------------------------------------------------------------------------

CONFIG = {
    "every_key.toml": '''
[server]
listen = ["tcp://0.0.0.0:8080", "unix:///run/plugrpcd.sock", "tcp://[::1]:9000", "127.0.0.1:0"]
rpc_path = "/rpc"
debug_path = "/debug"
threads = 8
blocking_threads = 16
drain_timeout = "30s"

[plugins]
dirs = ["/opt/a", "/opt/b"]
watch = false
strict_permissions = false

[http]
admin_allow = ["10.0.0.0/8", "::1/128", "192.168.1.7"]

[log]
level = "debug"

[limits]
max_message_bytes = 1048576
max_json_depth = 32
max_batch = 50
max_connections = 200
max_inflight_per_connection = 16
max_inflight = 5000
idle_timeout = "90s"
header_timeout = "500ms"
''',
    "plugin_tables.toml": '''
[plugin.arith]
key = "value"
n = 3
f = 1.5e3
on = true
when = 1979-05-27T07:32:00-08:00
day = 1979-05-27
at = 07:32:00
list = [1, [2, 3], { a = "b" }]

[plugin.other.nested]
x = """multi
line"""
y = 'literal'

[[plugin.array.items]]
z = 0x1f
''',
    "durations.toml": '''
[server]
drain_timeout = 2.5
[limits]
idle_timeout = "2m"
header_timeout = 10
''',
    "tls.toml": '''
[server]
listen = ["tls://127.0.0.1:1443"]
[tls]
cert_file = "cert.pem"
key_file = "/etc/plugrpcd/key.pem"
''',
    "errors.toml": '''
[server]
listen = 1234
rpc_path = "no-slash"
''',
}


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data.encode() if isinstance(data, str) else data)


def main():
    for old in CORPUS.glob("*/*"):
        if not old.name.startswith("found_"):
            old.unlink()
    for name, data in GOB.items():
        write("gob_request", name, data)
    for name, data in JSON.items():
        write("json_stream", name, data)
    for name, data in FRONT.items():
        write("front", name, data)
    write("front", "gob_kitchen", kitchen_call(5))
    for name, data in CONFIG.items():
        write("config", name, data)
    write("config", "shipped.toml", (ROOT / "conf" / "plugrpcd.toml").read_bytes())
    for target in sorted(os.listdir(CORPUS)):
        files = list((CORPUS / target).iterdir())
        print("%-12s %3d seeds, %6d bytes" % (target, len(files), sum(f.stat().st_size for f in files)))


if __name__ == "__main__":
    main()
