"""The credentials the emulator accepts, and the values it publishes in env.sh / env.json.

Keys are derived from the command-line seed so that a rerun with the same seed gets the same connection string;
they do not change on /_emulator/reset, so a running client's credentials stay valid.
"""
import base64
import hashlib
import os
from collections import deque

SUBSCRIPTION_ID = "00000000-0000-4000-8000-00000000e5b1"
TENANT_ID = "00000000-0000-4000-8000-0000000e1a11"
CLIENT_ID = "00000000-0000-4000-8000-00000000c11e"
CENTRAL_APP_ID = "00000000-0000-4000-8000-0000000ce471"
CENTRAL_TOKEN_ID = "emulator-operator"
RESOURCE_GROUP = "emulator-rg"
HUB_NAME = "emulator-hub"
# The policies a new hub is created with ("Control access to IoT Hub", learn.microsoft.com
# azure/iot-hub/iot-hub-devguide-security: iothubowner, service, device, registryRead, registryReadWrite).
HUB_POLICIES = ("iothubowner", "service", "device", "registryRead", "registryReadWrite")
ISSUED_TOKENS_KEPT = 1000  # GET /_emulator/tokens: the newest bearer tokens, so a long run cannot exhaust memory


def derive(seed, purpose, size=32):
    return hashlib.sha256(("azure-iot-jobs-emulator:%s:%s" % (seed, purpose)).encode()).digest()[:size]


class Credentials:
    def __init__(self, seed):
        self.hub_keys = {name: base64.b64encode(derive(seed, "policy:" + name)).decode() for name in HUB_POLICIES}
        self.client_secret = base64.urlsafe_b64encode(derive(seed, "client-secret", 30)).decode()
        self.central_key = derive(seed, "central-token")
        # Bearer tokens are signed with a per-process key: a token from an earlier run is rejected, as it would be.
        self.jwt_key = os.urandom(32)
        # Every bearer token the Entra endpoint issued, for tests that look for leaked secrets (kept over resets:
        # the tokens stay valid).
        self.issued_tokens = deque(maxlen=ISSUED_TOKENS_KEPT)

    def hub_key(self, policy):
        """The decoded key of a shared access policy, or None for an unknown policy name."""
        key = self.hub_keys.get(policy)
        return base64.b64decode(key) if key else None
