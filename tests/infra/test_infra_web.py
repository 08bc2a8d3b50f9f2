"""The web stack serves web/ from a private bucket over HTTPS only, with security headers, and each
service's API on the same distribution."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
from infra_assembly import STAGE, Assembly

from infra.settings import API_GATEWAY_STAGE, stack_name
from infra.stacks.web import STRIP_SERVICE_SEGMENT
from truckroll.resources import SERVICES

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
    (origin,) = [o for o in distribution_config(web)["Origins"] if "S3OriginConfig" in o]
    assert origin["Id"] == distribution_config(web)["DefaultCacheBehavior"]["TargetOriginId"]
    assert origin["DomainName"] == {"Fn::GetAtt": [bucket_id, "RegionalDomainName"]}
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert not origin["S3OriginConfig"].get("OriginAccessIdentity")


def test_viewers_are_redirected_to_https_and_land_on_the_login_page(web: dict[str, Any]) -> None:
    config = distribution_config(web)
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
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
    assert csp["img-src"] == "'self' data: https:"  # map tiles from the company's server, job photos
    # The technician app PUTs job photos through presigned S3 URLs.
    assert csp["connect-src"] == "'self' https://*.amazonaws.com"
    assert all(h["Override"] is True for h in headers.values())


def test_the_stack_outputs_the_distribution_domain_name(web: dict[str, Any]) -> None:
    distribution_id, _ = single(web, "AWS::CloudFront::Distribution")
    values = [output["Value"] for output in web["Outputs"].values()]
    assert {"Fn::GetAtt": [distribution_id, "DomainName"]} in values


# CloudFront's managed policies (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/).
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"


def api_behaviors(web: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["PathPattern"]: b for b in distribution_config(web).get("CacheBehaviors", [])}


def test_each_service_path_goes_to_its_api_uncached_with_every_method_and_viewer_header(
    web: dict[str, Any],
) -> None:
    behaviors = api_behaviors(web)
    assert set(behaviors) == {f"/{service}/*" for service in SERVICES}
    origins = {o["Id"]: o for o in distribution_config(web)["Origins"]}
    function_id, function = single(web, "AWS::CloudFront::Function")
    for service in SERVICES:
        behavior = behaviors[f"/{service}/*"]
        # No redirect: a POST redirected to HTTPS would arrive as a GET without its body.
        assert behavior["ViewerProtocolPolicy"] == "https-only"
        assert set(behavior["AllowedMethods"]) == {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"}
        # Caching off: Authorization and every query string reach the API, no answer is shared.
        assert behavior["CachePolicyId"] == CACHING_DISABLED
        assert behavior["OriginRequestPolicyId"] == ALL_VIEWER_EXCEPT_HOST_HEADER
        (association,) = behavior["FunctionAssociations"]
        assert association == {
            "EventType": "viewer-request",
            "FunctionARN": {"Fn::GetAtt": [function_id, "FunctionARN"]},
        }
        origin = origins[behavior["TargetOriginId"]]
        assert origin["OriginPath"] == f"/{API_GATEWAY_STAGE}"
        assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
        assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    assert function["AutoPublish"] is True
    assert function["FunctionCode"] == STRIP_SERVICE_SEGMENT


def test_each_api_origin_is_that_service_stacks_rest_api(assembly: Assembly, web: dict[str, Any]) -> None:
    """The host is imported from the service's stack, whose export is its REST API's id."""
    origins = {o["Id"]: o for o in distribution_config(web)["Origins"]}
    for service in SERVICES:
        behavior = api_behaviors(web)[f"/{service}/*"]
        parts = origins[behavior["TargetOriginId"]]["DomainName"]["Fn::Join"][1]
        (imported,) = [p["Fn::ImportValue"] for p in parts if isinstance(p, dict) and "Fn::ImportValue" in p]
        assert ".execute-api." in "".join(p for p in parts if isinstance(p, str))
        exports = {
            output["Export"]["Name"]: output["Value"]
            for output in assembly.template(stack_name(STAGE, service))["Outputs"].values()
            if "Export" in output
        }
        assert exports[imported] == {"Ref": "RestAPI"}


def _run_function(events: list[dict[str, object]]) -> list[dict[str, object]]:
    """The CloudFront Function run as CloudFront runs it (JavaScript, by node)."""
    node = shutil.which("node")
    assert node is not None, "node runs the CDK; it runs this function too"
    script = STRIP_SERVICE_SEGMENT + (
        f"const events = {json.dumps(events)};\n"
        "console.log(JSON.stringify(events.map((event) => handler(event))));\n"
    )
    result = subprocess.run([node, "-e", script], capture_output=True, text=True, check=True)
    answers: list[dict[str, object]] = json.loads(result.stdout)
    return answers


def _viewer(uri: str, method: str = "GET", accept: str | None = None) -> dict[str, object]:
    headers = {} if accept is None else {"accept": {"value": accept}}
    return {"request": {"uri": uri, "method": method, "headers": headers}}


def test_the_function_drops_only_the_service_segment() -> None:
    cases = ["/dispatch/board", "/tracking/links/abc", "/booking/", "/notify"]
    answers = _run_function([_viewer(uri, accept="application/json") for uri in cases])
    assert [answer["uri"] for answer in answers] == ["/board", "/links/abc", "/", "/"]


def test_a_browser_opening_a_tracking_link_is_sent_to_the_tracking_page() -> None:
    html = "text/html,application/xhtml+xml,*/*;q=0.8"
    page, as_json, posted, deeper = _run_function(
        [
            _viewer("/tracking/links/Zq3-x_9", accept=html),
            _viewer("/tracking/links/Zq3-x_9", accept="application/json"),
            _viewer("/tracking/links/Zq3-x_9", method="POST", accept=html),
            _viewer("/tracking/links/Zq3-x_9/more", accept=html),
        ]
    )
    assert page["statusCode"] == 302
    assert page["headers"] == {
        "location": {"value": "/web/track.html?token=Zq3-x_9"},
        "cache-control": {"value": "no-store"},
        "referrer-policy": {"value": "no-referrer"},
    }
    assert [answer["uri"] for answer in (as_json, posted, deeper)] == [
        "/links/Zq3-x_9",
        "/links/Zq3-x_9",
        "/links/Zq3-x_9/more",
    ]
