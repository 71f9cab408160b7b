"""`healthsite serve`: serve the site from memory, rebuild what a saved file changes, and reload the browser."""

from __future__ import annotations

import argparse
import errno
import gc
import queue
import signal
import sys
import threading
import time
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import watchfiles

from ..config import THEME_DIR
from ..progress import Progress
from .live_site import LiveSite
from .pages import EVENTS_PATH, VERSION_PATH

EXIT_OK, EXIT_USAGE = 0, 2
KEEP_ALIVE_SECONDS = 15  # a comment line this often lets a closed browser tab free its thread
SETTLE_MS = 30  # after a change, wait this long for more (an editor saving several files) before rebuilding
WATCH_POLL_MS = 100  # an idle watcher reports in this often; its first report says it is in place
WATCH_START_SECONDS = 10  # wait at most this long for the watchers before loading the site anyway


def serve_site(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C: load the site, then rebuild and reload the browser after every save."""
    live = LiveSite(Path(args.config), args.content)
    try:
        server = LiveServer((args.host, args.port), live)
    except OSError as exc:
        print(_listen_error(args.host, args.port, exc), file=sys.stderr)
        return EXIT_USAGE
    host, port = server.server_address[:2]
    print(f"Serving http://{host}:{port}/ with drafts; saving a file reloads the page. Ctrl-C stops.", flush=True)
    changes: queue.Queue[set[Path]] = queue.Queue()
    stop = threading.Event()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    signal.signal(signal.SIGTERM, _interrupt)
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    try:
        serving.start()
        # Watch before loading, so a file saved while the site loads is rebuilt after it, not missed.
        live.read_config()  # the content folder to watch is named in site.yaml
        watching = []
        for paths, recursive, keep in _watch_targets(live):
            watching.append(threading.Event())
            threading.Thread(target=_watch, args=(paths, recursive, keep, changes, stop, watching[-1]),
                             daemon=True).start()
        for ready in watching:
            ready.wait(WATCH_START_SECONDS)
        _rebuild(live, None, args.quiet)
        # The loaded site lives until serve stops: keep it out of the garbage collector's full passes, which
        # otherwise cost a large site a few tenths of a second on some saves.
        gc.freeze()
        while True:
            changed = changes.get()
            while not changes.empty():
                changed |= changes.get()
            _rebuild(live, changed, args.quiet)
    except KeyboardInterrupt:
        pass
    finally:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl-C while stopping must not print a traceback
        stop.set()
        live.close()
        if serving.is_alive():
            server.shutdown()
        server.server_close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Stopped.", flush=True)
    return EXIT_OK


def _interrupt(signum: int, frame: object) -> None:
    """Stop on SIGTERM as on Ctrl-C: quietly, with exit code 0."""
    raise KeyboardInterrupt


def _listen_error(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (f"healthsite serve: port {port} on {host} is already in use. Stop the program using it, "
                "or pass --port with another number (--port 0 picks a free one).")
    return f"healthsite serve: cannot listen on {host}:{port}: {exc.strerror or exc}."


def _rebuild(live: LiveSite, changed: set[Path] | None, quiet: bool) -> None:
    """Update the live site and tell the writer what happened in one line, with every problem above it."""
    start = time.perf_counter()
    old_warnings = set(live.warnings)
    if not live.update(changed, track=Progress.for_stream(sys.stdout, quiet).track):
        return
    seconds = time.perf_counter() - start
    for warning in live.warnings:
        if warning not in old_warnings:
            print(warning, file=sys.stderr)
    if live.errors:
        print("\n".join(str(d) for d in live.errors), file=sys.stderr)
        kept = "the last good site is still served" if live.site else "nothing can be served yet"
        print(f"{len(live.errors)} error{'' if len(live.errors) == 1 else 's'}: the browser shows them, and {kept}.",
              file=sys.stderr, flush=True)
    elif not quiet and live.site is not None:
        what = "Loaded the site" if changed is None else f"Rebuilt after {_describe(changed, live)}"
        catalog = live.site.catalog
        print(f"{what}: {len(catalog.articles)} articles, {len(catalog.pillars)} pillars in {seconds:.2f} s",
              flush=True)
    sys.stderr.flush()


def _describe(changed: Iterable[Path], live: LiveSite) -> str:
    root = live.config_file.parent.resolve()
    names = sorted(p.relative_to(root).as_posix() if p.is_relative_to(root) else p.name
                   for p in changed if p.exists() or p.suffix == ".md")  # not an editor's temporary files
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "") or "a change"


def _watch_targets(live: LiveSite) -> list[tuple[list[Path], bool, object]]:
    """Return what to watch: content, templates and static folders deep, and the site folder for site.yaml alone."""
    root = live.config_file.parent.resolve()
    content = root / (live.config.content_dir if live.config else live.content_dir or "content")
    folders = [content] + [p / name for p in dict.fromkeys([root, THEME_DIR]) for name in ("templates", "static")]
    deep = [folder for folder in folders if folder.is_dir()]
    config_name = live.config_file.name
    targets: list[tuple[list[Path], bool, object]] = [([root], False, lambda _c, path: Path(path).name == config_name)]
    if deep:
        targets.append((deep, True, watchfiles.DefaultFilter()))
    return targets


def _watch(paths: list[Path], recursive: bool, keep: object, changes: queue.Queue, stop: threading.Event,
           ready: threading.Event) -> None:
    """Set `ready` once the folders are watched, then put each batch of changed paths on the queue until `stop`."""
    try:
        # The first batch, or the first empty one after the timeout, comes from a watcher already in place.
        for batch in watchfiles.watch(*paths, watch_filter=keep, recursive=recursive, stop_event=stop,
                                      step=SETTLE_MS, rust_timeout=WATCH_POLL_MS, yield_on_timeout=True,
                                      raise_interrupt=False):
            ready.set()
            if batch:
                changes.put({Path(path) for _, path in batch})
    except Exception as exc:  # noqa: BLE001 - a watcher that dies must say so, not take the server with it
        ready.set()
        print(f"healthsite serve: stopped watching {', '.join(map(str, paths))}: {exc}", file=sys.stderr, flush=True)


class LiveServer(ThreadingHTTPServer):
    """An HTTP server, one thread per request, answering from a LiveSite."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], live: LiveSite):
        self.live = live
        super().__init__(address, LiveHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        """Ignore browsers that close a connection early; report anything else."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class LiveHandler(BaseHTTPRequestHandler):
    """Answer GET and HEAD: pages, static files, the version, and the stream of reload events."""

    server: LiveServer

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self._answer(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(send_body=False)

    def _answer(self, send_body: bool) -> None:
        path = urlsplit(self.path).path
        if path == EVENTS_PATH:
            return self._events()
        if path == VERSION_PATH:
            response = (200, "text/plain; charset=utf-8", self.server.live.tag.encode(), None)
        else:
            found = self.server.live.respond(self.path)
            response = (found.status, found.content_type, found.body, found.location)
        status, content_type, body, location = response
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if location:
            self.send_header("Location", location)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _events(self) -> None:
        """Stream the site's version as Server-Sent Events: a new one means 'reload'."""
        live = self.server.live
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = ""
        self.wfile.write(b"retry: 500\n\n")
        while not live.closed:
            tag = live.wait_for_change(seen, KEEP_ALIVE_SECONDS) if seen else live.tag
            self.wfile.write(f"data: {tag}\n\n".encode() if tag != seen else b": still here\n\n")
            self.wfile.flush()
            seen = tag

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the signature http.server uses
        """Keep the terminal for the writer's messages, not one line per request."""
