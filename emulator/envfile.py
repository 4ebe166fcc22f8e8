"""The variables clients need (design.md connection options), written to env.sh and env.json when ready."""
import json
import os

from . import credentials as creds
from .auth import make_central_token
from .credentials import HUB_POLICIES

ENV_SH, ENV_JSON = "env.sh", "env.json"


def variables(state, ca_path):
    c = state.credentials
    owner = HUB_POLICIES[0]
    return {
        "AZURE_IOTHUB_CONNECTION_STRING": "HostName=%s;SharedAccessKeyName=%s;SharedAccessKey=%s"
                                          % (state.hub_hostname, owner, c.hub_keys[owner]),
        "AZURE_IOTHUB_HOSTNAME": state.hub_hostname,
        "AZURE_SUBSCRIPTION_ID": creds.SUBSCRIPTION_ID,
        "AZURE_RESOURCE_GROUP": creds.RESOURCE_GROUP,
        "AZURE_IOTHUB_NAME": creds.HUB_NAME,
        "AZURE_ARM_ENDPOINT": state.base_url,
        "AZURE_IOTCENTRAL_APP_URL": state.base_url,
        "AZURE_IOTCENTRAL_API_TOKEN": make_central_token(creds.CENTRAL_APP_ID, creds.CENTRAL_TOKEN_ID, c.central_key),
        "AZURE_TENANT_ID": creds.TENANT_ID,
        "AZURE_CLIENT_ID": creds.CLIENT_ID,
        "AZURE_CLIENT_SECRET": c.client_secret,
        "AZURE_AUTHORITY_HOST": state.base_url,
        "REQUESTS_CA_BUNDLE": ca_path,
        "SSL_CERT_FILE": ca_path,
        "EMULATOR_URL": state.base_url,
        "EMULATOR_PID": str(os.getpid()),
        "EMULATOR_HUBS": json.dumps(hub_list(state)),
    }


def hub_list(state):
    """Every hub as the ARM list shows it, for tests and static inventories; JSON text, as env values are strings.
    No keys: a client gets them through ARM listkeys."""
    return [{"name": spec.name, "resource_group": spec.resource_group, "location": spec.location,
             "tags": spec.tags, "hostname": state.hostname_for(state.port_of(spec))}
            for spec in state.hubs]


def _single_quoted(value):
    return "'%s'" % value.replace("'", "'\"'\"'")


def _write_atomically(path, text):
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(temporary, path)


def write(state_dir, env):
    """env.sh first, env.json last: a reader waiting for env.json finds both complete."""
    lines = ["export %s=%s\n" % (name, _single_quoted(value)) for name, value in env.items()]
    _write_atomically(os.path.join(state_dir, ENV_SH), "".join(lines))
    _write_atomically(os.path.join(state_dir, ENV_JSON), json.dumps(env, indent=2) + "\n")


def remove(state_dir):
    for name in (ENV_JSON, ENV_SH):
        try:
            os.remove(os.path.join(state_dir, name))
        except FileNotFoundError:
            pass
