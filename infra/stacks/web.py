"""The web stack: the pages of web/ in a private S3 bucket, served over HTTPS by CloudFront.

The pages link each other and their assets as ``/web/...``, so the bucket keeps them under the
``web/`` prefix and the distribution serves that path unchanged.
"""

from __future__ import annotations

from pathlib import Path

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3_deployment
from constructs import Construct

WEB_PREFIX = "web"
ROOT_OBJECT = f"{WEB_PREFIX}/index.html"
# The pages load only their own scripts, stylesheet, icon and manifest, register their own service
# worker and call the APIs on the same origin; no inline script or style. Images may come from any
# https origin: the board map draws the tiles of the tile server each company sets (checked to be a
# public https host when it is saved), which no deploy-time list can know.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS_MAX_AGE = cdk.Duration.days(365)


class WebStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        web_dir: Path,
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
            comment="Truckroll web pages",
            default_root_object=ROOT_OBJECT,
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
            ),
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

    def _drop_redundant_role_dependencies(self, deployment_role: iam.IRole) -> None:
        """The deployment's function depends on its role, which its ``Role`` GetAtt already orders
        (cfn-lint W3005): keep only the dependency on the role's policy."""
        policy = deployment_role.node.find_child("DefaultPolicy").node.default_child
        assert isinstance(policy, cdk.CfnResource)
        for construct in self.node.find_all():
            if isinstance(construct, lambda_.CfnFunction):
                construct.add_override("DependsOn", [self.get_logical_id(policy)])
