"""Truckroll's AWS CDK app: a shared stack and one stack per service, built from
:data:`truckroll.resources.RESOURCES`."""
