"""Checks for an uploaded logo: a PNG by its signature and header, an SVG by a strict allow-list.

An SVG is a document that can run script, load other resources and carry event handlers, so it
is refused (never rewritten) unless it holds only drawing elements of the SVG namespace,
attributes without ``on…`` handlers, and references that stay inside the file (``#id``). No
DOCTYPE, entity or processing instruction is accepted, which also keeps entity expansion out.
The page that shows the logo loads it as an image, where no script runs anyway; the checks are
for whoever opens its URL directly.
"""

from __future__ import annotations

import re
import struct
import zlib
from dataclasses import dataclass
from xml.parsers import expat

PNG = "image/png"
SVG = "image/svg+xml"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Drawing elements only: no script, foreignObject, image, a, animate/set (they can rewrite an
# href), filter primitives (feImage loads resources) or elements of other namespaces.
SVG_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "title", "desc", "symbol", "use", "style",
        "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "textPath",
        "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern",
    }
)  # fmt: skip
_FOREIGN_ATTRIBUTES = frozenset({f"{XLINK_NS} href", f"{XLINK_NS} title", f"{XML_NS} space"})
_URL = re.compile(r"url\s*\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)
_UNSAFE_CSS = re.compile(
    r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding|image-set\s*\(|image\s*\(", re.I
)


class LogoRefused(ValueError):
    """The file cannot be a logo; ``reason`` says why (one of the names below), ``detail`` what
    was found (an element or attribute name, or the size)."""

    TOO_LARGE = "too_large"
    UNKNOWN_TYPE = "unknown_type"
    DAMAGED = "damaged"
    TOO_WIDE = "too_wide"
    UNSAFE = "unsafe"

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Logo:
    """A checked logo: its bytes, media type and, for a PNG, its size in pixels."""

    data: bytes
    media_type: str
    width: int | None = None
    height: int | None = None


def check_logo(data: bytes, *, max_bytes: int, max_side: int) -> Logo:
    """``data`` as a logo when it is a sound PNG of at most ``max_side`` pixels a side or a safe
    SVG, both of at most ``max_bytes``; raises ``LogoRefused`` otherwise."""
    if len(data) > max_bytes:
        raise LogoRefused(LogoRefused.TOO_LARGE, str(len(data)))
    if data.startswith(PNG_SIGNATURE):
        width, height = png_size(data)
        if width > max_side or height > max_side:
            raise LogoRefused(LogoRefused.TOO_WIDE, f"{width}×{height}")
        return Logo(data, PNG, width, height)
    if _looks_like_xml(data):
        check_svg(data)
        return Logo(data, SVG)
    raise LogoRefused(LogoRefused.UNKNOWN_TYPE)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk, after checking its signature, the chunk's CRC
    and the closing IEND chunk; raises ``LogoRefused(DAMAGED)``."""
    if not data.startswith(PNG_SIGNATURE) or len(data) < 8 + 25 + len(_PNG_END):
        raise LogoRefused(LogoRefused.DAMAGED)
    length, kind = struct.unpack(">I4s", data[8:16])
    if length != 13 or kind != b"IHDR":
        raise LogoRefused(LogoRefused.DAMAGED)
    header, (crc,) = data[16:29], struct.unpack(">I", data[29:33])
    if zlib.crc32(kind + header) != crc or not data.endswith(_PNG_END):
        raise LogoRefused(LogoRefused.DAMAGED)
    width, height = struct.unpack(">II", header[:8])
    if width == 0 or height == 0:
        raise LogoRefused(LogoRefused.DAMAGED)
    return width, height


def _looks_like_xml(data: bytes) -> bool:
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:5]
    return start.startswith(b"<")


def check_svg(data: bytes) -> None:
    """Raise ``LogoRefused`` unless ``data`` is well-formed SVG within the allow-list."""
    checker = _SvgChecker()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = checker.doctype
    parser.EntityDeclHandler = checker.entity
    parser.ProcessingInstructionHandler = checker.instruction
    parser.ExternalEntityRefHandler = checker.external_entity
    parser.StartElementHandler = checker.start
    parser.EndElementHandler = checker.end
    parser.CharacterDataHandler = checker.text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise LogoRefused(LogoRefused.DAMAGED, str(error)) from error
    if not checker.seen_root:
        raise LogoRefused(LogoRefused.UNKNOWN_TYPE)


class _SvgChecker:
    def __init__(self) -> None:
        self.seen_root = False
        self.depth = 0
        self.style: list[str] | None = None  # the text of the <style> being read

    def doctype(self, *_args: object) -> None:
        raise LogoRefused(LogoRefused.UNSAFE, "<!DOCTYPE>")

    def entity(self, *_args: object) -> None:
        raise LogoRefused(LogoRefused.UNSAFE, "<!ENTITY>")

    def instruction(self, target: str, _data: str) -> None:
        raise LogoRefused(LogoRefused.UNSAFE, f"<?{target}?>")

    def external_entity(self, *_args: object) -> int:
        raise LogoRefused(LogoRefused.UNSAFE, "<!ENTITY>")

    def start(self, name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if self.depth == 0 and (namespace, local) != (SVG_NS, "svg"):
            raise LogoRefused(LogoRefused.UNKNOWN_TYPE)
        if namespace != SVG_NS or local not in SVG_ELEMENTS:
            raise LogoRefused(LogoRefused.UNSAFE, f"<{local}>")
        if self.style is not None:
            raise LogoRefused(LogoRefused.UNSAFE, f"<style><{local}>")
        self.seen_root = True
        self.depth += 1
        if local == "style":
            self.style = []
        for attribute, value in attributes.items():
            _check_attribute(attribute, value)

    def end(self, _name: str) -> None:
        self.depth -= 1
        if self.style is not None:
            # Checked whole: the parser hands text over in pieces (around entity references).
            _check_css("".join(self.style), "<style>")
            self.style = None

    def text(self, data: str) -> None:
        if self.style is not None:
            self.style.append(data)


def _check_attribute(name: str, value: str) -> None:
    namespace, _, local = name.rpartition(" ")
    if namespace and name not in _FOREIGN_ATTRIBUTES:
        raise LogoRefused(LogoRefused.UNSAFE, local)
    if local.lower().startswith("on"):
        raise LogoRefused(LogoRefused.UNSAFE, local)
    if local == "href" and not value.strip().startswith("#"):
        raise LogoRefused(LogoRefused.UNSAFE, f'{local}="{value[:60]}"')
    _check_css(value, local)


def _check_css(text: str, where: str) -> None:
    """Refuse style text (or any attribute value) that imports or points outside the file.
    CSS escapes (``\\69mport``) would hide a word from the checks below: they are refused."""
    if "\\" in text or _UNSAFE_CSS.search(text):
        raise LogoRefused(LogoRefused.UNSAFE, where)
    for target in _URL.findall(text):
        if not target.startswith("#"):
            raise LogoRefused(LogoRefused.UNSAFE, where)
