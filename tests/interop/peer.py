#!/usr/bin/env python3
"""coopnet interop peer: a small, independent ActivityPub server standing in for Mastodon.

Run it as ``python peer.py --port PORT``. It listens on 127.0.0.1:PORT and calls itself
``localhost:PORT``: every URL it publishes is ``http://localhost:PORT/...``. It serves the
actors ``alice`` (the one tests use) and ``mallory`` (a second actor, only used to sign with
another actor's key), verifies HTTP signatures on inbox POSTs the way Mastodon does, and offers
a JSON control API under ``/control/`` through which a test makes it talk to another server.
See README.md beside this file for the control API.

Cryptography, HTTP-signature strings and WebFinger documents come from bovine; HTTP (server and
client) is aiohttp, which bovine itself builds on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import uuid
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import urlsplit, urlunsplit

import aiohttp
import yarl
from aiohttp import web
from bovine.crypto import generate_rsa_public_private_key
from bovine.crypto.helper import content_digest_sha256
from bovine.crypto.http_signature import HttpSignature
from bovine.crypto.signature import Signature
from bovine.crypto.types import CryptographicIdentifier, CryptographicSecret
from bovine.models import JrdData
from bovine.utils import parse_gmt, webfinger_response_json

log = logging.getLogger("peer")

AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
AP_JSON = "application/activity+json"
AP_CONTENT_TYPE = "application/activity+json; charset=utf-8"
# What /control/fetch sends by default (the brief's value); Mastodon itself sends
# 'application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
# which a caller can ask for with the "accept" field.
FETCH_ACCEPT = "application/activity+json, application/ld+json"
USER_AGENT = "coopnet-interop-peer/1.0 (bovine; +Mastodon-like)"
OUTGOING_TIMEOUT_S = 10.0
DATE_WINDOW = timedelta(hours=1)
MAX_BODY_BYTES = 16 * 1024 * 1024
MAX_TEXT_IN_RESPONSE = 64 * 1024
POST_FIELDS = ["(request-target)", "host", "date", "digest", "content-type"]
GET_FIELDS = ["(request-target)", "host", "date"]
REQUIRED_POST_FIELDS = ["(request-target)", "host", "date", "digest"]
SEND_MODES = {
    "signed",
    "unsigned",
    "wrong_key",
    "bad_digest",
    "stale_date",
    "future_date",
    "no_date_in_signature",
    "no_digest_in_signature",
    "other_actor_key",
}


class ControlError(Exception):
    """An error a control endpoint answers with: HTTP status plus JSON body."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status = status
        self.extra = extra


class VerificationError(Exception):
    """Why an inbox POST's signature was not accepted."""


def now_utc() -> datetime:
    return datetime.now(tz=timezone.utc)


def http_date(when: datetime) -> str:
    """RFC 7231 IMF-fixdate, e.g. 'Sun, 06 Nov 1994 08:49:37 GMT'."""
    return format_datetime(when.astimezone(timezone.utc).replace(microsecond=0), usegmt=True)


def without_fragment(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))


def host_and_target(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ControlError(400, f"not an absolute http(s) URL: {url!r}")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return parts.netloc, target


def id_of(value) -> str | None:
    """The id of an ActivityPub reference, which is either a URL string or an object."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return None


def dumps(obj) -> str:
    return json.dumps(obj, separators=(",", ":"))


def truncate(text: str) -> str:
    if len(text) <= MAX_TEXT_IN_RESPONSE:
        return text
    return text[:MAX_TEXT_IN_RESPONSE] + f"... [{len(text) - MAX_TEXT_IN_RESPONSE} more chars]"


class LocalActor:
    """An actor the peer hosts, with an RSA-2048 key made at start."""

    def __init__(self, base: str, domain: str, name: str):
        self.name = name
        self.domain = domain
        self.id = f"{base}/users/{name}"
        self.key_id = f"{self.id}#main-key"
        public_pem, private_pem = generate_rsa_public_private_key()
        self.public_pem = public_pem
        self.secret = CryptographicSecret.from_pem(self.key_id, private_pem)
        self.base = base
        # Profile properties a test sets through /control/profile (url, attachment,
        # alsoKnownAs): where a linked account points back to a co-op's profile.
        self.profile: dict = {}

    @property
    def inbox(self) -> str:
        return f"{self.id}/inbox"

    def document(self) -> dict:
        return {
            "@context": [
                AS_CONTEXT,
                SECURITY_CONTEXT,
                {"manuallyApprovesFollowers": "as:manuallyApprovesFollowers"},
            ],
            "id": self.id,
            "type": "Person",
            "preferredUsername": self.name,
            "name": self.name.capitalize(),
            "summary": "Interop test actor of the coopnet peer.",
            "url": self.id,
            "manuallyApprovesFollowers": False,
            "inbox": self.inbox,
            "outbox": f"{self.id}/outbox",
            "followers": f"{self.id}/followers",
            "following": f"{self.id}/following",
            "endpoints": {"sharedInbox": f"{self.base}/inbox"},
            "publicKey": {
                "id": self.key_id,
                "owner": self.id,
                "publicKeyPem": self.public_pem,
            },
            **self.profile,
        }


class Peer:
    def __init__(self, port: int, auto_accept: bool = True):
        self.port = port
        self.domain = f"localhost:{port}"
        self.base = f"http://{self.domain}"
        self.auto_accept = auto_accept
        # How follows of alice are answered (/control/answer_mode): "embedded" (Mastodon:
        # Accept with the Follow embedded), "id" (Pleroma, Akkoma: Accept whose object is
        # the Follow's id), "reject" or "reject_id" (the same, as Reject).
        self.answer_mode = "embedded"
        started = now_utc()
        self.actors = {name: LocalActor(self.base, self.domain, name) for name in ("alice", "mallory")}
        self.alice = self.actors["alice"]
        # A key published nowhere, for the "wrong_key" forgery.
        _, rogue_pem = generate_rsa_public_private_key()
        self.rogue_secret = CryptographicSecret.from_pem(self.alice.key_id, rogue_pem)
        log.info("generated keys in %.2f s", (now_utc() - started).total_seconds())
        self.received: list[dict] = []
        self.sent: list[dict] = []
        self.activities: dict[str, dict] = {}  # id -> activity alice sent (served at its id)
        self.followers: dict[str, list[str]] = {name: [] for name in self.actors}
        self.notes: dict[str, dict | None] = {}  # id -> Note alice posted (None once deleted)
        self.session: aiohttp.ClientSession | None = None
        self.tasks: set[asyncio.Task] = set()

    # ---------------------------------------------------------------- outgoing HTTP

    async def start_client(self, _app):
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=OUTGOING_TIMEOUT_S),
            connector=aiohttp.TCPConnector(resolver=aiohttp.ThreadedResolver()),
            headers={"User-Agent": USER_AGENT},
        )
        yield
        for task in list(self.tasks):
            task.cancel()
        await self.session.close()

    def new_activity_id(self) -> str:
        return f"{self.base}/activities/{uuid.uuid4()}"

    def signature_header(
        self,
        secret: CryptographicSecret,
        fields: list[str],
        values: dict[str, str],
        algorithm: str = "rsa-sha256",
    ) -> str:
        """A draft-cavage Signature header over `fields`, as Mastodon builds it."""
        message = HttpSignature()
        for name in fields:
            message.with_field(name, values[name])
        signature = secret.sign(message.build_message())
        return (
            f'keyId="{secret.key_id}",algorithm="{algorithm}",'
            f'headers="{" ".join(fields)}",signature="{signature}"'
        )

    async def get(
        self,
        url: str,
        *,
        signed: bool,
        accept: str = FETCH_ACCEPT,
        secret: CryptographicSecret | None = None,
        algorithm: str = "rsa-sha256",
        allow_redirects: bool = False,
    ) -> tuple[aiohttp.ClientResponse, bytes, dict]:
        url = without_fragment(url)
        host, target = host_and_target(url)
        headers = {"Accept": accept}
        if signed:
            date = http_date(now_utc())
            headers["Host"] = host
            headers["Date"] = date
            values = {"(request-target)": f"get {target}", "host": host, "date": date}
            headers["Signature"] = self.signature_header(
                secret or self.alice.secret, GET_FIELDS, values, algorithm
            )
        async with self.session.get(
            yarl.URL(url, encoded=True), headers=headers, allow_redirects=allow_redirects
        ) as response:
            body = await response.read()
        return response, body, headers

    async def get_json(self, url: str, *, signed: bool, accept: str = FETCH_ACCEPT) -> dict:
        """GET a JSON object; raises ControlError(502) when that fails."""
        try:
            response, body, _ = await self.get(url, signed=signed, accept=accept)
        except ControlError:
            raise
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            raise ControlError(502, f"GET {url} failed: {error!r}") from error
        if response.status != 200:
            raise ControlError(
                502,
                f"GET {url} answered {response.status}",
                remote_status=response.status,
                remote_body=truncate(body.decode("utf-8", "replace")),
            )
        try:
            doc = json.loads(body)
        except ValueError as error:
            raise ControlError(502, f"GET {url} did not return JSON: {error}") from error
        if not isinstance(doc, dict):
            raise ControlError(502, f"GET {url} did not return a JSON object")
        return doc

    async def post_activity(
        self,
        inbox: str,
        activity: dict,
        *,
        mode: str = "signed",
        body_bytes: int | None = None,
        algorithm: str = "rsa-sha256",
    ) -> dict:
        """POST `activity` to `inbox`, signed as Mastodon signs, or forged as `mode` says."""
        if mode not in SEND_MODES:
            raise ControlError(400, f"unknown mode {mode!r}; one of {sorted(SEND_MODES)}")
        host, target = host_and_target(inbox)
        body = self.encode_body(activity, body_bytes)

        when = now_utc()
        if mode == "stale_date":
            when -= timedelta(hours=2)
        elif mode == "future_date":
            when += timedelta(hours=2)
        date = http_date(when)
        digest_source = body + b" tampered" if mode == "bad_digest" else body
        digest = content_digest_sha256(digest_source, prefix="SHA-256")
        headers = {
            "Host": host,
            "Date": date,
            "Digest": digest,
            "Content-Type": AP_JSON,
            "Accept": FETCH_ACCEPT,
        }
        if mode != "unsigned":
            fields = list(POST_FIELDS)
            if mode == "no_date_in_signature":
                fields.remove("date")
            if mode == "no_digest_in_signature":
                fields.remove("digest")
            secret = self.alice.secret
            if mode == "wrong_key":
                secret = self.rogue_secret
            elif mode == "other_actor_key":
                secret = self.actors["mallory"].secret
            values = {
                "(request-target)": f"post {target}",
                "host": host,
                "date": date,
                "digest": digest,
                "content-type": AP_JSON,
            }
            headers["Signature"] = self.signature_header(secret, fields, values, algorithm)

        entry = {
            "inbox": inbox,
            "mode": mode,
            "activity": activity,
            "body_len": len(body),
            "request_headers": headers,
            "at": now_utc().isoformat(),
        }
        try:
            async with self.session.post(
                yarl.URL(inbox, encoded=True), data=body, headers=headers, allow_redirects=False
            ) as response:
                text = (await response.read()).decode("utf-8", "replace")
                entry["status"] = response.status
                entry["body"] = truncate(text)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            entry["status"] = None
            entry["error"] = f"POST {inbox} failed: {error!r}"
            self.sent.append(entry)
            log.warning("%s", entry["error"])
            raise ControlError(502, entry["error"], body_len=len(body)) from error
        self.sent.append(entry)
        log.info("POST %s (%s, %d bytes) -> %s", inbox, mode, len(body), entry["status"])
        return entry

    @staticmethod
    def encode_body(activity: dict, body_bytes: int | None) -> bytes:
        if body_bytes is None:
            return dumps(activity).encode("utf-8")
        if not isinstance(body_bytes, int) or isinstance(body_bytes, bool) or body_bytes < 0:
            raise ControlError(400, "body_bytes must be a non-negative integer")
        padded = dict(activity, padding="")
        minimum = len(dumps(padded).encode("utf-8"))
        if body_bytes < minimum:
            raise ControlError(400, f"body_bytes {body_bytes} is below the minimum {minimum} for this activity")
        padded["padding"] = "x" * (body_bytes - minimum)
        body = dumps(padded).encode("utf-8")
        assert len(body) == body_bytes
        return body

    async def actor_inbox(self, actor_url: str) -> tuple[dict, str]:
        doc = await self.get_json(actor_url, signed=True, accept=AP_JSON)
        inbox = doc.get("inbox")
        if not isinstance(inbox, str):
            raise ControlError(502, f"actor {actor_url} has no inbox", actor=doc)
        return doc, inbox

    # ---------------------------------------------------------------- signature verification

    async def fetch_key(self, key_id: str) -> CryptographicIdentifier:
        """Resolve keyId as Mastodon does: fetch the document, take publicKey.publicKeyPem."""
        try:
            doc = await self.get_json(key_id, signed=True, accept=AP_JSON)
        except ControlError as error:
            raise VerificationError(f"fetching key {key_id}: {error}") from error
        if "publicKeyPem" in doc:  # keyId resolved to the key itself: go to its owner
            owner = doc.get("owner")
            if not isinstance(owner, str):
                raise VerificationError(f"key document {key_id} has no owner")
            try:
                doc = await self.get_json(owner, signed=True, accept=AP_JSON)
            except ControlError as error:
                raise VerificationError(f"fetching key owner {owner}: {error}") from error
        keys = doc.get("publicKey")
        if isinstance(keys, dict):
            keys = [keys]
        if not isinstance(keys, list) or not keys:
            raise VerificationError(f"document at {key_id} has no publicKey")
        key = next((k for k in keys if isinstance(k, dict) and k.get("id") == key_id), None)
        if key is None:
            ids = [k.get("id") for k in keys if isinstance(k, dict)]
            raise VerificationError(f"actor {doc.get('id')} publishes no key {key_id} (has {ids})")
        owner = key.get("owner", doc.get("id"))
        if owner != doc.get("id"):
            raise VerificationError(f"key {key_id} is owned by {owner}, not by {doc.get('id')}")
        if urlsplit(str(owner)).netloc != urlsplit(key_id).netloc:
            raise VerificationError(f"key {key_id} and its owner {owner} are on different hosts")
        pem = key.get("publicKeyPem")
        if not isinstance(pem, str):
            raise VerificationError(f"key {key_id} has no publicKeyPem")
        try:
            return CryptographicIdentifier.from_pem(pem, owner)
        except Exception as error:  # malformed PEM
            raise VerificationError(f"key {key_id}: unusable publicKeyPem: {error}") from error

    async def verify_post(self, request: web.Request, body: bytes) -> tuple[str | None, str]:
        """Returns (keyId, signer actor id); raises VerificationError."""
        header = request.headers.get("Signature")
        if not header:
            raise VerificationError("no Signature header")
        try:
            parsed = Signature.from_signature_header(header)
        except Exception as error:
            raise VerificationError(f"unparseable Signature header: {error!r}") from error
        key_id = parsed.key_id
        try:
            fields = [f.lower() for f in parsed.fields if f]
            missing = [f for f in REQUIRED_POST_FIELDS if f not in fields]
            if missing:
                raise VerificationError(f"signed headers lack {missing} (signed: {fields})")

            digest_header = request.headers.get("Digest")
            if not digest_header:
                raise VerificationError("no Digest header")
            expected = content_digest_sha256(body, prefix="SHA-256").split("=", 1)[1]
            sha256 = [
                v.strip().split("=", 1)[1]
                for v in digest_header.split(",")
                if v.strip().lower().startswith("sha-256=")
            ]
            if not sha256:
                raise VerificationError(f"Digest has no SHA-256 value: {digest_header!r}")
            if sha256[0] != expected:
                raise VerificationError("Digest does not match the body")

            date_header = request.headers.get("Date")
            if not date_header:
                raise VerificationError("no Date header")
            try:
                date = parse_gmt(date_header)
            except ValueError as error:
                raise VerificationError(f"unparseable Date {date_header!r}") from error
            skew = date - now_utc()
            if abs(skew) > DATE_WINDOW:
                raise VerificationError(
                    f"Date {date_header!r} is {skew.total_seconds():+.0f} s from now (limit ±3600 s)"
                )

            message = HttpSignature()
            for name in fields:
                if name == "(request-target)":
                    message.with_field(name, f"{request.method.lower()} {request.raw_path}")
                elif name == "(created)":
                    message.with_field(name, parsed.created)
                elif name == "(expires)":
                    message.with_field(name, parsed.expires)
                else:
                    values = request.headers.getall(name, [])
                    if not values:
                        raise VerificationError(f"signed header {name!r} is absent")
                    message.with_field(name, ", ".join(values))

            identity = await self.fetch_key(key_id)
            try:
                signer = message.verify_with_identity(identity, parsed.signature)
            except Exception as error:
                raise VerificationError(f"malformed signature: {error!r}") from error
            if signer is None:
                raise VerificationError(f"signature does not verify with the key of {key_id}")
            return key_id, signer
        except VerificationError as error:
            error.key_id = key_id
            raise

    # ---------------------------------------------------------------- inbox

    async def handle_inbox(self, request: web.Request) -> web.Response:
        name = request.match_info.get("name")
        body = await request.read()
        record = {
            "path": request.path,
            "activity": None,
            "signature_ok": False,
            "key_id": None,
            "signer": None,
            "error": None,
            "status": None,
            "received_at": now_utc().isoformat(),
            "headers": {
                k: request.headers.get(k)
                for k in ("Host", "Date", "Digest", "Content-Type", "Signature", "User-Agent")
                if k in request.headers
            },
            "body_len": len(body),
        }
        errors = []
        try:
            activity = json.loads(body)
            record["activity"] = activity
        except ValueError as error:
            activity = None
            errors.append(f"body is not JSON: {error}")

        try:
            record["key_id"], record["signer"] = await self.verify_post(request, body)
            record["signature_ok"] = True
        except VerificationError as error:
            record["key_id"] = getattr(error, "key_id", None)
            errors.insert(0, str(error))
        except Exception as error:  # never let a bad request crash the inbox
            log.exception("verifying signature")
            errors.insert(0, f"verification crashed: {error!r}")

        if record["signature_ok"] and isinstance(activity, dict):
            actor = id_of(activity.get("actor"))
            if actor != record["signer"]:
                record["signature_ok"] = False
                errors.insert(0, f"signed by {record['signer']} but the activity's actor is {actor}")

        if name is not None and name not in self.actors:
            status = 404
            errors.append(f"no actor {name!r} here")
        elif not record["signature_ok"]:
            status = 401
        elif not isinstance(activity, dict):
            status = 400
            if not errors:
                errors.append("body is not a JSON object")
        else:
            status = 202
        record["status"] = status
        record["error"] = "; ".join(errors) or None
        self.received.append(record)
        log.info(
            "inbox POST %s type=%s signature_ok=%s -> %d%s",
            request.path,
            activity.get("type") if isinstance(activity, dict) else None,
            record["signature_ok"],
            status,
            f" ({record['error']})" if record["error"] else "",
        )
        if status == 202:
            self.side_effects(name, activity)
            return web.Response(status=202)
        return web.json_response({"error": record["error"]}, status=status)

    def side_effects(self, name: str | None, activity: dict):
        """Mastodon-like reactions: an unlocked account accepts Follows; Undo removes them."""
        kind = activity.get("type")
        actor = id_of(activity.get("actor"))
        if kind == "Follow":
            target = id_of(activity.get("object"))
            local = next((a for a in self.actors.values() if a.id == target), None)
            if local is None or actor is None:
                return
            if actor not in self.followers[local.name] and not self.answer_mode.startswith("reject"):
                self.followers[local.name].append(actor)
            if self.auto_accept and self.answer_mode != "none":
                self.spawn(self.send_accept(local, activity))
        elif kind == "Undo" and isinstance(activity.get("object"), dict):
            inner = activity["object"]
            if inner.get("type") == "Follow":
                target = id_of(inner.get("object"))
                for local in self.actors.values():
                    if local.id == target and actor in self.followers[local.name]:
                        self.followers[local.name].remove(actor)

    def spawn(self, coroutine):
        task = asyncio.get_running_loop().create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def send_accept(self, local: LocalActor, follow: dict):
        try:
            _, inbox = await self.actor_inbox(id_of(follow.get("actor")))
            mode = self.answer_mode
            embedded = {k: v for k, v in follow.items() if k != "@context"}
            accept = {
                "@context": AS_CONTEXT,
                "id": self.new_activity_id(),
                "type": "Reject" if mode.startswith("reject") else "Accept",
                "actor": local.id,
                "object": follow.get("id") if mode.endswith("id") else embedded,
            }
            self.activities[accept["id"]] = accept
            if local is not self.alice:
                return  # only alice signs outgoing deliveries
            await self.post_activity(inbox, accept)
        except Exception as error:
            log.warning("could not deliver Accept for %s: %s", follow.get("id"), error)

    # ---------------------------------------------------------------- public documents

    async def handle_webfinger(self, request: web.Request) -> web.Response:
        resource = request.query.get("resource")
        if not resource:
            return web.json_response({"error": "resource parameter missing"}, status=400)
        local = None
        if resource.startswith("acct:"):
            user, _, host = resource[5:].lstrip("@").rpartition("@")
            if host == self.domain:
                local = self.actors.get(user)
        else:
            local = next((a for a in self.actors.values() if a.id == resource), None)
        if local is None:
            return web.json_response({"error": f"no such resource {resource}"}, status=404)
        jrd = webfinger_response_json(f"acct:{local.name}@{self.domain}", local.id)
        jrd["aliases"] = [local.id]
        return web.json_response(jrd, content_type="application/jrd+json")

    def ap_response(self, doc: dict) -> web.Response:
        return web.Response(text=dumps(doc), content_type=AP_JSON, charset="utf-8")

    def local_actor(self, request: web.Request) -> LocalActor:
        local = self.actors.get(request.match_info["name"])
        if local is None:
            raise web.HTTPNotFound(text='{"error":"no such actor"}', content_type="application/json")
        return local

    async def handle_actor(self, request: web.Request) -> web.Response:
        return self.ap_response(self.local_actor(request).document())

    async def handle_collection(self, request: web.Request) -> web.Response:
        local = self.local_actor(request)
        which = request.match_info["collection"]
        items = self.followers[local.name] if which == "followers" else []
        return self.ap_response(
            {
                "@context": AS_CONTEXT,
                "id": f"{local.id}/{which}",
                "type": "OrderedCollection",
                "totalItems": len(items),
                "orderedItems": list(items),
            }
        )

    async def handle_activity(self, request: web.Request) -> web.Response:
        activity = self.activities.get(f"{self.base}/activities/{request.match_info['id']}")
        if activity is None:
            return web.json_response({"error": "no such activity"}, status=404)
        return self.ap_response(activity)

    async def handle_nodeinfo_links(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "links": [
                    {
                        "rel": "http://nodeinfo.diaspora.software/ns/schema/2.0",
                        "href": f"{self.base}/nodeinfo/2.0",
                    }
                ]
            }
        )

    async def handle_nodeinfo(self, _request: web.Request) -> web.Response:
        return web.json_response(
            {
                "version": "2.0",
                "software": {"name": "coopnet-interop-peer", "version": "1.0"},
                "protocols": ["activitypub"],
                "services": {"inbound": [], "outbound": []},
                "openRegistrations": False,
                "usage": {"users": {"total": len(self.actors)}},
                "metadata": {},
            }
        )

    # ---------------------------------------------------------------- control API

    async def control_health(self, _request, _body):
        return {"ok": True, "domain": self.domain, "actor": self.alice.id}

    async def control_received(self, _request, _body):
        return self.received

    async def control_sent(self, _request, _body):
        return self.sent

    async def control_reset(self, _request, _body):
        self.received.clear()
        self.sent.clear()
        return {"ok": True}

    async def control_webfinger(self, _request, body):
        acct = required_str(body, "acct")
        scheme = body.get("scheme", "http")
        user, _, host = acct.removeprefix("acct:").lstrip("@").rpartition("@")
        if not user or not host:
            raise ControlError(400, f"acct must look like user@host, got {acct!r}")
        url = f"{scheme}://{host}/.well-known/webfinger"
        resource = f"acct:{user}@{host}"
        try:
            async with self.session.get(
                url,
                params={"resource": resource},
                headers={"Accept": "application/jrd+json, application/json"},
            ) as response:
                status = response.status
                text = (await response.read()).decode("utf-8", "replace")
                content_type = response.headers.get("Content-Type")
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            raise ControlError(502, f"GET {url} failed: {error!r}") from error
        result = {"status": status, "content_type": content_type, "jrd": None, "self_href": None}
        try:
            jrd = json.loads(text)
        except ValueError:
            result["text"] = truncate(text)
            return result
        result["jrd"] = jrd
        try:
            links = JrdData.model_validate(jrd).links or []
        except Exception as error:
            result["jrd_error"] = f"not a valid JRD: {error}"
            return result
        for link in links:
            if link.rel == "self" and link.type and (
                link.type.startswith(AP_JSON) or link.type.startswith("application/ld+json")
            ):
                result["self_href"] = link.href
                break
        return result

    async def control_fetch(self, _request, body):
        url = required_str(body, "url")
        signed = body.get("signed", False)
        accept = body.get("accept", FETCH_ACCEPT)
        algorithm = body.get("algorithm", "rsa-sha256")
        if not isinstance(signed, bool):
            raise ControlError(400, "signed must be true or false")
        try:
            response, raw, sent_headers = await self.get(url, signed=signed, accept=accept, algorithm=algorithm)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            raise ControlError(502, f"GET {url} failed: {error!r}") from error
        result = {
            "status": response.status,
            "content_type": response.headers.get("Content-Type"),
            "json": None,
            "request_headers": sent_headers,
        }
        if "Location" in response.headers:
            result["location"] = response.headers["Location"]
        try:
            result["json"] = json.loads(raw) if raw else None
        except ValueError:
            result["text"] = truncate(raw.decode("utf-8", "replace"))
        return result

    async def control_follow(self, _request, body):
        actor_url = required_str(body, "actor")
        actor, inbox = await self.actor_inbox(actor_url)
        follow = {
            "@context": AS_CONTEXT,
            "id": self.new_activity_id(),
            "type": "Follow",
            "actor": self.alice.id,
            "object": actor.get("id", actor_url),
        }
        self.activities[follow["id"]] = follow
        sent = await self.post_activity(inbox, follow)
        return {"status": sent["status"], "follow_id": follow["id"], "inbox": inbox, "body": sent["body"]}

    async def control_undo_follow(self, _request, body):
        actor_url = required_str(body, "actor")
        follow_id = required_str(body, "follow_id")
        actor, inbox = await self.actor_inbox(actor_url)
        follow = self.activities.get(follow_id) or {
            "id": follow_id,
            "type": "Follow",
            "actor": self.alice.id,
            "object": actor.get("id", actor_url),
        }
        embedded = {k: v for k, v in follow.items() if k != "@context"}
        undo = {
            "@context": AS_CONTEXT,
            "id": self.new_activity_id(),
            "type": "Undo",
            "actor": self.alice.id,
            # by_id: the Follow named by its id alone, as Pleroma and Akkoma send it.
            "object": follow_id if body.get("by_id") else embedded,
        }
        self.activities[undo["id"]] = undo
        sent = await self.post_activity(inbox, undo)
        return {"status": sent["status"], "undo_id": undo["id"], "inbox": inbox, "body": sent["body"]}

    async def control_answer_mode(self, _request, body):
        mode = required_str(body, "mode")
        if mode not in ("embedded", "id", "reject", "reject_id", "none"):
            raise ControlError(400, "mode must be embedded, id, reject, reject_id or none")
        self.answer_mode = mode
        return {"mode": mode}

    async def control_send(self, _request, body):
        inbox = required_str(body, "inbox")
        activity = body.get("activity")
        if not isinstance(activity, dict):
            raise ControlError(400, "activity must be a JSON object")
        activity = dict(activity)
        activity.setdefault("@context", AS_CONTEXT)
        activity.setdefault("id", self.new_activity_id())
        activity.setdefault("actor", self.alice.id)
        mode = body.get("mode", "signed")
        algorithm = body.get("algorithm", "rsa-sha256")
        sent = await self.post_activity(
            inbox, activity, mode=mode, body_bytes=body.get("body_bytes"), algorithm=algorithm
        )
        return {
            "status": sent["status"],
            "body": sent["body"],
            "activity_id": activity["id"],
            "body_len": sent["body_len"],
            "request_headers": sent["request_headers"],
        }

    # ---------------------------------------------------------------- alice's posts and profile
    #
    # What a Mastodon account does that a linked-account test needs: set profile properties
    # (url, PropertyValue fields, alsoKnownAs), publish a post of any visibility (or a reply),
    # edit it and delete it, each delivered to alice's followers as Mastodon delivers it.

    async def handle_note(self, request: web.Request) -> web.Response:
        local = self.local_actor(request)
        note_id = f"{local.id}/statuses/{request.match_info['id']}"
        if note_id not in self.notes:
            return web.json_response({"error": "no such post"}, status=404)
        note = self.notes[note_id]
        if note is None:
            return web.Response(
                status=410,
                text=dumps({"@context": AS_CONTEXT, "id": note_id, "type": "Tombstone"}),
                content_type=AP_JSON,
                charset="utf-8",
            )
        return self.ap_response({"@context": AS_CONTEXT, **note})

    async def control_profile(self, _request, body):
        allowed = {"url", "attachment", "alsoKnownAs"}
        unknown = set(body) - allowed
        if unknown:
            raise ControlError(400, f"unknown profile properties {sorted(unknown)}; allowed: {sorted(allowed)}")
        for key, value in body.items():
            if value is None:
                self.alice.profile.pop(key, None)
            else:
                self.alice.profile[key] = value
        return {"ok": True, "actor": self.alice.document()}

    def note_audience(self, visibility: str, to: list) -> tuple[list, list]:
        followers = f"{self.alice.id}/followers"
        if visibility == "public":
            return [PUBLIC], [followers]
        if visibility == "unlisted":
            return [followers], [PUBLIC]
        if visibility == "followers":
            return [followers], []
        if visibility == "direct":
            return list(to), []
        raise ControlError(400, f"visibility must be public, unlisted, followers or direct, not {visibility!r}")

    async def deliver_to_followers(self, activity: dict, extra: list | None = None) -> list:
        """POSTs `activity` to the inbox (shared when there is one) of each follower of alice
        and of each actor in `extra`, once per inbox; returns [{inbox, status}]."""
        inboxes = []
        for actor_id in list(self.followers["alice"]) + list(extra or []):
            try:
                doc, inbox = await self.actor_inbox(actor_id)
            except ControlError as error:
                log.warning("no inbox for %s: %s", actor_id, error)
                continue
            shared = doc.get("endpoints", {}).get("sharedInbox") if isinstance(doc.get("endpoints"), dict) else None
            target = shared if isinstance(shared, str) else inbox
            if target not in inboxes:
                inboxes.append(target)
        deliveries = []
        for inbox in inboxes:
            sent = await self.post_activity(inbox, activity)
            deliveries.append({"inbox": inbox, "status": sent["status"]})
        return deliveries

    def stored_note(self, body: dict) -> dict:
        note_id = required_str(body, "note_id")
        note = self.notes.get(note_id)
        if note is None:
            raise ControlError(400, f"no live post {note_id!r} of alice")
        return note

    async def control_publish(self, _request, body):
        content = required_str(body, "content")
        visibility = body.get("visibility", "public")
        to_actors = body.get("to", [])
        if not isinstance(to_actors, list) or not all(isinstance(a, str) for a in to_actors):
            raise ControlError(400, "to must be a list of actor ids")
        to, cc = self.note_audience(visibility, to_actors)
        note_id = f"{self.alice.id}/statuses/{uuid.uuid4()}"
        note = {
            "id": note_id,
            "type": "Note",
            "attributedTo": self.alice.id,
            "content": content,
            "url": note_id,
            "to": to,
            "cc": cc,
            "inReplyTo": body.get("in_reply_to"),
            "published": now_utc().isoformat(timespec="seconds").replace("+00:00", "Z"),
            "sensitive": False,
        }
        self.notes[note_id] = note
        create = {
            "@context": AS_CONTEXT,
            "id": f"{note_id}/activity",
            "type": "Create",
            "actor": self.alice.id,
            "published": note["published"],
            "to": to,
            "cc": cc,
            "object": note,
        }
        self.activities[create["id"]] = create
        deliveries = await self.deliver_to_followers(create, to_actors if visibility == "direct" else [])
        return {"note_id": note_id, "create_id": create["id"], "deliveries": deliveries}

    async def control_update_post(self, _request, body):
        note = self.stored_note(body)
        note["content"] = required_str(body, "content")
        note["updated"] = now_utc().isoformat(timespec="seconds").replace("+00:00", "Z")
        update = {
            "@context": AS_CONTEXT,
            "id": f"{note['id']}#updates/{uuid.uuid4()}",
            "type": "Update",
            "actor": self.alice.id,
            "to": note["to"],
            "cc": note["cc"],
            "object": note,
        }
        deliveries = await self.deliver_to_followers(update)
        return {"note_id": note["id"], "update_id": update["id"], "deliveries": deliveries}

    async def control_delete_post(self, _request, body):
        note = self.stored_note(body)
        self.notes[note["id"]] = None
        delete = {
            "@context": AS_CONTEXT,
            "id": f"{note['id']}#delete",
            "type": "Delete",
            "actor": self.alice.id,
            "to": [PUBLIC],
            "object": {"id": note["id"], "type": "Tombstone"},
        }
        deliveries = await self.deliver_to_followers(delete)
        return {"note_id": note["id"], "delete_id": delete["id"], "deliveries": deliveries}

    def control(self, handler, method: str):
        """Wraps a control handler: JSON in, JSON out, every failure a JSON error."""

        async def wrapped(request: web.Request) -> web.Response:
            try:
                body = {}
                if method == "POST":
                    raw = await request.read()
                    try:
                        body = json.loads(raw) if raw.strip() else {}
                    except ValueError as error:
                        raise ControlError(400, f"request body is not JSON: {error}") from error
                    if not isinstance(body, dict):
                        raise ControlError(400, "request body must be a JSON object")
                return web.json_response(await handler(request, body))
            except ControlError as error:
                log.warning("control %s: %s", request.path, error)
                return web.json_response({"error": str(error), **error.extra}, status=error.status)
            except Exception as error:
                log.exception("control %s crashed", request.path)
                return web.json_response({"error": f"internal error: {error!r}"}, status=500)

        return wrapped

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.cleanup_ctx.append(self.start_client)
        routes = [
            web.get("/.well-known/webfinger", self.handle_webfinger),
            web.get("/.well-known/nodeinfo", self.handle_nodeinfo_links),
            web.get("/nodeinfo/2.0", self.handle_nodeinfo),
            web.get("/users/{name}", self.handle_actor),
            web.post("/users/{name}/inbox", self.handle_inbox),
            web.post("/inbox", self.handle_inbox),
            web.get("/users/{name}/{collection:outbox|followers|following}", self.handle_collection),
            web.get("/activities/{id}", self.handle_activity),
            web.get("/users/{name}/statuses/{id}", self.handle_note),
        ]
        control = {
            ("GET", "health"): self.control_health,
            ("GET", "received"): self.control_received,
            ("GET", "sent"): self.control_sent,
            ("POST", "reset"): self.control_reset,
            ("POST", "webfinger"): self.control_webfinger,
            ("POST", "fetch"): self.control_fetch,
            ("POST", "follow"): self.control_follow,
            ("POST", "undo_follow"): self.control_undo_follow,
            ("POST", "send"): self.control_send,
            ("POST", "answer_mode"): self.control_answer_mode,
            ("POST", "profile"): self.control_profile,
            ("POST", "publish"): self.control_publish,
            ("POST", "update_post"): self.control_update_post,
            ("POST", "delete_post"): self.control_delete_post,
        }
        for (method, name), handler in control.items():
            routes.append(web.route(method, f"/control/{name}", self.control(handler, method)))
        app.add_routes(routes)
        return app


def required_str(body: dict, key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise ControlError(400, f"{key} (a non-empty string) is required")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="port on 127.0.0.1; the peer is localhost:PORT")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--no-auto-accept", action="store_true", help="do not answer Follows of alice with an Accept"
    )
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format=f"%(asctime)s peer:{args.port} %(levelname)s %(name)s: %(message)s",
    )
    peer = Peer(args.port, auto_accept=not args.no_auto_accept)
    log.info("peer %s (actor %s) listening on %s:%d", peer.domain, peer.alice.id, args.bind, args.port)
    web.run_app(peer.app(), host=args.bind, port=args.port, print=None, access_log=logging.getLogger("access"))


if __name__ == "__main__":
    main()
