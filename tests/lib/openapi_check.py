#!/usr/bin/python3
"""Validate the API answers a test run collected against the Open MPIC spec.

    openapi_check.py [--spec FILE] DIR
    openapi_check.py --self-test FIXTURES [--spec FILE]

DIR holds the answers and an index.tsv of lines "FILE<TAB>ENDPOINT<TAB>
STATUS<TAB>CASE" (tests/lib/schema.sh writes them).  Each 200 and 400 body
is checked against the schema the spec gives for ENDPOINT and STATUS; every
violation is printed as

    FAIL schema: CASE: STATUS ENDPOINT: $.json.path: message

then one "ok   schema: ..." line for the conforming answers and, last,
"schema: N passed, N failed" (one pass for all conforming answers, one
failure per non-conforming answer).  Exit 0 when all conform, 1 otherwise,
77 (and a SKIPPED line saying why) when the spec is not there: it lives
beside the repository, at $top/../shared/spec/open-mpic/openapi-3.9.0.yaml,
in this workspace and in CI, not in a clone elsewhere.

OpenAPI 3.0 is not JSON Schema; the conversion (to_json_schema) honours
`nullable: true` (null allowed besides the schema, also beside allOf/oneOf
as the spec's authors mean it), turns `oneOf` + `discriminator` into a
choice by the property's value (the mapped schema alone is checked, so the
messages point into the right branch: a plain oneOf would also fail the
contact-* methods, whose two schemas are identical), and resolves $ref into
the components.  Where the spec has a plain oneOf (the 200 body, the DCV
details) a failure is reported inside the branch with the fewest errors.

The spec's own defects that Open MPIC's reference implementation shares are
allowed, and listed in ALLOWED below: that list is the only place.  Our
documented extensions (interface.md) are added to the spec by EXTENSIONS,
each with the schema it is held to.  The spec gives 400 no body: a 400 is
held to interface.md's (BODY_400).
"""
import argparse
import copy
import json
import os
import sys

SKIP = 77

# The spec's defects we allow, each where it is in the spec, as what more
# it accepts there, and why.  Nothing else is allowed: any other violation
# is ours to fix.  Each entry's pointer must exist in the spec (checked), and
# tests/lib/fixtures/openapi shows each is needed (the strict run fails).
ALLOWED = [
    {
        "field": "trace_identifier: null",
        "at": "/components/schemas/BaseMPICResponse/properties/trace_identifier",
        "also": {"type": "null"},
        "why": "TraceIdentifier is a string, not nullable; a request "
               "without one is answered with null, as by Open MPIC's "
               "reference code (trace_identifier: str | None)",
    },
    {
        "field": "errors: null",
        "at": "/components/schemas/BaseCheckResponse/properties/errors",
        "also": {"type": "null"},
        "why": "errors is an array, not nullable; a check without errors "
               "has errors: null, as in the reference code (errors: "
               "list[...] | None) and the spec's own 200 example",
    },
    {
        "field": "CAA records_seen as a list",
        "at": "/components/schemas/CheckResponseCAA/allOf/1/properties/"
              "details/properties/records_seen",
        "also": {"type": "array", "items": {"type": "string"}},
        "why": "the spec types the CAA details' records_seen as a string, "
               "its description says a list; the reference code emits a "
               "list of strings (interface.md section 1)",
    },
    {
        "field": "TLS-ALPN common_name: null",
        "at": "/components/schemas/TLSALPNMethodCheckResponseDetails/"
              "properties/common_name",
        "also": {"type": "null"},
        "why": "common_name is a required string, not nullable; a "
               "perspective that saw no certificate (or one without a "
               "CN) reports null, as the reference code does (issue 12)",
    },
]

# Where the spec contradicts itself: its discriminator maps dns-persistent
# to DNSPersistentValidationParameters, whose validation_method (the
# ValidationMethod enumeration) does not list dns-persistent, so no body
# satisfies it.  Open MPIC's reference code (DcvValidationMethod
# .DNS_PERSISTENT) echoes "dns-persistent" as we do.  Beyond the four the
# issue named; kept apart so that it can be dropped with one line.
ALLOWED.append({
    "field": "validation_method: dns-persistent",
    "at": "/components/schemas/DNSPersistentValidationParameters/allOf/0",
    "also": {"type": "object", "required": ["validation_method"],
             "properties": {"validation_method": {
                 "type": "string", "enum": ["dns-persistent"]}}},
    "why": "the discriminator's mapping names dns-persistent, the "
           "ValidationMethod enumeration its schema requires does not",
})

# Our extensions (interface.md section 1, "Extensions"), which the spec
# cannot describe: added to it, each with the schema it is held to.  Not
# defects of either: they are ours and documented.
EXTENSIONS = [
    {
        "field": "dcv_check_parameters for dns-account-01",
        "add": {
            "/components/schemas/X-MpicDnsAccount01ValidationParameters": {
                "type": "object",
                "required": ["validation_method", "account_uri",
                             "key_authorization_hash"],
                "properties": {
                    "validation_method": {"type": "string",
                                          "enum": ["dns-account-01"]},
                    "account_uri": {"type": "string"},
                    "key_authorization_hash": {"type": "string"},
                    "dns_record_type": {"type": "string", "enum": ["TXT"]},
                    "dns_name_prefix": {"type": "string", "nullable": True},
                    "require_exact_case": {"type": "boolean"},
                },
            },
            "/components/schemas/DcvCheckParameters/discriminator/mapping/"
            "dns-account-01":
                "#/components/schemas/X-MpicDnsAccount01ValidationParameters",
        },
    },
    {
        "field": "primary: the primary perspective's check_response",
        "add": {
            "/components/schemas/CAAResponse/allOf/1/properties/primary":
                {"$ref": "#/components/schemas/CheckResponseCAA"},
            "/components/schemas/DCVResponse/allOf/1/properties/primary":
                {"$ref": "#/components/schemas/CheckResponseDCV"},
        },
    },
    {
        "field": "warnings: a method the BR discourage (docs/api.md)",
        "add": {
            "/components/schemas/X-MpicWarnings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["warning_type", "message"],
                    "additionalProperties": False,
                    "properties": {
                        "warning_type": {"type": "string",
                                         "enum": ["method-discouraged",
                                                  "method-not-permitted"]},
                        "message": {"type": "string"},
                    },
                },
            },
            "/components/schemas/DCVResponse/allOf/1/properties/warnings":
                {"$ref": "#/components/schemas/X-MpicWarnings"},
        },
    },
    {
        "field": "findings: why perspectives disagreed (docs/findings.md)",
        "add": {
            "/components/schemas/X-MpicFindings": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["code", "severity", "perspectives",
                                 "summary", "evidence", "advice"],
                    "additionalProperties": False,
                    "properties": {
                        "code": {"type": "string", "enum": [
                            "answers_differ_by_region",
                            "dnssec_bogus_in_some_regions",
                            "dnssec_broken",
                            "unreachable_from_some_regions",
                            "dns_refused_from_some_regions",
                            "responses_differ_by_region",
                            "challenge_removed_early",
                            "challenge_missing",
                            "challenge_wrong_everywhere",
                            "caa_forbids",
                            "quorum_in_one_rir",
                            "lookup_failures"]},
                        "severity": {"type": "string",
                                     "enum": ["error", "warning"]},
                        "perspectives": {
                            "type": "array",
                            "minItems": 1,
                            "items": {
                                "type": "object",
                                "required": ["code", "rir"],
                                "additionalProperties": False,
                                "properties": {
                                    "code": {"type": "string"},
                                    "rir": {"type": "string"},
                                },
                            },
                        },
                        "summary": {"type": "string", "minLength": 1},
                        "evidence": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["perspective_code", "rir",
                                             "result", "dnssec"],
                                "properties": {
                                    "perspective_code": {"type": "string"},
                                    "rir": {"type": "string"},
                                    "result": {"type": "string", "enum": [
                                        "pass", "fail", "error"]},
                                    "dnssec": {"type": "string"},
                                    "records_seen": {
                                        "type": "array",
                                        "items": {"type": "string"}},
                                    "status": {"type": "integer"},
                                    "address": {"type": "string"},
                                    "cache_headers": {"type": "object"},
                                    "timestamp_ns": {"type": "integer"},
                                    "duration_ms": {"type": "integer"},
                                },
                            },
                        },
                        "advice": {"type": "string", "minLength": 1},
                    },
                },
            },
            "/components/schemas/CAAResponse/allOf/1/properties/findings":
                {"$ref": "#/components/schemas/X-MpicFindings"},
            "/components/schemas/DCVResponse/allOf/1/properties/findings":
                {"$ref": "#/components/schemas/X-MpicFindings"},
        },
    },
]

# Endpoints the spec has no path for, checked against the component their
# body is (interface.md section 2: a perspective answers one
# check_response, plus perspective_code and rir).
COMPONENT_ENDPOINTS = {
    "/caa": "CheckResponseCAA",
    "/dcv": "CheckResponseDCV",
}

# The spec gives 400 no body.  interface.md section 1 fixes ours (Open
# MPIC's shape); it is checked here so that a 400 is held to something.
# Not part of the spec: a failure says "(interface.md)".
BODY_400 = {
    "type": "object",
    "required": ["error", "validation_issues"],
    "properties": {
        "error": {"type": "string", "enum": ["request-validation-failed"]},
        "validation_issues": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["issue_type", "message"],
                "properties": {
                    "issue_type": {"type": "string"},
                    "message": {"type": "string"},
                },
            },
        },
    },
}

COMPONENTS = "#/components/schemas/"


def spec_default():
    top = os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    return os.path.normpath(os.path.join(
        top, "..", "shared", "spec", "open-mpic", "openapi-3.9.0.yaml"))


def pointer_get(doc, ptr):
    node = doc
    for part in ptr.lstrip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def pointer_set(doc, ptr, value):
    parts = ptr.lstrip("/").split("/")
    parent = pointer_get(doc, "/" + "/".join(parts[:-1]))
    key = parts[-1]
    if isinstance(parent, list):
        parent[int(key)] = value
    else:
        parent[key] = value


def apply_allowed(spec, allowed):
    """Each allowed defect widens the schema at its place: anyOf(it, more)."""
    spec = copy.deepcopy(spec)
    for a in allowed:
        try:
            node = pointer_get(spec, a["at"])
        except (KeyError, IndexError, ValueError, TypeError):
            raise SystemExit("openapi_check: ALLOWED entry %r: %s is not in "
                             "the spec" % (a["field"], a["at"]))
        pointer_set(spec, a["at"], {"anyOf": [node, a["also"]],
                                    "x-allowed": a["field"]})
    return spec


def apply_extensions(spec, extensions):
    spec = copy.deepcopy(spec)
    for e in extensions:
        for ptr, value in e["add"].items():
            parent = ptr.rsplit("/", 1)[0]
            try:
                pointer_get(spec, parent)
            except (KeyError, IndexError, ValueError, TypeError):
                raise SystemExit("openapi_check: EXTENSIONS entry %r: %s is "
                                 "not in the spec" % (e["field"], parent))
            pointer_set(spec, ptr, copy.deepcopy(value))
    return spec


def ref_name(ref):
    if not ref.startswith(COMPONENTS):
        raise SystemExit("openapi_check: unsupported $ref %s" % ref)
    return ref[len(COMPONENTS):]


def to_json_schema(node, discriminate=True):
    """One OpenAPI 3.0 Schema Object as JSON Schema (draft 7).  With
    discriminate false a discriminator is ignored (plain oneOf: the
    self-test shows what the discriminator changes)."""
    if isinstance(node, list):
        return [to_json_schema(x, discriminate) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k in ("nullable", "discriminator", "example", "x-allowed"):
            continue
        if k == "$ref":
            out[k] = "#/definitions/" + ref_name(v)
        elif k == "properties":
            out[k] = {p: to_json_schema(s, discriminate)
                      for p, s in v.items()}
        else:
            out[k] = to_json_schema(v, discriminate)
    disc = node.get("discriminator")
    if discriminate and disc is not None and "oneOf" in node:
        prop = disc["propertyName"]
        mapping = disc.get("mapping") or {
            ref_name(b["$ref"]): b["$ref"] for b in node["oneOf"]}
        del out["oneOf"]
        choice = {
            "type": "object",
            "required": [prop],
            "properties": {prop: {"enum": list(mapping)}},
            "allOf": [{"if": {"properties": {prop: {"const": val}},
                              "required": [prop]},
                       "then": {"$ref": "#/definitions/" + ref_name(ref)}}
                      for val, ref in mapping.items()],
        }
        out = {"allOf": [out, choice]} if out else choice
    if node.get("nullable") is True:
        # null, or else the schema: errors of a non-null value stay precise
        out = {"if": {"type": "null"}, "else": out}
    return out


def json_path(parts):
    s = "$"
    for p in parts:
        if isinstance(p, int):
            s += "[%d]" % p
        elif p.isidentifier():
            s += "." + p
        else:
            s += "[%s]" % json.dumps(p)
    return s


def short(v, n=120):
    t = json.dumps(v, separators=(",", ":"))
    return t if len(t) <= n else t[:n] + "..."


def message(err):
    v = err.validator
    if v == "type":
        return "%s is not of type %s" % (short(err.instance), short(
            err.validator_value))
    if v == "enum":
        return "%s is not one of %s" % (short(err.instance), short(
            err.validator_value, 300))
    if v == "required":
        return err.message
    if v == "oneOf" and not err.context:
        return "valid under more than one of the oneOf schemas"
    return "%s: %s" % (v, err.message[:300])


class Checker:
    def __init__(self, spec, allowed, extensions, discriminate=True):
        import jsonschema
        self.jsonschema = jsonschema
        self.discriminate = discriminate
        self.spec = apply_allowed(apply_extensions(spec, extensions), allowed)
        defs = {name: to_json_schema(s, discriminate) for name, s in
                self.spec["components"]["schemas"].items()}
        self.root = {"definitions": defs}
        self.resolver = jsonschema.RefResolver.from_schema(self.root)
        self.validators = {}

    def schema_for(self, endpoint, status):
        """(schema, source) or (None, why not checked)."""
        if status == 400:
            return dict(BODY_400), "interface.md 400 body"
        path = self.spec.get("paths", {}).get(endpoint)
        if path is not None:
            resp = path.get("post", {}).get("responses", {}).get(str(status))
            if resp is None:
                return None, "the spec has no %d for %s" % (status, endpoint)
            try:
                s = resp["content"]["application/json"]["schema"]
            except KeyError:
                return None, "the spec gives %s %d no body" % (endpoint,
                                                               status)
            return to_json_schema(s, self.discriminate), \
                "spec paths.%s.post.responses.%d" % (
                endpoint, status)
        comp = COMPONENT_ENDPOINTS.get(endpoint)
        if comp is not None:
            return ({"$ref": "#/definitions/" + comp},
                    "spec components.schemas.%s" % comp)
        return None, "the spec does not cover %s" % endpoint

    def leaves(self, err):
        """The errors to report for err: inside oneOf/anyOf, the branch with
        the fewest errors (the one the answer was meant to be)."""
        if err.validator in ("oneOf", "anyOf") and err.context:
            branches = {}
            for sub in err.context:
                branches.setdefault(sub.relative_schema_path[0], []).append(
                    sub)
            best = min(branches.values(), key=len)
            out = []
            for sub in best:
                out.extend(self.leaves(sub))
            return out
        return [err]

    def check(self, body, endpoint, status):
        """A list of (json path, message); None when not checked (and why)."""
        key = (endpoint, status)
        if key not in self.validators:
            schema, source = self.schema_for(endpoint, status)
            v = None
            if schema is not None:
                full = dict(schema)
                full["definitions"] = self.root["definitions"]
                v = self.jsonschema.Draft7Validator(full,
                                                    resolver=self.resolver)
            self.validators[key] = (v, source)
        v, source = self.validators[key]
        if v is None:
            return None, source
        found = []
        for err in sorted(v.iter_errors(body), key=lambda e: list(
                map(str, e.absolute_path))):
            for leaf in self.leaves(err):
                found.append((json_path(leaf.absolute_path), message(leaf)))
        return found, source


def load_spec(path):
    import yaml
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def read_index(d):
    rows = []
    with open(os.path.join(d, "index.tsv"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                rows.append(line.split("\t"))
    return rows


def check_one(checker, d, row):
    """(violations, note): violations a list, or None when not checked."""
    fname, endpoint, status = row[0], row[1], int(row[2])
    try:
        with open(os.path.join(d, fname), encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        return [("$", "cannot read the answer: %s" % e)], ""
    try:
        body = json.loads(text)
    except ValueError as e:
        return [("$", "not JSON: %s" % e)], ""
    return checker.check(body, endpoint, status)


def run(args):
    try:
        spec = load_spec(args.spec)
    except FileNotFoundError:
        print("SKIPPED: schema check: %s not found (a clone outside the "
              "workspace: the spec lives in ../shared beside the "
              "repository); answers not validated" % args.spec)
        return SKIP
    checker = Checker(spec, ALLOWED, EXTENSIONS)
    rows = read_index(args.dir) if os.path.exists(
        os.path.join(args.dir, "index.tsv")) else []
    good = bad = 0
    counts = {}
    unchecked = {}
    for row in rows:
        case = row[3] if len(row) > 3 else row[0]
        found, note = check_one(checker, args.dir, row)
        if found is None:
            unchecked[note] = unchecked.get(note, 0) + 1
            continue
        key = "%s %s" % (row[2], row[1])
        counts[key] = counts.get(key, 0) + 1
        if not found:
            good += 1
            continue
        bad += 1
        for p, m in found:
            print("FAIL schema: %s: %s %s: %s: %s" % (case, row[2], row[1],
                                                      p, m))
    spread = ", ".join("%d %s" % (n, k) for k, n in sorted(counts.items()))
    if good:
        print("ok   schema: %d of %d answers conform to %s (%s); allowed: "
              "%d spec defects, %d extensions (ALLOWED, EXTENSIONS in %s)"
              % (good, good + bad, os.path.basename(args.spec), spread,
                 len(ALLOWED), len(EXTENSIONS), "tests/lib/openapi_check.py"))
    elif not bad:
        print("FAIL schema: no answer was collected in %s" % args.dir)
        bad = 1
    for note, n in sorted(unchecked.items()):
        print("     schema: %d answers not checked: %s" % (n, note))
    print("schema: %d passed, %d failed" % (1 if good else 0, bad))
    return 0 if bad == 0 else 1


def self_test(args):
    """Fixtures with what must be found in three ways of checking.

    FIXTURES/index.tsv: FILE ENDPOINT STATUS EXPECT STRICT PLAIN CASE, each
    of EXPECT, STRICT, PLAIN "-" (conforms) or the JSON paths (comma
    separated) that must be reported: EXPECT as the runners check, STRICT
    without ALLOWED and EXTENSIONS (each is needed), PLAIN with the
    discriminator ignored (it is needed)."""
    try:
        spec = load_spec(args.spec)
    except FileNotFoundError:
        print("SKIPPED: schema self-test: %s not found (a clone outside the "
              "workspace)" % args.spec)
        return SKIP
    modes = (("as run", Checker(spec, ALLOWED, EXTENSIONS)),
             ("strict", Checker(spec, [], [])),
             ("plain oneOf", Checker(spec, ALLOWED, EXTENSIONS, False)))
    failures = n = 0
    for row in read_index(args.self_test):
        fname, endpoint, status = row[0:3]
        case = row[6]
        for (mode, checker), want in zip(modes, row[3:6]):
            n += 1
            found, note = check_one(checker, args.self_test,
                                    [fname, endpoint, status])
            got = sorted({p for p, _ in found or []})
            want_l = [] if want == "-" else sorted(want.split(","))
            if found is None or got != want_l:
                failures += 1
                print("FAIL %s (%s): want %s, got %s %s" % (
                    case, mode, want_l, got,
                    note if found is None else found))
            else:
                print("ok   %s (%s): %s" % (case, mode, "; ".join(
                    "%s: %s" % f for f in found) or "conforms"))
    print("%d passed, %d failed" % (n - failures, failures))
    return 0 if failures == 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spec", default=spec_default())
    ap.add_argument("--self-test", metavar="FIXTURES")
    ap.add_argument("dir", nargs="?")
    args = ap.parse_args()
    try:
        import jsonschema  # noqa: F401 (Debian's python3-jsonschema)
        import yaml  # noqa: F401 (python3-yaml)
    except ImportError as e:
        print("FAIL schema: %s (install python3-jsonschema and python3-yaml:"
              " scripts/deps.txt); answers not validated" % e)
        print("schema: 0 passed, 1 failed")
        return 1
    if args.self_test:
        return self_test(args)
    if not args.dir:
        ap.error("a directory of answers is needed")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
