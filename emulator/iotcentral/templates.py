"""Device templates: the seeded ones and what a template offers to jobs (its capabilities)."""

DEVICES_PER_TEMPLATE = (("thermostat", 0.6), ("sensor", 0.3), ("gateway", 0.1))  # shares of the seeded devices


def template_id(name):
    return "dtmi:azureiotjobs:%s;1" % name


def seed_template(name):
    """A DTDL v2 template: a writable property, a command, a cloud property, and the same in a component."""
    inner = [{"@type": "Property", "name": "targetTemperature", "schema": "double", "writable": True},
             {"@type": "Command", "name": "reboot"}]
    contents = [
        {"@type": "Property", "name": "fwVersion", "schema": "string", "writable": True},
        {"@type": "Command", "name": "reboot", "request": {"name": "delay", "schema": "integer"}},
        {"@type": ["Property", "Cloud"], "name": "customerName", "schema": "string"},
        {"@type": "Component", "name": "settings",
         "schema": {"@id": template_id(name) + ":settings", "@type": "Interface", "contents": inner}},
    ]
    return {"@id": template_id(name), "@type": ["ModelDefinition", "DeviceModel"], "displayName": name.capitalize(),
            "capabilityModel": {"@id": template_id(name) + ":model", "@type": "Interface",
                                "displayName": name.capitalize(), "contents": contents}}


def capabilities(template):
    """{"property"|"command"|"cloudProperty": set of paths} of a template (`name` or `component.name`)."""
    found = {"property": set(), "command": set(), "cloudProperty": set()}

    def walk(contents, prefix):
        for item in contents or ():
            if not isinstance(item, dict) or not isinstance(item.get("name"), str):
                continue
            types = item.get("@type")
            types = {types} if isinstance(types, str) else set(types or ())
            if "Component" in types and isinstance(item.get("schema"), dict):
                walk(item["schema"].get("contents"), prefix + item["name"] + ".")
            elif "Command" in types:
                found["command"].add(prefix + item["name"])
            elif "Cloud" in types or "CloudProperty" in types:
                found["cloudProperty"].add(prefix + item["name"])
            elif "Property" in types:
                found["property"].add(prefix + item["name"])

    model = template.get("capabilityModel")
    if isinstance(model, dict):
        walk(model.get("contents"), "")
    return found
