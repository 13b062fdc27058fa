"""A small but real OpenID Connect provider for the tests: authorization-code flow with
PKCE, RS256-signed ID tokens, userinfo and JWKS, over HTTP on a loopback port. Whoever
"signs in" at the provider is whoever the test put in ``login_as``."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class Provider:
    client_id = "convener-test"
    client_secret = "s3cret-for-tests"  # noqa: S105 - a test fixture's own secret

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.signing_key = self.key  # a test may swap in a key the JWKS does not publish
        self.kid = "test-key-1"
        self.login_as: dict = {}
        self.id_token_claims: set[str] = {"sub"}
        self.codes: dict[str, dict] = {}
        self.access: dict[str, dict] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def settings(self) -> dict:
        return {
            "OIDC_ENABLED": True,
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": self.url + "/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": self.url + "/token",
            "OIDC_OP_USER_ENDPOINT": self.url + "/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": self.url + "/jwks",
            "OIDC_RP_SIGN_ALGO": "RS256",
        }

    def _handler(provider):  # noqa: N805 - the handler closes over its provider
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/authorize":
                    return self.authorize(query)
                if url.path == "/jwks":
                    public = RSAAlgorithm.to_jwk(provider.key.public_key(), as_dict=True)
                    return self._json(
                        200, {"keys": [{**public, "kid": provider.kid, "alg": "RS256"}]}
                    )
                if url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.access:
                        return self._json(401, {"error": "invalid_token"})
                    return self._json(200, provider.access[token])
                return self._json(404, {"error": "not found"})

            def authorize(self, query):
                if query.get("client_id") != provider.client_id:
                    return self._json(400, {"error": "unauthorized_client"})
                code = secrets.token_urlsafe(16)
                provider.codes[code] = {**query, "claims": dict(provider.login_as)}
                back = (
                    query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
                )
                self.send_response(302)
                self.send_header("Location", back)
                self.end_headers()

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlparse(self.path).path != "/token":
                    return self._json(404, {"error": "not found"})
                grant = provider.codes.pop(form.get("code", ""), None)
                if (
                    form.get("client_id") != provider.client_id
                    or form.get("client_secret") != provider.client_secret
                ):
                    return self._json(401, {"error": "invalid_client"})
                if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                    return self._json(400, {"error": "invalid_grant"})
                verifier = form.get("code_verifier", "").encode()
                challenge = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier).digest())
                    .rstrip(b"=")
                    .decode()
                )
                if challenge != grant.get("code_challenge"):
                    return self._json(400, {"error": "invalid_grant", "why": "PKCE"})
                claims = grant["claims"]
                now = int(time.time())
                id_token = jwt.encode(
                    {
                        "iss": provider.url,
                        "aud": provider.client_id,
                        "iat": now,
                        "exp": now + 300,
                        "nonce": grant.get("nonce"),
                        **{k: v for k, v in claims.items() if k in provider.id_token_claims},
                    },
                    provider.signing_key,
                    algorithm="RS256",
                    headers={"kid": provider.kid},
                )
                access = secrets.token_urlsafe(16)
                provider.access[access] = claims
                return self._json(
                    200,
                    {"access_token": access, "token_type": "Bearer", "id_token": id_token},
                )

        return Handler
