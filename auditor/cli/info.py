"""``auditor checks`` and ``auditor demo-server``."""

from __future__ import annotations

import time

import click

from auditor.cli.app import main


@main.command("checks")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="markdown prints docs/checks.md.")
def list_checks(fmt: str) -> None:
    """List every registered check with its dimension, weight and purpose."""
    from auditor import registry

    if fmt == "markdown":
        from auditor.docgen import checks_markdown

        click.echo(checks_markdown(registry.all_checks()), nl=False)
        return
    for cls in registry.all_checks():
        summary = (cls.__doc__ or "").strip().splitlines()[0]
        click.echo(f"{cls.id:<36} {cls.dimension.value:<18} {cls.weight:>4g}  {summary}")


@main.command("demo-server")
@click.option("--port", type=int, default=8080, show_default=True)
def demo_server(port: int) -> None:
    """Serve the demo portals on 127.0.0.1 until interrupted (for trying the CLI by hand)."""
    from auditor.cli.common import fail
    from auditor.demo.server import DemoServer

    try:
        demo = DemoServer(port=port)  # binds the port here
    except OSError as exc:
        fail(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc} (choose another --port)")
        raise
    with demo as server:
        click.echo(f"serving {server.root}/socrata and {server.root}/ckan; Ctrl-C stops", err=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
