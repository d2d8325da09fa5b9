"""The policy's sampling stream: seeded from ``actor.seed + rank``, and kept apart from the simulator's."""

from __future__ import annotations

import torch
from omegaconf import OmegaConf

from isaaclab_rlinf.workers.policy_rng import RngStream, policy_seed


def test_the_seed_is_rlinfs_training_seed_plus_the_rank():
    assert policy_seed(OmegaConf.create({"actor": {"seed": 1234}}), 2) == 1236


def test_a_stream_draws_what_a_freshly_seeded_process_draws():
    stream = RngStream(5)
    with stream.active():
        drawn = torch.rand(3)
    torch.manual_seed(5)
    assert torch.equal(drawn, torch.rand(3))


def test_the_stream_and_the_caller_do_not_shift_each_other():
    torch.manual_seed(0)
    alone = torch.rand(2), torch.rand(2)
    torch.manual_seed(0)
    stream = RngStream(5)  # creating it leaves the caller's stream where it was
    first = torch.rand(2)
    with stream.active():
        torch.rand(100)
    assert torch.equal(first, alone[0]) and torch.equal(torch.rand(2), alone[1])


def test_the_stream_continues_where_it_left_off():
    stream = RngStream(5)
    with stream.active():
        first = torch.rand(2)
    torch.rand(7)
    with stream.active():
        second = torch.rand(2)
    torch.manual_seed(5)
    assert torch.equal(torch.cat([first, second]), torch.rand(4))
