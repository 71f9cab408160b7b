"""The `healthsite` command: build (the default), and later check, serve and new."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from .checks.health import check_site
from .checks.report import format_report, report_data
from .config import SiteConfig, content_checkable, load_config
from .diagnostics import Diagnostics
from .model import Site
from .pipeline import Timings, build, load_site
from .processes import Terminated, stop_on_sigterm
from .progress import Progress

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code: 0 ok, 1 content errors, 2 usage errors."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["build", *argv]  # build is the default command, with or without options
    args = _parser().parse_args(argv)
    stop_on_sigterm()
    try:
        return args.run(args)
    except Terminated:  # as Ctrl-C below; 143 is how shells report a process stopped by SIGTERM
        print("Terminated; the output folder was left as it was.", file=sys.stderr)
        return 143
    except KeyboardInterrupt:  # Ctrl-C: a build's staging folder is already removed and its output untouched
        print("Interrupted; the output folder was left as it was.", file=sys.stderr)
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="healthsite", description="Build a health publisher's static site.")
    commands = parser.add_subparsers(dest="command")
    build_parser = commands.add_parser("build", help="build the site into public/ (the default)")
    _site_options(build_parser)
    build_parser.add_argument("--out", help="output folder (default: public)")
    build_parser.add_argument("--no-cache", action="store_true", help="render every body afresh")
    build_parser.add_argument("--verbose", action="store_true", help="print the time each stage took")
    build_parser.add_argument("--lock-timeout", type=_seconds, metavar="SECONDS",
                              help="how long to wait for another build of the same output folder (default: 600)")
    build_parser.set_defaults(run=run_build)
    check_parser = commands.add_parser("check", help="check the site in memory and report problems; writes nothing")
    _site_options(check_parser)
    check_parser.add_argument("--format", choices=("text", "json", "github"), default="text",
                              help="text, json, or github (GitHub Actions annotations)")
    check_parser.add_argument("--report", action="store_true", help="print a table per article and per pillar")
    check_parser.set_defaults(run=run_check)
    _writing_loop_commands(commands)
    init_parser = commands.add_parser("init", help="write a new site to start from into DIR, a new or empty folder")
    init_parser.add_argument("folder", metavar="DIR", help="folder for the new site, e.g. my-health-site")
    init_parser.set_defaults(run=run_init)
    return parser


def _writing_loop_commands(commands: argparse._SubParsersAction) -> None:
    """Add `serve` and `new`, the commands of the writer's edit-and-look loop."""
    serve_parser = commands.add_parser("serve", help="serve the site with drafts, reloading the browser on every save")
    serve_parser.add_argument("--config", default="site.yaml", help="site configuration file (default: site.yaml)")
    serve_parser.add_argument("--content", help="content folder (default: content)")
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve_parser.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0: any free)")
    serve_parser.add_argument("--quiet", action="store_true", help="print only the address and problems")
    serve_parser.set_defaults(run=run_serve)
    new_parser = commands.add_parser("new", help="start a new article as a draft from the article skeleton")
    new_parser.add_argument("title", help='the article\'s title, e.g. "Why does my back ache after sitting?"')
    new_parser.add_argument("--pillar", required=True, help="the pillar it belongs to, e.g. circulation")
    new_parser.add_argument("--tags", default="", help="comma-separated tags, e.g. posture,sitting")
    new_parser.add_argument("--slug", help="file and URL name (default: from the title)")
    new_parser.add_argument("--language", help="the article's language, one of 'languages' in site.yaml, e.g. es")
    new_parser.add_argument("--translation-of", metavar="FILE",
                            help="the article this one translates, e.g. content/back/sciatica.md: their "
                            "translation_key is set")
    new_parser.add_argument("--config", default="site.yaml", help="site configuration file (default: site.yaml)")
    new_parser.add_argument("--content", help="content folder (default: content)")
    new_parser.set_defaults(run=run_new)


def run_serve(args: argparse.Namespace) -> int:
    """Serve the site until Ctrl-C; imported here because a build needs neither the server nor the watcher."""
    from .serve.server import serve_site
    return serve_site(args)


def run_new(args: argparse.Namespace) -> int:
    """Write a new draft article from the skeleton."""
    from .new import new_article
    return new_article(args)


def run_init(args: argparse.Namespace) -> int:
    """Write a new site from the starter site; imported here because no other command needs it."""
    from .scaffold import init_site
    return init_site(args)


def _site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default="site.yaml", help="site configuration file (default: site.yaml)")
    parser.add_argument("--content", help="content folder (default: content)")
    parser.add_argument("--base-url", help="address the site is served from, e.g. / or https://example.org/docs/")
    parser.add_argument("--drafts", action="store_true", help="include drafts and future-dated articles")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument("--quiet", action="store_true", help="print only problems")


def read_config(args: argparse.Namespace, diags: Diagnostics) -> SiteConfig:
    """Load site.yaml with the command line's overrides."""
    return load_config(
        Path(args.config), diags,
        config_required=args.config != "site.yaml",
        content_dir=args.content, out_dir=getattr(args, "out", None), base_url=args.base_url,
        drafts=True if args.drafts else None,
        cache=False if getattr(args, "no_cache", False) else None,
        lock_timeout=getattr(args, "lock_timeout", None),
    )


def _seconds(text: str) -> float:
    """Read a number of seconds, 0 or more, for argparse."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds, 0 or more")
    return value


def run_build(args: argparse.Namespace) -> int:
    """Build the site and print every problem, then one summary line."""
    start = time.perf_counter()
    diags = Diagnostics()
    config = read_config(args, diags)
    diags.levels = config.checks
    timings = Timings(track=Progress.for_stream(sys.stdout, args.quiet).track)
    result = build(config, diags, strict=args.strict, timings=timings) if content_checkable(diags) else None
    report = diags.format()
    if report:
        print(report, file=sys.stderr)
    seconds = time.perf_counter() - start
    if result is None or result.published is None:
        print(f"Build failed: {diags.counted('error')}, {diags.counted('warning')}; {config.out_dir}/ was left as "
              "it was." + _not_checked(config, result.site if result else None), file=sys.stderr)
        return EXIT_CONTENT
    if not args.quiet:
        articles, pillars, tags = result.counts
        print(f"Built {plural(result.published.pages, 'page')}: {plural(articles, 'article')}, "
              f"{plural(pillars, 'pillar')}, {plural(tags, 'tag')}, "
              f"{plural(len(diags.warnings), 'warning')} in {seconds:.2f} s")
        if args.verbose:
            for name, spent in timings.stages.items():
                note = timings.notes.get(name)
                print(f"  {name:<18} {spent:7.2f} s" + (f"  ({note})" if note else ""))
    return EXIT_OK


def _not_checked(config: SiteConfig, site: Site | None) -> str:
    """Say, after the counts, what the errors kept from being checked: everything when site.yaml is broken, else
    what depends on the files that could not be read."""
    if site is None:
        return f"\n{config.config_path} has errors, so the content was not checked: fix them and run again."
    unread = sorted(f"{config.content_dir}/{source}" for source in site.catalog.unread)
    if not unread:
        return ""
    shown = ", ".join(unread[:3]) + (f" and {len(unread) - 3} more" if len(unread) > 3 else "")
    one = len(unread) == 1
    return (f"\n{shown} {'has' if one else 'have'} no page while {'its' if one else 'their'} errors stand, so links "
            f"to {'it' if one else 'them'} and the orphan-article and pillar-empty checks wait for the fix.")


def plural(count: int, word: str) -> str:
    """Write a count with its noun, singular for one: '1 warning', '2 warnings'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def run_check(args: argparse.Namespace) -> int:
    """Load and check the site without writing anything; print the problems and, with --report, the tables."""
    diags = Diagnostics()
    config = dataclasses.replace(read_config(args, diags), cache_write=False)  # check writes nothing, not even the cache
    diags.levels = config.checks
    site = load_site(config, diags) if content_checkable(diags) else None
    if site is not None:
        check_site(site, diags)
    if args.format == "json":  # the summary per code, every diagnostic, and with --report the tables
        report = report_data(site) if args.report and site is not None else {}
        print(json.dumps({"summary": diags.summary(), "diagnostics": json.loads(diags.format("json")), **report},
                         indent=2))
    else:
        output = diags.format(args.format)
        if output and args.format == "text":  # what the lines are about, before them
            output = f"{diags.summary_table()}\n\n{output}"
        if output:
            print(output)
        if args.report and site is not None:
            print(("\n" if output else "") + format_report(site))
    failed = diags.failed(args.strict)
    if not args.quiet and args.format != "json":
        articles = len(site.catalog.articles) if site else 0
        print(f"Checked {plural(articles, 'article')}: {diags.counted('error')}, {diags.counted('warning')}"
              + (" (--strict: warnings fail)" if args.strict and diags.warnings else "") + "."
              + _not_checked(config, site), file=sys.stderr)
    return EXIT_CONTENT if failed else EXIT_OK
