"""Announcement HTML to plain text: entities unescaped, paragraphs kept as lines.

Bizinfo summaries are small HTML fragments (``<p>``, ``<br>``, ``<div>``, ``<b>``,
``<span>``) full of ``&nbsp;``. The text is what people read and what the type rules
and the text model see, so it is normalised once, here.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import NamedTuple

# Tags whose start or end begins a new line of text.
_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "tr",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "dd",
        "dt",
        "hr",
        "pre",
    }
)
# Tags whose content is never text a reader sees.
_SKIP_TAGS = frozenset({"script", "style", "head", "title"})
_MARKER = "☞"  # starts the "who may apply" and "what is given" parts of a summary
_SPACES = re.compile(r"[^\S\n]+")
# No-break space becomes a space; zero-width characters (frequent before "☞") vanish.
_INVISIBLE = str.maketrans(
    {"\xa0": " ", "\u200b": None, "\u200c": None, "\u200d": None, "\ufeff": None}
)


class _TextCollector(HTMLParser):
    """Collects text pieces, turning block boundaries into newlines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.pieces.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.pieces.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.pieces.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.pieces.append(data)


def html_to_text(html: str | None) -> str:
    """Plain text of an HTML fragment.

    Parameters
    ----------
    html
        The fragment; ``None`` or empty gives ``""``. Plain text passes through.

    Returns
    -------
    str
        Entities unescaped (``&nbsp;`` becomes a space), every paragraph, ``<br>`` or
        other block boundary a line break, runs of spaces collapsed to one, lines
        stripped and empty lines dropped.
    """
    if not html:
        return ""
    parser = _TextCollector()
    parser.feed(str(html))
    parser.close()
    text = "".join(parser.pieces).translate(_INVISIBLE).replace("\r", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


class Sections(NamedTuple):
    """The three parts of a Bizinfo summary: overview, who may apply, what is given."""

    intro: str
    target: str
    support: str


def split_sections(text: str) -> Sections:
    """Split a summary's plain text at its ``☞`` markers.

    Bizinfo summaries follow one pattern: an overview paragraph, then ``☞`` who may
    apply (with ``-`` and ``※`` sub-lines), then ``☞`` what the support is. Eligibility
    is read from the *target* part only, so amounts or conditions in the support part
    (``업력 1년이상`` for one loan tier, say) never become rules.

    Parameters
    ----------
    text
        Output of :func:`html_to_text`.

    Returns
    -------
    Sections
        ``target`` is empty when the summary has no ``☞`` marker; ``support`` is
        empty when it has only one.
    """
    intro: list[str] = []
    target: list[str] = []
    support: list[str] = []
    markers = 0
    for line in text.split("\n"):
        if line.startswith(_MARKER):
            markers += 1
        part = intro if markers == 0 else target if markers == 1 else support
        part.append(line)
    return Sections("\n".join(intro), "\n".join(target), "\n".join(support))
