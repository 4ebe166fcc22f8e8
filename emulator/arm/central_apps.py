"""ARM view of the emulated IoT Central application: Microsoft.IoTCentral/iotApps lists (api-version 2021-06-01).

Shapes from azure-rest-api-specs specification/iotcentral/resource-manager/Microsoft.IoTCentral/stable/2021-06-01/
iotcentral.json (Apps_ListBySubscription, Apps_ListByResourceGroup: AppListResult {value: [App], nextLink}; App
{id, name, type, location, tags, sku {name: ST0|ST1|ST2}, identity, properties {applicationId, displayName,
subdomain, template, state}}), as generated into Azure/bicep-types-az generated/iotcentral/microsoft.iotcentral/
2021-06-01/types.md.
"""
from aiohttp import web

from ..credentials import CENTRAL_APP_ID, RESOURCE_GROUP, SUBSCRIPTION_ID, TENANT_ID
from ..state import STATE

API_VERSIONS = ("2021-06-01",)
APP_NAME = "emulator-central"
LOCATION = "unitedstates"  # IoT Central locations are geographies
PROVIDER = "/providers/Microsoft.IoTCentral/iotApps"


def app_description():
    return {
        "id": "/subscriptions/%s/resourceGroups/%s%s/%s" % (SUBSCRIPTION_ID, RESOURCE_GROUP, PROVIDER, APP_NAME),
        "name": APP_NAME, "type": "Microsoft.IoTCentral/iotApps", "location": LOCATION, "tags": {},
        "sku": {"name": "ST2"},
        "identity": {"type": "SystemAssigned", "principalId": "00000000-0000-4000-8000-0000000ce472",
                     "tenantId": TENANT_ID},
        # The subdomain of a real app makes its URL (https://{subdomain}.azureiotcentral.com); the emulator serves the
        # app at AZURE_IOTCENTRAL_APP_URL instead.
        "properties": {"applicationId": CENTRAL_APP_ID, "displayName": "Emulator IoT Central application",
                       "subdomain": APP_NAME, "template": "iotc-pnp-preview@1.0.0", "state": "created"},
    }


async def list_apps(request, page):
    """AppListResult of the subscription, or of a resource group (the app is in emulator-rg)."""
    group = request.match_info.get("rg", RESOURCE_GROUP).lower()
    apps = [app_description()] if group == RESOURCE_GROUP else []
    return web.json_response(page(request, apps, request.app[STATE].config.arm_page_size))
