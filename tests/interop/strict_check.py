#!/usr/bin/env python3
"""Strict judges for the documents coopnet serves: NodeInfo against the published JSON Schemas,
and ActivityStreams documents through a real JSON-LD processor (pyld).

Usage::

    python strict_check.py DOCUMENTS.json   # judge documents; exit 0 only when all pass
    python strict_check.py --selftest       # prove each check can fail; exit 0 when it does

``DOCUMENTS.json`` is ``{"nodeinfo_links": [{"label", "document"}, ...], "nodeinfo":
[{"label", "version": "2.0"|"2.1", "document"}, ...], "jsonld": [{"label", "document"}, ...]}``
(each part optional). One line is printed per document (``ok LABEL`` or
``FAIL LABEL: problem; ...``), then ``checked N documents, F failed``.

NodeInfo (``tests/fixtures/nodeinfo/schema-{2.0,2.1}.json``): the document must validate
against its version's schema (draft-04, as published), and, as Fedify's parser demands, every
string must be non-empty and ``software.repository``/``homepage`` absolute http(s) URLs.

JSON-LD: the ``@context`` is resolved only from local copies
(``tests/fixtures/jsonld-contexts/``); any other context URL is refused, so the test never
touches the network and a context we do not know fails. Then:

1. the document is expanded; every property and every ``@type`` value must come out as an
   absolute http(s) IRI. The ActivityStreams context sets ``"@vocab": "_:"``, so an undefined
   term does not vanish: it becomes a blank-node IRI (``_:slug``), reported here; a compact
   IRI whose prefix no context defines (``coopnet:x`` with no ``coopnet``) comes out with the
   made-up scheme ``coopnet:``, also reported. JSON literals (``@type: @json``) are not
   entered: their inner keys are data, not terms.
2. the expanded document is compacted again with the same context, and every key path of the
   input (keys only, array positions ignored) must still be there: a term that expansion
   dropped (mapped to ``null``, or otherwise lost) is reported.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import jsonschema
from pyld import jsonld

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "fixtures"
CONTEXTS = {
    "https://www.w3.org/ns/activitystreams": "activitystreams.jsonld",
    "https://w3id.org/security/v1": "security-v1.jsonld",
}
NODEINFO_VERSIONS = ("2.0", "2.1")


# ------------------------------------------------------------------------------- JSON-LD


class RefusedContext(Exception):
    """A context URL we hold no local copy of."""


def _normalise(url: str) -> str:
    # Contexts are named with or without a trailing '#' or '/', and over http or https.
    url = url.rstrip("#/")
    return "https://" + url[len("http://") :] if url.startswith("http://") else url


_LOCAL = {_normalise(url): name for url, name in CONTEXTS.items()}
_CACHE: dict[str, Any] = {}


def local_loader(url: str, options: dict | None = None) -> dict:
    """pyld document loader serving only the local copies of known contexts."""
    name = _LOCAL.get(_normalise(url))
    if name is None:
        raise RefusedContext(f"context {url} is not one of the local copies {sorted(CONTEXTS)}")
    if name not in _CACHE:
        _CACHE[name] = json.loads((FIXTURES / "jsonld-contexts" / name).read_text())
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(_CACHE[name])}


OPTIONS = {"documentLoader": local_loader, "processingMode": "json-ld-1.1"}


def _absolute_http(iri: str) -> bool:
    parts = urlsplit(iri)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _expanded_problems(node: Any, path: str, out: list[str]) -> None:
    """Walks an expanded document: each property and type must be an absolute http(s) IRI."""
    if isinstance(node, list):
        for item in node:
            _expanded_problems(item, path, out)
        return
    if not isinstance(node, dict):
        return
    if node.get("@type") == "@json":
        return  # a JSON literal: data, not terms
    for key, value in node.items():
        if key == "@type":
            for kind in value if isinstance(value, list) else [value]:
                if isinstance(kind, str) and not _absolute_http(kind):
                    out.append(f"type {kind!r} at {path or '/'} is not defined by the @context")
            continue
        if key.startswith("@"):
            if key in ("@list", "@set", "@graph", "@reverse", "@included"):
                _expanded_problems(value, path, out)
            continue
        if not _absolute_http(key):
            term = key[2:] if key.startswith("_:") else key
            out.append(f"term {term!r} at {path or '/'} is not defined by the @context ({key})")
        _expanded_problems(value, f"{path}/{key}", out)


def _key_paths(node: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(node, list):
        for item in node:
            yield from _key_paths(item, prefix)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                continue
            path = prefix + (key,)
            yield path
            yield from _key_paths(value, path)


def jsonld_problems(document: dict) -> list[str]:
    """What a strict JSON-LD reading of `document` loses or cannot name."""
    if "@context" not in document:
        return ["no @context"]
    problems: list[str] = []
    try:
        expanded = jsonld.expand(copy.deepcopy(document), OPTIONS)
    except Exception as e:  # pyld wraps loader and syntax errors in JsonLdError
        return [f"expansion failed: {_cause(e)}"]
    _expanded_problems(expanded, "", problems)
    try:
        compacted = jsonld.compact(expanded, {"@context": document["@context"]}, OPTIONS)
    except Exception as e:
        return problems + [f"compaction failed: {_cause(e)}"]
    kept = set(_key_paths(compacted))
    for path in sorted(set(_key_paths(document)) - kept):
        problems.append(f"key {'/'.join(path)} is dropped by JSON-LD expansion")
    return problems


def _cause(e: BaseException) -> str:
    seen = []
    while e is not None and len(seen) < 6:
        seen.append(f"{type(e).__name__}: {getattr(e, 'message', None) or e}")
        e = getattr(e, "cause", None) or e.__cause__
    return " <- ".join(seen)


# ------------------------------------------------------------------------------- NodeInfo


def _schema(version: str) -> dict:
    return json.loads((FIXTURES / "nodeinfo" / f"schema-{version}.json").read_text())


def _strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, str):
        yield path or "/", node
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _strings(item, f"{path}/{i}")
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{path}/{key}")


def nodeinfo_problems(version: str, document: Any) -> list[str]:
    """Schema violations of a NodeInfo document, plus what Fedify's stricter parser refuses."""
    if version not in NODEINFO_VERSIONS:
        return [f"unknown NodeInfo version {version}"]
    validator = jsonschema.Draft4Validator(_schema(version))
    problems = [
        f"schema: {'/'.join(str(p) for p in e.absolute_path) or '/'}: {e.message}"
        for e in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]
    for path, value in _strings(document):
        if not value.strip():
            problems.append(f"empty string at {path}")
    software = document.get("software") if isinstance(document, dict) else None
    for key in ("repository", "homepage"):
        value = software.get(key) if isinstance(software, dict) else None
        if isinstance(value, str) and value and not _absolute_http(value):
            problems.append(f"software.{key} {value!r} is not an absolute http(s) URL")
    return problems


def nodeinfo_links_problems(document: Any) -> list[str]:
    """The discovery document: links to both versions, each an absolute URL."""
    links = document.get("links") if isinstance(document, dict) else None
    if not isinstance(links, list) or not links:
        return ["no links"]
    problems = []
    rels = set()
    for link in links:
        if not isinstance(link, dict) or not isinstance(link.get("rel"), str):
            problems.append(f"link without rel: {link!r}")
            continue
        rels.add(link["rel"])
        if not (isinstance(link.get("href"), str) and _absolute_http(link["href"])):
            problems.append(f"link {link['rel']} has no absolute href")
    for version in NODEINFO_VERSIONS:
        rel = f"http://nodeinfo.diaspora.software/ns/schema/{version}"
        if rel not in rels:
            problems.append(f"no link to NodeInfo {version}")
    return problems


# ------------------------------------------------------------------------------- driver


def judge(documents: dict) -> list[tuple[str, list[str]]]:
    results = []
    for item in documents.get("nodeinfo_links", []):
        results.append((item["label"], nodeinfo_links_problems(item["document"])))
    for item in documents.get("nodeinfo", []):
        results.append((item["label"], nodeinfo_problems(item["version"], item["document"])))
    for item in documents.get("jsonld", []):
        results.append((item["label"], jsonld_problems(item["document"])))
    return results


def report(results: list[tuple[str, list[str]]]) -> int:
    failed = 0
    for label, problems in results:
        if problems:
            failed += 1
            print(f"FAIL {label}: " + "; ".join(problems))
        else:
            print(f"ok {label}")
    print(f"checked {len(results)} documents, {failed} failed")
    return failed


AS = "https://www.w3.org/ns/activitystreams"


def selftest() -> int:
    """Each check must reject a document built to break it, and pass a clean one."""
    note = {
        "@context": [AS, {"Hashtag": "as:Hashtag", "sensitive": "as:sensitive"}],
        "id": "https://coops.example/coops/a/posts/1",
        "type": "Note",
        "attributedTo": "https://coops.example/coops/a",
        "content": "<p>Hi #coops</p>",
        "contentMap": {"en": "<p>Hi #coops</p>"},
        "sensitive": False,
        "tag": [{"type": "Hashtag", "name": "#coops", "href": "https://coops.example/tags/coops"}],
        "to": [AS + "#Public"],
    }
    actor = {
        "@context": [
            AS,
            "https://w3id.org/security/v1",
            {
                "coopnet": "https://coopnet.org/ns#",
                "coopnet:profile": {"@id": "coopnet:profile", "@type": "@json"},
            },
        ],
        "id": "https://coops.example/coops/a",
        "type": "Organization",
        "preferredUsername": "a",
        "publicKey": {"id": "https://coops.example/coops/a#main-key", "owner": "https://coops.example/coops/a", "publicKeyPem": "PEM"},
        "coopnet:profile": {"slug": "a", "services": ["Hosting"], "country": "GB"},
    }
    nodeinfo = {
        "version": "2.1",
        "software": {"name": "coopnet", "version": "0.1.0", "repository": "https://git.example/coopnet"},
        "protocols": ["activitypub"],
        "services": {"inbound": [], "outbound": ["atom1.0"]},
        "openRegistrations": False,
        "usage": {"users": {"total": 1, "activeMonth": 1, "activeHalfyear": 1}, "localPosts": 0},
        "metadata": {"nodeName": "Net"},
    }

    def changed(doc: dict, **edits: Any) -> dict:
        doc = copy.deepcopy(doc)
        for key, value in edits.items():
            doc[key.replace("__", ":")] = value
        return doc

    no_json_literal = copy.deepcopy(actor)
    no_json_literal["@context"][2] = {"coopnet": "https://coopnet.org/ns#"}
    nulled = changed(note, **{"@context": [AS, {"Hashtag": "as:Hashtag", "sensitive": None}]})
    nodeinfo_20 = changed(nodeinfo, version="2.0")
    empty_repo = changed(nodeinfo, software={"name": "coopnet", "version": "0.1.0", "repository": ""})
    bad_name = changed(nodeinfo, software={"name": "CoopNet", "version": "0.1.0"})
    negative_users = changed(nodeinfo, usage={"users": {"total": -1}})

    cases: list[tuple[str, list[str], str | None]] = [
        ("clean Note passes", jsonld_problems(note), None),
        ("clean Organization with a JSON literal passes", jsonld_problems(actor), None),
        ("undefined term is reported", jsonld_problems(changed(note, webfinger="acct:a@coops.example")), "'webfinger'"),
        ("undefined type is reported", jsonld_problems(changed(note, type="Status")), "type"),
        ("keys inside a non-literal extension object are reported", jsonld_problems(no_json_literal), "'slug'"),
        ("undefined prefix is reported", jsonld_problems(changed(note, coopnet__digest="d1")), "coopnet:digest"),
        ("term mapped to null (dropped) is reported", jsonld_problems(nulled), "sensitive is dropped"),
        ("unknown context URL is refused", jsonld_problems(changed(note, **{"@context": [AS, "https://example.org/ctx"]})), "RefusedContext"),
        ("clean NodeInfo 2.1 passes", nodeinfo_problems("2.1", nodeinfo), None),
        ("software.repository in 2.0 is reported", nodeinfo_problems("2.0", nodeinfo_20), "repository"),
        ("empty repository is reported", nodeinfo_problems("2.1", empty_repo), "empty string"),
        ("bad software.name is reported", nodeinfo_problems("2.1", bad_name), "does not match"),
        ("negative count is reported", nodeinfo_problems("2.1", negative_users), "minimum"),
        ("missing NodeInfo link is reported", nodeinfo_links_problems({"links": [{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": "https://x.example/nodeinfo/2.0"}]}), "2.1"),
    ]
    failed = 0
    for name, problems, expect in cases:
        joined = "; ".join(problems)
        good = (not problems) if expect is None else (expect in joined)
        failed += not good
        print(f"{'ok' if good else 'FAIL'} selftest: {name}" + ("" if good else f" (got: {joined or 'no problems'})"))
    print(f"selftest: {len(cases) - failed} passed, {failed} failed")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("documents", nargs="?", help="JSON file of documents to judge")
    parser.add_argument("--selftest", action="store_true", help="prove every check can fail")
    args = parser.parse_args()
    if args.selftest:
        return 1 if selftest() else 0
    if not args.documents:
        parser.error("give a documents file or --selftest")
    documents = json.loads(Path(args.documents).read_text())
    return 1 if report(judge(documents)) else 0


if __name__ == "__main__":
    sys.exit(main())
