#!/usr/bin/env bash
# Start a vLLM OpenAI-compatible server set up for judge's workload: up to 1000 samples of each
# prompt, so the prompt's KV cache is shared (prefix caching) and many sequences decode at once.
#
#   runners/vllm_server.sh MODEL [PORT] [more vllm flags...]
#   judge run codex-apps-1shot --base-url http://localhost:PORT/v1 --model MODEL
#
# Environment: TP (GPUs per model, default 1), MAX_NUM_SEQS (sequences decoded together, default
# 512), MAX_MODEL_LEN (prompt + answer tokens, default 4096; APPS statements can be 2000 tokens),
# GPU_UTIL (share of GPU memory for weights + KV cache, default 0.92), SERVED_NAME (the name
# clients pass as --model, default MODEL).
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 MODEL [PORT] [vllm flags...]" >&2
  exit 2
fi
model=$1
port=${2:-8000}
shift
[ $# -gt 0 ] && shift
flags=(
  --port "$port"
  --served-model-name "${SERVED_NAME:-$model}"
  --tensor-parallel-size "${TP:-1}"
  --max-num-seqs "${MAX_NUM_SEQS:-512}"
  --max-model-len "${MAX_MODEL_LEN:-4096}"
  --gpu-memory-utilization "${GPU_UTIL:-0.92}"
  # n samples of one prompt reuse its KV cache; judge sends a task's requests back to back
  --enable-prefix-caching
  # sample with exactly the temperature/top_p judge sends, not the model's generation_config
  --generation-config vllm
  # ranked pass@1 needs the sampled token's log-prob: the model's own, before temperature
  --max-logprobs 1
  --logprobs-mode raw_logprobs
)
exec vllm serve "$model" "${flags[@]}" "$@"
