"""Photos in S3: presigned URLs for the browser's upload and download, and what storage holds.

Presigned URLs are signed for the endpoint browsers reach: S3 itself in AWS, the local gateway's
``/s3`` locally (``STORAGE_PUBLIC_ENDPOINT``). The upload URL signs the content type and length,
so S3 refuses a body of another type or size than the one asked for.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from truckroll.config import STORAGE_PUBLIC_ENDPOINT_ENV, settings
from truckroll.resources import PHOTOS

if TYPE_CHECKING:  # stubs for type checking only: the functions' packages leave them out
    from mypy_boto3_s3 import S3Client

UPLOAD_SECONDS = 15 * 60
VIEW_SECONDS = 60 * 60
# Bucket-in-host URLs on AWS; bucket-in-path on an embedded S3 (its endpoints are IP addresses).
_AWS = Config(signature_version="s3v4")
_EMBEDDED = Config(signature_version="s3v4", s3={"addressing_style": "path"})


@dataclass(frozen=True)
class StoredObject:
    content_type: str
    size: int


class PhotoStore(Protocol):
    def upload_url(self, key: str, content_type: str, size: int) -> str: ...
    def view_url(self, key: str) -> str: ...
    def stored(self, key: str) -> StoredObject | None: ...
    def delete(self, key: str) -> None: ...


class S3PhotoStore:
    def __init__(self, bucket: str, client: S3Client, signer: S3Client) -> None:
        self._bucket = bucket
        self._client = client
        self._signer = signer

    @classmethod
    def from_environment(cls) -> S3PhotoStore:
        config = settings()
        endpoint = config.aws_endpoint_url
        client = boto3.client(
            "s3", region_name=config.region, endpoint_url=endpoint, config=_EMBEDDED if endpoint else _AWS
        )
        public = os.environ.get(STORAGE_PUBLIC_ENDPOINT_ENV) or None
        signer = (
            boto3.client("s3", region_name=config.region, endpoint_url=public, config=_EMBEDDED)
            if public
            else client
        )
        return cls(os.environ.get(PHOTOS.env_var, ""), client, signer)

    @property
    def bucket(self) -> str:
        """Checked on use: functions that never touch photos need no bucket."""
        if not self._bucket:
            raise RuntimeError(f"environment variable {PHOTOS.env_var} is not set")
        return self._bucket

    def upload_url(self, key: str, content_type: str, size: int) -> str:
        return self._signer.generate_presigned_url(
            "put_object",
            Params={"Bucket": self.bucket, "Key": key, "ContentType": content_type, "ContentLength": size},
            ExpiresIn=UPLOAD_SECONDS,
        )

    def view_url(self, key: str) -> str:
        return self._signer.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=VIEW_SECONDS
        )

    def stored(self, key: str) -> StoredObject | None:
        try:
            head = self._client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise
        return StoredObject(content_type=head.get("ContentType", ""), size=head["ContentLength"])

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=key)
