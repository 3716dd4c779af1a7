"""`flask results STUDY`: the ranking of a round as CSV, JSON or XLSX."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import with_appcontext
from werkzeug.datastructures import MultiDict

from elicit.cli.common import find_study
from elicit.cli.progress_bar import progress_bar, wanted
from elicit.errors import NotFound, ValidationFailed
from elicit.services import results
from elicit.services.results import exports


@click.command("results")
@click.argument("study")
@click.option("--round", "round_number", type=int, default=None,
              help="Round number (default: the current round).")
@click.option("--method", default="mean", show_default=True,
              type=click.Choice(list(results.METHOD_LABELS)), help="Aggregation method.")
@click.option("--group", "groups", multiple=True, help="Only this expert group (repeatable).")
@click.option("--format", "fmt", default="csv", show_default=True,
              type=click.Choice(["csv", "json", "xlsx"]), help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to FILE instead of standard output (required for xlsx on a terminal).")
@click.option("--progress/--no-progress", "show_progress", default=None,
              help="Progress bar on standard error (default: when it is a terminal).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no notes on stderr.")
@with_appcontext
def results_command(study: str, round_number: int | None, method: str, groups: tuple[str, ...],
                    fmt: str, output: str | None, show_progress: bool | None,
                    quiet: bool) -> None:
    """Print the ranked recommendations of a round (the same numbers as the page)."""
    found = find_study(study)
    args = MultiDict([("method", method), *[("group", g) for g in groups]])
    if round_number is not None:
        args["round"] = str(round_number)
    try:
        params = results.parse_params(found, args)
        with progress_bar(wanted(show_progress, quiet=quiet), "Analysing"):
            outcome = results.round_results(found, params) if params.round else None
    except ValidationFailed as exc:
        raise click.UsageError(exc.text) from exc
    except NotFound as exc:
        raise click.UsageError(f"Study {study} has no round {round_number}.") from exc
    if outcome is None:
        raise click.ClickException("No submitted answers in this round yet.")
    if fmt == "xlsx":
        data = b"".join(exports.results_xlsx(outcome))
    elif fmt == "json":
        data = (json.dumps(exports.results_json(outcome), indent=2, allow_nan=False)
                + "\n").encode()
    else:
        data = "".join(exports.results_csv(outcome)).encode()
    _write(data, output, binary=fmt == "xlsx", quiet=quiet)


def _write(data: bytes, output: str | None, *, binary: bool, quiet: bool = False) -> None:
    if output:
        with open(output, "wb") as handle:
            handle.write(data)
        if not quiet:
            click.echo(f"Wrote {output}.", err=True)
        return
    if binary and sys.stdout.isatty():
        raise click.UsageError("XLSX is binary: give -o FILE.xlsx.")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


COMMANDS = [results_command]
