"""A Streamlit client without a browser: the requests and websocket messages Streamlit's frontend sends, in Python.

It speaks the protocol of streamlit 1.67's own frontend (``static/js/index.*.js``), with the protobuf
messages that ship in the ``streamlit`` package, so one process can hold dozens of sessions that a
server cannot tell from browsers:

* **opening a link**: GET the page (the server answers ``index.html``), GET ``/_stcore/health`` (its
  response sets the ``_streamlit_xsrf`` cookie) and ``/_stcore/host-config``, then a websocket to
  ``/_stcore/stream`` offering the subprotocols ``["streamlit", <xsrf cookie>]`` (the frontend's
  ``getSessionTokens``), with the cookie and an ``Origin`` header as a browser sends them;
* **every run** is a BackMsg ``rerun_script`` (a ``ClientState``): the query string, the widget states of
  the page in view, and the page: on the first run its name from the URL path with an empty
  ``page_script_hash``, afterwards the ``page_script_hash`` of the page link that was clicked;
* the server answers with ``new_session`` (the session id and the app's pages), deltas (each element at
  its ``delta_path``; a widget's proto carries its id), ``page_info_changed`` (the query string the app
  wrote, which the browser puts in its address bar and sends back) and ``script_finished``;
* **an upload**: BackMsg ``file_urls_request``, ForwardMsg ``file_urls_response``, an HTTP PUT of a
  multipart form to the upload URL with the ``X-Xsrftoken`` header, then a rerun whose widget states
  carry the uploader's ``file_uploader_state_value``.

As the browser does, the client keeps the values it gave widgets and sends them with every run while
their widget is on the page (dropping the others when a run ends), and sends a button's trigger once.
Loopback use only: it is a load generator and a test client for servers started on this machine.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.Common_pb2 import FileUploaderState, FileURLs, UploadedFileInfo
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.typing import Origin

XSRF_COOKIE = "_streamlit_xsrf"
#: The largest websocket message accepted (a V x V heatmap of a 3,000-symbol upload is tens of MB of JSON).
MAX_MESSAGE_BYTES = 128 << 20
SIDEBAR = 1  # the first index of a delta_path: 0 is the main area, 1 the sidebar
#: Messages kept to answer the server's references to them (the browser's ForwardMsgCache does the same).
MESSAGE_CACHE_ENTRIES = 500


class ProtocolError(Exception):
    """The server answered something a browser would show as an error, or not in time."""


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


async def http_request(
    url: str, method: str = "GET", headers: dict[str, str] | None = None, body: bytes = b"", timeout: float = 30.0
) -> HttpResponse:
    """One HTTP/1.1 request over a fresh connection (``Connection: close``): enough for a loopback server or proxy."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        raise ValueError(f"only plain http on this machine's loopback: {url}")
    port = parts.port or 80
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    lines = [f"{method} {target} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close", "User-Agent: bigram-lab-load"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body or method in ("PUT", "POST"):
        lines.append(f"Content-Length: {len(body)}")

    async def exchange() -> HttpResponse:
        reader, writer = await asyncio.open_connection(parts.hostname, port)
        try:
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
            raw = await reader.read()
        finally:
            writer.close()
        head, _, rest = raw.partition(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        pairs = [tuple(s.strip() for s in h.split(":", 1)) for h in header_lines if ":" in h]
        response = HttpResponse(int(status_line.split()[1]), pairs, rest)
        if any(v.lower() == "chunked" for v in response.header("transfer-encoding")):
            response.body = _dechunk(rest)
        return response

    return await asyncio.wait_for(exchange(), timeout)


def _dechunk(data: bytes) -> bytes:
    out, i = bytearray(), 0
    while True:
        j = data.index(b"\r\n", i)
        size = int(data[i:j].split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[j + 2 : j + 2 + size]
        i = j + 2 + size + 2


def multipart(field_name: str, filename: str, data: bytes, mime: str) -> tuple[str, bytes]:
    """A multipart/form-data body with one file, as the browser's FormData builds it: (content type, body)."""
    boundary = "----bigramlab" + uuid.uuid4().hex
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field_name}"; filename="{filename}"\r\n'
        f"Content-Type: {mime}\r\n\r\n"
    ).encode()
    return f"multipart/form-data; boundary={boundary}", head + data + f"\r\n--{boundary}--\r\n".encode()


@dataclass
class Run:
    """What one script run drew: every element at its delta path, and what came and went while it ran."""

    elements: dict[tuple[int, ...], Element] = field(default_factory=dict)
    transient_alerts: list[str] = field(default_factory=list)  # every alert body drawn, even if later replaced
    page_script_hash: str = ""
    status: int | None = None


class Session:
    """One browser tab's worth of Streamlit session, driven from asyncio.

    ``await Session(base).open("/Smoothing?list=surnames")`` loads the page; ``view`` is what the
    last finished run drew. Each action (``goto``, ``set``, ``click``, ``upload``) sends one rerun and
    returns when the server reports the run finished (after any ``st.rerun()`` it caused).
    """

    def __init__(self, base: str, *, timeout: float = 60.0, fetch_assets: bool = False):
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.fetch_assets = fetch_assets
        self.cookies: dict[str, str] = {}
        self.session_id = ""
        self.pages: dict[str, str] = {}  # url path ("" for the main page) -> page_script_hash
        self.page_hash = ""
        self.query_string = ""
        self.widgets: dict[str, WidgetState] = {}  # widget id -> the value this client gave it
        self.view = Run()
        self.errors: list[str] = []  # exceptions drawn, compile errors, page-not-found
        self.replicas: list[
            str
        ] = []  # the X-Replica header of every answer (HTTP and websocket) behind deploy/'s proxy
        self._run = Run()
        self._ws = None
        self._reader: asyncio.Task | None = None
        self._finished: asyncio.Future | None = None
        self._file_urls: dict[str, asyncio.Future] = {}
        self._alerts: list[str] = []
        self._cache: OrderedDict[str, ForwardMsg] = OrderedDict()  # hash -> a cacheable message the server sent

    # --- connecting ---------------------------------------------------------------------------------

    def _cookie_header(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}

    async def _get(self, path: str) -> HttpResponse:
        r = await http_request(self.base + path, headers=self._cookie_header(), timeout=self.timeout)
        for value in r.header("set-cookie"):
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        self.replicas += r.header("x-replica")
        if r.status != 200:
            raise ProtocolError(f"GET {path}: HTTP {r.status}")
        return r

    async def open(self, link: str) -> Run:
        """Open a link (``/Page?query``) as a fresh browser does, and wait for its first run."""
        path, _, query = link.partition("?")
        page = await self._get(path + (f"?{query}" if query else ""))
        if self.fetch_assets:  # the bundle index.html names (a browser also fetches chunks for the elements drawn)
            for asset in re.findall(rb'(?:src|href)="\./(static/[^"]+)"', page.body):
                await self._get("/" + asset.decode())
        await self._get("/_stcore/health")
        await self._get("/_stcore/host-config")
        ws_url = "ws" + self.base[len("http") :] + "/_stcore/stream"
        self._ws = await connect(
            ws_url,
            subprotocols=["streamlit", self.cookies.get(XSRF_COOKIE, "PLACEHOLDER_AUTH_TOKEN")],
            additional_headers=self._cookie_header(),
            origin=Origin(self.base),
            max_size=MAX_MESSAGE_BYTES,
            open_timeout=self.timeout,
            ping_interval=None,  # a browser sends no websocket pings (the server pings, and is answered)
        )
        self.replicas += self._ws.response.headers.get_all("X-Replica")
        self._reader = asyncio.create_task(self._read())
        self.query_string = query
        return await self._rerun(page_name=path.strip("/"), page_hash="")

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            try:
                await self._reader
            except (asyncio.CancelledError, Exception):
                pass

    async def __aenter__(self) -> Session:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    # --- what the server sends ----------------------------------------------------------------------

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                msg = ForwardMsg()
                msg.ParseFromString(raw)
                self._handle(msg)
        except Exception as exc:  # the connection went: whoever waits for a run hears it
            if self._finished is not None and not self._finished.done():
                self._finished.set_exception(ProtocolError(f"websocket closed: {type(exc).__name__}: {exc}"))
        else:
            if self._finished is not None and not self._finished.done():
                self._finished.set_exception(ProtocolError("websocket closed by the server"))

    def _handle(self, msg: ForwardMsg) -> None:
        kind = msg.WhichOneof("type")
        if kind == "ref_hash":  # "you have this one already": the cached message, at this message's place
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                self.errors.append(f"the server referred to a message this client never cached: {msg.ref_hash}")
                return
            full = ForwardMsg()
            full.CopyFrom(cached)
            full.metadata.CopyFrom(msg.metadata)
            msg, kind = full, full.WhichOneof("type")
        elif msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = msg
            self._cache.move_to_end(msg.hash)
            while len(self._cache) > MESSAGE_CACHE_ENTRIES:
                self._cache.popitem(last=False)
        if kind == "navigation":  # the app's pages, and the hash of the page this run is: what the next run names
            self.pages = {p.url_pathname: p.page_script_hash for p in msg.navigation.app_pages}
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "new_session":
            ns = msg.new_session
            if ns.initialize.session_id:
                self.session_id = ns.initialize.session_id
            self.pages = {p.url_pathname: p.page_script_hash for p in ns.app_pages}
            self.page_hash = ns.page_script_hash
            self._run = Run(page_script_hash=ns.page_script_hash, transient_alerts=self._alerts)
        elif kind == "delta":
            delta = msg.delta
            if delta.WhichOneof("type") == "new_element":
                element = delta.new_element
                self._run.elements[tuple(msg.metadata.delta_path)] = element
                which = element.WhichOneof("type")
                if which == "alert":
                    self._alerts.append(element.alert.body)
                elif which == "exception":
                    self.errors.append(f"exception drawn: {element.exception.type} {element.exception.message[:200]}")
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "script_finished":
            status = msg.script_finished
            if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                self.errors.append("the script did not compile")
            if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                self._run.status = status
                self.view = self._run
                if self._finished is not None and not self._finished.done():
                    self._finished.set_result(self._run)
        elif kind == "session_event":
            if msg.session_event.HasField("script_compilation_exception"):
                self.errors.append(f"compile error: {msg.session_event.script_compilation_exception.message[:200]}")
        elif kind == "page_not_found":
            self.errors.append(f"page not found: {msg.page_not_found.page_name}")
        elif kind == "file_urls_response":
            waiter = self._file_urls.pop(msg.file_urls_response.response_id, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(msg.file_urls_response)

    # --- what the client sends ----------------------------------------------------------------------

    async def _send(self, back: BackMsg) -> None:
        await self._ws.send(back.SerializeToString())

    async def _rerun(
        self,
        *,
        page_hash: str | None = None,
        page_name: str = "",
        triggers: tuple[WidgetState, ...] = (),
        widgets: bool = True,
    ) -> Run:
        """Send rerun_script and wait until the run (and any st.rerun it asks for) ends.

        The widget states in view go with it (not on a page change, as in the browser), and the hashes of
        the messages this client holds, so that the server sends a reference instead of a message again.
        """
        state = ClientState(
            query_string=self.query_string,
            page_script_hash=self.page_hash if page_hash is None else page_hash,
            page_name=page_name,
            cached_message_hashes=list(self._cache),
        )
        state.widget_states.widgets.extend([*(self.widgets.values() if widgets else ()), *triggers])
        self._alerts = []
        self._finished = asyncio.get_running_loop().create_future()
        await self._send(BackMsg(rerun_script=state))
        try:
            run = await asyncio.wait_for(self._finished, self.timeout)
        except TimeoutError:
            raise ProtocolError(f"no script_finished within {self.timeout:.0f} s") from None
        active = set(self.widget_ids())
        self.widgets = {k: v for k, v in self.widgets.items() if k in active}  # as the browser drops gone widgets
        return run

    # --- reading the view ---------------------------------------------------------------------------

    def elements(self, kind: str | None = None, *, sidebar: bool | None = None) -> Iterator[Element]:
        for path, element in sorted(self.view.elements.items()):
            if sidebar is not None and (path[:1] == (SIDEBAR,)) != sidebar:
                continue
            if kind is None or element.WhichOneof("type") == kind:
                yield element

    def widget_ids(self) -> Iterator[str]:
        for element in self.view.elements.values():
            proto = getattr(element, element.WhichOneof("type") or "empty", None)
            wid = getattr(proto, "id", "")
            if wid:
                yield wid

    def widget(self, kind: str, key: str | None = None, label: str | None = None):
        """The proto of the widget of this kind whose key (the end of its id) or label matches."""
        for element in self.elements(kind):
            proto = getattr(element, kind)
            if (key is not None and proto.id.endswith(f"-{key}")) or (label is not None and proto.label == label):
                return proto
        raise ProtocolError(f"no {kind} with key {key!r} / label {label!r} on the page")

    def texts(self, *, sidebar: bool | None = None) -> list[str]:
        """Markdown, captions, headings, alerts and metric values in view, in the order drawn."""
        out = []
        for element in self.elements(sidebar=sidebar):
            which = element.WhichOneof("type")
            if which == "markdown":
                out.append(element.markdown.body)
            elif which == "heading":
                out.append(element.heading.body)
            elif which == "alert":
                out.append(element.alert.body)
            elif which == "metric":
                out.append(f"{element.metric.label}: {element.metric.body}")
        return out

    def metric(self, label_start: str) -> str:
        for element in self.elements("metric"):
            if element.metric.label.startswith(label_start):
                return element.metric.body
        raise ProtocolError(f"no metric labelled {label_start!r}…")

    # --- actions ------------------------------------------------------------------------------------

    async def goto(self, label: str) -> Run:
        """Click the sidebar's page link with this label."""
        for element in self.elements("page_link", sidebar=True):
            link = element.page_link
            if link.label == label:
                self.query_string = link.query_string
                self.widgets = {}  # the next page's widgets start from what the server draws
                return await self._rerun(page_hash=link.page_script_hash, widgets=False)
        raise ProtocolError(f"no page link {label!r} in the sidebar")

    async def set(self, widget_id: str, **value) -> Run:
        """Give a widget a value, e.g. ``string_array_value=...``; keep it for later runs, as the browser does."""
        ws = WidgetState(id=widget_id)
        ((name, v),) = value.items()
        if name in ("string_array_value", "double_array_value", "int_array_value"):
            getattr(ws, name).data.extend(v)
        else:
            setattr(ws, name, v)
        self.widgets[widget_id] = ws
        return await self._rerun()

    async def click(self, button_id: str) -> Run:
        """Press a button: its trigger goes with this run only."""
        return await self._rerun(triggers=(WidgetState(id=button_id, trigger_value=True),))

    @property
    def replica(self) -> str | None:
        """The replica that answered last (behind deploy/'s proxy), or None without one."""
        return self.replicas[-1] if self.replicas else None

    async def upload(self, uploader_id: str, name: str, data: bytes, mime: str = "text/plain") -> Run:
        """Upload a file as the frontend does: ask for its URLs, PUT it, send the uploader's new state."""
        request_id = uuid.uuid4().hex
        waiter = asyncio.get_running_loop().create_future()
        self._file_urls[request_id] = waiter
        await self._send(
            BackMsg(file_urls_request={"request_id": request_id, "file_names": [name], "session_id": self.session_id})
        )
        response = await asyncio.wait_for(waiter, self.timeout)
        if response.error_msg:
            raise ProtocolError(f"file URLs refused: {response.error_msg}")
        urls: FileURLs = response.file_urls[0]
        content_type, body = multipart(name, name, data, mime)
        headers = {"Content-Type": content_type, "Origin": self.base, **self._cookie_header()}
        if XSRF_COOKIE in self.cookies:
            headers["X-Xsrftoken"] = self.cookies[XSRF_COOKIE]
        put = await http_request(self.base + urls.upload_url, "PUT", headers, body, timeout=self.timeout)
        self.replicas += put.header("x-replica")
        if put.status not in (200, 204):
            raise ProtocolError(f"upload PUT: HTTP {put.status} {put.body[:200]!r}")
        info = UploadedFileInfo(name=name, size=len(data), file_id=urls.file_id, file_urls=urls)
        ws = WidgetState(id=uploader_id, file_uploader_state_value=FileUploaderState(uploaded_file_info=[info]))
        self.widgets[uploader_id] = ws
        return await self._rerun()


async def timed(coro) -> tuple[float, object]:
    """(seconds, result) of awaiting ``coro``."""
    start = time.perf_counter()
    result = await coro
    return time.perf_counter() - start, result
