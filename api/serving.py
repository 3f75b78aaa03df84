"""The served model: follows the registry's champion and the store's catalogue.

One :class:`ModelHolder` per process holds the current :class:`Recommender` in a
single attribute. A request reads it once and keeps that object to the end, so a swap
never changes a model under a request in flight. A background thread polls
``Registry.champion_token()`` and the catalogue token every
``Settings.champion_poll_seconds``; a new champion is verified, test-loaded in a child
process (:mod:`recommender.adapters.trial`: a LightGBM abort kills the child only) and
loaded *before* the reference is swapped, and a version that fails any step is refused
(logged) while the old one keeps serving.

When nothing serves yet (a start) and the champion is refused, the holder falls back to
the last good version (:meth:`Registry.fallback_candidates`) and reports itself
:attr:`ModelHolder.degraded`, with why; :meth:`ModelHolder.probe` self-checks the
served model (cached) for ``/readyz``.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from api.queries import catalogue_token
from recommender import Recommender, RecommenderError
from recommender.adapters.artefact import load_recommender
from recommender.adapters.registry import Registry
from recommender.adapters.store import load_programmes, session_scope
from recommender.constants import CHAMPION
from recommender.recommend.selfcheck import self_check

log = logging.getLogger("api.serving")


def settle_heap() -> None:
    """Put what the served model holds out of the cyclic garbage collector's way.

    A model over a real catalogue holds ~250,000 long-lived objects (indexes, shared
    reasons, text-match tables). A request that allocates many - a list with its 1,300
    programmes the firm cannot join - set off collections that walked them all again
    and again: 11 ms of CPU instead of 6.5. Frozen objects are never collected, so what
    an earlier model left is unfrozen and collected first (:meth:`ModelHolder._poll`
    settles one poll after a swap, once the requests that held the old model are done).
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class ModelHolder:
    """The model this process serves, reloaded when the champion or catalogue changes.

    Parameters
    ----------
    registry
        Where model versions and the champion pointer live.
    engine
        The store holding the programme catalogue.
    num_threads
        LightGBM threads per prediction.
    on_swap
        Called with the new version name after every swap (metrics).
    probe_seconds
        How long a :meth:`probe` result is reused.
    """

    def __init__(
        self,
        registry: Registry,
        engine: Engine,
        *,
        num_threads: int = 1,
        on_swap: Callable[[str], None] | None = None,
        probe_seconds: float = 5.0,
    ) -> None:
        self.registry = registry
        self.engine = engine
        self.num_threads = num_threads
        self.on_swap = on_swap
        self.current: Recommender | None = None
        self._unsettled = False  # a model was loaded since the heap was last settled
        self.refused: dict[str, str] = {}  # version -> why it was not loaded
        self._champion_token: tuple[str | None, int] | None = None
        self._catalogue_token: tuple[Any, ...] | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.probe_seconds = probe_seconds
        self._probe: tuple[Recommender, float, str | None] | None = None

    @property
    def version(self) -> str | None:
        """The version being served, or ``None`` before any model loaded."""
        current = self.current
        return None if current is None else current.version

    @property
    def champion(self) -> str | None:
        """The champion as last read from the registry (``None`` before, or none)."""
        token = self._champion_token
        return None if token is None else token[0]

    @property
    def degraded(self) -> str | None:
        """Why the served model is not the champion (refused), or ``None``."""
        current, champion = self.current, self.champion
        if current is None:
            return None
        if CHAMPION in self.refused:
            return f"{self.refused[CHAMPION]}; serving {current.version!r}"
        if champion is not None and champion != current.version and champion in self.refused:
            return (
                f"the champion {champion!r} is refused ({self.refused[champion]}); "
                f"serving {current.version!r}, the last good version"
            )
        return None

    def probe(self) -> str | None:
        """Why the served model fails its self-check (a few scores and explanations on
        synthetic rows), or ``None``; each result is reused for ``probe_seconds``."""
        rec, now, cached = self.current, time.monotonic(), self._probe
        if rec is None:
            return None
        if cached is not None and cached[0] is rec and now - cached[1] < self.probe_seconds:
            return cached[2]
        try:
            self_check(rec.ranker, rec.pipeline, version=rec.version, explainer=rec.explainer)
            why = None
        except Exception as exc:  # whatever scoring raises, /readyz must say so
            why = f"{type(exc).__name__}: {exc}"[:300]
        self._probe = (rec, now, why)
        return why

    def refresh(self) -> bool:
        """Reload what changed since the last call; ``True`` when the model was swapped.

        Never raises for a bad model version: it is logged and remembered in
        :attr:`refused`, and the current model keeps serving.
        """
        with self._lock:
            try:
                token = self.registry.champion_token()
            except RecommenderError as exc:  # an unreadable champion pointer
                if self.refused.get(CHAMPION) != str(exc):
                    log.error("cannot read the champion, still serving %s: %s", self.version, exc)
                self.refused[CHAMPION] = str(exc)
                return False
            self.refused.pop(CHAMPION, None)
            champion, current = token[0], self.current
            with session_scope(self.engine) as session:
                cat_token = catalogue_token(session)
                catalogue_changed = current is None or cat_token != self._catalogue_token
                programmes = load_programmes(session) if catalogue_changed else current.programmes  # type: ignore[union-attr]
            champion_moved = (
                token != self._champion_token
                and champion is not None
                and (current is None or champion != current.version)
            )
            first_load = current is None and champion is not None and champion not in self.refused
            self._champion_token = token
            new: Recommender | None = None
            if champion_moved or first_load:
                new = self._load(champion, programmes)  # type: ignore[arg-type]
            refused_at_start = current is None and champion is not None and champion in self.refused
            if new is None and refused_at_start:
                new = self._fall_back(champion, programmes)  # type: ignore[arg-type]
            if new is None and catalogue_changed and current is not None:
                new = current.with_programmes(programmes)
            if new is None:
                return False
            self._catalogue_token = cat_token
            self.current = new
            self._unsettled = True
            swapped = current is None or new.version != current.version
            if swapped:
                log.info("serving model version %s", new.version)
                if self.on_swap is not None:
                    self.on_swap(new.version)
            return swapped

    def _fall_back(self, champion: str, programmes: Any) -> Recommender | None:
        """The first loadable of the registry's fallback candidates not refused yet."""
        try:
            candidates = self.registry.fallback_candidates()
        except RecommenderError as exc:
            log.error("cannot list fallback versions: %s", exc)
            return None
        for version in candidates:
            if version in self.refused:
                continue
            rec = self._load(version, programmes)
            if rec is not None:
                log.warning("champion %s refused; serving %s (degraded)", champion, version)
                return rec
        return None

    def _load(self, version: str, programmes: Any) -> Recommender | None:
        try:
            self.registry.try_load(version)  # in a child process first: it may crash
            rec = load_recommender(
                self.registry, version, programmes=programmes, num_threads=self.num_threads
            )
        except (RecommenderError, OSError, ValueError) as exc:
            log.error("refused model version %s, still serving %s: %s", version, self.version, exc)
            # what /readyz may show: registry messages name files relative to the version,
            # an OSError's text names an absolute path (kept for the log above only)
            self.refused[version] = (
                str(exc)
                if isinstance(exc, RecommenderError)
                else f"model version {version!r}: {type(exc).__name__} while loading it "
                f"({getattr(exc, 'strerror', None) or 'see the server log'})"
            )
            return None
        self.refused.pop(version, None)
        return rec

    def start(self, interval: float) -> None:
        """Poll for changes every ``interval`` seconds in a daemon thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._poll, args=(interval,), name="champion-poller", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop the polling thread (waits for it)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def settle(self) -> None:
        """:func:`settle_heap` if a model was loaded since the last time."""
        if self._unsettled:
            self._unsettled = False
            settle_heap()

    def _poll(self, interval: float) -> None:
        while not self._stop.wait(interval):
            try:
                self.settle()  # what the last refresh loaded, one interval later
                self.refresh()
            except Exception:  # the poller must survive a database hiccup
                log.exception("checking for a new champion or catalogue failed")
