#!/usr/bin/env bash
# A Ray cluster for judge, and an evaluation submitted to it.  Run on each machine:
#
#   runners/ray_cluster.sh head                      # on the head node; prints its address
#   runners/ray_cluster.sh worker HEAD_IP:6379       # on every other node
#   runners/ray_cluster.sh submit HEAD_IP:6379 -- judge evaluate samples.jsonl --dataset apps --run runs/x
#   runners/ray_cluster.sh stop                      # on each node
#
# Every node needs the same Python environment with judge installed (pip install 'judge-codegen[ray]')
# and, for the sandbox's private uids, tmpfs scratch and network namespace, Ray running as root
# (in a container or VM of its own).  judge evaluate --engine ray runs one sandboxed judge per CPU
# Ray offers; NUM_CPUS caps it per node.  The driver (submit) writes the run store on the head node.
set -euo pipefail
port=${RAY_PORT:-6379}
cpus=()
if [ -n "${NUM_CPUS:-}" ]; then
  cpus=(--num-cpus "$NUM_CPUS")
fi
case "${1:-}" in
  head)
    ray start --head --port "$port" --include-dashboard=false --disable-usage-stats "${cpus[@]}"
    echo "head address: $(hostname -I | awk '{print $1}'):$port"
    ;;
  worker)
    address=${2:?usage: $0 worker HEAD_IP:PORT}
    ray start --address "$address" --disable-usage-stats "${cpus[@]}"
    ;;
  submit)
    address=${2:?usage: $0 submit HEAD_IP:PORT -- judge evaluate ...}
    shift 2
    [ "${1:-}" = "--" ] && shift
    # The evaluation runs as a Ray job's driver on the head; --engine ray spreads the sandboxes.
    RAY_ADDRESS="$address" exec "$@" --engine ray --address "$address"
    ;;
  stop)
    ray stop
    ;;
  *)
    echo "usage: $0 head | worker HEAD_IP:PORT | submit HEAD_IP:PORT -- judge evaluate ... | stop" >&2
    exit 2
    ;;
esac
