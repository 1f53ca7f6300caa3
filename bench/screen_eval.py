#!/usr/bin/env python3
"""Scores screening results against the generator's truth (standard library only).

    python3 bench/screen_eval.py --truth TRUTH.csv --results RESULTS.csv [--label NAME]
                                 [--thresholds 0.5,0.99] [--json [FILE]] [--no-header]

TRUTH.csv: kind,record_id,other_id,detail with kinds duplicate, deceased, abroad, fictitious, silent
(found ones) and twin, namesake (different people who look alike: must not come out as duplicates).
RESULTS.csv: read by header name; needs kind, record_id, other_id, score (other columns ignored).
A result counts at threshold t when score >= t; an empty score counts at every threshold.

Per kind and threshold: truth count, found, true positives, precision, recall, F1.
  - duplicate pairs are unordered; deceased/abroad pairs are (people record, death/exit record);
    fictitious and silent results are judged by record_id alone.
  - A found pair that the truth implies but does not list counts as a true positive: duplicates in one
    truth cluster (A=B and A=C make B=C), and a death or exit linked to another record of the same
    person. Recall is over the pairs the truth lists; a listed death or exit counts as found when it is
    linked to any record of that person.
  - twin and namesake: the share of those pairs that appear as duplicate results (false-positive rate).

Prints a Markdown table; --json prints JSON instead, --json FILE writes it to FILE as well as the table.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import defaultdict

FOUND_KINDS = ["duplicate", "deceased", "abroad", "fictitious", "silent"]
LOOKALIKE_KINDS = ["twin", "namesake"]


def read_rows(path: str, required: list[str]) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as fh:  # tolerate a BOM
        reader = csv.DictReader(fh)
        names = [n.strip() for n in (reader.fieldnames or [])]
        missing = [c for c in required if c not in names]
        if missing:
            sys.exit(f"{path}: missing column(s) {', '.join(missing)} (header: {','.join(names)})")
        reader.fieldnames = names
        return [{k: (v or "").strip() for k, v in row.items() if k is not None} for row in reader]


def pair_key(kind: str, a: str, b: str):
    if kind in ("fictitious", "silent"):
        return a
    if kind in ("duplicate", "twin", "namesake"):
        return (a, b) if a <= b else (b, a)
    return (a, b)


class Clusters:
    """Union-find over the truth's duplicate pairs: which people records are one person."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[ra] = rb


def load_truth(path: str):
    rows = read_rows(path, ["kind", "record_id", "other_id"])
    truth: dict[str, set] = defaultdict(set)
    clusters = Clusters()
    for r in rows:
        kind = r["kind"]
        truth[kind].add(pair_key(kind, r["record_id"], r["other_id"]))
        if kind == "duplicate":
            clusters.union(r["record_id"], r["other_id"])
    # Links by person (cluster root) so that any record of a person matches its death/exit record.
    linked_by_person = {k: {(clusters.find(p), o) for p, o in truth.get(k, ())} for k in ("deceased", "abroad")}
    return truth, clusters, linked_by_person


def decision_level(r: dict[str, str], review: float, hold: float) -> float:
    """2 for a hold, 1 for a review item, 0 otherwise: from the decision column when the tool writes
    one (Tamwin), else from the score and the same thresholds (Splink)."""
    d = r.get("decision")
    if d:
        return {"hold": 2.0, "review": 1.0}.get(d, 0.0)
    s = float(r["score"]) if r["score"] else 0.0
    return 2.0 if s >= hold else 1.0 if s >= review else 0.0


def load_results(path: str, decisions=None) -> dict[str, dict]:
    """kind -> key -> best score (a pair written twice, or in both orders, counts once). With
    `decisions` (review, hold), the score is replaced by the decision level."""
    rows = read_rows(path, ["kind", "record_id", "other_id", "score"])
    if decisions:
        for r in rows:
            # An exit that ended (return) or is still short is linked but not acted on: for exits the
            # linkage is judged, by the score.
            judged = dict(r, decision="") if r["kind"] == "abroad" else r
            r["score"] = str(decision_level(judged, *decisions))
    out: dict[str, dict] = defaultdict(dict)
    unscored = 0
    for r in rows:
        # Tamwin reports one ID on two cards as its own kind (a); it is a duplicate link all the same.
        kind = "duplicate" if r["kind"] == "same_id" else r["kind"]
        try:
            score = float(r["score"]) if r["score"] else float("inf")
        except ValueError:
            score = float("inf")
        if score == float("inf"):
            unscored += 1
        key = pair_key(kind, r["record_id"], r["other_id"])
        if key not in out[kind] or score > out[kind][key]:
            out[kind][key] = score
    if unscored:
        print(f"note: {unscored} result(s) without a numeric score count at every threshold", file=sys.stderr)
    return out


def ratio(n: int, d: int):
    return n / d if d else None


def evaluate(truth, clusters, linked_by_person, results, thresholds: list[float]) -> list[dict]:
    rows = []
    for t in thresholds:
        for kind in FOUND_KINDS:
            listed = truth.get(kind, set())
            found = {k for k, s in results.get(kind, {}).items() if s >= t}

            def correct(key) -> bool:
                if key in listed:
                    return True
                if kind == "duplicate":
                    a, b = key
                    return a in clusters.parent and b in clusters.parent and clusters.find(a) == clusters.find(b)
                if kind in ("deceased", "abroad"):
                    p, o = key
                    return (clusters.find(p), o) in linked_by_person[kind]
                return False

            tp = sum(1 for k in found if correct(k))
            if kind in ("deceased", "abroad"):
                # A death/exit counts as found when linked to any record of that person.
                found_by_person = {(clusters.find(p), o) for p, o in found}
                hits = sum(1 for p, o in listed if (clusters.find(p), o) in found_by_person)
            else:
                hits = len(listed & found)
            precision, recall = ratio(tp, len(found)), ratio(hits, len(listed))
            if precision is None or recall is None:
                f1 = None
            else:
                f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            rows.append({"kind": kind, "threshold": t, "truth": len(listed), "found": len(found),
                         "true_positives": tp, "truth_found": hits,
                         "precision": precision, "recall": recall, "f1": f1})
        dups = {k for k, s in results.get("duplicate", {}).items() if s >= t}
        for kind in LOOKALIKE_KINDS:
            pairs = truth.get(kind, set())
            linked = len(pairs & dups)
            rows.append({"kind": kind, "threshold": t, "truth": len(pairs), "linked_as_duplicate": linked,
                         "false_positive_rate": ratio(linked, len(pairs))})
    return rows


def fmt(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def markdown(rows: list[dict], label: str, header: bool) -> str:
    out = []
    if header:
        out.append("| label | kind | threshold | truth | found | true positives | precision | recall | F1 |")
        out.append("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["kind"] in FOUND_KINDS:
            out.append(f"| {label} | {r['kind']} | {r['threshold']:g} | {r['truth']} | {r['found']} | "
                       f"{r['true_positives']} | {fmt(r['precision'])} | {fmt(r['recall'])} | {fmt(r['f1'])} |")
    out.append("")
    if header:
        out.append("| label | look-alike kind | threshold | pairs | linked as duplicate | false-positive rate |")
        out.append("|---|---|---|---|---|---|")
    for r in rows:
        if r["kind"] in LOOKALIKE_KINDS:
            out.append(f"| {label} | {r['kind']} | {r['threshold']:g} | {r['truth']} | "
                       f"{r['linked_as_duplicate']} | {fmt(r['false_positive_rate'])} |")
    return "\n".join(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--results", required=True)
    ap.add_argument("--label", default=None, help="name of the run in the table (default: results file name)")
    ap.add_argument("--thresholds", default="0.5,0.99", help="comma-separated score thresholds")
    ap.add_argument("--json", nargs="?", const="-", metavar="FILE",
                    help="JSON on stdout instead of the table, or (with FILE) to FILE as well")
    ap.add_argument("--decisions", default=None, metavar="REVIEW,HOLD",
                    help="judge by decision (review or hold) instead of score: a tool's own decision column, "
                         "else its score against these two thresholds; reported at thresholds 1 (review) and 2 (hold)")
    ap.add_argument("--no-header", action="store_true", help="table rows only, to append a second run")
    args = ap.parse_args()

    try:
        thresholds = [float(x) for x in args.thresholds.split(",") if x.strip()]
    except ValueError:
        ap.error(f"bad --thresholds {args.thresholds!r}")
    label = args.label or args.results.rsplit("/", 1)[-1]

    truth, clusters, linked_by_person = load_truth(args.truth)
    decisions = None
    if args.decisions:
        decisions = tuple(float(x) for x in args.decisions.split(","))
        thresholds = [1.0, 2.0]
    results = load_results(args.results, decisions)
    rows = evaluate(truth, clusters, linked_by_person, results, thresholds)
    report = {"label": label, "truth": args.truth, "results": args.results, "rows": rows}

    if args.json == "-":
        print(json.dumps(report, indent=1))
        return 0
    print(markdown(rows, label, not args.no_header))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
