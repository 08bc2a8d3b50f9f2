"""The board map's tile server: only an https template on a public host with {z}, {x} and {y}."""

from __future__ import annotations

import pytest

from truckroll.domain.map_settings import MapSettings, check_tile_template
from truckroll.errors import RuleViolation


@pytest.mark.parametrize(
    "template",
    [
        "https://tiles.example.com/{z}/{x}/{y}.png",
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "https://maps.example.com:8443/styles/base/{z}/{x}/{y}@2x.png?key=abc",
        "https://tiles.example.com/wmts?layer=base&z={z}&col={x}&row={y}",
        "https://8.8.8.8/{z}/{x}/{y}.png",
        "https://[2606:4700:4700::1111]/{z}/{x}/{y}.png",
        "https://xn--bcher-kva.example/{z}/{x}/{y}.png",
    ],
)
def test_public_https_templates_are_accepted(template: str) -> None:
    check_tile_template(template)
    assert MapSettings("t1", template, "© the map's authors").tile_url_template == template


@pytest.mark.parametrize(
    ("template", "says"),
    [
        ("http://tiles.example.com/{z}/{x}/{y}.png", "https"),
        ("ftp://tiles.example.com/{z}/{x}/{y}.png", "https"),
        ("https://tiles.example.com/{z}/{x}.png", "{y}"),
        ("https://tiles.example.com/tile.png", "{z}, {x}, {y}"),
        ("https://tiles.example.com/{s}/{z}/{x}/{y}.png", "only the placeholders"),
        ("https://tiles.example.com/{z}/{x}/{y}.png#top", "fragment"),
        ("https://user:secret@tiles.example.com/{z}/{x}/{y}.png", "user name or password"),
        ("https://tiles.example.com/{z}/{x}/{y} .png", "spaces"),
        ("https://tiles.example.com:99999/{z}/{x}/{y}.png", "must be a URL"),
        ("https:///{z}/{x}/{y}.png", "name a host"),
        ("https://localhost/{z}/{x}/{y}.png", "public host"),
        ("https://tiles.localhost/{z}/{x}/{y}.png", "public host"),
        ("https://tileserver/{z}/{x}/{y}.png", "public host"),
        ("https://tiles.corp.internal/{z}/{x}/{y}.png", "public host"),
        ("https://metadata.google.internal/{z}/{x}/{y}.png", "public host"),
        ("https://printer.local/{z}/{x}/{y}.png", "public host"),
        ("https://127.0.0.1/{z}/{x}/{y}.png", "reserved address"),
        ("https://127.1/{z}/{x}/{y}.png", "public host"),
        ("https://0x7f.0x1/{z}/{x}/{y}.png", "public host"),
        ("https://2130706433/{z}/{x}/{y}.png", "public host"),
        ("https://10.1.2.3/{z}/{x}/{y}.png", "reserved address"),
        ("https://192.168.1.10/{z}/{x}/{y}.png", "reserved address"),
        ("https://172.16.0.1/{z}/{x}/{y}.png", "reserved address"),
        ("https://100.64.0.1/{z}/{x}/{y}.png", "reserved address"),
        ("https://169.254.169.254/{z}/{x}/{y}.png", "reserved address"),
        ("https://0.0.0.0/{z}/{x}/{y}.png", "reserved address"),
        ("https://[::1]/{z}/{x}/{y}.png", "reserved address"),
        ("https://[fd00:ec2::254]/{z}/{x}/{y}.png", "reserved address"),
        ("https://[fe80::1]/{z}/{x}/{y}.png", "reserved address"),
        ("https://[::ffff:127.0.0.1]/{z}/{x}/{y}.png", "reserved address"),
        ("https://224.0.0.1/{z}/{x}/{y}.png", "reserved address"),
        ("https://tiles.example.com/" + "a" * 2048 + "/{z}/{x}/{y}.png", "at most 2048"),
    ],
)
def test_other_templates_are_refused_naming_the_field(template: str, says: str) -> None:
    with pytest.raises(RuleViolation) as refused:
        MapSettings("t1", template)
    assert says in refused.value.detail
    assert refused.value.extensions["field"] == "tile_url_template"


def test_no_template_draws_the_map_without_tiles_and_a_long_attribution_is_refused() -> None:
    assert MapSettings("t1").tile_url_template is None
    with pytest.raises(RuleViolation) as refused:
        MapSettings("t1", None, "x" * 301)
    assert refused.value.extensions["field"] == "tile_attribution"
