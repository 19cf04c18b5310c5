"""Command line: arguments, progress, printing errors, exit codes.

Holds no pipeline logic: each command calls one function of another module
and turns a `BriefgenError` into ``path:line: message`` lines and exit code 1.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from . import __version__, store
from .build import DEFAULT_OUT, Builder
from .cache import clear_state
from .errors import BriefgenError, BuildWarning

if TYPE_CHECKING:
    from .dev.server import RebuildResult


FUTURE_HELP = "include briefs dated after the build's time (default: scheduled, left out)"


def entry() -> NoReturn:
    """The `briefgen` command as a process: `main`, then the process ends at once.

    A build leaves millions of objects behind; the collector's first pass
    over them, freeing them one by one and the interpreter's teardown took
    8.7 s after a one-edit build at 100,000 briefs. Everything is written and
    committed by then: the store is closed and the output flushed, and the
    process ends without tearing its heap down.
    """
    code = main(process_ends=True)
    store.close_readers()  # folds the store's write-ahead log in, as closing at exit would
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


# What a command left for the process's end to drop (see `entry`).
_left_for_exit: list[Any] = []


def main(argv: Sequence[str] | None = None, *, process_ends: bool = False) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    args.process_ends = process_ends
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except BriefgenError as error:
        print_error(error)
        return error.exit_code
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 130


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefgen", description="Build a static site of annotated news briefs.")
    parser.add_argument("--version", action="version", version=f"briefgen {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = commands.add_parser("build", help="build the site into site/")
    build.add_argument("site_dir", nargs="?", default=".", type=Path, metavar="SITE_DIR",
                       help="the site folder (default: the current folder)")
    build.add_argument("--out", type=Path, help="output folder (default: SITE_DIR/site)")
    build.add_argument("--drafts", action="store_true", help="include briefs marked draft: true")
    build.add_argument("--future", action="store_true", help=FUTURE_HELP)
    build.add_argument("--base-url", help="absolute URL the site will live at (overrides briefgen.yaml)")
    build.add_argument("--clean", action="store_true",
                       help="ignore .briefgen-cache/ and build everything from scratch")
    build.add_argument("--jobs", type=int, metavar="N", help="processes for a clean build (default: every core)")
    build.add_argument("--timings", action="store_true", help="print the seconds each stage took")
    build.add_argument("--no-wait", action="store_true",
                       help="fail at once when another build of this output folder is running")
    build.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    build.set_defaults(run=run_build)

    serve = commands.add_parser("serve", help="build, serve on localhost and rebuild on every edit, live")
    serve.add_argument("site_dir", nargs="?", default=".", type=Path, metavar="SITE_DIR",
                       help="the site folder (default: the current folder)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=port_number, default=8000,
                       help="port (default: 8000; the next free one if taken)")
    serve.add_argument("--drafts", action="store_true", help="include briefs marked draft: true")
    serve.add_argument("--future", action="store_true", help=FUTURE_HELP)
    serve.add_argument("--base-url", help="serve under this URL's path, as the site will be published")
    serve.add_argument("--poll", action="store_true", help="poll for changes (file systems without events)")
    serve.add_argument("--open", action="store_true", help="open the site in a web browser")
    serve.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                       help="a host name the browser may use besides localhost and addresses (repeatable; * for any)")
    serve.set_defaults(run=run_serve)

    check = commands.add_parser("check", help="validate the site without writing anything")
    check.add_argument("site_dir", nargs="?", default=".", type=Path, metavar="SITE_DIR",
                       help="the site folder (default: the current folder)")
    check.add_argument("--strict", action="store_true", help="exit 1 on warnings too")
    check.add_argument("--all", action="store_true", help="list every finding, not the first few of each kind")
    check.add_argument("--format", choices=("text", "github", "json"), default="text",
                       help="text (grouped by kind), github (Actions annotations) or json (one object a line)")
    check.add_argument("--future", action="store_true", help=FUTURE_HELP)
    check.set_defaults(run=run_check)

    _add_authoring_commands(commands)
    _add_annotations_commands(commands)
    _add_entities_commands(commands)
    return parser


def _add_authoring_commands(commands: Any) -> None:
    """init, new and import: the commands that write content."""
    init = commands.add_parser("init", help="make a new site with an example brief")
    init.add_argument("site_dir", nargs="?", default=".", type=Path, metavar="SITE_DIR")
    init.add_argument("--force", action="store_true", help="write into a folder that is not empty")
    init.set_defaults(run=run_init)

    new = commands.add_parser("new", help="start a brief: content/<slug>.md and its sidecar")
    new.add_argument("title", help="the brief's title; its slug names the files")
    new.add_argument("--site", dest="site_dir", type=Path, default=Path("."), help="the site folder")
    new.add_argument("--date", help="ISO 8601 date or date-time (default: today)")
    new.add_argument("--source", "--source-url", dest="source_url", metavar="URL", help="the story's source URL")
    new.add_argument("--force", action="store_true", help="overwrite the brief's files")
    new.set_defaults(run=run_new)

    imported = commands.add_parser("import", help="turn raw wire copy into draft briefs")
    imported.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imported.add_argument("--site", dest="site_dir", type=Path, default=Path("."), help="the site folder")
    imported.add_argument("--source-url", help="the source URL to record")
    imported.add_argument("--source-name", help="the source's name (e.g. CNBC)")
    imported.add_argument("--force", action="store_true", help="overwrite existing briefs")
    imported.set_defaults(run=run_import)


def _add_annotations_commands(commands: Any) -> None:
    annotations = commands.add_parser("annotations", help="work with the briefs' annotations")
    actions = annotations.add_subparsers(dest="action", metavar="ACTION", required=True)
    imported = actions.add_parser("import", help="add W3C Web Annotation or Hypothesis exports to the sidecars")
    imported.add_argument("files", nargs="+", type=Path, metavar="FILE")
    imported.add_argument("--site", dest="site_dir", type=Path, default=Path("."), help="the site folder")
    imported.add_argument("--dry-run", action="store_true", help="say what would be added; change no file")
    imported.set_defaults(run=run_annotations_import)


def run_annotations_import(args: argparse.Namespace) -> int:
    from .authoring.annotations_import import import_annotations

    report = import_annotations(args.site_dir, args.files, dry_run=args.dry_run)
    verb = "would add" if args.dry_run else "added"
    for sidecar, items in report.added.items():
        print(f"{sidecar}: {verb} {len(items)} annotation{'s' if len(items) != 1 else ''}")
    for message in report.failed:
        print(f"error: {message}", file=sys.stderr)
    added = sum(len(items) for items in report.added.values())
    print(f"{'Would import' if args.dry_run else 'Imported'} {added} annotations into {len(report.added)} briefs; "
          f"{len(report.skipped)} already there; {len(report.failed)} failed")
    return 1 if report.failed else 0


def _add_entities_commands(commands: Any) -> None:
    entities = commands.add_parser("entities", help="merge or rename entities across every sidecar")
    actions = entities.add_subparsers(dest="action", metavar="ACTION", required=True)
    merge = actions.add_parser("merge", help="make entity OLD part of NEW: every sidecar and the registry")
    merge.add_argument("old", metavar="TYPE/OLD", help="the entity that goes, as its page's address names it")
    merge.add_argument("new", metavar="TYPE/NEW", help="the entity that stays")
    rename = actions.add_parser("rename", help="give an entity another name (and the id the name makes)")
    rename.add_argument("old", metavar="TYPE/OLD", help="the entity, as its page's address names it")
    rename.add_argument("new", metavar="NEW-NAME", help="its new name")
    for action in (merge, rename):
        action.add_argument("--site", dest="site_dir", type=Path, default=Path("."), help="the site folder")
        action.add_argument("--dry-run", action="store_true", help="say what would change; change no file")
        action.set_defaults(run=run_entities_edit)


def run_entities_edit(args: argparse.Namespace) -> int:
    from .authoring.entity_edits import iter_said, merge_entities, rename_entity

    edit = merge_entities if args.action == "merge" else rename_entity
    report = edit(args.site_dir, args.old, args.new, dry_run=args.dry_run)
    for line in iter_said(report):
        print(line)
    count = len(report.files)
    print(f"{'Would have ' if args.dry_run else ''}{report.summary}: {count} file{'s' if count != 1 else ''} "
          f"{'to change (dry run: nothing written)' if args.dry_run else 'changed'}")
    return 0


def port_number(text: str) -> int:
    """A TCP port for --port: 1 to 65535 (0 would let the system pick one nobody can guess)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 1 to 65535")
    return port


def run_build(args: argparse.Namespace) -> int:
    if args.clean:
        clear_state(args.site_dir)
    builder = Builder(args.site_dir, args.out, drafts=args.drafts, base_url=args.base_url, jobs=args.jobs,
                      future=args.future)
    builder.wait_for_lock = not args.no_wait
    builder.on_lock_wait = lambda lock, holder: print(
        f"briefgen: waiting for another build to finish ({holder}, {lock})", file=sys.stderr, flush=True)
    with collector_paused(resume=not args.process_ends):
        report = builder.build(progress=terminal_progress() if not args.quiet else None)
    if args.process_ends:
        _left_for_exit.append(builder)  # its memory is dropped with the process, not object by object
    if args.timings:
        print("  ".join(f"{stage} {seconds:.2f}s" for stage, seconds in builder.timings.items()))
    print_warnings(report.warnings)
    if not args.quiet:
        for note in report.notes:
            print(f"note: {note}")
        print(report.summary())
    return 0


@contextmanager
def collector_paused(*, resume: bool = True) -> Iterator[None]:
    """The cycle collector off for one build of this command, and back as it was after (`resume`).

    A site's model is millions of objects: full collections walk them all and
    cost more than a whole rebuild, and nothing a build makes needs the cycle
    collector. Only this short-lived command does it; the library and the dev
    server leave the collector alone. A process that ends after the build does
    not resume it: its first pass would walk everything the build made.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled and resume:
            gc.enable()


def run_serve(args: argparse.Namespace) -> int:
    import signal
    from urllib.parse import urlsplit

    from .config import load_config
    from .dev.server import serve_site

    site_dir = args.site_dir
    load_config(site_dir)  # a broken briefgen.yaml is reported before anything starts
    # A service manager stops the server with SIGTERM (or SIGHUP when its terminal goes):
    # end as on Ctrl-C, so the temporary output folder is removed.
    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
    # Beside the site `briefgen build` wrote, when there is one: on its file system, so the first
    # build can link its files instead of making them all again (see Builder.start_from).
    built = site_dir / DEFAULT_OUT
    with _scratch_folder(built.parent if built.is_dir() else None) as scratch:
        out_dir = Path(scratch) / "site"
        builder = Builder(site_dir, out_dir, drafts=args.drafts, base_url=args.base_url, use_cache=False,
                          future=args.future)
        warm = builder.can_start_from(built)
        if warm:
            # The built site is served at once, saying so, while the server takes over its files and
            # memory and rebuilds what changed since, in its own thread (so in one process: see first_build).
            print(f"Serving the site in {built} while rebuilding what changed since", flush=True)
            builder.jobs = 1
        else:
            first_build(builder)
        base_path = urlsplit(args.base_url).path if args.base_url else "/"
        serve_site(out_dir=out_dir, rebuild=make_rebuild(builder, start_from=built if warm else None),
                   watch_paths=serve_watch_paths(site_dir), host=args.host, port=args.port, poll=args.poll,
                   open_browser=args.open, base_path=base_path or "/", allowed_hosts=args.allow_host,
                   interim_dir=built if warm else None)
    return 0


@contextmanager
def _scratch_folder(beside: Path | None) -> Iterator[str]:
    """A temporary folder (in `beside`, hidden, when it can be made there), removed at the end."""
    try:
        scratch = tempfile.TemporaryDirectory(prefix=".briefgen-serve-", dir=beside) if beside else None
    except OSError:
        scratch = None
    with scratch or tempfile.TemporaryDirectory(prefix="briefgen-serve-") as folder:
        yield folder


def first_build(builder: Builder) -> None:
    """The dev server's first build, on every core, before any thread of the server starts.

    Build workers are forked, and forking a process that runs other threads
    can copy a lock one of them holds and hang; so only this build, made
    while the process has one thread, uses workers. Every later build (one
    edit, or all pages after a template change) runs in the server's
    process alone. A failed first build is left to the server, which builds
    again and shows the error over the page.
    """
    try:
        builder.build()
    except BriefgenError:
        pass
    builder.jobs = 1


def make_rebuild(builder: Builder, *, quiet: bool = False,
                 start_from: Path | None = None) -> Callable[[frozenset[Path]], RebuildResult]:
    """The dev server's `rebuild` callable: one (incremental) build of `builder` per call.

    With `start_from`, the first call first takes over that folder's files and
    memory (`Builder.start_from`; a full build when it cannot). A user error
    becomes a failed `RebuildResult` (the server shows it over the page);
    warnings and the build's summary are printed unless `quiet`.
    """
    from .dev.server import RebuildResult

    pending = [start_from] if start_from is not None else []

    def rebuild(changed: frozenset[Path]) -> RebuildResult:
        if pending and not builder.start_from(pending.pop()) and not quiet:
            print("The built site could not be taken over: building every page", flush=True)
        # The watcher's paths spare the builder a scan of the content folder; an empty set means unknown.
        try:
            report = builder.build(changed=changed or None)
        except BriefgenError as error:
            return RebuildResult(ok=False, error_text=error.format_message())
        # The search index is built once at start; rebuilding it on every save would cost seconds.
        builder.search = False
        builder.index_sources()  # ready for the next save (a no-op once done)
        if not quiet:
            print_warnings(report.warnings)
            print(report.summary(), flush=True)
        return RebuildResult(ok=True, changed_outputs=report.changed)

    return rebuild


def serve_watch_paths(site_dir: Path) -> list[Path]:
    """What the dev server watches in a site: every source a build reads."""
    return [site_dir / "content", site_dir / "templates", site_dir / "static", site_dir / "briefgen.yaml"]


def run_check(args: argparse.Namespace) -> int:
    from . import findings as found
    from .check import check_site
    from .config import load_config

    report = None
    ignored: tuple[str, ...] = ()
    try:
        ignored = load_config(args.site_dir).check_ignore
        with collector_paused():
            report = check_site(args.site_dir, future=args.future)
        findings = [found.from_warning(w) for w in report.warnings]
    except BriefgenError as error:
        if args.format == "text":
            raise  # printed as every command prints errors, on stderr
        findings = found.from_error(error)
    findings = [f for f in findings if f.kind not in ignored]
    if args.format == "json":
        for finding in found.ordered(findings):
            print(finding.as_json())
    elif args.format == "github":
        print("\n".join(found.github_commands(found.relative(findings, Path.cwd()))))
    else:
        lines = found.text_report(findings, every=args.all)
        if lines:
            print("\n".join(lines))
        for note in report.notes if report else ():
            print(f"note: {note}")
        counted = f"Checked {report.briefs} briefs and {report.entities} entities: " if report else "Checked: "
        print(f"{counted}{found.summary_line(findings)}"
              f"{f' ({len(ignored)} kinds ignored in briefgen.yaml)' if ignored else ''}.")
    if any(f.severity == "error" for f in findings):
        return 1
    return 1 if args.strict and findings else 0


def run_init(args: argparse.Namespace) -> int:
    from .authoring.scaffold import init_site

    for path in init_site(args.site_dir, force=args.force):
        print(f"wrote {path}")
    print(f"Next: cd {args.site_dir} && briefgen serve")
    return 0


def run_new(args: argparse.Namespace) -> int:
    from .authoring.scaffold import new_brief

    article, sidecar = new_brief(args.site_dir, args.title, date=args.date, source_url=args.source_url,
                                 force=args.force)
    print(f"wrote {article}\nwrote {sidecar}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from .authoring.importer import import_wire_files

    for article, sidecar in import_wire_files(args.site_dir, args.files, source_url=args.source_url,
                                              source_name=args.source_name, force=args.force):
        print(f"drafted {article}; review the suggestions in {sidecar}")
    return 0


def terminal_progress(delay: float = 0.5) -> Callable[[int, int], None] | None:
    """A progress line on stderr for builds slower than `delay`, only on a terminal."""
    if not sys.stderr.isatty():
        return None
    started = time.monotonic()
    last = [0.0]

    def show(done: int, total: int) -> None:
        now = time.monotonic()
        if now - started < delay or (now - last[0] < 0.1 and done < total):
            return
        last[0] = now
        end = "\n" if done == total else ""
        print(f"\rRendering pages {done}/{total} ({done * 100 // total}%)", end=end, file=sys.stderr, flush=True)

    return show


def print_error(error: BriefgenError) -> None:
    text = error.format_message()
    print(text, file=sys.stderr)
    count = len(getattr(error, "errors", [error]))
    print(f"briefgen: {count} error{'s' if count != 1 else ''}; nothing was written.", file=sys.stderr)


def print_warnings(warnings: Sequence[BuildWarning]) -> None:
    for warning in warnings:
        print(warning.format_message(), file=sys.stderr)


