"""Converge an existing, unchanged job: azure_iot.jobs.iothub_scheduled_job vs one ansible.builtin.uri GET.

The module must make exactly one HTTP request per run (a GET of the job) and, with SAS auth, import neither
azure.identity nor azure.core; with Entra ID (auth_method client_secret) it imports azure.identity.
"""
import json
import os
import tempfile

from bench.common import REPO, Row, median_run, module_process, playbook, polls_of, sas_token, total_requests

JOB_ID = "bench-converge"
ITERATIONS = 10
TWIN_PATCH = {"desired": {"firmware": {"version": "1.2.0"}}}
QUERY = "tags.ring = 'canary'"
PROBE = os.path.join(REPO, "bench", "import_probe.py")


def setup(emulator):
    emulator.reset(1000)
    emulator.run_twin_job(JOB_ID, QUERY, TWIN_PATCH["desired"])


def _playbook_run(emulator, name):
    emulator.clear_requests()
    result = playbook(emulator, name, {"bench_job_id": JOB_ID, "bench_iterations": ITERATIONS},
                      BENCH_SAS_TOKEN=sas_token(emulator.env["AZURE_IOTHUB_CONNECTION_STRING"]))
    return result, emulator.request_counts()


def _imports(emulator, args):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    try:
        emulator.clear_requests()
        result = module_process(emulator, "iothub_scheduled_job", args, wrapper=PROBE, BENCH_IMPORTS_OUT=out)
        with open(out, encoding="utf-8") as handle:
            return result, json.load(handle), emulator.request_counts()
    finally:
        os.remove(out)


def run(emulator, runs=3):
    setup(emulator)
    rows = []
    ours, ours_counts = median_run(runs, lambda: _playbook_run(emulator, "converge_module.yml"))
    if ours_counts != {"GET /jobs/v2/{id}": ITERATIONS}:
        raise RuntimeError("the module made other requests than one GET per run: %s" % ours_counts)
    uri, uri_counts = median_run(runs, lambda: _playbook_run(emulator, "converge_uri.yml"))
    for variant, result, counts in (("module, ansible-playbook", ours, ours_counts),
                                    ("ansible.builtin.uri GET", uri, uri_counts)):
        rows.append(Row("converge unchanged (x%d tasks)" % ITERATIONS, variant, result.wall,
                        total_requests(counts) / float(ITERATIONS), None, result.peak_mib,
                        "per task: %.3f s, %.1f req" % (result.wall / ITERATIONS, total_requests(counts) / ITERATIONS),
                        extra=dict(baseline=variant != "module, ansible-playbook", counts=counts)))

    args = {"job_id": JOB_ID, "query": QUERY, "twin_patch": TWIN_PATCH}
    sas, sas_imports, sas_counts = _imports(emulator, args)
    entra_args = dict(args, auth_method="client_secret", hostname=emulator.env["AZURE_IOTHUB_HOSTNAME"],
                      connection_string=None)
    entra, entra_imports, entra_counts = _imports(emulator, entra_args)
    for variant, result, imports, counts in (("module process, SAS", sas, sas_imports, sas_counts),
                                             ("module process, Entra ID", entra, entra_imports, entra_counts)):
        identity = any(name.startswith("azure.identity") for name in imports["azure"])
        core = any(name.startswith("azure.core") for name in imports["azure"])
        rows.append(Row("converge unchanged (1 module run)", variant, result.wall, total_requests(counts),
                        polls_of(counts), result.peak_mib,
                        "azure.identity %s, azure.core %s; %d modules loaded" % (
                            "imported" if identity else "not imported", "imported" if core else "not imported",
                            imports["modules"]),
                        extra=dict(azure_identity=identity, azure_core=core, modules=imports["modules"],
                                   third_party=imports["third_party"], counts=counts)))
    return rows
