"""``kg sources``: the reports every claim is cut from; ``kg sources grade`` judges a report's reliability.

A group, as ``feeds`` and ``watch`` are, so that what else is done to one report can sit beside ``grade``. The
grade is written by the store's ``set_reliability``, the call ``PATCH /v1/sources/{id}`` makes, so the two
check grades and unknown ids alike and every claim citing the report shows the new grade.
"""

from __future__ import annotations

import click

from app.cli.base import Env, cli, emit, handles_errors, json_option, pass_env
from graph.domain.model import RELIABILITY_GRADES

CLEAR = "none"


@cli.group("sources", help="The reports every claim is cut from: grade their reliability.")
def sources_group() -> None:
    pass


@sources_group.command("grade", help=f"Set report SOURCE_ID's reliability grade: {RELIABILITY_GRADES[0]} (reliable) "
                                     f"to {RELIABILITY_GRADES[-1]} (cannot be judged), or {CLEAR} to clear it; every "
                                     "claim citing the report shows the new grade.")
@click.argument("source_id")
@click.argument("grade")
@json_option
@pass_env
@handles_errors
def grade_command(env: Env, source_id: str, grade: str, as_json: bool) -> None:
    # Letters in either case are taken (the API's JSON is exact); anything else reaches the store, which refuses
    # it naming the grades there are, as it does for the API.
    wanted = None if grade.strip().lower() == CLEAR else grade.strip().upper()
    store = env.store
    before = store.get_source(source_id).reliability
    graded = store.set_reliability(source_id, wanted)
    claims = store.claim_counts([graded.id])[graded.id]
    if as_json:
        emit({"id": graded.id, "title": graded.title, "outlet": graded.outlet, "reliability": graded.reliability,
              "previous": before, "claims": claims})
        return
    click.echo(f"{graded.id}: reliability {before or CLEAR} → {graded.reliability or CLEAR} "
               f"({claims} claim{'s' if claims != 1 else ''} cite it)")
