"""The URL guard (:mod:`truckroll.net`): only https URLs whose every address is public are fetched."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from truckroll.net import Resolver, UnsafeUrl, check_url, fetch, is_public_address

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:4700:4700::1111"


def resolver(*addresses: str) -> Resolver:
    def resolve(host: str, port: int) -> Sequence[str]:
        return list(addresses)

    return resolve


def _no_dns(host: str, port: int) -> Sequence[str]:
    raise AssertionError("an IP literal must not be resolved")


UNSAFE_ADDRESSES = [
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # cloud instance metadata
    "169.254.170.2",  # container credentials
    "100.64.0.1",  # shared address space
    "0.0.0.0",  # noqa: S104 (an address to refuse, not one bound)
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.10",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",  # the IPv6 instance metadata address
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "2001:db8::1",
]


@pytest.mark.parametrize("address", UNSAFE_ADDRESSES)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))
    with pytest.raises(UnsafeUrl, match="non-public"):
        check_url("https://tiles.example.com/x.png", resolve=resolver(address))


@pytest.mark.parametrize("address", [PUBLIC_V4, PUBLIC_V6, "::ffff:93.184.215.14"])
def test_public_addresses_pass(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))
    guarded = check_url("https://tiles.example.com:8443/a/b.png?z=1", resolve=resolver(address))
    assert (guarded.host, guarded.port, guarded.path) == ("tiles.example.com", 8443, "/a/b.png?z=1")
    assert guarded.addresses == (address,)


def test_one_unsafe_address_among_several_refuses_the_host() -> None:
    with pytest.raises(UnsafeUrl):
        check_url("https://rebind.example.com/", resolve=resolver(PUBLIC_V4, "127.0.0.1"))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://tiles.example.com/", "https"),
        ("file:///etc/passwd", "https"),
        ("gopher://tiles.example.com/", "https"),
        ("ftp://tiles.example.com/", "https"),
        ("https:///path-only", "no host"),
        ("https://user:secret@tiles.example.com/", "credentials"),
        ("https://tiles.example.com:99999/", "valid URL"),
        ("https://[::1]/", "non-public"),
        ("https://127.0.0.1/", "non-public"),
        ("https://169.254.169.254/latest/meta-data/", "non-public"),
        ("https://[::ffff:169.254.169.254]/", "non-public"),
    ],
)
def test_bad_urls_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeUrl, match=reason):
        check_url(url, resolve=_no_dns)


def test_a_host_that_does_not_resolve_is_refused() -> None:
    def fails(host: str, port: int) -> Sequence[str]:
        raise OSError("no such host")

    with pytest.raises(UnsafeUrl, match="does not resolve"):
        check_url("https://nowhere.invalid/", resolve=fails)
    with pytest.raises(UnsafeUrl, match="does not resolve"):
        check_url("https://empty.example.com/", resolve=resolver())


def test_the_refusal_is_a_422_problem() -> None:
    with pytest.raises(UnsafeUrl) as caught:
        check_url("http://x.example.com/", resolve=_no_dns)
    assert caught.value.status == 422


def test_fetch_refuses_before_connecting() -> None:
    with pytest.raises(UnsafeUrl):
        fetch("https://metadata.example.com/", resolve=resolver("169.254.169.254"))


_PRIVATE_V4 = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
]


def _in_network(network: ipaddress.IPv4Network) -> st.SearchStrategy[ipaddress.IPv4Address]:
    first, last = int(network.network_address), int(network.broadcast_address)
    return st.integers(first, last).map(ipaddress.IPv4Address)


@given(st.sampled_from(_PRIVATE_V4).flatmap(_in_network))
def test_every_address_of_a_non_public_ipv4_range_is_refused(address: ipaddress.IPv4Address) -> None:
    assert not is_public_address(address)
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    assert not is_public_address(mapped)
    with pytest.raises(UnsafeUrl):
        check_url(f"https://[{mapped}]/", resolve=_no_dns)


@given(st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address))
def test_an_ipv4_address_and_its_mapped_ipv6_form_get_the_same_answer(address: ipaddress.IPv4Address) -> None:
    mapped = ipaddress.IPv6Address(f"::ffff:{address}")
    assert is_public_address(address) == is_public_address(mapped)


@given(st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address))
def test_a_public_ipv6_address_is_global_unicast(address: ipaddress.IPv6Address) -> None:
    if is_public_address(address):
        assert address.is_global
        assert not address.is_private
        assert not address.is_link_local
        assert not address.is_multicast
        assert not address.is_loopback
        assert address.ipv4_mapped is None or is_public_address(address.ipv4_mapped)
