"""The web stack: the pages of web/ in a private S3 bucket, served over HTTPS by CloudFront, and
each service's API on the same distribution, as the local gateway serves them.

The pages link each other and their assets as ``/web/...``, so the bucket keeps them under the
``web/`` prefix and the distribution serves that path unchanged. ``/booking/*``, ``/dispatch/*``,
``/notify/*`` and ``/tracking/*`` go to that service's REST API: HTTPS only, never cached, every
method, every viewer header but ``Host`` (so ``Authorization`` reaches the JWT authorizer; the
``execute-api`` host must see its own name) and every query string. Each API answers its routes at
the root of its stage, so a CloudFront Function drops the service's segment from the path and the
origin path adds the stage: ``/dispatch/board`` reaches ``/api/board`` on the dispatch API.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

from infra import settings

WEB_PREFIX = "web"
ROOT_OBJECT = f"{WEB_PREFIX}/index.html"
# The pages load only their own scripts, stylesheet, icon and manifest, register their own service
# worker and call the APIs on the same origin; no inline script or style. Images may come from any
# https origin: the board map draws the tiles of the tile server each company sets (checked to be a
# public https host when it is saved), which no deploy-time list can know. The technician app also
# uploads job photos through presigned S3 URLs (``https://<bucket>.s3[.<region>].amazonaws.com``:
# CSP wildcards only the leftmost labels, so the S3 hosts are allowed as ``*.amazonaws.com``).
S3_HOSTS = "https://*.amazonaws.com"
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        f"connect-src 'self' {S3_HOSTS}",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS_MAX_AGE = cdk.Duration.days(365)
# Drops the path's first segment (the service): the behaviours that run it match only
# ``/<service>/*``, and each origin's path is its API's stage. A browser opening a customer's
# tracking link (a GET asking for HTML) is sent to the tracking page instead, which then reads the
# same link as JSON, as the local gateway serves ``track.html`` for that request.
STRIP_SERVICE_SEGMENT = """function handler(event) {
  var request = event.request;
  var link = request.uri.match(/^\\/tracking\\/links\\/([A-Za-z0-9_-]+)$/);
  var accept = request.headers && request.headers.accept ? request.headers.accept.value : "";
  if (link && request.method === "GET" && accept.indexOf("text/html") !== -1) {
    return {
      statusCode: 302,
      statusDescription: "Found",
      headers: {
        location: {value: "/web/track.html?token=" + link[1]},
        "cache-control": {value: "no-store"},
        "referrer-policy": {value: "no-referrer"}
      }
    };
  }
  request.uri = request.uri.replace(/^\\/[^\\/]+/, "") || "/";
  return request;
}
"""


class WebStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        web_dir: Path,
        apis: Mapping[str, str],
        **kwargs: object,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)  # type: ignore[arg-type]
        bucket = s3.Bucket(
            self,
            "Pages",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            versioned=True,
            # Kept by `cdk destroy` at every stage (S3 cannot delete a bucket that holds objects); its
            # content is only ever web/ as deployed.
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            comment="Truckroll pages: HSTS, CSP, no sniffing, no framing, origin-only referrer elsewhere",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=HSTS_MAX_AGE, include_subdomains=True, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=CONTENT_SECURITY_POLICY, override=True
                ),
            ),
        )
        distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="Truckroll web pages and APIs",
            default_root_object=ROOT_OBJECT,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
            ),
            additional_behaviors=self._api_behaviors(apis),
        )
        deployment = s3_deployment.BucketDeployment(
            self,
            "Deploy",
            sources=[s3_deployment.Source.asset(str(web_dir))],
            destination_bucket=bucket,
            destination_key_prefix=f"{WEB_PREFIX}/",
            distribution=distribution,
            distribution_paths=[f"/{WEB_PREFIX}/*"],
        )
        self._drop_redundant_role_dependencies(deployment.handler_role)
        cdk.CfnOutput(
            self,
            "DistributionDomainName",
            value=distribution.distribution_domain_name,
            description="Where the pages are served: https://<this>/",
        )

    def _api_behaviors(self, apis: Mapping[str, str]) -> dict[str, cloudfront.BehaviorOptions]:
        """``/<service>/*`` for each service, to ``https://<its API's host>/<stage>``."""
        strip = cloudfront.Function(
            self,
            "StripServiceSegment",
            comment="Drops the service's path segment: each API answers at the root of its stage",
            code=cloudfront.FunctionCode.from_inline(STRIP_SERVICE_SEGMENT),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        return {
            f"/{service}/*": cloudfront.BehaviorOptions(
                origin=origins.HttpOrigin(
                    domain_name,
                    origin_path=f"/{settings.API_GATEWAY_STAGE}",
                    protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                    origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=strip, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            )
            for service, domain_name in sorted(apis.items())
        }

    def _drop_redundant_role_dependencies(self, deployment_role: iam.IRole) -> None:
        """The deployment's function depends on its role, which its ``Role`` GetAtt already orders
        (cfn-lint W3005): keep only the dependency on the role's policy."""
        policy = deployment_role.node.find_child("DefaultPolicy").node.default_child
        assert isinstance(policy, cdk.CfnResource)
        for construct in self.node.find_all():
            if isinstance(construct, lambda_.CfnFunction):
                construct.add_override("DependsOn", [self.get_logical_id(policy)])
