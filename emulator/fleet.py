"""The emulated hubs of one subscription (--hubs N): names, resource groups, locations, tags and policy keys.

Hub 1 is the hub the emulator always had (emulator-hub in emulator-rg, westus2, no tags, the same keys). Hubs 2..N
are spread deterministically so that an inventory's filters and groups have something to select:
resource group by the index's parity, location by every second pair, tags `env` and `owner`.
"""
import base64

from .credentials import HUB_NAME, HUB_POLICIES, RESOURCE_GROUP, derive

MAX_HUBS = 50  # the subscription limit of IoT hubs the issue quotes
RESOURCE_GROUPS = (RESOURCE_GROUP, RESOURCE_GROUP + "-2")
LOCATIONS = ("westus2", "northeurope")


class HubSpec:
    """Where hub `index` (1-based) lives in ARM; `port` is set once its data-plane socket is bound."""

    def __init__(self, index):
        self.index = index
        self.name = HUB_NAME if index == 1 else "%s-%d" % (HUB_NAME, index)
        self.resource_group = RESOURCE_GROUPS[(index - 1) % 2]
        self.location = LOCATIONS[((index - 1) // 2) % 2]
        self.tags = {} if index == 1 else {"env": "prod" if index % 2 == 0 else "staging",
                                           "owner": "team-b" if index % 3 == 0 else "team-a"}
        self.port = None

    def policy_keys(self, seed):
        """{policy: base64 key}; hub 1 keeps the derivation it always had, so its connection string is unchanged."""
        purpose = "policy:%s" if self.index == 1 else "hub:" + self.name + ":policy:%s"
        return {name: base64.b64encode(derive(seed, purpose % name)).decode() for name in HUB_POLICIES}


def layout(count):
    return [HubSpec(index) for index in range(1, count + 1)]
