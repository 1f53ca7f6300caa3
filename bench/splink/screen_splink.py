#!/usr/bin/env python3
"""Peer side of the screening benchmark: Splink 5 on DuckDB over the files of `tamwin screen normalise`.

    bench/splink/.venv/bin/python bench/splink/screen_splink.py DIR --out RESULTS.csv [--threads 2]

Three jobs, each its own Splink model (trained on its own data, as a Splink user would):
  duplicate  dedupe of people.csv, pairs within one household left out;
  deceased   link people.csv x deaths.csv (when deaths.csv exists);
  abroad     link people.csv x exits.csv (when exits.csv exists).

RESULTS.csv: kind,record_id,other_id,score (score = Splink's match_probability). stdout gets one JSON
line with the wall seconds of each phase per job; Splink's own log goes to stderr.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import sys
import time

try:
    import duckdb
    import splink
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on
    from splink.blocking_rule_library import And, CustomRule
except ImportError as e:  # run with the venv's python
    sys.exit(f"{e}: run bench/splink/setup.sh, then bench/splink/.venv/bin/python {sys.argv[0]} ...")

log = logging.getLogger("screen_splink")

PEOPLE_COLS = ["record_id", "household_id", "national_id", "given", "father", "grandfather", "family",
               "mother", "birth_date", "birth_year", "sex"]
# Linked tables must have exactly the same columns (Splink checks), so each link job projects both
# sides onto the columns they share.
DEATH_LINK_COLS = ["record_id", "national_id", "given", "father", "grandfather", "family", "mother",
                   "birth_date", "birth_year", "sex"]
EXIT_LINK_COLS = ["record_id", "national_id", "given", "father", "grandfather", "family",
                  "birth_date", "birth_year"]

# Only across households: the same person twice on one card is not what the benchmark asks for, and
# twins and siblings share a card.
OTHER_HOUSEHOLD = CustomRule("l.household_id IS DISTINCT FROM r.household_id")


# ---------------------------------------------------------------------------------------------- load

def run(con: duckdb.DuckDBPyConnection, sql: str) -> list:
    """Executes and drains the result: DuckDB 2 refuses further work on a connection whose last
    execute() result is not fully fetched, and Splink shares this connection."""
    return con.execute(sql).fetchall()


def load_csv(con: duckdb.DuckDBPyConnection, table: str, path: str) -> list[str]:
    """Reads a normalised CSV into a DuckDB table: every column text, empty as NULL, birth_year an int.

    The delimiter and quoting are given, not sniffed: Buckwalter keys use | ' > < & } * $ which a
    sniffer may take for a delimiter or a quote.
    """
    rel = con.sql(f"SELECT * FROM read_csv('{path}', header=true, delim=',', quote='\"', escape='\"', "
                  "all_varchar=true) LIMIT 0")
    cols = rel.columns
    exprs = []
    for c in cols:
        if c == "birth_year":
            exprs.append(f"TRY_CAST(NULLIF(trim(\"{c}\"), '') AS INTEGER) AS \"{c}\"")
        else:
            exprs.append(f"NULLIF(trim(\"{c}\"), '') AS \"{c}\"")
    run(con, f"CREATE OR REPLACE TABLE {table} AS SELECT {', '.join(exprs)} FROM read_csv('{path}', "
                "header=true, delim=',', quote='\"', escape='\"', all_varchar=true)")
    return cols


def project(con: duckdb.DuckDBPyConnection, view: str, table: str, cols: list[str]) -> None:
    run(con, f"CREATE OR REPLACE VIEW {view} AS SELECT {', '.join(cols)} FROM {table}")


# ------------------------------------------------------------------------------------------- model

def name_comparison(col: str, tf: bool) -> cl.JaroWinklerAtThresholds:
    """Null / exact / JW >= 0.92 / JW >= 0.85 / else. Keys are one byte a letter, so DuckDB's
    byte-wise jaro_winkler_similarity is the letter-wise one."""
    c = cl.JaroWinklerAtThresholds(col, [0.92, 0.85])
    if tf:
        # Exact level only (Splink applies TF there): "mHmd" agreeing says less than "mrtDy" agreeing.
        c.configure(term_frequency_adjustments=True)
    return c


def birth_comparison() -> cl.CustomComparison:
    # birth_date is empty when only the year is known, so "same year" also covers date vs year-only.
    return cl.CustomComparison(
        output_column_name="birth",
        comparison_description="birth date exact / same year / else",
        comparison_levels=[
            cll.NullLevel("birth_year"),
            cll.CustomLevel("birth_date_l = birth_date_r", label_for_charts="same birth date"),
            cll.CustomLevel("birth_year_l = birth_year_r", label_for_charts="same birth year"),
            cll.ElseLevel(),
        ],
    )


def comparisons(with_mother: bool, with_sex: bool) -> list:
    out = [
        name_comparison("given", tf=True),
        name_comparison("father", tf=False),
        name_comparison("grandfather", tf=False),
        name_comparison("family", tf=True),
    ]
    if with_mother:
        out.append(name_comparison("mother", tf=False))
    out.append(birth_comparison())
    if with_sex:
        out.append(cl.ExactMatch("sex"))
    # A national ID that differs is strong evidence against (and null when either side lacks one).
    out.append(cl.ExactMatch("national_id"))
    return out


def rules(specs: list[tuple[str, ...]], other_household: bool) -> list:
    out = []
    for cols in specs:
        r = block_on(*cols)
        out.append(And(r, OTHER_HOUSEHOLD) if other_household else r)
    return out


class Job:
    """What differs between the three jobs: columns, blocking, training rules."""

    def __init__(self, kind: str, with_mother: bool, with_sex: bool, other_household: bool,
                 predict_rules: list[tuple[str, ...]], em_rules: list[tuple[str, ...]],
                 deterministic_rules: list[tuple[str, ...]]):
        self.kind = kind
        self.comparisons = comparisons(with_mother, with_sex)
        self.predict_rules = rules(predict_rules, other_household)
        self.em_rules = rules(em_rules, other_household)
        self.deterministic_rules = rules(deterministic_rules, other_household)


# Prediction blocking: union of the rules (Splink scores each pair once). Every rule is an equi-join on
# rare-enough combinations, so a national file stays within reach of two cores; each one is there to
# catch the pairs the others miss (typo in the given name, in the father's, year-only birth, no family).
PERSON_PREDICT = [
    ("given", "father", "birth_year"),
    ("father", "grandfather", "family", "birth_date"),
    ("given", "mother", "birth_year"),
    ("given", "grandfather", "birth_date"),
    ("father", "grandfather", "mother"),  # same parents: catches a misspelt given name with year-only birth
    ("national_id",),
]
EXIT_PREDICT = [  # no mother in exits
    ("given", "father", "birth_year"),
    ("father", "grandfather", "family", "birth_date"),
    ("given", "grandfather", "birth_date"),
    ("given", "family", "birth_year"),
    ("national_id",),
]
# Two EM passes whose blocking columns are disjoint, so each comparison is estimated in at least one
# (Splink leaves out of a pass every comparison that uses a blocking column of that pass).
PERSON_EM = [("given", "birth_year"), ("father", "grandfather", "mother")]
EXIT_EM = [("given", "birth_year"), ("father", "grandfather")]
# Near-certain matches to set the prior (probability two random records match), with an assumed recall.
PERSON_DETERMINISTIC = [("national_id",), ("given", "father", "grandfather", "mother", "birth_date")]
EXIT_DETERMINISTIC = [("national_id",), ("given", "father", "grandfather", "birth_date")]


def job(kind: str) -> Job:
    if kind == "duplicate":
        return Job(kind, True, True, True, PERSON_PREDICT, PERSON_EM, PERSON_DETERMINISTIC)
    if kind == "deceased":
        return Job(kind, True, True, False, PERSON_PREDICT, PERSON_EM, PERSON_DETERMINISTIC)
    if kind == "abroad":
        return Job(kind, False, False, False, EXIT_PREDICT, EXIT_EM, EXIT_DETERMINISTIC)
    raise ValueError(kind)


# --------------------------------------------------------------------------------------------- run

def train(linker: Linker, jb: Job, args: argparse.Namespace, n_records: int) -> dict:
    info: dict = {"em_passes": []}
    # Prior first (Splink's recommended order): deterministic matches scaled up by an assumed recall.
    try:
        linker.training.estimate_probability_two_random_records_match(
            jb.deterministic_rules, recall=args.deterministic_recall)
    except Exception as e:  # e.g. more deterministic matches than the recall allows
        log.warning("%s: prior not estimated (%s)", jb.kind, e)
    # Splink gives 0 when the deterministic rules find nothing (tiny inputs); 0 would make every
    # match_probability 0, so fall back to 1/records (a match for about every second record).
    prior = linker._settings_obj._probability_two_random_records_match  # no public getter in Splink 5
    if not prior or prior <= 0:
        prior = min(0.5, 1.0 / max(1, n_records))
        linker._settings_obj._probability_two_random_records_match = prior
        info["prior_fallback"] = True
    info["prior"] = prior

    linker.training.estimate_u_using_random_sampling(max_pairs=args.u_max_pairs, seed=args.seed)

    for r in jb.em_rules:
        label = r.create_sql(linker._db_api.sql_dialect)
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                r, max_pairs=args.em_max_pairs)
            info["em_passes"].append({"rule": label, "ok": True})
        except Exception as e:  # a pass with no blocked pairs (small inputs) must not end the run
            log.warning("%s: EM pass on %s failed: %s", jb.kind, label, e)
            info["em_passes"].append({"rule": label, "ok": False, "error": str(e)[:200]})
    return info


def run_job(con: duckdb.DuckDBPyConnection, kind: str, inputs: list[tuple[str, str]],
            args: argparse.Namespace, writer: csv.writer) -> dict:
    """inputs: (view, display name) pairs: one for a dedupe, people first then the other for a link."""
    jb = job(kind)
    phases: dict = {}

    t = time.perf_counter()
    # A DuckDBAPI per job over the one connection: Splink caches intermediate tables per DatabaseAPI,
    # so the jobs cannot pick up each other's __splink__df_concat.
    db_api = DuckDBAPI(connection=con)
    sdfs = [db_api.register(view, dataset_display_name=name) for view, name in inputs]
    settings = SettingsCreator(
        link_type="dedupe_only" if len(inputs) == 1 else "link_only",
        unique_id_column_name="record_id",
        comparisons=jb.comparisons,
        blocking_rules_to_generate_predictions=jb.predict_rules,
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(sdfs if len(sdfs) > 1 else sdfs[0], settings, log_level=args.log_level)
    n_records = sum(run(con, f"SELECT count(*) FROM {v}")[0][0] for v, _ in inputs)
    phases["load"] = time.perf_counter() - t

    t = time.perf_counter()
    info = train(linker, jb, args, n_records)
    phases["train"] = time.perf_counter() - t

    t = time.perf_counter()
    pred = linker.inference.predict(threshold_match_probability=args.threshold)
    phases["predict"] = time.perf_counter() - t

    t = time.perf_counter()
    if len(inputs) == 1:
        sql = f"SELECT record_id_l, record_id_r, match_probability FROM {pred.physical_name}"
    else:
        # Splink may put either dataset on the left; the people record goes first in RESULTS.csv.
        people = inputs[0][1]
        sql = (f"SELECT CASE WHEN source_dataset_l = '{people}' THEN record_id_l ELSE record_id_r END, "
               f"CASE WHEN source_dataset_l = '{people}' THEN record_id_r ELSE record_id_l END, "
               f"match_probability FROM {pred.physical_name}")
    cur = con.execute(sql + " ORDER BY match_probability DESC")
    pairs = 0
    while rows := cur.fetchmany(100_000):
        for a, b, p in rows:
            writer.writerow([kind, a, b, f"{p:.8f}"])
        pairs += len(rows)
    phases["write"] = time.perf_counter() - t

    if args.save_models:
        linker.misc.save_model_to_json(os.path.join(args.save_models, f"{kind}.json"), overwrite=True)
    db_api.delete_tables_created_by_splink_from_db()
    return {**{k: round(v, 3) for k, v in phases.items()}, "pairs": pairs, "records": n_records, **info}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", help="directory with people.csv and optionally deaths.csv, exits.csv")
    ap.add_argument("--out", required=True, help="RESULTS.csv to write")
    ap.add_argument("--threads", type=int, default=2, help="DuckDB threads (default 2)")
    ap.add_argument("--threshold", type=float, default=0.5, help="match probability kept (default 0.5)")
    ap.add_argument("--u-max-pairs", type=float, default=1e7,
                    help="pairs sampled to estimate u (Splink suggests 1e7 to 1e9; default 1e7)")
    ap.add_argument("--em-max-pairs", type=float, default=5e6,
                    help="cap on blocked pairs per EM pass (Splink 5 samples down to it; default 5e6)")
    ap.add_argument("--deterministic-recall", type=float, default=0.7,
                    help="assumed recall of the deterministic rules that set the prior (default 0.7)")
    ap.add_argument("--seed", type=int, default=1, help="seed for u sampling (reproducible runs)")
    ap.add_argument("--kinds", default="duplicate,deceased,abroad", help="jobs to run, comma-separated")
    ap.add_argument("--save-models", metavar="DIR", help="also write each trained model as DIR/KIND.json")
    ap.add_argument("--log-level", default="INFO", help="Splink's log level on stderr (default INFO)")
    args = ap.parse_args()
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    if args.save_models:
        os.makedirs(args.save_models, exist_ok=True)

    started = time.perf_counter()
    con = duckdb.connect(":memory:")
    run(con, f"SET threads = {int(args.threads)}")
    run(con, "SET preserve_insertion_order = false")  # lets DuckDB stream bigger joins

    report: dict = {"tool": "splink", "splink": splink.__version__, "duckdb": duckdb.__version__,
                    "threads": args.threads, "threshold": args.threshold, "kinds": {}}
    t = time.perf_counter()
    people_cols = load_csv(con, "people", os.path.join(args.dir, "people.csv"))
    missing = [c for c in PEOPLE_COLS if c not in people_cols]
    if missing:
        ap.error(f"people.csv lacks columns {missing}")
    report["load_people"] = round(time.perf_counter() - t, 3)

    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    with open(args.out, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["kind", "record_id", "other_id", "score"])
        for kind in kinds:
            t = time.perf_counter()
            if kind == "duplicate":
                project(con, "people_dedupe", "people", PEOPLE_COLS)
                inputs = [("people_dedupe", "people")]
            elif kind in ("deceased", "abroad"):
                fname, cols = ("deaths.csv", DEATH_LINK_COLS) if kind == "deceased" else ("exits.csv", EXIT_LINK_COLS)
                path = os.path.join(args.dir, fname)
                if not os.path.exists(path):
                    log.info("%s: no %s, skipped", kind, fname)
                    continue
                other = "deaths" if kind == "deceased" else "exits"
                other_cols = load_csv(con, other, path)
                if missing := [c for c in cols if c not in other_cols]:
                    ap.error(f"{fname} lacks columns {missing}")
                if run(con, f"SELECT count(*) FROM {other}")[0][0] == 0:
                    log.info("%s: %s has no rows, skipped", kind, fname)
                    continue
                project(con, f"people_{kind}", "people", cols)
                project(con, f"{other}_{kind}", other, cols)
                inputs = [(f"people_{kind}", "people"), (f"{other}_{kind}", other)]
            else:
                ap.error(f"unknown kind {kind}")
            read = time.perf_counter() - t
            res = run_job(con, kind, inputs, args, w)
            res["load"] = round(res["load"] + read, 3)
            report["kinds"][kind] = res

    report["total"] = round(time.perf_counter() - started, 3)
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
