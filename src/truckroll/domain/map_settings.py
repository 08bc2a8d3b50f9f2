"""The board map's settings: the tile server the dispatchers' browsers draw the map from.

Without a tile server the map still works (a plain background with a grid and a scale); with one,
its tiles are drawn under the markers. The browser fetches the tiles, never the server, but the
template is checked all the same: a company's map must not point its dispatchers' browsers at
their own machine, their office network or a cloud metadata address.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from truckroll.errors import RuleViolation
from truckroll.net import is_public_address

PLACEHOLDERS = ("{z}", "{x}", "{y}")
MAX_TEMPLATE_LENGTH = 2048
MAX_ATTRIBUTION_LENGTH = 300
#: Host names that are this machine or a private network's, whatever their address.
LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa")
LOCAL_NAMES = frozenset({"localhost", "metadata", "instance-data"})
#: A public name ends in a top-level domain of letters (or its punycode): ``127.1`` or ``0x7f.1``,
#: which browsers read as addresses, do not.
TOP_LEVEL = re.compile(r"^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
FIELD = "tile_url_template"


def check_tile_template(template: str) -> None:
    """Raise :class:`RuleViolation` unless ``template`` is an https URL on a public host whose path
    or query holds ``{z}``, ``{x}`` and ``{y}`` (and no other placeholder)."""
    if len(template) > MAX_TEMPLATE_LENGTH:
        raise RuleViolation(f"a tile URL template has at most {MAX_TEMPLATE_LENGTH} characters", field=FIELD)
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in template):
        raise RuleViolation("a tile URL template holds no spaces or control characters", field=FIELD)
    missing = [p for p in PLACEHOLDERS if p not in template]
    if missing:
        raise RuleViolation(f"a tile URL template must contain {', '.join(missing)}", field=FIELD)
    filled = template
    for placeholder in PLACEHOLDERS:
        filled = filled.replace(placeholder, "0")
    if "{" in filled or "}" in filled:
        raise RuleViolation("a tile URL template knows only the placeholders {z}, {x} and {y}", field=FIELD)
    try:
        parts = urlsplit(filled)
        port = parts.port
    except ValueError:
        raise RuleViolation("a tile URL template must be a URL", field=FIELD) from None
    if parts.scheme.lower() != "https":
        raise RuleViolation("a tile URL template must use https", field=FIELD)
    if parts.username is not None or parts.password is not None:
        raise RuleViolation("a tile URL template carries no user name or password", field=FIELD)
    if parts.fragment or "#" in filled:
        raise RuleViolation("a tile URL template has no fragment", field=FIELD)
    if port == 0:
        raise RuleViolation("a tile URL template's port must be 1 to 65535", field=FIELD)
    _check_host(parts.hostname or "")


def _check_host(host: str) -> None:
    if not host:
        raise RuleViolation("a tile URL template must name a host", field=FIELD)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None:
        if not is_public_address(address):
            raise RuleViolation(
                f"tiles cannot come from {host}: a loopback, private, link-local or other reserved address",
                field=FIELD,
            )
        return
    name = host.rstrip(".").lower()
    labels = name.split(".")
    if (
        name in LOCAL_NAMES
        or name.endswith(LOCAL_SUFFIXES)
        or len(labels) < 2
        or not all(LABEL.fullmatch(label) for label in labels)
        or not TOP_LEVEL.fullmatch(labels[-1])
    ):
        raise RuleViolation(
            f"tiles cannot come from {host}: name a public host (such as tiles.example.com)", field=FIELD
        )


@dataclass(frozen=True)
class MapSettings:
    """A tenant's map settings; no template: the map is drawn without tiles."""

    tenant_id: str
    tile_url_template: str | None = None
    tile_attribution: str | None = None
    version: int = 0

    def __post_init__(self) -> None:
        if self.tile_url_template is not None:
            check_tile_template(self.tile_url_template)
        if self.tile_attribution is not None and len(self.tile_attribution) > MAX_ATTRIBUTION_LENGTH:
            raise RuleViolation(
                f"the attribution has at most {MAX_ATTRIBUTION_LENGTH} characters", field="tile_attribution"
            )
