#!/usr/bin/env bash
# The main job on the embedded task (Isaac-RLinf-Cartpole-Camera-v0), after scripts/install.sh:
#  - with a GPU: RLinf PPO training (Ray; actor, rollout and env workers), logs under logs/rlinf/;
#  - without one (RLinf's workers need it): a rollout through the RLinf env class (frames of every
#    camera + episode metrics) and an inspection of the mapping (contact sheet + key table).
set -euo pipefail
cd "$(dirname "$0")/.."
cli=(.venv/bin/python -m isaaclab_rlinf)
if .venv/bin/python -c "import sys, torch; sys.exit(not torch.cuda.is_available())"; then
  exec "${cli[@]}" train "$@"
fi
echo "No GPU here: RLinf's rollout/actor workers need one. Running the CPU rollout and inspection instead."
run_dir=logs/rlinf/$(date +%Y-%m-%d_%H-%M-%S)-Isaac-RLinf-Cartpole-Camera-v0
"${cli[@]}" rollout --num_envs 4 --steps 320 --frame_every 20 --out_dir "$run_dir/rollout" "$@"
"${cli[@]}" inspect --split eval --num_envs 4 --steps 20 --random --out_dir "$run_dir/inspect" "$@"
echo "Look at: $run_dir/rollout/*.png (frames), $run_dir/rollout/metrics.json, $run_dir/inspect/contact_sheet.png"
