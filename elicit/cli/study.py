"""Study commands: demo, links, rounds."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup, with_appcontext

from elicit.cli.common import find_study, public_base_url, refusals_as_click_errors
from elicit.demo import loader
from elicit.models import Study
from elicit.services.common import clock
from elicit.services.panel import experts as panel
from elicit.services.rounds import lifecycle, scheduler

round_cli = AppGroup("round", help="Launch and close Delphi rounds.")


def _links_payload(study: Study) -> list[dict]:
    round_ = study.current_round
    if round_ is None:
        return []
    return [{"name": link.name, "email": link.email, "link": link.link,
             "submitted": link.submitted, "status": link.status}
            for link in panel.links_for_round(round_)]


@click.command("demo")
@with_appcontext
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object instead of text.")
@click.option("--if-empty", is_flag=True,
              help="Load only into a database without studies (what `make run` uses).")
def demo_command(as_json: bool, if_empty: bool) -> None:
    """Load the demo study (idempotent) and print the organizer login and expert links."""
    if if_empty and not loader.database_is_empty() and loader.find_demo() is None:
        click.echo("The database already holds studies; the demo was not loaded.")
        return
    info = loader.load_demo()
    experts = _links_payload(info.study)
    if as_json:
        click.echo(json.dumps({
            "study": {"id": info.study.id, "title": info.study.title},
            "organizer": {"email": info.organizer_email, "password": info.organizer_password},
            "experts": [{k: e[k] for k in ("name", "email", "link", "submitted")}
                        for e in experts],
        }, indent=2, ensure_ascii=False))
        return
    base = public_base_url()
    click.echo(("Loaded" if info.created else "Already loaded") + f": {info.study.title}")
    click.echo(f"\nOrganizer login  {base}/login")
    click.echo(f"  e-mail:   {info.organizer_email}\n  password: {info.organizer_password}")
    click.echo(f"\nResults          {base}/studies/{info.study.id}/results")
    click.echo("\nExpert links (personal; open one in a private window):")
    for e in experts:
        state = "submitted" if e["submitted"] else "not answered yet"
        click.echo(f"  {e['name']:<20} {state:<17} {e['link']}")


@click.command("links")
@with_appcontext
@click.argument("study")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def links_command(study: str, as_json: bool) -> None:
    """Print each expert's personal link for the study's current round."""
    found = find_study(study)
    payload = _links_payload(found)
    if payload:
        public_base_url()  # the note, if BASE_URL is not set
    if as_json:
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if not payload:
        raise click.ClickException("No round has been launched for this study yet.")
    for e in payload:
        click.echo(f"{e['name']}\t{e['email']}\t{e['status']}\t{e['link']}")


@round_cli.command("launch")
@click.argument("study")
@click.option("--closes-at", type=click.DateTime(["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"]),
              help="Deadline in UTC, e.g. '2026-12-01 17:00'.")
@click.option("--retire-consensus/--keep-all", default=False, show_default=True,
              help="Stop asking options that met the consensus rule in the previous round.")
@click.option("--mail/--no-mail", default=False, show_default=True,
              help="Queue invitation e-mails (sent by `flask mail send-pending`).")
@click.option("--remind", "remind_days", type=int, multiple=True,
              help="Send a reminder this many days before the deadline (repeatable: "
                   "--remind 3 --remind 1).")
@refusals_as_click_errors
def round_launch(study: str, closes_at, retire_consensus: bool, mail: bool,
                 remind_days: tuple[int, ...]) -> None:
    """Open the study's next round and invite the whole panel."""
    round_ = lifecycle.launch_next_round(find_study(study), closes_at=closes_at,
                                         retire_consensus=retire_consensus,
                                         send_invitations=mail, remind_days=list(remind_days))
    click.echo(f"Round {round_.number} is open.")


@round_cli.command("close")
@click.argument("study")
@refusals_as_click_errors
def round_close(study: str) -> None:
    """Close the study's open round."""
    round_ = lifecycle.close_round(find_study(study))
    click.echo(f"Round {round_.number} is closed.")


@round_cli.command("close-due")
def round_close_due() -> None:
    """Close every open round whose deadline has passed (run it from cron)."""
    closed = lifecycle.close_due_rounds()
    for round_ in closed:
        click.echo(f"Closed round {round_.number} of study {round_.study_id}.")
    if not closed:
        click.echo("No round was due.")


@round_cli.command("tick")
def round_tick() -> None:
    """Close the rounds whose deadline has passed and send due reminders (one scheduler tick)."""
    report = scheduler.tick(clock.now())
    for closed in report.closed:
        click.echo(f"Closed round {closed.round_number} of study {closed.study_id}.")
    for sent in report.reminded:
        click.echo(f"Sent the {sent.days_before}-day reminder of round {sent.round_number} "
                   f"of study {sent.study_id} ({sent.queued} e-mails queued).")
    if not report.closed and not report.reminded:
        click.echo("Nothing was due.")


COMMANDS = [demo_command, links_command, round_cli]
