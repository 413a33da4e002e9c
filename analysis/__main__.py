"""Command line: python -m analysis {validate,run,build,codebook}.

Invalid data always ends the same way: one line per problem (file:line: column: problem) on
standard error, exit status 2, no traceback, and no output file touched.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analysis.inputs import paths
from analysis.inputs.load import DataError

EXIT_INVALID = 2


def _report_problems(err: DataError) -> int:
    for problem in err.problems:
        print(problem, file=sys.stderr)
    count = len(err.problems)
    print(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.", file=sys.stderr)
    return EXIT_INVALID


def cmd_validate(args) -> int:
    from analysis.inputs.campaign import scope_warnings
    from analysis.inputs.load import load
    from analysis.inputs.rules import load_rules

    ledgers = load(args.data)
    load_rules(paths.rules_path(args.data))
    warnings = scope_warnings(ledgers)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if warnings and args.strict:
        print(
            f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}; --strict fails on warnings.", file=sys.stderr
        )
        return EXIT_INVALID
    print(
        f"{args.data}: valid ({len(ledgers.claims)} claims, {len(ledgers.incidents)} incidents, "
        f"{len(ledgers.places)} places, {len(ledgers.aggregates)} aggregate counts)"
    )
    return 0


def cmd_run(args) -> int:
    from analysis.inputs.load import load
    from analysis.inputs.rules import load_rules
    from analysis.outputs import results

    ledgers = load(args.data)
    rules = load_rules(paths.rules_path(args.data))
    computed = results.compute(ledgers, rules)
    written = results.write(computed, args.out)
    key = computed.key_numbers
    print(f"primary rule: {key['rule']['text']}")
    print(f"predictions that materialized: {key['ci_text']}")
    for path in written:
        print(f"wrote {path}")
    return 0


def cmd_build(args) -> int:
    from analysis.pipeline import build

    if args.list:
        print(build.listing(args.data, args.out.resolve()))
        return 0
    return build.build(data=args.data, out=args.out, force=args.force, jobs=args.jobs, verbose=args.verbose)


def cmd_codebook(args) -> int:
    from analysis.outputs import codebook

    if args.write:
        path = codebook.write_codebook(args.data)
        print(f"wrote {path}")
        return 0
    stale = codebook.stale_blocks(args.data)
    where = args.data / codebook.CODEBOOK
    if stale:
        print(f"{where}: generated tables out of date: {', '.join(stale)}", file=sys.stderr)
        print("refresh them with: python -m analysis codebook --write", file=sys.stderr)
        return 1
    print(f"{where}: generated tables are current")
    return 0


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = main.add_subparsers(dest="command", required=True)

    def data_option(p):
        p.add_argument("--data", type=Path, default=paths.DEFAULT_DATA_DIR, help="ledger folder (default: data/)")

    p = sub.add_parser("validate", help="check the ledgers against the codebook")
    data_option(p)
    p.add_argument("--strict", action="store_true", help="fail on warnings too (e.g. claims outside the period)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("run", help="validate, apply the rules, write key numbers and verdicts")
    data_option(p)
    p.add_argument("--out", type=Path, default=paths.report_dir(paths.ROOT), help="output folder (default: report/)")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("build", help="the whole job: key numbers, notebooks, figures, report")
    data_option(p)
    p.add_argument(
        "--out", type=Path, default=paths.ROOT, help="folder to hold figures/ and report/ (default: the repository)"
    )
    p.add_argument("--force", action="store_true", help="rebuild every step even if its inputs did not change")
    p.add_argument("--list", action="store_true", help="print the steps, their order and state; build nothing")
    p.add_argument("--jobs", type=int, default=None, help="notebooks run at once (default: one per core)")
    p.add_argument("--verbose", action="store_true", help="also print how much work the build did")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("codebook", help="check the generated tables in data/README.md (--write: refresh them)")
    data_option(p)
    p.add_argument("--write", action="store_true", help="rewrite the tables from the data (the build never does)")
    p.set_defaults(func=cmd_codebook)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.data = Path(args.data).resolve()
    try:
        return args.func(args)
    except DataError as err:
        return _report_problems(err)
    except KeyboardInterrupt:
        print("interrupted; finished outputs were left as they were", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
