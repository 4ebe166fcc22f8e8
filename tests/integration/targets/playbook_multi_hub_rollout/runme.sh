#!/usr/bin/env bash
# check -> real -> check unchanged -> real unchanged of azure_iot.jobs.multi_hub_rollout over every emulated hub,
# with the hubs listed by the azure_iot.jobs.iot_hubs inventory plugin, as a job template with an inventory source.
set -eux
# ansible-test leaves a placeholder here for script targets; the modules run on the controller, with its Python.
export ANSIBLE_PYTHON_INTERPRETER="$ANSIBLE_TEST_PYTHON_INTERPRETER"
config=../../integration_config.yml
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The job's environment: the Entra ID service principal (as AWX's Azure Resource Manager credential injects it) and
# the emulator's CA; no hub connection string (each host names its own hub).
ansible-playbook -i localhost, -c local job_env.yml -e @"$config" -e "env_file=$work/env.sh"
# shellcheck disable=SC1091
source "$work/env.sh"
rm "$work/env.sh"
export ANSIBLE_INVENTORY_ENABLED=azure_iot.jobs.iot_hubs
name="it-multi-hub-$RANDOM"

rollout() {
  ansible-playbook -i hubs.iot_hubs.yml azure_iot.jobs.multi_hub_rollout -e @rollout.yml -e "iothub_rollout_name=$name" \
    "$@"
}
hubs=$(ansible-inventory -i hubs.iot_hubs.yml --graph iot_hubs | grep -c -- '--emulator-hub')
[ "$hubs" -ge 2 ]
unchanged() {  # every hub's recap line says changed=0
  [ "$(grep -cE '^emulator-hub[-0-9]* +: ok=[0-9]+ +changed=0 ' "$1")" -eq "$hubs" ]
}

rollout --check | tee "$work/check.txt"
# The summary's lines (the list of the last play; each hub's own line is a "msg": line).
[ "$(grep -cE '^ +"emulator-hub[-0-9]*: planned, 3/3 waves' "$work/check.txt")" -eq "$hubs" ]
ansible-playbook -i hubs.iot_hubs.yml verify.yml -e "rollout_name=$name" -e expected_jobs=0

rollout | tee "$work/real.txt"
[ "$(grep -cE '^ +"emulator-hub[-0-9]*: completed, 3/3 waves, 500 of 500 devices succeeded, 0 failed"' \
  "$work/real.txt")" -eq "$hubs" ]
ansible-playbook -i hubs.iot_hubs.yml verify.yml -e "rollout_name=$name" -e expected_jobs=3

rollout --check | tee "$work/check2.txt"
unchanged "$work/check2.txt"
rollout | tee "$work/real2.txt"
unchanged "$work/real2.txt"
ansible-playbook -i hubs.iot_hubs.yml verify.yml -e "rollout_name=$name" -e expected_jobs=3
