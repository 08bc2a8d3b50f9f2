"""The web stack serves web/ from a private bucket over HTTPS only, with security headers."""

from __future__ import annotations

from typing import Any

import pytest
from infra_assembly import STAGE, Assembly

from infra.settings import stack_name

pytestmark = pytest.mark.infra


@pytest.fixture(scope="module")
def web(assembly: Assembly) -> dict[str, Any]:
    return assembly.template(stack_name(STAGE, "web"))


def single(template: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    found = [(lid, res["Properties"]) for lid, res in template["Resources"].items() if res["Type"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def distribution_config(web: dict[str, Any]) -> dict[str, Any]:
    _, props = single(web, "AWS::CloudFront::Distribution")
    config: dict[str, Any] = props["DistributionConfig"]
    return config


def test_the_bucket_blocks_public_access_is_encrypted_and_refuses_plain_http(web: dict[str, Any]) -> None:
    bucket_id, bucket = single(web, "AWS::S3::Bucket")
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    _, policy = single(web, "AWS::S3::BucketPolicy")
    assert policy["Bucket"] == {"Ref": bucket_id}
    statements = policy["PolicyDocument"]["Statement"]
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        for s in statements
    )
    # Nothing is granted to everyone: reads go to CloudFront, scoped to this distribution.
    assert not any(s["Effect"] == "Allow" and s["Principal"] in ("*", {"AWS": "*"}) for s in statements)
    (read,) = [s for s in statements if s["Effect"] == "Allow" and s["Action"] == "s3:GetObject"]
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    distribution_id, _ = single(web, "AWS::CloudFront::Distribution")
    source = read["Condition"]["StringEquals"]["AWS:SourceArn"]
    assert {"Ref": distribution_id} in source["Fn::Join"][1]


def test_the_distribution_reads_the_bucket_through_origin_access_control(web: dict[str, Any]) -> None:
    bucket_id, _ = single(web, "AWS::S3::Bucket")
    oac_id, oac = single(web, "AWS::CloudFront::OriginAccessControl")
    assert oac["OriginAccessControlConfig"]["OriginAccessControlOriginType"] == "s3"
    assert oac["OriginAccessControlConfig"]["SigningBehavior"] == "always"
    (origin,) = distribution_config(web)["Origins"]
    assert origin["DomainName"] == {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert not origin["S3OriginConfig"].get("OriginAccessIdentity")


def test_viewers_are_redirected_to_https_and_land_on_the_login_page(web: dict[str, Any]) -> None:
    config = distribution_config(web)
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    for behavior in config.get("CacheBehaviors", []):
        assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    # The pages link each other as /web/...; the deployment keeps that prefix in the bucket.
    assert config["DefaultRootObject"] == "web/index.html"
    _, deployment = single(web, "Custom::CDKBucketDeployment")
    assert deployment["DestinationBucketKeyPrefix"] == "web/"


def test_every_response_carries_the_security_headers(web: dict[str, Any]) -> None:
    policy_id, policy = single(web, "AWS::CloudFront::ResponseHeadersPolicy")
    assert distribution_config(web)["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": policy_id}
    headers = policy["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 365 * 24 * 3600
    assert headers["ContentTypeOptions"]["Override"] is True
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "strict-origin-when-cross-origin"
    csp = dict(
        directive.strip().split(" ", 1)
        for directive in headers["ContentSecurityPolicy"]["ContentSecurityPolicy"].split(";")
    )
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no inline script
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["img-src"] == "'self' data: https:"  # the board map's tiles, from the company's server
    assert csp["connect-src"] == "'self'"
    assert all(h["Override"] is True for h in headers.values())


def test_the_stack_outputs_the_distribution_domain_name(web: dict[str, Any]) -> None:
    distribution_id, _ = single(web, "AWS::CloudFront::Distribution")
    values = [output["Value"] for output in web["Outputs"].values()]
    assert {"Fn::GetAtt": [distribution_id, "DomainName"]} in values
