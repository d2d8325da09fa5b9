#!/usr/bin/env bash
# On the GPU host: the same short PPO run of the embedded task in three env set-ups, side by side:
#   subproc_noimg   simulator in RLinf's subprocess, policy obs = states only (images not shipped)
#   inproc_noimg    simulator in the env worker's process (init_params.in_process=true), states only
#   inproc_img      in-process, both camera views shipped to the rollout worker every step
# (The original set-up, subprocess + images, is the first full run: results/gpu_train_subproc_img.json.)
# Usage: bash benchmarks/gpu/compare_train_modes.sh [EPOCHS]
set -uo pipefail
epochs=${1:-6}
OUT=${OUT:-/tmp/out}
# the packaged config trains in process on states only; each mode overrides what differs from that
img=(+env.train.isaaclab.main_images=front_camera '+env.train.isaaclab.extra_view_images=[side_camera]')
subproc=(env.train.init_params.in_process=false)
declare -A modes=(
  [subproc_noimg]="${subproc[*]}"
  [inproc_noimg]=""
  [inproc_img]="${img[*]}"
)
for mode in subproc_noimg inproc_noimg inproc_img; do
  # shellcheck disable=SC2086
  bash benchmarks/gpu/run_on_gpu.sh train --max_epochs "$epochs" --experiment_name "$mode" \
    runner.save_interval=-1 ${modes[$mode]} > "$OUT/train_$mode.log" 2>&1
  echo "== $mode (rc=$?)"
  python3 benchmarks/gpu/parse_train_log.py "$OUT/train_$mode.log" --meta "$OUT/train_meta.json" \
    --json "$OUT/train_$mode.json" | tail -4
done
