"""A local HTTPS emulator of Azure IoT Hub (data plane and ARM jobs), Entra ID and IoT Central jobs.

Installed (`pip install ./emulator`) the package is `azure_iot_emulator` and the command is `azure-iot-emulator`; in
the azure_iot.jobs repository the same files import as `emulator` (every import inside is relative).
"""
__version__ = "1.0.0"
