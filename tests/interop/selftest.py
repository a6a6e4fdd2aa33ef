#!/usr/bin/env python3
"""Checks the interop peer against itself, through its control API only.

    python selftest.py PORT_A PORT_B

expects two peers running as ``peer.py --port PORT_A`` and ``peer.py --port PORT_B``
(selftest.sh starts them). Prints one line per check and ends with 'N passed, N failed'.
Uses the standard library, and bovine (in the venv) for an independent cross-check.
"""

import json
import socket
import sys
import threading
import time
import urllib.error
import urllib.request

FORGERIES = [
    "wrong_key",
    "bad_digest",
    "stale_date",
    "future_date",
    "no_date_in_signature",
    "no_digest_in_signature",
    "other_actor_key",
]


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"ok   - {name}")
        else:
            self.failed += 1
            print(f"FAIL - {name}: {detail}")
        return condition


def call(port, method, path, body=None, raw=None, headers=None, timeout=30):
    """(status, parsed JSON or text) of a request to a local peer."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=headers or {}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text) if text else None
    except ValueError:
        return status, text


def control(port, name, body=None, timeout=30):
    return call(port, "POST" if body is not None else "GET", f"/control/{name}", body, timeout=timeout)


def received_for(port, activity_id, wait=5.0):
    """B's inbox records whose activity has this id (waits a little for async deliveries)."""
    deadline = time.monotonic() + wait
    while True:
        _, records = control(port, "received")
        found = [
            r for r in records if isinstance(r.get("activity"), dict) and r["activity"].get("id") == activity_id
        ]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def black_hole():
    """A TCP server that accepts connections and never answers: port, stop()."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    held, stop = [], threading.Event()

    def run():
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()

    def close():
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        server.close()

    return server.getsockname()[1], close


def cross_check(t, a, b):
    """The peers above only ever check each other. Here bovine's own, independent code checks
    them: its SignatureChecker verifies what peer A signs, and its signed_post is sent to peer B."""
    import asyncio

    import aiohttp
    from aiohttp import web
    from bovine.clients.signed_http_methods import signed_post
    from bovine.crypto import build_validate_http_signature_raw, generate_rsa_public_private_key
    from bovine.crypto.helper import content_digest_sha256
    from bovine.crypto.types import CryptographicIdentifier, CryptographicSecret

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    me = f"http://localhost:{port}/actor"
    public_pem, private_pem = generate_rsa_public_private_key()
    verified = []

    async def retrieve(key_id):
        async with aiohttp.ClientSession() as session:
            async with session.get(key_id.split("#")[0], headers={"Accept": "application/activity+json"}) as r:
                key = json.loads(await r.read())["publicKey"]
        return CryptographicIdentifier.from_pem(key["publicKeyPem"], key["owner"])

    validate = build_validate_http_signature_raw(retrieve)

    async def verify(request):
        body = await request.read()

        async def get_body():
            return body

        headers = {k.lower(): v for k, v in request.headers.items()}
        owner = await validate(request.method, f"http://localhost:{port}{request.path_qs}", headers, get_body)
        verified.append((request.method, owner))
        return owner

    async def actor(request):
        if "signature" in request.headers:
            await verify(request)
        doc = {"@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
               "id": me, "type": "Person", "inbox": f"{me}/inbox",
               "publicKey": {"id": f"{me}#main-key", "owner": me, "publicKeyPem": public_pem}}
        return web.json_response(doc, content_type="application/activity+json")

    async def inbox(request):
        return web.Response(status=202 if await verify(request) else 401)

    async def run():
        app = web.Application()
        app.add_routes([web.get("/actor", actor), web.post("/actor/inbox", inbox)])
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            loop = asyncio.get_running_loop()
            a_alice = f"http://localhost:{a}/users/alice"

            status, sent = await loop.run_in_executor(None, lambda: control(a, "send", {
                "inbox": f"{me}/inbox", "activity": {"type": "Create", "object": {"type": "Note"}}}))
            t.check("bovine's SignatureChecker accepts A's signed POST",
                    sent.get("status") == 202 and verified[-1:] == [("POST", a_alice)], (sent, verified))
            verified.clear()
            status, fetched = await loop.run_in_executor(None, lambda: control(a, "fetch", {
                "url": me, "signed": True}))
            t.check("bovine's SignatureChecker accepts A's signed GET",
                    fetched.get("status") == 200 and verified[-1:] == [("GET", a_alice)], (fetched, verified))

            secret = CryptographicSecret.from_pem(f"{me}#main-key", private_pem)
            like_id = f"{me}/likes/1"
            body = json.dumps({"@context": "https://www.w3.org/ns/activitystreams", "id": like_id,
                               "type": "Like", "actor": me, "object": f"http://localhost:{b}/users/alice"})
            async with aiohttp.ClientSession() as session:
                response = await signed_post(
                    session, secret, f"http://localhost:{b}/users/alice/inbox", body,
                    lambda raw: ("digest", content_digest_sha256(raw, prefix="SHA-256")))
                answer = response.status
                response.release()
            records = await loop.run_in_executor(None, lambda: received_for(b, like_id))
            t.check("B accepts a POST signed by bovine's signed_post",
                    answer == 202 and len(records) == 1 and records[0]["signature_ok"] is True
                    and records[0]["key_id"] == f"{me}#main-key", (answer, records))
        finally:
            await runner.cleanup()

    asyncio.run(run())


def main():
    a, b = int(sys.argv[1]), int(sys.argv[2])
    t = Checks()
    a_alice, b_alice = f"http://localhost:{a}/users/alice", f"http://localhost:{b}/users/alice"

    for port in (a, b):
        status, body = control(port, "health")
        t.check(f"health of localhost:{port}", status == 200 and body.get("ok"), (status, body))

    # --- WebFinger
    status, wf = control(a, "webfinger", {"acct": f"alice@localhost:{b}"})
    t.check(
        "A webfingers alice@B",
        status == 200 and wf["status"] == 200 and wf["self_href"] == b_alice
        and wf["jrd"]["subject"] == f"acct:alice@localhost:{b}",
        wf,
    )
    status, wf = control(a, "webfinger", {"acct": f"acct:nobody@localhost:{b}"})
    t.check("A webfingers an unknown account of B: 404", status == 200 and wf["status"] == 404, wf)

    # --- fetching the actor, unsigned and signed
    status, fetched = control(a, "fetch", {"url": b_alice, "signed": False})
    doc = fetched.get("json") or {}
    t.check(
        "A fetches B's alice unsigned",
        status == 200 and fetched["status"] == 200
        and fetched["content_type"].startswith("application/activity+json")
        and doc.get("id") == b_alice and doc.get("type") == "Person"
        and doc.get("inbox") == f"{b_alice}/inbox"
        and doc.get("endpoints", {}).get("sharedInbox") == f"http://localhost:{b}/inbox"
        and doc.get("publicKey", {}).get("id") == f"{b_alice}#main-key"
        and doc.get("publicKey", {}).get("owner") == b_alice
        and "BEGIN PUBLIC KEY" in doc.get("publicKey", {}).get("publicKeyPem", "")
        and "Signature" not in fetched["request_headers"],
        fetched,
    )
    alice_pem = doc.get("publicKey", {}).get("publicKeyPem")
    for algorithm in ("rsa-sha256", "hs2019"):
        status, fetched = control(a, "fetch", {"url": b_alice, "signed": True, "algorithm": algorithm})
        signature = fetched.get("request_headers", {}).get("Signature", "")
        t.check(
            f"A fetches B's alice signed ({algorithm})",
            status == 200 and fetched["status"] == 200 and fetched["json"]["id"] == b_alice
            and f'keyId="{a_alice}#main-key"' in signature
            and f'algorithm="{algorithm}"' in signature
            and 'headers="(request-target) host date"' in signature,
            fetched,
        )
    status, fetched = control(a, "fetch", {"url": f"http://localhost:{b}/users/mallory"})
    mallory_key = (fetched.get("json") or {}).get("publicKey", {})
    t.check(
        "B serves mallory with a key of her own",
        fetched.get("status") == 200 and mallory_key.get("id") == f"http://localhost:{b}/users/mallory#main-key"
        and mallory_key.get("publicKeyPem") not in (None, alice_pem),
        fetched,
    )
    status, fetched = control(a, "fetch", {"url": f"http://localhost:{b}/users/nobody"})
    t.check("fetching an unknown actor of B gives 404", status == 200 and fetched["status"] == 404, fetched)

    # --- Follow, Accept, Undo
    control(a, "reset", {})
    control(b, "reset", {})
    status, follow = control(a, "follow", {"actor": b_alice})
    t.check(
        "A follows B's alice: B answers 202",
        status == 200 and follow["status"] == 202 and follow["inbox"] == f"{b_alice}/inbox"
        and follow["follow_id"].startswith(f"http://localhost:{a}/"),
        follow,
    )
    follow_id = follow.get("follow_id")
    records = received_for(b, follow_id)
    t.check(
        "B recorded the Follow with a good signature",
        len(records) == 1 and records[0]["signature_ok"] is True
        and records[0]["key_id"] == f"{a_alice}#main-key"
        and records[0]["path"] == "/users/alice/inbox"
        and records[0]["activity"]["type"] == "Follow"
        and records[0]["activity"]["actor"] == a_alice and records[0]["activity"]["object"] == b_alice
        and records[0]["error"] is None,
        records,
    )
    status, followers = call(b, "GET", "/users/alice/followers")
    t.check("B lists A's alice as a follower", a_alice in (followers or {}).get("orderedItems", []), followers)
    status, served = call(a, "GET", follow_id.split(f"localhost:{a}", 1)[1])
    t.check("A serves the Follow at its id", status == 200 and served.get("id") == follow_id, (status, served))

    deadline, accepts = time.monotonic() + 5, []
    while not accepts and time.monotonic() < deadline:
        _, records = control(a, "received")
        accepts = [r for r in records if (r.get("activity") or {}).get("type") == "Accept"]
        time.sleep(0.1)
    t.check(
        "B auto-accepts: A recorded a signed Accept of the Follow",
        len(accepts) == 1 and accepts[0]["signature_ok"] is True
        and accepts[0]["activity"]["object"]["id"] == follow_id,
        accepts,
    )

    status, undo = control(a, "undo_follow", {"actor": b_alice, "follow_id": follow_id})
    t.check("A undoes the Follow: B answers 202", status == 200 and undo["status"] == 202, undo)
    records = received_for(b, undo.get("undo_id"))
    t.check(
        "B recorded Undo{Follow} with a good signature",
        len(records) == 1 and records[0]["signature_ok"] is True
        and records[0]["activity"]["type"] == "Undo"
        and records[0]["activity"]["object"]["id"] == follow_id
        and records[0]["activity"]["object"]["type"] == "Follow",
        records,
    )
    status, followers = call(b, "GET", "/users/alice/followers")
    t.check("B no longer lists A's alice", a_alice not in (followers or {}).get("orderedItems", []), followers)

    # --- alice's profile and posts (what a linked-account test drives): B posts, A follows B
    control(a, "reset", {})
    control(b, "reset", {})
    status, follow = control(a, "follow", {"actor": b_alice})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        _, followers = call(b, "GET", "/users/alice/followers")
        if a_alice in (followers or {}).get("orderedItems", []):
            break
        time.sleep(0.1)
    directory = f"http://localhost:{a}/coops/example"
    field = {"type": "PropertyValue", "name": "Directory", "value": f'<a href="{directory}">directory</a>'}
    status, body = control(b, "profile", {"url": directory, "attachment": [field], "alsoKnownAs": [directory]})
    t.check("B sets alice's url, profile field and alsoKnownAs", status == 200 and body.get("ok"), (status, body))
    status, fetched = control(a, "fetch", {"url": b_alice, "signed": True})
    doc = (fetched or {}).get("json") or {}
    t.check(
        "B's alice serves them",
        doc.get("url") == directory and doc.get("attachment") == [field] and doc.get("alsoKnownAs") == [directory],
        fetched,
    )
    status, body = control(b, "profile", {"url": None, "attachment": None, "alsoKnownAs": None})
    status, fetched = control(a, "fetch", {"url": b_alice, "signed": True})
    doc = (fetched or {}).get("json") or {}
    t.check("null removes them", "attachment" not in doc and "alsoKnownAs" not in doc and doc.get("url") == b_alice, doc)

    public = "https://www.w3.org/ns/activitystreams#Public"
    status, post = control(b, "publish", {"content": "<p>Hello</p>"})
    note_id = (post or {}).get("note_id", "")
    t.check(
        "B publishes a public post, delivered to A's shared inbox (202)",
        status == 200 and note_id.startswith(f"{b_alice}/statuses/")
        and post["deliveries"] == [{"inbox": f"http://localhost:{a}/inbox", "status": 202}],
        post,
    )
    records = received_for(a, post.get("create_id"))
    create = records[0]["activity"] if records else {}
    t.check(
        "A recorded a signed Create{Note}, public, not a reply",
        len(records) == 1 and records[0]["signature_ok"] is True and create.get("type") == "Create"
        and create["object"]["id"] == note_id and create["object"]["to"] == [public]
        and create["object"]["inReplyTo"] is None and create["object"]["attributedTo"] == b_alice,
        records,
    )
    status, fetched = control(a, "fetch", {"url": note_id, "signed": True})
    t.check(
        "B serves the post at its id",
        status == 200 and fetched["status"] == 200 and (fetched["json"] or {}).get("content") == "<p>Hello</p>",
        fetched,
    )
    for visibility, to, cc in [
        ("unlisted", [f"{b_alice}/followers"], [public]),
        ("followers", [f"{b_alice}/followers"], []),
    ]:
        status, other = control(b, "publish", {"content": visibility, "visibility": visibility})
        records = received_for(a, (other or {}).get("create_id"))
        obj = records[0]["activity"]["object"] if records else {}
        t.check(f"a {visibility} post is addressed as Mastodon does", obj.get("to") == to and obj.get("cc") == cc, records)
    status, reply = control(b, "publish", {"content": "re", "in_reply_to": f"{a_alice}/statuses/1"})
    records = received_for(a, (reply or {}).get("create_id"))
    obj = records[0]["activity"]["object"] if records else {}
    t.check("a reply names what it answers", obj.get("inReplyTo") == f"{a_alice}/statuses/1" and obj.get("to") == [public], records)

    status, update = control(b, "update_post", {"note_id": note_id, "content": "<p>Hello again</p>"})
    records = received_for(a, (update or {}).get("update_id"))
    obj = records[0]["activity"]["object"] if records else {}
    t.check(
        "B edits the post: A recorded a signed Update{Note} with the new text and `updated`",
        len(records) == 1 and records[0]["signature_ok"] is True and records[0]["activity"]["type"] == "Update"
        and obj.get("id") == note_id and obj.get("content") == "<p>Hello again</p>" and obj.get("updated"),
        records,
    )
    status, delete = control(b, "delete_post", {"note_id": note_id})
    records = received_for(a, (delete or {}).get("delete_id"))
    t.check(
        "B deletes the post: A recorded a signed Delete{Tombstone}",
        len(records) == 1 and records[0]["signature_ok"] is True and records[0]["activity"]["type"] == "Delete"
        and records[0]["activity"]["object"] == {"id": note_id, "type": "Tombstone"},
        records,
    )
    status, fetched = control(a, "fetch", {"url": note_id})
    t.check("the deleted post answers 410 Tombstone", fetched.get("status") == 410
            and (fetched.get("json") or {}).get("type") == "Tombstone", fetched)
    status, body = control(b, "publish", {"content": "x", "visibility": "everyone"})
    t.check("control API: unknown visibility gives 400", status == 400 and "error" in body, (status, body))
    status, body = control(b, "update_post", {"note_id": note_id, "content": "x"})
    t.check("control API: editing a deleted post gives 400", status == 400 and "error" in body, (status, body))
    status, body = control(b, "profile", {"name": "x"})
    t.check("control API: an unknown profile property gives 400", status == 400 and "error" in body, (status, body))
    control(a, "undo_follow", {"actor": b_alice, "follow_id": follow.get("follow_id", "")})

    # --- send: correctly signed, to the shared inbox and with a padded body
    note = {"type": "Create", "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": {"type": "Note", "content": "hello"}}
    shared = f"http://localhost:{b}/inbox"
    status, sent = control(a, "send", {"inbox": shared, "activity": note, "mode": "signed"})
    records = received_for(b, sent.get("activity_id"))
    t.check(
        "signed Create to B's shared inbox: 202 and signature_ok",
        status == 200 and sent["status"] == 202 and len(records) == 1
        and records[0]["signature_ok"] is True and records[0]["path"] == "/inbox"
        and records[0]["activity"]["actor"] == a_alice,
        (sent, records),
    )
    status, sent = control(a, "send", {"inbox": shared, "activity": note, "body_bytes": 300_000})
    records = received_for(b, sent.get("activity_id"))
    t.check(
        "signed Create padded to 300000 bytes",
        status == 200 and sent["status"] == 202 and sent["body_len"] == 300_000
        and len(records) == 1 and records[0]["body_len"] == 300_000 and records[0]["signature_ok"] is True,
        (sent, records),
    )

    # --- each forgery is refused
    status, sent = control(a, "send", {"inbox": shared, "activity": note, "mode": "unsigned"})
    records = received_for(b, sent.get("activity_id"))
    t.check(
        "unsigned: B refuses with 401",
        status == 200 and sent["status"] == 401 and len(records) == 1 and records[0]["signature_ok"] is False,
        (sent, records),
    )
    for mode in FORGERIES:
        status, sent = control(a, "send", {"inbox": f"{b_alice}/inbox", "activity": note, "mode": mode})
        records = received_for(b, sent.get("activity_id"))
        t.check(
            f"{mode}: B refuses (4xx, signature_ok=false)",
            status == 200 and 400 <= sent["status"] < 500 and len(records) == 1
            and records[0]["signature_ok"] is False and records[0]["error"],
            (sent, records),
        )
        if records:
            print(f"       B said: {records[0]['error']}")

    # --- the control API fails cleanly
    status, body = call(a, "POST", "/control/send", raw=b"{not json")
    t.check("control API: malformed JSON gives 400", status == 400 and "error" in body, (status, body))
    status, body = control(a, "send", {"inbox": shared, "activity": note, "mode": "nonsense"})
    t.check("control API: unknown mode gives 400", status == 400 and "error" in body, (status, body))
    status, body = control(a, "follow", {})
    t.check("control API: missing field gives 400", status == 400 and "error" in body, (status, body))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    status, body = control(a, "fetch", {"url": f"http://localhost:{closed_port}/x"})
    t.check("control API: unreachable host gives 502", status == 502 and "error" in body, (status, body))
    hole, close = black_hole()
    started = time.monotonic()
    status, body = control(a, "fetch", {"url": f"http://localhost:{hole}/x"}, timeout=30)
    took = time.monotonic() - started
    close()
    t.check(f"control API: a server that never answers gives 502 after the timeout ({took:.1f} s)",
            status == 502 and 9 <= took <= 15, (status, body))

    # --- raw garbage at the inbox is recorded, not a crash
    status, body = call(b, "POST", "/inbox", raw=b"\x00garbage",
                        headers={"Signature": 'keyId="x",signature="y"', "Content-Type": "application/activity+json"})
    t.check("garbage POST to B's inbox: 401 with a JSON error", status == 401 and "error" in body, (status, body))
    status, body = control(b, "health")
    t.check("B still healthy afterwards", status == 200, (status, body))

    # --- independent cross-check with bovine's own signing and verifying code
    try:
        cross_check(t, a, b)
    except Exception as error:  # a crash here is a failed check, not a lost report
        t.check("cross-check with bovine ran", False, repr(error))

    print(f"{t.passed} passed, {t.failed} failed")
    return 0 if t.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
