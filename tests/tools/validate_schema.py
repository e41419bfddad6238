#!/usr/bin/python3
"""validate_schema.py - validate a JSON document against a JSON schema, offline.

Usage: validate_schema.py SCHEMA DOCUMENT

Every *.json file next to SCHEMA that carries an "$id" is preloaded, so
relative "$ref"s (the CycloneDX schema's spdx.schema.json and
jsf-0.82.schema.json) resolve to the local copies; any attempt to fetch a
schema over the network is an error. The validator class follows the
schema's "$schema" (draft-07 for CycloneDX 1.6 and SPDX 2.3, draft-04 for
SARIF 2.1.0, whose URI is in "id", 2020-12 for OpenVEX 0.2.0). Formats are
checked where the installed jsonschema supports them; "date-time" is
checked here (RFC 3339) when the library lacks a checker for it.

Exit status: 0 valid, 1 invalid (errors on stderr), 2 usage or I/O error.
Needs Debian's python3-jsonschema (4.10 or later).
"""
import datetime
import glob
import json
import os
import re
import sys

import jsonschema

RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?"
    r"([Zz]|[+-]\d{2}:\d{2})$")


def rfc3339_ok(value):
    if not isinstance(value, str):
        return True  # formats only constrain strings
    m = RFC3339.match(value)
    if not m:
        return False
    y, mo, d, h, mi, s = (int(x) for x in m.groups()[:6])
    try:
        datetime.datetime(y, mo, d, h, mi, min(s, 59))  # leap second 60 allowed
    except ValueError:
        return False
    return s <= 60


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def schema_id(s):
    """The schema's URI: "$id", or "id" in draft-04 schemas (SARIF 2.1.0)."""
    if not isinstance(s, dict):
        return None
    sid = s.get("$id")
    if not isinstance(sid, str) and "draft-04" in str(s.get("$schema", "")):
        sid = s.get("id")
    return sid if isinstance(sid, str) else None


def no_network(uri):
    raise RuntimeError("refusing to fetch remote schema " + uri)


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: validate_schema.py SCHEMA DOCUMENT\n")
        return 2
    schema_path, doc_path = argv[1], argv[2]
    try:
        schema = load(schema_path)
        doc = load(doc_path)
    except (OSError, ValueError) as e:
        sys.stderr.write("validate_schema: %s\n" % e)
        return 2

    store = {}
    for p in glob.glob(os.path.join(os.path.dirname(os.path.abspath(schema_path)), "*.json")):
        try:
            s = load(p)
        except (OSError, ValueError):
            continue
        sid = schema_id(s)
        if sid:
            store[sid.rstrip("#")] = s
    base = schema_id(schema) or "file://" + os.path.abspath(schema_path)
    store[base.rstrip("#")] = schema

    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)

    checker = jsonschema.FormatChecker(formats=cls.FORMAT_CHECKER.checkers.keys()) \
        if hasattr(cls, "FORMAT_CHECKER") else jsonschema.FormatChecker()
    if "date-time" not in checker.checkers:
        checker.checks("date-time")(rfc3339_ok)

    kwargs = {"format_checker": checker}
    try:
        from referencing import Registry, Resource  # jsonschema >= 4.18

        def retrieve(uri):
            no_network(uri)

        registry = Registry(retrieve=retrieve).with_resources(
            (uri, Resource.from_contents(s)) for uri, s in store.items())
        kwargs["registry"] = registry
    except ImportError:
        kwargs["resolver"] = jsonschema.RefResolver(
            base_uri=base, referrer=schema, store=store,
            handlers={"http": no_network, "https": no_network, "ftp": no_network})

    validator = cls(schema, **kwargs)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if not errors:
        return 0
    for e in errors[:50]:
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        sys.stderr.write("%s: %s: %s\n" % (doc_path, where, e.message[:500]))
        for sub in sorted(e.context or [], key=lambda c: list(c.absolute_path))[:5]:
            subwhere = "/".join(str(p) for p in sub.absolute_path)
            sys.stderr.write("    %s: %s\n" % (subwhere, sub.message[:300]))
    if len(errors) > 50:
        sys.stderr.write("... and %d more errors\n" % (len(errors) - 50))
    sys.stderr.write("%s: %d schema error(s) against %s\n" % (doc_path, len(errors), schema_path))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
