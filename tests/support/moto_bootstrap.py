"""Creates the identities the tests use in a fresh moto server, then turns its signature checking on.

usage: python moto_bootstrap.py http://127.0.0.1:PORT [check|no-check]
prints one JSON line: {"access_key_id": ..., "secret_access_key": ...} (the IAM user alice in 123456789012).

Roles: chain-b and chain-c in moto's account 123456789012 (multi-hop tests), and the scenario's own roles,
456/Sysops and 123/Developer, created from inside those accounts (moto needs a role to exist in the account its
ARN names before calls made with its credentials work).
"""
import json
import sys
import urllib.request

import boto3

URL = sys.argv[1]
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}],
}


def client(service, key="bootstrap", secret="bootstrap", token=None):
    return boto3.client(
        service,
        endpoint_url=URL,
        region_name="us-east-1",
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
    )


def make_role(iam, name):
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName=name, PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))


iam = client("iam")
iam.create_user(UserName="alice")
iam.put_user_policy(UserName="alice", PolicyName="all", PolicyDocument=json.dumps(ALLOW_ALL))
key = iam.create_access_key(UserName="alice")["AccessKey"]
for name in ("chain-b", "chain-c"):
    make_role(iam, name)
for account, name in (("456", "Sysops"), ("123", "Developer")):
    c = client("sts").assume_role(RoleArn=f"arn:aws:iam::{account}:role/{name}", RoleSessionName="bootstrap")
    c = c["Credentials"]
    make_role(client("iam", c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"]), name)

if (sys.argv[2:] or ["check"])[0] == "check":
    req = urllib.request.Request(
        URL + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
    )
    urllib.request.urlopen(req).read()
print(json.dumps({"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}))
