#!/usr/bin/env bash
# The main job on the embedded Franka Reach task (Isaac-RLinf-Franka-Reach-Camera-v0), after scripts/install.sh:
#  - with a GPU: RLinf PPO training of its packaged MLP config (Ray; actor, rollout and env workers), logs
#    under logs/rlinf/ (one H100: success >= 0.9 held 109 s after the command, benchmarks/results/README.md);
#  - without one (RLinf's workers need it): a rollout through the RLinf env class (frames of every
#    camera + episode metrics) and an inspection of the mapping (contact sheet + key table).
set -euo pipefail
cd "$(dirname "$0")/.."
cli=(.venv/bin/python -m isaaclab_rlinf)
task=Isaac-RLinf-Franka-Reach-Camera-v0
if .venv/bin/python -c "import sys, torch; sys.exit(not torch.cuda.is_available())"; then
  exec "${cli[@]}" train --task "$task" "$@"
fi
echo "No GPU here: RLinf's rollout/actor workers need one. Running the CPU rollout and inspection instead."
run_dir=logs/rlinf/$(date +%Y-%m-%d_%H-%M-%S)-$task
"${cli[@]}" rollout --task "$task" --split eval --num_envs 4 --steps 120 --frame_every 20 --out_dir "$run_dir/rollout" "$@"
"${cli[@]}" inspect --task "$task" --split eval --num_envs 4 --steps 20 --random --out_dir "$run_dir/inspect" "$@"
echo "Look at: $run_dir/rollout/*.png (frames), $run_dir/rollout/metrics.json, $run_dir/inspect/contact_sheet.png"
